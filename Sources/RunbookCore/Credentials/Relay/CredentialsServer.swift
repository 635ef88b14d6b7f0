import Dispatch
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Credentials as the container-credentials protocol carries them (the ECS/CodeBuild JSON), and as
/// runbook hands them to its entry over standard input.
public struct ServedCredentials: Codable, Sendable, Hashable {
    public var AccessKeyId: String
    public var SecretAccessKey: String
    /// Empty for long-term keys: botocore then signs without a session token.
    public var Token: String
    /// When the keys stop working; for long-term keys, when botocore should ask again.
    public var Expiration: String?
    /// The account, when STS said which.
    public var AccountId: String?

    /// Makes the protocol's form of `credentials`.
    public init(_ credentials: AWSCredentials, account: String? = nil) {
        AccessKeyId = credentials.accessKeyId
        SecretAccessKey = credentials.secretAccessKey
        Token = credentials.sessionToken ?? ""
        Expiration = credentials.expiration.map(formatTimestamp)
        AccountId = account
    }

    /// The secret parts, for the masker.
    public var secrets: [String] { [SecretAccessKey, Token].filter { !$0.isEmpty } }
}

/// Serves the container-credentials protocol (what botocore's `ContainerProvider` calls through
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`) on 127.0.0.1,
/// from credentials runbook's entry keeps up to date: ansible's AWS modules get refreshed keys while
/// no key is in any process's environment or in the container's configuration.
///
/// One GET path; a request without the run's random token (in a 0600 file) gets 403. Each connection
/// is read with a 5 s limit and closed after the answer.
public final class CredentialsServer: Sendable {
    /// The path credentials are served at.
    public static let path = "/credentials"

    /// The loopback port it listens on.
    public let port: UInt16
    /// The authorization token a request must send.
    public let token: String
    private let listener: Int32
    private let state: Mutex<(credentials: ServedCredentials, closed: Bool, served: Int)>
    private let now: @Sendable () -> Date

    /// Listens on an ephemeral loopback port and starts answering at once.
    public init(credentials: ServedCredentials, now: @escaping @Sendable () -> Date = { Date() }) throws {
        var generator = SystemRandomNumberGenerator()
        token = hexString((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        state = Mutex((credentials, false, 0))
        self.now = now
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RunbookError.software("cannot open a socket for the credentials endpoint") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                Glibc.bind(socket, raw, length) == 0 && listen(socket, 16) == 0
                    && getsockname(socket, raw, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(socket)
            throw RunbookError.software("cannot listen on 127.0.0.1 for the credentials endpoint (errno \(errno))")
        }
        listener = socket
        port = UInt16(bigEndian: address.sin_port)
        guard BlockingThread.start({ [self] in acceptLoop() }) else {
            Glibc.close(socket)
            throw RunbookError.software("cannot start a thread for the credentials endpoint")
        }
    }

    /// What ansible's environment gets: `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    public var url: String { "http://127.0.0.1:\(port)\(Self.path)" }

    /// How many requests got credentials.
    public var served: Int { state.withLock { $0.served } }

    /// Serves `credentials` from now on.
    public func update(_ credentials: ServedCredentials) {
        state.withLock { $0.credentials = credentials }
    }

    /// Stops listening.
    public func close() {
        let wasOpen = state.withLock { state in
            defer { state.closed = true }
            return !state.closed
        }
        if wasOpen {
            shutdown(listener, Int32(SHUT_RDWR))
            Glibc.close(listener)
        }
    }

    deinit { close() }

    private func acceptLoop() {
        while !state.withLock({ $0.closed }) {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            DispatchQueue.global().async { [self] in
                answer(connection)
                Glibc.close(connection)
            }
        }
    }

    private func answer(_ connection: Int32) {
        var limit = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard let request = Self.readHead(connection) else { return }
        let (status, body) = respond(to: request)
        let reason = [200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"]
        var response = "HTTP/1.1 \(status) \(reason[status] ?? "Error")\r\n"
        response += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var bytes = Array(response.utf8) + body
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return -1 }
                return send(connection, base + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// The status and body for a request head (its request line and headers).
    func respond(to head: String) -> (Int, [UInt8]) {
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count == 3 else { return (400, Self.message("malformed request")) }
        guard parts[0] == "GET" else { return (405, Self.message("only GET")) }
        guard parts[1].split(separator: "?").first == Substring(Self.path) else {
            return (404, Self.message("not found"))
        }
        let authorization = lines.dropFirst().first { $0.lowercased().hasPrefix("authorization:") }
            .map { String($0.dropFirst("authorization:".count)).trimmingCharacters(in: .whitespaces) }
        guard let authorization, Self.equal(authorization, token) else {
            return (403, Self.message("missing or wrong authorization token"))
        }
        var credentials = state.withLock { state in
            state.served += 1
            return state.credentials
        }
        // Long-term keys have no expiry; botocore needs one, and asks again after it.
        if credentials.Expiration == nil { credentials.Expiration = formatTimestamp(now().addingTimeInterval(3600)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (200, Array((try? encoder.encode(credentials)) ?? Data()))
    }

    private static func message(_ text: String) -> [UInt8] {
        Array("{\"message\":\"\(text)\"}".utf8)
    }

    /// Compares without stopping at the first difference.
    private static func equal(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Reads up to the blank line that ends the head (at most 16 KiB); nil on a timeout or a closed socket.
    private static func readHead(_ connection: Int32) -> String? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        let end: [UInt8] = [13, 10, 13, 10]
        while data.count < 16 * 1024 {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            data += buffer[0..<count]
            if let range = data.firstRange(of: end) {
                return String(decoding: data[..<range.lowerBound], as: UTF8.self)
            }
        }
        return nil
    }
}
