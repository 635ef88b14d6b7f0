import Foundation
import Testing

@testable import RunbookCore

/// The daemon's socket, asked directly (a warm `validate`'s one question), answers as `docker image
/// inspect` does: the same id and content-hash label, and "missing" for a name it does not have.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct DockerSocketIntegrationTests {
    private var socket: DockerSocket {
        let host = ProcessInfo.processInfo.environment["DOCKER_HOST"] ?? ""
        return DockerSocket(path: host.hasPrefix("unix://") ? String(host.dropFirst(7)) : "/var/run/docker.sock")
    }

    @Test func theSocketAnswersAsTheCLIDoes() throws {
        let image = try ApplyEnvironment.requireImage()
        let cli = try ImageEnvironment.shell([
            "docker", "image", "inspect", "--format",
            "{{.Id}} {{index .Config.Labels \"\(ImageDefinition.Label.contentHash)\"}}", image,
        ])
        #expect(cli.status == 0, "\(cli.output)")
        guard case .image(let found)? = socket.inspectImage(image) else {
            Issue.record("the socket did not answer for \(image)")
            return
        }
        #expect(
            "\(found.id) \(found.contentHash ?? "")"
                == cli.output.trimmingCharacters(in: Foundation.CharacterSet.whitespacesAndNewlines))
        #expect(found.tags.contains(image))
        guard case .missing? = socket.inspectImage("runbook-it/no-such-image:none") else {
            Issue.record("a missing image was not reported missing")
            return
        }
        let ping = try #require(socket.get("/_ping"))
        #expect(ping.status == 200 && String(decoding: ping.body, as: UTF8.self) == "OK")
    }
}
