#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Docker Engine API on the daemon's unix socket, for the one question a warm `validate` asks on
/// every call (which image a name is): one request instead of starting the docker CLI twice (probe,
/// then `image inspect`, ~20 ms each). Used only where the CLI would talk to that same socket: docker
/// is the engine (set, or the one detection would pick), `DOCKER_HOST` is unset or `unix://`, and no
/// other docker context or engine option is in play. Anything else, or any failure, leaves the
/// question to the CLI.
struct DockerSocket: Sendable {
    /// The socket's path.
    let path: String

    /// The socket the docker CLI of `context` talks to, or nil when that cannot be known for certain
    /// without the CLI.
    static func forContext(_ context: RunbookContext) -> DockerSocket? {
        let environment = context.environment
        guard context.settings.string(.engine).map({ $0 == EngineKind.docker.rawValue }) ?? true,
            context.settings.list(.engineOptions).isEmpty, environment["DOCKER_CONTEXT"] == nil,
            EngineDetector.onPath("docker", path: environment["PATH"] ?? "")
        else { return nil }
        let configFolder = environment["DOCKER_CONFIG"] ?? context.home + "/.docker"
        if let data = FileManager.default.contents(atPath: configFolder + "/config.json") {
            guard let config = JSONValue.parse(data) else { return nil }
            if let current = config["currentContext"]?.string, current != "default" { return nil }
        }
        var path = "/var/run/docker.sock"
        if let host = environment["DOCKER_HOST"], !host.isEmpty {
            guard host.hasPrefix("unix://") else { return nil }
            path = String(host.dropFirst("unix://".count))
        }
        return DockerSocket(path: path)
    }

    /// What the daemon says about an image name.
    enum Answer {
        case image(ImageInfo)
        case missing
    }

    /// `GET /images/{name}/json`; nil when the daemon does not answer clearly (then ask the CLI).
    func inspectImage(_ reference: String) -> Answer? {
        let hex = Array("0123456789ABCDEF")
        let escaped = reference.utf8.map { byte -> String in
            let c = Character(Unicode.Scalar(byte))
            return c.isASCII && (c.isLetter || c.isNumber || "-._~:@/".contains(c))
                ? String(c) : "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
        }.joined()
        guard let (status, body) = get("/images/\(escaped)/json") else { return nil }
        switch status {
        case 200:
            return ImageInfo(inspectJSON: "[" + String(decoding: body, as: UTF8.self) + "]").map(Answer.image)
        case 404:
            return .missing
        default:
            return nil
        }
    }

    /// One HTTP/1.0 GET (the daemon answers with the whole body, then closes): status and body, or nil
    /// when the socket cannot be reached or the answer is not HTTP. Waits at most 2 s.
    func get(_ target: String) -> (status: Int, body: [UInt8])? {
        let socketFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return nil }
        defer { close(socketFD) }
        var limit = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(target) HTTP/1.0\r\nHost: docker\r\nUser-Agent: runbook\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(socketFD, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            sent += count
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0, answer.count < 64 << 20 else { return nil }
            answer.append(contentsOf: buffer[..<count])
        }
        // "HTTP/1.x NNN reason\r\n", headers, a blank line, the body.
        guard answer.count > 12, answer.starts(with: Array("HTTP/1.".utf8)),
            let status = Int(String(decoding: answer[9..<12], as: UTF8.self)),
            let end = (0..<(answer.count - 3)).first(where: { answer[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) })
        else { return nil }
        let head = String(decoding: answer[..<end], as: UTF8.self).lowercased()
        if head.contains("transfer-encoding: chunked") { return nil }
        return (status, Array(answer[(end + 4)...]))
    }
}
