import Foundation
import Testing

/// Podman as scripts/services/15-podman.sh left it: a test-owned store (CONTAINERS_STORAGE_CONF,
/// CONTAINERS_CONF in the environment) holding the base image.
enum PodmanEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    /// Whether 15-podman.sh set podman up (the base image is only there then).
    static var prepared: Bool { environment["RUNBOOK_TEST_PODMAN"] == "1" }

    /// In CI these tests must run (missing podman fails them); locally they need 15-podman.sh.
    static var enabled: Bool { prepared || RunbookFixture.inCI }

    /// The image the podman tests build once and run in.
    static let imageTag = "runbook-it/podman:test"

    /// The engine flags every runbook command here gets: podman, host networking, and the rlimits
    /// through `--engine-option` (podman's own defaults exceed the hard limits of a sandbox without
    /// CAP_SYS_RESOURCE, where runc then refuses to start any container).
    static var engineArguments: [String] {
        let ulimits = (environment["RUNBOOK_TEST_PODMAN_ULIMITS"] ?? "nofile=20000:20000 nproc=4096:4096")
            .split(separator: " ")
        return ["--engine", "podman", "--network", "host"] + ulimits.map { "--engine-option=--ulimit=\($0)" }
    }

    /// `runbook image build` once per test process (layer cache permitting), timed.
    private static let built: (status: Int32, log: String, seconds: Double) = {
        let started = Date()
        guard let result = try? ImageEnvironment.image(["build", "--tag", imageTag] + engineArguments) else {
            return (-1, "runbook did not start", 0)
        }
        return (result.status, result.standardOutput + result.standardError, Date().timeIntervalSince(started))
    }()

    /// The image tag, after making sure it was built; fails the test otherwise.
    static func requireImage() throws -> String {
        try #require(prepared, "RUNBOOK_TEST_PODMAN is not set: CI must run scripts/services/15-podman.sh")
        try #require(built.status == 0, "podman image build failed: \(built.log)")
        return imageTag
    }

    static var buildLog: String { built.log }
    static var buildSeconds: Double { built.seconds }

    /// `podman ARGUMENTS` (in the test store, as the environment names it).
    @discardableResult
    static func podman(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try ImageEnvironment.shell(["podman"] + arguments)
    }

    /// Containers this workspace's runs left in podman (running or not).
    static func containers(of workspace: ApplyWorkspace) throws -> [String] {
        let listed = try podman([
            "ps", "--all", "--quiet", "--filter", "label=runbook.managed=true",
            "--filter", "label=runbook.workspace=\(workspace.path)",
        ])
        return listed.output.split(separator: "\n").map(String.init)
    }

    /// A workspace whose runs use the podman image.
    static func run(_ workspace: ApplyWorkspace, _ arguments: [String]) throws -> RunbookFixture.Result {
        try workspace.run(arguments + engineArguments, ["RUNBOOK_IMAGE": imageTag])
    }
}

/// Build and run on podman for real: the image definition builds with buildah, `apply` runs in it
/// (mount, user, --init, tmpfs HOME, callback results), exit codes pass through, and signals stop and
/// remove the container. One image build (about a minute cold) and a few short runs.
@Suite(.serialized, .enabled(if: PodmanEnvironment.enabled))
struct PodmanTests {
    @Test func buildsTheImageThenEnsureFindsItCurrent() throws {
        let tag = try PodmanEnvironment.requireImage()
        #expect(PodmanEnvironment.buildLog.contains("with podman from"), "\(PodmanEnvironment.buildLog)")
        print("podman image build: \(Int(PodmanEnvironment.buildSeconds)) s")

        let inspected = try PodmanEnvironment.podman(["image", "inspect", "--format", "{{.Id}}", tag])
        try #require(inspected.status == 0, "\(inspected.output)")
        let id = inspected.output.trimmingCharacters(in: .whitespacesAndNewlines)

        let started = Date()
        let ensured = try ImageEnvironment.image(["ensure", "--tag", tag] + PodmanEnvironment.engineArguments)
        #expect(ensured.status == 0, "\(ensured.standardError)")
        #expect(ensured.standardOutput == "current \(tag) sha256:\(id)\n")
        #expect(Date().timeIntervalSince(started) < 5)

        let status = try ImageEnvironment.image(["status", "--tag", tag] + PodmanEnvironment.engineArguments)
        #expect(status.status == 0)
        for expected in ["current:  yes", "dev.runbook.ansible-core=2.19", "dev.runbook.collections=amazon.aws="] {
            #expect(status.standardOutput.contains(expected), "status lacks \(expected): \(status.standardOutput)")
        }
        // Built in podman's store, not docker's.
        if ImageEnvironment.engineAnswers { #expect(ImageEnvironment.imageID(tag) == nil) }
    }

    @Test func applyRunsThePlaybooksAndWritesJUnit() throws {
        _ = try PodmanEnvironment.requireImage()
        let site = try String(
            contentsOf: ApplyEnvironment.repositoryRoot.appendingPathComponent("Playbooks/site.yml"), encoding: .utf8)
        let workspace = try ApplyWorkspace(["Playbooks/site.yml": site, "Playbooks/smoke.yml": ApplyPlaybooks.smoke])
        defer { workspace.cleanUp() }

        let result = try PodmanEnvironment.run(
            workspace, ["apply", "Playbooks/site.yml", "--no-credentials", "--junit", "out/junit.xml"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("ansible-core 2.19"))
        #expect(result.standardError.contains("runbook summary:"))
        let junit = try #require(workspace.read("out/junit.xml"))
        #expect(junit.contains(#"tests="2" failures="0""#), "\(junit)")
        #expect(junit.contains("Check the AWS collection is installed"))

        // The workspace is mounted read-write at its own path, the working directory, as the caller.
        let smoke = try PodmanEnvironment.run(workspace, ["apply", "smoke", "--no-credentials"])
        #expect(smoke.status == 0, "\(smoke.standardOutput)\(smoke.standardError)")
        #expect(workspace.read("out/created.txt") == "made by ansible\n")
        #expect(smoke.standardOutput.contains("uid=\(getuid()) cwd=\(workspace.path)"))
        #expect(try PodmanEnvironment.containers(of: workspace).isEmpty, "a container was left behind")
    }

    @Test func failingPlayExitsTwo() throws {
        _ = try PodmanEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/fails.yml": ApplyPlaybooks.failing])
        defer { workspace.cleanUp() }
        let result = try PodmanEnvironment.run(
            workspace, ["apply", "fails", "--no-credentials", "--junit", "out/junit.xml"])
        #expect(result.status == 2, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("broken on purpose"))
        #expect(workspace.read("out/junit.xml")?.contains(#"failures="1""#) == true)
        #expect(try PodmanEnvironment.containers(of: workspace).isEmpty, "a container was left behind")
    }

    @Test func interruptStopsAndRemovesTheContainer() throws {
        _ = try PodmanEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/sleep.yml": ApplyPlaybooks.sleeping])
        defer { workspace.cleanUp() }
        let run = try workspace.launch(
            ["apply", "sleep", "--no-credentials"] + PodmanEnvironment.engineArguments,
            ["RUNBOOK_IMAGE": PodmanEnvironment.imageTag])
        let sleeping = try run.waitFor(seconds: 120) {
            guard run.standardOutput.contains("TASK [Sleep a minute]") else { return false }
            return !(try PodmanEnvironment.containers(of: workspace).isEmpty)
        }
        try #require(sleeping, "the run never reached its sleep task: \(run.standardOutput)\(run.standardError)")
        let sent = Date()
        kill(run.process.processIdentifier, SIGINT)
        let result = run.wait(seconds: 60)
        #expect(result.status == 130, "\(result.standardError)")
        // catatonit (--init) forwards the stop signal: no 10 s grace period runs out.
        #expect(Date().timeIntervalSince(sent) < 10, "stopping took longer than the grace period")
        #expect(try PodmanEnvironment.containers(of: workspace).isEmpty, "a container was left behind")
    }
}
