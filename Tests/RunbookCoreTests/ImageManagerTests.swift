import Foundation
import Synchronization
import Testing

@testable import RunbookCore

@Suite struct ImageManagerTests {
    private let settings = ImageSettings(
        reference: ImageReference(repository: "runbook/ansible-aws", tag: "release"), baseImage: "base:1",
        runbookBinary: "/bin/sh")

    private func manager(_ runner: RecordingRunner, cache: URL, settings: ImageSettings? = nil) -> ImageManager {
        ImageManager(
            engine: ContainerEngine(kind: .docker, network: "host"), runner: runner,
            settings: settings ?? self.settings,
            cacheDirectory: cache, progressStyle: .quiet, write: { _ in })
    }

    private func inspectJSON(id: String, hash: String) -> String {
        #"[{"Id":"\#(id)","Size":1000,"RepoTags":["runbook/ansible-aws:release"],"Config":{"Labels":{"dev.runbook.content-hash":"\#(hash)"}}}]"#
    }

    private var hash: String { ImageDefinition.embedded.contentHash(settings) }
    private var contentReference: String { "runbook/ansible-aws:" + ImageDefinition.contentTag(hash) }

    @Test func ensureOnACurrentImageIsOneInspect() async throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let runner = RecordingRunner([
            .call(
                ["docker", "image", "inspect", "runbook/ansible-aws:release"],
                stdout: inspectJSON(id: "sha256:a", hash: hash))
        ])
        let result = try await manager(runner, cache: cache).ensure()
        #expect(result.outcome == .current)
        #expect(result.image.id == "sha256:a")
        #expect(runner.calls.count == 1)
    }

    @Test func staleImageIsBuiltCheckedStampedThenTagged() async throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let stale = inspectJSON(id: "sha256:old", hash: "0000")
        let runner = RecordingRunner([
            .call(["docker", "image", "inspect", "runbook/ansible-aws:release"], stdout: stale),
            .call(["docker", "image", "inspect", "runbook/ansible-aws:release"], stdout: stale),
            .call(["docker", "image", "inspect", contentReference], status: 1, stderr: "Error: No such image: x"),
            .call(["strip", "--strip-all", "-o"], effect: writeStripped),
            .call(
                ["docker", "build", "--force-rm", "--iidfile"], lines: ["Step 1/2 : FROM base:1"],
                effect: writeImageID("sha256:new")),
            .call(
                ["docker", "run", "--rm", "--network", "host", "sha256:new", "sh", "-c"],
                stdout: #"{"amazon.aws": "10.1.2", "community.aws": "10.0.0", "community.general": "11.4.2"}"#),
            .call(["docker", "build", "--force-rm", "--iidfile"], effect: writeImageID("sha256:stamped")),
            .call(["docker", "tag", "sha256:stamped", contentReference]),
            .call(["docker", "tag", "sha256:stamped", "runbook/ansible-aws:release"]),
            .call(
                ["docker", "image", "inspect", "runbook/ansible-aws:release"],
                stdout: inspectJSON(id: "sha256:stamped", hash: hash)),
        ])
        let result = try await manager(runner, cache: cache).ensure()
        #expect(result.outcome == .built)
        #expect(runner.unmet.isEmpty)
        let build = runner.argvs[4]
        #expect(build.contains("BASE_IMAGE=base:1"))
        #expect(build.contains("SYSTEM_PACKAGES="))
        #expect(build.contains("dev.runbook.content-hash=\(hash)"))
        #expect(build.contains(ImageDefinition.Label.inputs + "=" + ImageDefinition.embedded.inputsLabel(settings)))
        #expect(build.contains("--network"))
        let stamp = runner.argvs[6]
        #expect(
            stamp.contains("dev.runbook.collections=amazon.aws=10.1.2 community.aws=10.0.0 community.general=11.4.2"))
        #expect(!stamp.contains("--network"))
        let log = try String(contentsOfFile: try #require(result.logPath), encoding: .utf8)
        #expect(log.contains("Step 1/2"))
    }

    @Test func failedBuildTagsNothingAndNamesTheLog() async throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let runner = RecordingRunner([
            .call(["docker", "image", "inspect"], status: 1, stderr: "Error: No such image"),
            .call(["docker", "image", "inspect"], status: 1, stderr: "Error: No such image"),
            .call(["docker", "image", "inspect"], status: 1, stderr: "Error: No such image"),
            .call(["strip"], status: 127, stderr: "strip: not found"),
            .call(["docker", "build"], status: 1, lines: ["Step 5/19 : RUN pip install", "ERROR: no such package"]),
            .call(["docker", "version"], stdout: "20.10.24"),
        ])
        let error = await #expect(throws: RunbookError.self) { try await manager(runner, cache: cache).ensure() }
        #expect(error?.status == .software)
        #expect(error?.message.contains("are as they were") == true)
        #expect(error?.message.contains(cache.path + "/logs/") == true)
        #expect(!runner.argvs.contains { $0.count > 1 && $0[1] == "tag" })
    }

    @Test func retagsAnImagePresentUnderItsContentTag() async throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let current = inspectJSON(id: "sha256:c", hash: hash)
        let runner = RecordingRunner([
            .call(["docker", "image", "inspect"], status: 1, stderr: "Error: No such image"),
            .call(["docker", "image", "inspect"], status: 1, stderr: "Error: No such image"),
            .call(["docker", "image", "inspect", contentReference], stdout: current),
            .call(["docker", "tag", contentReference, "runbook/ansible-aws:release"]),
            .call(["docker", "image", "inspect", "runbook/ansible-aws:release"], stdout: current),
        ])
        #expect(try await manager(runner, cache: cache).ensure().outcome == .retagged)
    }

    @Test func daemonDownIsUnavailable() async throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let down = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
        let runner = RecordingRunner([
            .call(["docker", "image", "inspect"], status: 1, stderr: down),
            .call(["docker", "version"], status: 1, stderr: down),
        ])
        let error = await #expect(throws: RunbookError.self) { try await manager(runner, cache: cache).ensure() }
        #expect(error?.status == .unavailable)
        #expect(error?.message.contains("start it with") == true)
    }

    @Test func pushNeedsANameInARegistry() async throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let error = await #expect(throws: RunbookError.self) {
            try await manager(RecordingRunner(), cache: cache).push()
        }
        #expect(error?.status == .usage)
    }

    @Test func digestIsReadFromPushOutput() {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let output = "The push refers to repository [127.0.0.1:5000/x]\nrelease: digest: \(digest) size: 1573\n"
        #expect(ImageManager.digest(inPushOutput: output) == digest)
        #expect(ImageManager.digest(inPushOutput: "nothing") == nil)
    }

    @Test func concurrentEnsuresTakeTurns() async throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let path = cache.appendingPathComponent("locks/x.lock").path
        let first = try await FileLock.acquire(path)
        let waited = Mutex(false)
        let second = Task {
            try await FileLock.acquire(path, poll: .milliseconds(10)) { waited.withLock { $0 = true } }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(waited.withLock { $0 })
        first.unlock()
        try await second.value.unlock()
    }
}
