import Foundation
import Testing

@testable import RunbookCore

/// A temporary home with `.aws/config` and `.aws/credentials`, removed by `cleanUp()`.
struct TemporaryHome {
    let url: URL

    init(config: String? = nil, credentials: String? = nil, credentialsMode: Int = 0o600) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        if let config { try write(".aws/config", config) }
        if let credentials {
            try write(".aws/credentials", credentials)
            try FileManager.default.setAttributes(
                [.posixPermissions: credentialsMode], ofItemAtPath: path(".aws/credentials"))
        }
    }

    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    func write(_ relative: String, _ text: String) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    func environment(_ variables: [String: String] = [:]) -> CredentialEnvironment {
        CredentialEnvironment(
            variables: variables.merging(["HOME": url.path]) { lhs, _ in lhs }, homeDirectory: url.path)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

/// A process runner that answers expected commands and records an issue for any other.
struct FakeProcessRunner: ProcessRunning {
    var outputs: [String: ProcessOutput]

    func capture(_ spec: ProcessSpec) async throws -> ProcessOutput {
        guard let output = outputs[spec.commandLine] else {
            Issue.record("unexpected process: \(spec.commandLine)")
            return ProcessOutput(status: 127)
        }
        return output
    }

    func stream(
        _ spec: ProcessSpec, onStart: @escaping @Sendable (Int32) -> Void,
        onLine: @escaping @Sendable (OutputLine) -> Void
    ) async throws -> Int32 {
        Issue.record("unexpected streamed process: \(spec.commandLine)")
        return 127
    }
}

/// An HTTP transport that answers each request from a handler and records what was sent.
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: [HTTPRequest] = []
    private let handler: @Sendable (HTTPRequest) throws -> HTTPResponse

    init(_ handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
        self.handler = handler
    }

    var requests: [HTTPRequest] { lock.withLock { sent } }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        lock.withLock { sent.append(request) }
        return try handler(request)
    }
}

/// A transport for tests that must not touch the network.
struct NoNetwork: HTTPTransport {
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        Issue.record("unexpected request to \(request.url)")
        throw HTTPTransportError.unreachable("no network in unit tests")
    }
}

let exampleKey = "AKIAIOSFODNN7EXAMPLE"
let exampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
let fixedNow = Date(timeIntervalSince1970: 1_714_564_800)  // 2024-05-01T12:00:00Z

func resolver(
    _ home: TemporaryHome, _ variables: [String: String] = [:], processes: [String: ProcessOutput] = [:],
    transport: any HTTPTransport = NoNetwork()
) -> CredentialResolver {
    CredentialResolver(
        environment: home.environment(variables), processRunner: FakeProcessRunner(outputs: processes),
        transport: transport, now: { fixedNow })
}
