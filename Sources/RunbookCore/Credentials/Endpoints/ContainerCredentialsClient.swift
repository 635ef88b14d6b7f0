#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The ECS/EKS container credentials endpoint, called as botocore's `ContainerProvider` calls it
/// (botocore/credentials.py and `ContainerMetadataFetcher` in botocore/utils.py):
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is a path on 169.254.170.2; otherwise
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, only over https, to a loopback address, or to one of the ECS
/// and EKS Pod Identity hosts. The `Authorization` header is the content of
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read as is) or else `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
/// A GET with 2 s to answer, tried 3 times 1 s apart; the answer is JSON with AccessKeyId,
/// SecretAccessKey, Token and Expiration.
struct ContainerCredentialsClient {
    var transport: any HTTPTransport
    var environment: CredentialEnvironment
    var sleep: @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }

    static let relativeHost = "169.254.170.2"
    static let allowedHosts = [relativeHost, "169.254.170.23", "fd00:ec2::23", "localhost"]
    static let timeout = Duration.seconds(2)
    static let attempts = 3

    /// The endpoint, checked against botocore's rules before anything is sent.
    func endpoint() throws -> URL {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            guard let url = URL(string: "http://\(Self.relativeHost)\(relative)") else {
                throw RunbookError.credentials(
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI '\(relative)' does not make a URL")
            }
            return url
        }
        guard let text = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] else {
            throw RunbookError.credentials("neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host else {
            throw RunbookError.credentials("AWS_CONTAINER_CREDENTIALS_FULL_URI '\(text)' is not a URL")
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard scheme == "https" || Self.isLoopback(bare) || Self.allowedHosts.contains(bare.lowercased()) else {
            throw RunbookError.credentials(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI \(text) is not allowed: the SDKs call only https URLs, "
                    + "loopback addresses and \(Self.allowedHosts.joined(separator: ", "))")
        }
        return url
    }

    /// 127.0.0.0/8 and ::1, written as addresses (names other than localhost are not resolved).
    static func isLoopback(_ host: String) -> Bool {
        if host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }

    /// The authorization header's value, when one is configured.
    func authorization() throws -> String? {
        var token: String?
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw RunbookError.credentials("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file)")
            }
            token = String(decoding: data, as: UTF8.self)
            if token?.contains(where: { $0 == "\r" || $0 == "\n" }) == true {
                throw RunbookError.credentials(
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file) holds a line break, which the SDKs refuse "
                        + "as a header value; write the token without a newline")
            }
        } else if let value = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            guard !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw RunbookError.credentials("AWS_CONTAINER_AUTHORIZATION_TOKEN holds a line break")
            }
            token = value
        }
        return token
    }

    /// Fetches the credentials.
    func credentials() async throws -> AWSCredentials {
        let url = try endpoint()
        var headers = [SignableRequest.Header("Accept", "application/json")]
        if let token = try authorization() { headers.append(.init("Authorization", token)) }
        let request = HTTPRequest(method: "GET", url: url, headers: headers)
        let shown = Self.display(url)
        var failure = ""
        for attempt in 1...Self.attempts {
            if attempt > 1 { await sleep(.seconds(1)) }
            let response: HTTPResponse
            do {
                response = try await transport.send(request, timeout: Self.timeout)
            } catch {
                failure = "\(error)"
                continue
            }
            guard response.status == 200 else {
                if response.status == 401 || response.status == 403 {
                    throw RunbookError.credentials(
                        "the container credentials endpoint \(shown) refused the request (HTTP \(response.status)); "
                            + "check AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)")
                }
                failure = "HTTP \(response.status)"
                continue
            }
            return try Self.parse(response.body, source: "the container credentials endpoint \(shown)")
        }
        throw RunbookError.unavailable(
            "cannot get credentials from the container credentials endpoint \(shown) (\(Self.attempts) attempts)",
            cause: failure)
    }

    /// The URL without its query (which may carry an id).
    static func display(_ url: URL) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.query = nil
        return components?.string ?? url.absoluteString
    }

    /// Reads the JSON credentials document that the container endpoint and instance metadata answer with.
    static func parse(_ body: Data, source: String) throws -> AWSCredentials {
        struct Document: Decodable {
            var AccessKeyId: String?
            var SecretAccessKey: String?
            var Token: String?
            var Expiration: String?
            var Code: String?
            var Message: String?
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: body) else {
            throw RunbookError.credentials("\(source) answered with something that is not a JSON credentials document")
        }
        guard let id = document.AccessKeyId, let secret = document.SecretAccessKey, !id.isEmpty, !secret.isEmpty
        else {
            let missing = [
                ("AccessKeyId", document.AccessKeyId), ("SecretAccessKey", document.SecretAccessKey),
            ].filter { $0.1?.isEmpty ?? true }.map(\.0)
            let said = document.Code.map { " (\($0)\(document.Message.map { ": \($0)" } ?? ""))" } ?? ""
            throw RunbookError.credentials(
                "\(source) answered without \(missing.joined(separator: " and "))\(said)")
        }
        return AWSCredentials(
            accessKeyId: id, secretAccessKey: secret, sessionToken: document.Token,
            expiration: document.Expiration.flatMap(parseTimestamp))
    }
}
