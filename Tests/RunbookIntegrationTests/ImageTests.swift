import Foundation
import Testing

/// The engine and registry that scripts/services/ started, as the tests see them.
enum ImageEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    /// Whether `docker version` reaches a daemon.
    static let engineAnswers: Bool = (try? shell(["docker", "version", "--format", "{{.Server.Version}}"]).status) == 0

    /// The local registry, `127.0.0.1:PORT`.
    static var registry: String? { environment["RUNBOOK_TEST_REGISTRY"] }

    /// A CA bundle for the build stage: the host's, plus a marker line (outside any certificate, so
    /// OpenSSL ignores it) that must appear in no layer of the final image. Same bytes every run, so
    /// the layer cache holds.
    static let caBundle: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-test-ca-bundle.crt").path
        let host = (try? String(contentsOfFile: "/etc/ssl/certs/ca-certificates.crt", encoding: .utf8)) ?? ""
        try? Data((host + "\n# \(marker)\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }()
    static let marker = "runbook-test-ca-bundle-marker-3f6d2a"

    /// Runs a command; status and output (stdout and stderr together).
    @discardableResult
    static func shell(_ argv: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rb-sh-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }

    /// A repository name no other test uses.
    static func uniqueRepository(_ label: String) -> String {
        "runbook-it/\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Removes every tag of `repository`.
    static func removeRepository(_ repository: String) {
        guard let listed = try? shell(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", repository])
        else { return }
        for tag in listed.output.split(separator: "\n") { _ = try? shell(["docker", "rmi", String(tag)]) }
    }

    /// The image id under a reference, or nil.
    static func imageID(_ reference: String) -> String? {
        guard let result = try? shell(["docker", "image", "inspect", "--format", "{{.Id}}", reference]),
            result.status == 0
        else { return nil }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `runbook image ARGS`, with the test CA bundle.
    static func image(_ arguments: [String], environment: [String: String?] = [:]) throws -> RunbookFixture.Result {
        var env = environment
        if env["RUNBOOK_CA_BUNDLE"] == nil { env["RUNBOOK_CA_BUNDLE"] = caBundle }
        return try RunbookFixture.run(["image"] + arguments, environment: env)
    }
}

/// The image against a real engine and registry. In CI these must run: a missing engine fails them.
@Suite(.serialized, .enabled(if: ImageEnvironment.engineAnswers || RunbookFixture.inCI))
struct ImageTests {
    init() throws {
        if RunbookFixture.inCI {
            try #require(ImageEnvironment.engineAnswers, "CI must have a Docker engine (scripts/services/10-docker.sh)")
        }
    }

    @Test func ensureBuildsOnceThenDoesNothing() throws {
        let repository = ImageEnvironment.uniqueRepository("ensure")
        defer { ImageEnvironment.removeRepository(repository) }
        let tag = "\(repository):release"
        let first = try ImageEnvironment.image(["ensure", "--tag", tag])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.hasPrefix("built \(tag) sha256:"))
        let id = try #require(ImageEnvironment.imageID(tag))

        let started = Date()
        let second = try ImageEnvironment.image(["ensure", "--tag", tag])
        #expect(second.status == 0)
        #expect(second.standardOutput == "current \(tag) \(id)\n")
        #expect(Date().timeIntervalSince(started) < 5)

        let status = try ImageEnvironment.image(["status", "--tag", tag])
        #expect(status.status == 0)
        for expected in [
            "current:  yes", "id:       \(id)", "dev.runbook.ansible-core=2.19", "dev.runbook.collections=amazon.aws=",
            "community.aws=", "community.general=", "dev.runbook.content-hash=",
        ] {
            #expect(status.standardOutput.contains(expected), "status lacks \(expected)")
        }
    }

    @Test func finalImageHoldsWhatItShouldAndNothingElse() throws {
        let repository = ImageEnvironment.uniqueRepository("contents")
        defer { ImageEnvironment.removeRepository(repository) }
        let tag = "\(repository):release"
        let result = try ImageEnvironment.image(["ensure", "--tag", tag])
        try #require(result.status == 0, "\(result.standardError)")

        // `none TEXT` fails when TEXT is not empty (`! cmd` would not: set -e ignores a negated pipeline).
        let script = """
            set -e
            none() { if [ -n "$1" ]; then echo "unexpected: $1"; exit 1; fi; }
            test "$RUNBOOK_IN_IMAGE" = 1
            runbook --version
            ansible-playbook --version | head -1
            python -c 'import boto3, botocore, jmespath'
            command -v ssh
            test -s /opt/runbook/index.json
            grep -q '"amazon.aws.ec2_instance_info":' /opt/runbook/index.json
            ls /opt/runbook/collections/ansible_collections/*/
            for tool in gcc cc make pip; do if command -v $tool; then echo "found $tool"; exit 1; fi; done
            test ! -e /build && test ! -e /root/.cache/pip
            none "$(find / -xdev -name 'ca-bundle.crt')"
            none "$(grep -rls \(ImageEnvironment.marker) /etc /opt /usr/local /root /tmp || true)"
            # trim-payload.py: what ansible never loads is gone, bytecode only where the controller imports.
            site=$(echo /opt/runbook/venv/lib/python3*/site-packages)
            collections=/opt/runbook/collections/ansible_collections
            none "$(ls -d $collections/*/*/tests $collections/*/*/FILES.json $collections/*/*/CHANGELOG.* 2>/dev/null || true)"
            none "$(find /opt/runbook/collections "$site/ansible/modules" -name '*.pyc')"
            find "$site/ansible/executor" "$site/botocore" -name '*.pyc' | grep -q .
            none "$(find "$site/botocore/data" "$site/boto3/data" -name '*.json')"
            none "$(find "$site" -name RECORD)"
            python -c 'import boto3; c = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"); c.get_paginator("describe_instances"); c.get_waiter("instance_running"); boto3.resource("s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")'
            none "$(ls /usr/share/man/man1 2>/dev/null | grep ssh || true)"
            """
        let inside = try ImageEnvironment.shell(["docker", "run", "--rm", "--network", "host", tag, "sh", "-c", script])
        #expect(inside.status == 0, "\(inside.output)")
        #expect(inside.output.contains("core 2.19"))
        let collections = inside.output.split(separator: "\n").filter { !$0.contains("/") && !$0.isEmpty }
        #expect(collections.contains("aws") && collections.contains("general"))

        // No layer of the final image (nor its history) carries the CA bundle.
        let history = try ImageEnvironment.shell(["docker", "history", "--no-trunc", tag])
        #expect(history.status == 0)
        #expect(!history.output.contains("ca-bundle"))
        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("rb-save-\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: saved) }
        #expect(try ImageEnvironment.shell(["docker", "save", "--output", saved.path, tag]).status == 0)
        let grep = try ImageEnvironment.shell(["grep", "-c", "-a", ImageEnvironment.marker, saved.path])
        #expect(grep.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "CA bundle marker in a layer")
    }

    @Test func changedInputRebuildsAndBrokenInputKeepsTheOldImage() throws {
        let repository = ImageEnvironment.uniqueRepository("change")
        defer { ImageEnvironment.removeRepository(repository) }
        let tag = "\(repository):release"
        let first = try ImageEnvironment.image(["ensure", "--tag", tag])
        try #require(first.status == 0, "\(first.standardError)")
        let original = try #require(ImageEnvironment.imageID(tag))

        let changed = try ImageEnvironment.image(["ensure", "--tag", tag, "--collections", "amazon.aws"])
        #expect(changed.status == 0, "\(changed.standardError)")
        #expect(changed.standardOutput.hasPrefix("built "))
        let rebuilt = try #require(ImageEnvironment.imageID(tag))
        #expect(rebuilt != original)
        let labels = try ImageEnvironment.shell([
            "docker", "image", "inspect", "--format", "{{index .Config.Labels \"dev.runbook.collections\"}}", tag,
        ])
        #expect(labels.output.hasPrefix("amazon.aws=") && !labels.output.contains("community"))

        // Back to the first content: its content tag is still there, so this is a retag, not a build.
        let back = try ImageEnvironment.image(["ensure", "--tag", tag])
        #expect(back.standardOutput.hasPrefix("retagged "))
        #expect(ImageEnvironment.imageID(tag) == original)

        // A collection that does not exist breaks the build; the name:tag keeps the old image.
        let broken = try ImageEnvironment.image(["ensure", "--tag", tag, "--collections", "nosuch.collection"])
        #expect(broken.status == 70)
        #expect(broken.standardError.contains("nosuch.collection"))
        #expect(broken.standardError.contains("are as they were; full log: "))
        #expect(ImageEnvironment.imageID(tag) == original)
    }

    @Test func twoEnsuresAtOnceBuildOnce() throws {
        let repository = ImageEnvironment.uniqueRepository("concurrent")
        defer { ImageEnvironment.removeRepository(repository) }
        let tag = "\(repository):release"
        let results = [0, 1].map { _ in
            Thread.detach { try ImageEnvironment.image(["ensure", "--tag", tag]) }
        }.map { $0.wait() }
        let statuses = results.map { $0?.status }
        #expect(statuses == [0, 0], "\(results.map { $0?.standardError ?? "" })")
        let outcomes = results.compactMap { $0?.standardOutput.split(separator: " ").first }.sorted()
        #expect(outcomes == ["built", "current"])
        #expect(results.contains { $0?.standardError.contains("waiting for another runbook") == true })
    }

    @Test func pushThenPullThroughTheLocalRegistry() throws {
        let registry = try #require(ImageEnvironment.registry, "RUNBOOK_TEST_REGISTRY is not set")
        let repository = "\(registry)/\(ImageEnvironment.uniqueRepository("push"))"
        defer { ImageEnvironment.removeRepository(repository) }
        let tag = "\(repository):release"
        let pushed = try ImageEnvironment.image(["push", "--tag", tag])
        #expect(pushed.status == 0, "\(pushed.standardError)")
        #expect(
            pushed.standardOutput.range(of: #"^pushed \S+ sha256:[0-9a-f]{64}\n$"#, options: .regularExpression) != nil)

        ImageEnvironment.removeRepository(repository)
        #expect(ImageEnvironment.imageID(tag) == nil)
        let pulled = try ImageEnvironment.image(["ensure", "--tag", tag, "--pull-policy", "missing"])
        #expect(pulled.status == 0, "\(pulled.standardError)")
        #expect(pulled.standardOutput.hasPrefix("pulled \(tag)"))

        let refused = try ImageEnvironment.image(["push"])
        #expect(refused.status == 64)
    }

    @Test func engineProblemsExit69WithAHint() throws {
        let down = try ImageEnvironment.image(
            ["ensure"], environment: ["DOCKER_HOST": "unix:///nonexistent/docker.sock", "RUNBOOK_ENGINE": "docker"])
        #expect(down.status == 69)
        #expect(down.standardError.contains("the docker daemon does not answer; start it with"))
        let missing = try ImageEnvironment.image(
            ["status"], environment: ["RUNBOOK_ENGINE": "podman", "PATH": "/nonexistent"])
        #expect(missing.status == 69)
        #expect(missing.standardError.contains("podman is not installed"))
    }
}

extension Thread {
    /// Runs `body` on a new thread; `wait()` returns its result (nil when it threw).
    static func detach<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> Joined<T> {
        let joined = Joined<T>()
        Thread { joined.finish(try? body()) }.start()
        return joined
    }

    final class Joined<T: Sendable>: @unchecked Sendable {
        private let condition = NSCondition()
        private var value: T??

        func finish(_ result: T?) {
            condition.lock()
            value = .some(result)
            condition.signal()
            condition.unlock()
        }

        func wait() -> T? {
            condition.lock()
            defer { condition.unlock() }
            while value == nil { condition.wait() }
            return value ?? nil
        }
    }
}
