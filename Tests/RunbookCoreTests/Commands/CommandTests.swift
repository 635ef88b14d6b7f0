import Foundation
import RunbookCore
import Synchronization
import Testing

@testable import runbook

/// A console that keeps what each stream got.
final class CapturedConsole: Sendable {
    private let streams = Mutex<(out: String, err: String)>(("", ""))

    var console: Console {
        Console { stream, text in
            self.streams.withLock { streams in
                if stream == .standardOutput { streams.out += text } else { streams.err += text }
            }
        }
    }

    var out: String { streams.withLock { $0.out } }
    var err: String { streams.withLock { $0.err } }
}

/// A runner whose every call fails with an error that is not runbook's own.
struct FailingRunner: ProcessRunning {
    struct Broken: Error, CustomStringConvertible {
        var description: String { "the process seam broke" }
    }

    func capture(_ spec: ProcessSpec) async throws -> ProcessOutput { throw Broken() }

    func stream(
        _ spec: ProcessSpec, onStart: @escaping @Sendable (Int32) -> Void,
        onLine: @escaping @Sendable (OutputLine) -> Void
    ) async throws -> Int32 { throw Broken() }
}

/// Commands driven as the binary drives them: `Runbook.execute` parses with `parseAsRoot`, makes the
/// context from a fake system (recording runner, captured console, given environment), runs, and maps
/// the outcome to the exit status in its one place.
@Suite struct CommandTests {
    private let folder: URL

    init() throws {
        folder = try temporaryDirectory()
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("Playbooks"), withIntermediateDirectories: true)
        try Data("- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n".utf8)
            .write(to: folder.appendingPathComponent("Playbooks/site.yml"))
    }

    private func run(
        _ arguments: [String], environment: [String: String] = [:], runner: any ProcessRunning = RecordingRunner()
    ) async -> (status: Int32, out: String, err: String) {
        let captured = CapturedConsole()
        var variables = ["HOME": folder.path, "PATH": "/nonexistent"]
        variables.merge(environment) { _, new in new }
        let system = RunbookSystem(
            environment: variables, currentDirectory: folder.path, runner: runner, console: captured.console)
        let status = await Runbook.execute(arguments, system: system)
        return (status, captured.out, captured.err)
    }

    @Test func parseAsRootGivesEachCommandItsSettingFlags() throws {
        let apply = try #require(
            try Runbook.parseAsRoot([
                "apply", "site", "-i", "web1,web2,", "-i", "hosts.ini", "--env", "TOKEN", "--image", "x/y:1",
                "--engine", "podman", "--engine-option=--ulimit=nofile=1:1", "--timeout", "15m", "--forks", "3",
            ]) as? Apply)
        let settings = try Settings(
            workspace: folder.path, environment: [:], file: [:], flags: apply.settingFlags)
        #expect(settings.list(.inventory) == ["web1,web2,", "hosts.ini"])
        #expect(settings[.inventory].source == .flag("-i"))
        #expect(settings.list(.env) == ["TOKEN"])
        #expect(settings.string(.image) == "x/y:1")
        #expect(settings.string(.engine) == "podman")
        #expect(settings.list(.engineOptions) == ["--ulimit=nofile=1:1"])
        #expect(apply.options.request.timeout == .seconds(900))
        #expect(apply.options.request.selection.forks == 3)

        let status = try #require(try Runbook.parseAsRoot(["image", "status", "--tag", "a/b:2"]) as? ImageStatus)
        let imageSettings = try Settings(
            workspace: folder.path, environment: [:], file: [:], flags: status.settingFlags)
        #expect(imageSettings[.image].source == .flag("--tag"))
        let creds = try #require(try Runbook.parseAsRoot(["creds", "--online", "--timeout", "30"]) as? Creds)
        #expect(Durations.parse(creds.timeout) == .seconds(30))
        #expect(Durations.milliseconds(.seconds(30)) == 30_000 && Durations.milliseconds(.microseconds(1_999)) == 1)
    }

    @Test func configShowsEveryKeyWithAValueOrWhatHappensAndItsSource() async throws {
        try Data("network: host\n".utf8).write(to: folder.appendingPathComponent("runbook.yml"))
        let result = await run(["config"], environment: ["RUNBOOK_PULL_POLICY": "never"])
        #expect(result.status == 0)
        #expect(!result.out.contains("unset"))
        for key in SettingKey.allCases { #expect(result.out.contains(key.rawValue + " "), "\(key)") }
        // One column for the keys: padded to the longest.
        let width = SettingKey.allCases.map(\.rawValue.count).max() ?? 0
        func row(_ key: String, _ rest: String) -> String {
            key.padding(toLength: width + 2, withPad: " ", startingAt: 0) + rest
        }
        #expect(result.out.contains(row("pull_policy", "never  (environment RUNBOOK_PULL_POLICY)")))
        #expect(result.out.contains(row("network", "host  (\(folder.path)/runbook.yml:1)")))
        #expect(result.out.contains(row("base_image", "python:3.11-slim-bookworm  (default)")))
        let json = await run(["config", "--format", "json"])
        let entries = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]]
        #expect(entries?.count == SettingKey.allCases.count)
    }

    @Test func badSettingIsUsageWithItsPlace() async {
        let result = await run(["validate"], environment: ["RUNBOOK_ENGINE": "dokcer"])
        #expect(result.status == 64)
        #expect(result.err.contains("runbook: error: RUNBOOK_ENGINE=dokcer: engine 'dokcer' is not one of"))
    }

    @Test func validateReportsErrorsWith65AndTheirPosition() async throws {
        try Data("- hosts: all\n  taks: []\n".utf8).write(to: folder.appendingPathComponent("Playbooks/bad.yml"))
        let result = await run(["validate"])
        #expect(result.status == 65)
        #expect(result.out.contains("Playbooks/bad.yml:2:3: error:"))
        #expect(result.err.contains("2 files, 1 errors"))
        let missing = await run(["validate", "-i", "nowhere.ini"])
        #expect(missing.status == 66)
    }

    @Test func usageErrorsAre64AndHelpIs0() async {
        let forks = await run(["apply", "site", "--forks", "0"])
        #expect(forks.status == 64)
        #expect(forks.err.contains("--forks must be at least 1"))
        let timeout = await run(["creds", "--timeout", "soon"])
        #expect(timeout.status == 64)
        let help = await run(["apply", "--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("USAGE: runbook apply"))
        let group = await run(["image"])
        #expect(group.status == 0)
        #expect(group.out.contains("SUBCOMMANDS:"))
    }

    @Test func runFolderThatCannotBeMadeIsExit70WithALine() async throws {
        let file = folder.appendingPathComponent("not-a-folder")
        try Data().write(to: file)
        let result = await run(
            ["apply", "site", "--no-credentials", "--no-validate"], environment: ["TMPDIR": file.path])
        #expect(result.status == 70)
        #expect(result.err.contains("runbook: error: cannot create the run's folder \(file.path)/runbook-"))
        #expect(result.err.contains("(not a directory)"))
    }

    @Test func unexpectedErrorsAre70NeverOne() async {
        let result = await run(
            ["apply", "site", "--no-credentials", "--no-validate"], environment: ["RUNBOOK_IN_IMAGE": "1"],
            runner: FailingRunner())
        #expect(result.status == 70)
        #expect(result.err.contains("runbook: error: internal error: the process seam broke"))
    }

    /// The whole apply through the fakes: engine from the settings, one `image inspect` that finds the
    /// current image, the read of its plugin index, then `docker run` whose status 2 passes through; no
    /// secret in any argv.
    @Test func applyPassesAnsiblesStatusThroughAndKeepsSecretsOutOfArgv() async throws {
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try Data("#!/bin/sh\n".utf8).write(to: bin.appendingPathComponent("docker"))
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent("docker").path)
        let image = try ImageSettings(
            Settings(workspace: folder.path, environment: [:], file: [:]), home: folder.path)
        let hash = ImageDefinition.embedded.contentHash(image)
        let inspect =
            #"[{"Id":"sha256:a","Size":1,"RepoTags":["runbook/ansible-aws:release"],"Config":{"Labels":{"dev.runbook.content-hash":"\#(hash)"}}}]"#
        let runner = RecordingRunner([
            .call(["docker", "image", "inspect", "runbook/ansible-aws:release"], stdout: inspect),
            // The module checks read the image's index (this fake image has none: they are skipped).
            .call(["docker", "run", "--rm", "--network", "none", "--entrypoint", "cat", "sha256:a"], status: 1),
            .call(["docker", "ps", "--all", "--quiet", "--no-trunc", "--filter", "label=runbook.managed=true"]),
            .call(["docker", "run", "--rm"], status: 2, lines: ["PLAY RECAP", "token is s3cr3t-token-value"]),
            .call(["docker", "rm", "--force"]),
        ])
        let result = await run(
            ["apply", "site", "--offline", "--env", "DEPLOY_TOKEN", "--no-ssh-dir"],
            environment: [
                "PATH": bin.path, "RUNBOOK_ENGINE": "docker", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_REGION": "eu-west-1",
                "DEPLOY_TOKEN": "s3cr3t-token-value",
            ], runner: runner)
        #expect(result.status == 2, "\(result.err)")
        #expect(runner.unmet.isEmpty)
        let run = try #require(runner.calls.first { $0.arguments.first == "run" && !$0.arguments.contains("cat") })
        let argv = run.arguments.joined(separator: " ")
        #expect(result.err.contains("module checks skipped: the image has no plugin index"))
        #expect(!argv.contains("wJalrXUtnFEMI"))
        #expect(!argv.contains("s3cr3t-token-value"))
        #expect(run.arguments.contains("DEPLOY_TOKEN"))
        #expect(run.environment["DEPLOY_TOKEN"] == "s3cr3t-token-value")
        #expect(result.out.contains("token is ****"))
        #expect(!result.out.contains("s3cr3t-token-value") && !result.err.contains("s3cr3t-token-value"))
    }
}

/// `validate`'s quick parse (no ArgumentParser) reads a line exactly as ArgumentParser does, or not at all.
@Test(arguments: [
    ["validate"], ["validate", "a.yml", "b.yml"], ["validate", "a.yml", "--format", "json", "b.yml"],
    ["validate", "-i", "hosts.ini", "site.yml", "--strict"], ["validate", "--inventory=inv", "x", "--workspace", "w"],
    ["validate", "--format=github", "--", "-odd.yml"], ["validate", "-i", "web1,web2,", "--", "p.yml"],
    ["validate", "--no-image", "--image", "x:1", "--engine", "podman", "--network=host", "--engine-option", "a=b"],
    ["validate", "--engine-option=--ulimit=nofile=1024", "--engine-option", "q", "-i", "a", "-i", "b", "p.yml"],
    ["validate", "--workspace", "one", "--workspace=two", "--format", "text", "--format", "json", "-"],
    ["validate", "p.yml", "--strict", "--strict", "--no-image"],
])
func validateQuickParseReadsAsArgumentParserDoes(_ argv: [String]) throws {
    let quick = try #require(Validate.quickParse(argv))
    let plain = try #require(try Runbook.parseAsRoot(argv) as? Validate)
    #expect(quick == plain.arguments)
}

/// What the quick parse leaves to ArgumentParser: help, unknown options, missing or bad values.
@Test(arguments: [
    ["validate", "--help"], ["validate", "-h"], ["validate", "--format", "yaml"], ["validate", "--format"],
    ["validate", "--image"], ["validate", "-i", "--strict"], ["validate", "--verbose"], ["validate", "-x"],
    ["validate", "--workspace="], ["apply", "site.yml"], ["validate", "--strict=yes"],
])
func validateQuickParseLeavesTheRestToArgumentParser(_ argv: [String]) {
    #expect(Validate.quickParse(argv) == nil)
}

/// Vault, become and pass-through options of `apply`, through the fakes.
@Suite struct ApplySecretTests {
    private let folder: URL

    init() throws {
        folder = try temporaryDirectory()
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("ws/Playbooks"), withIntermediateDirectories: true)
        try Data("- hosts: localhost\n  tasks:\n    - ansible.builtin.ping:\n".utf8)
            .write(to: folder.appendingPathComponent("ws/Playbooks/site.yml"))
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try Data("#!/bin/sh\n".utf8).write(to: bin.appendingPathComponent("docker"))
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent("docker").path)
    }

    private func runner(
        status: Int32 = 0, echo: String = "", first: [RecordingRunner.Expectation] = []
    ) throws -> RecordingRunner {
        let image = try ImageSettings(
            Settings(workspace: folder.path + "/ws", environment: [:], file: [:]), home: folder.path)
        let hash = ImageDefinition.embedded.contentHash(image)
        let inspect =
            #"[{"Id":"sha256:a","Size":1,"RepoTags":["runbook/ansible-aws:release"],"Config":{"Labels":{"dev.runbook.content-hash":"\#(hash)"}}}]"#
        return RecordingRunner(
            first + [
                .call(["docker", "image", "inspect", "runbook/ansible-aws:release"], stdout: inspect),
                .call(["docker", "ps", "--all", "--quiet", "--no-trunc"]),
                .call(["docker", "run", "--rm"], status: status, lines: [echo]),
                .call(["docker", "rm", "--force"]),
            ])
    }

    private func apply(_ arguments: [String], runner: any ProcessRunning, environment: [String: String] = [:]) async
        -> (status: Int32, out: String, err: String)
    {
        let captured = CapturedConsole()
        var variables = ["HOME": folder.path, "PATH": folder.path + "/bin", "RUNBOOK_ENGINE": "docker"]
        variables.merge(environment) { _, new in new }
        let system = RunbookSystem(
            environment: variables, currentDirectory: folder.path + "/ws", runner: runner, console: captured.console)
        let status = await Runbook.execute(
            ["apply", "site", "--no-credentials", "--no-validate", "--no-ssh-dir"] + arguments, system: system)
        return (status, captured.out, captured.err)
    }

    @Test func vaultPasswordsFromOutsideTheWorkspaceReachAnsibleOnlyThroughStdin() async throws {
        // ansible.cfg names a password file in the home folder, outside the workspace, as teams write it.
        try Data("[defaults]\nvault_password_file = ~/.vault_pass.txt\n".utf8)
            .write(to: folder.appendingPathComponent("ws/ansible.cfg"))
        try Data("  hunter2-vault-secret\n".utf8).write(to: folder.appendingPathComponent(".vault_pass.txt"))
        // A client script is asked for its vault id.
        let script = folder.appendingPathComponent("vault-pass-client.sh")
        try Data("#!/bin/sh\n[ \"$1\" = --vault-id ] && echo \"prod-secret-for-$2\"\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        // The script runs through the process seam, on this machine, with the client convention's arguments.
        let runner = try runner(
            status: 2, echo: "decrypted with hunter2-vault-secret",
            first: [.call([script.path, "--vault-id", "prod"], stdout: "prod-secret-for-prod\n")])
        let result = await apply(["--vault-id", "prod@" + script.path], runner: runner)
        #expect(result.status == 2, "\(result.err)")
        let run = try #require(runner.calls.first { $0.arguments.first == "run" && !$0.arguments.contains("cat") })
        let argv = run.arguments.joined(separator: " ")
        #expect(!argv.contains("hunter2") && !argv.contains("prod-secret"))
        #expect(!run.environment.values.contains { $0.contains("hunter2") || $0.contains("prod-secret") })
        // The container's tmpfs HOME (/root for root, else /tmp/runbook-home) holds the files.
        let secrets = PlaybookEntry.secretsFolder(home: ContainerUser().home)
        #expect(argv.contains("--vault-id prod@\(secrets)/vault-0"))
        #expect(argv.contains("--vault-id default@\(secrets)/vault-1"))
        #expect(run.holdsInputOpen)
        #expect(argv.contains("ANSIBLE_VAULT_PASSWORD_FILE=\(secrets)/vault-1"))
        #expect(argv.contains("ANSIBLE_VAULT_IDENTITY_LIST=prod@\(secrets)/vault-0,default@\(secrets)/vault-1"))
        let handshake = try JSONDecoder().decode(
            PlaybookEntry.Handshake.self, from: try #require(run.input).dropLast())
        #expect(handshake.files == ["vault-0": "prod-secret-for-prod", "vault-1": "hunter2-vault-secret"])
        #expect(result.out.contains("decrypted with ****"))
    }

    @Test func missingVaultFileAndPromptsWithoutATerminalAreClearErrors() async throws {
        let missing = await apply(["--vault-password-file", "/nonexistent/pass"], runner: try runner())
        #expect(missing.status == 66)
        #expect(missing.err.contains("vault password file /nonexistent/pass (vault id 'default') not found"))
        // The test has no controlling terminal: asking must not hang.
        if open("/dev/tty", O_RDWR) < 0 {
            let ask = await apply(["-K"], runner: try runner())
            #expect(ask.status == 64)
            #expect(ask.err.contains("-K/--ask-become-pass asks for a password, but runbook has no terminal"))
        }
    }

    @Test func becomeConnectionAndPassThroughOptionsReachAnsible() async throws {
        let key = folder.appendingPathComponent("keys/deploy_ed25519")
        try FileManager.default.createDirectory(
            at: key.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("key".utf8).write(to: key)
        let runner = try runner()
        let result = await apply(
            [
                "-b", "--become-user", "app", "-u", "admin", "--private-key", key.path, "-T", "30", "--list-tasks",
                "--", "--start-at-task", "Install nginx", "--flush-cache",
            ], runner: runner)
        #expect(result.status == 0, "\(result.err)")
        let run = try #require(runner.calls.first { $0.arguments.first == "run" })
        let argv = run.arguments
        let ansible = Array(argv[(try #require(argv.firstIndex(of: "ansible-playbook")))...])
        for flags in [
            ["--become"], ["--become-user", "app"], ["--user", "admin"], ["--timeout", "30"], ["--list-tasks"],
            ["--private-key", key.path], ["--start-at-task", "Install nginx"], ["--flush-cache"],
        ] {
            #expect(ansible.indices.contains { Array(ansible[$0...].prefix(flags.count)) == flags }, "\(flags)")
        }
        #expect(argv.contains("type=bind,source=\(key.path),target=\(key.path),readonly"))
        for refused in ["--vault-password-file=x", "-K", "--private-key", "-i", "--step"] {
            let result = await apply(["--", refused], runner: RecordingRunner())
            #expect(result.status == 64, "\(refused)")
            #expect(result.err.contains("after --: "), "\(refused)")
        }
    }
}
