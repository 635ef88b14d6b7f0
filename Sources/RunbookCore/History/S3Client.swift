import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `s3://bucket/prefix`, as the `history_store` setting and `runs --from` take it.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    /// The bucket.
    public var bucket: String
    /// The key prefix, without leading or trailing slashes (may be empty).
    public var prefix: String

    /// Parses `s3://bucket[/prefix]`; a usage error names what is wrong.
    public init(_ text: String) throws {
        guard text.hasPrefix("s3://") else {
            throw RunbookError.usage("'\(text)' is not an S3 location; write s3://bucket/prefix")
        }
        let rest = text.dropFirst("s3://".count)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        bucket = String(parts.first ?? "")
        let validBucket =
            (3...63).contains(bucket.count)
            && bucket.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
        guard validBucket else {
            throw RunbookError.usage(
                "'\(text)': '\(bucket)' is not an S3 bucket name (3-63 lowercase letters, digits, '-' and '.')")
        }
        let path = parts.count > 1 ? String(parts[1]) : ""
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !segments.contains(where: { $0 == "." || $0 == ".." }) else {
            throw RunbookError.usage("'\(text)': the prefix may not hold '.' or '..' segments")
        }
        prefix = segments.joined(separator: "/")
    }

    public var description: String { "s3://\(bucket)" + (prefix.isEmpty ? "" : "/\(prefix)") }

    /// `s3://bucket`, for messages naming a key.
    public var bucketURL: String { "s3://\(bucket)" }
}

/// The three S3 calls the history store needs (PutObject, GetObject, ListObjectsV2), signed with
/// SigV4. The endpoint is `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (path-style, as emulators
/// and VPC endpoints expect), else the bucket's regional virtual-hosted endpoint.
public struct S3Client: Sendable {
    /// The bucket and prefix.
    public var location: S3Location
    /// The keys requests are signed with.
    public var credentials: AWSCredentials
    /// The bucket's region (the signing region).
    public var region: String
    /// Sends the requests.
    public var transport: any HTTPTransport
    /// How long one request may take.
    public var timeout: Duration = .seconds(30)
    private let endpoint: URL
    private let pathStyle: Bool
    private let now: @Sendable () -> Date

    /// Makes a client; a usage error when the endpoint variable is not an http(s) URL.
    public init(
        location: S3Location, credentials: AWSCredentials, region: String, environment: [String: String],
        transport: any HTTPTransport, now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.location = location
        self.credentials = credentials
        self.region = region
        self.transport = transport
        self.now = now
        if let text = environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"] {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw RunbookError.usage("'\(text)' (the S3 endpoint variable) is not an http(s) URL")
            }
            endpoint = url
            pathStyle = true
        } else if location.bucket.contains(".") {
            // A dotted bucket name does not match the wildcard certificate of virtual-hosted names.
            endpoint = URL(string: "https://s3.\(region).amazonaws.com") ?? URL(fileURLWithPath: "/")
            pathStyle = true
        } else {
            endpoint = URL(string: "https://\(location.bucket).s3.\(region).amazonaws.com") ?? URL(fileURLWithPath: "/")
            pathStyle = false
        }
    }

    /// Writes `body` under `key` (a full key, prefix included).
    public func put(_ key: String, body: Data, contentType: String, contentEncoding: String? = nil) async throws {
        var headers = [SignableRequest.Header("Content-Type", contentType)]
        if let contentEncoding { headers.append(.init("Content-Encoding", contentEncoding)) }
        _ = try await send("PUT", key: key, headers: headers, body: body, action: "PutObject")
    }

    /// The object under `key`.
    public func get(_ key: String) async throws -> Data {
        try await send("GET", key: key, action: "GetObject")
    }

    /// Every key under `prefix` (a full prefix), after `startAfter` when given, in key order.
    public func list(prefix: String, startAfter: String? = nil) async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query = [SignableRequest.QueryItem("list-type", "2"), .init("prefix", prefix)]
            if let token { query.append(.init("continuation-token", token)) }
            if let startAfter, token == nil { query.append(.init("start-after", startAfter)) }
            let body = String(
                decoding: try await send("GET", key: nil, query: query, action: "ListObjectsV2"), as: UTF8.self)
            keys += xmlTexts("Key", in: body)
            token = xmlText("IsTruncated", in: body) == "true" ? xmlText("NextContinuationToken", in: body) : nil
        } while token != nil
        return keys
    }

    private func send(
        _ method: String, key: String?, query: [SignableRequest.QueryItem] = [], headers: [SignableRequest.Header] = [],
        body: Data = Data(), action: String
    ) async throws -> Data {
        var path = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
        if pathStyle { path += "/" + location.bucket }
        path += "/" + (key ?? "")
        var host = endpoint.host ?? ""
        if let port = endpoint.port { host += ":\(port)" }
        let payloadHash = hexString(SHA256.hash(data: body))
        var signable = SignableRequest(
            method: method, path: path, query: query,
            headers: [.init("Host", host), .init("x-amz-content-sha256", payloadHash)] + headers, body: body)
        signable = SigV4Signer(credentials: credentials, region: region, service: "s3").sign(signable, at: now())
        let queryText = query.map { "\(sigV4Encode($0.name))=\(sigV4Encode($0.value))" }.joined(separator: "&")
        let base = "\(endpoint.scheme ?? "https")://\(host)"
        guard
            let url = URL(
                string: base + sigV4Encode(path, keepSlash: true) + (queryText.isEmpty ? "" : "?" + queryText))
        else { throw RunbookError.usage("cannot make an S3 URL for \(location)") }
        let response: HTTPResponse
        do {
            response = try await transport.send(
                HTTPRequest(method: method, url: url, headers: signable.headers, body: body), timeout: timeout)
        } catch HTTPTransportError.timedOut {
            throw RunbookError.unavailable("S3 at \(base) did not answer \(action) within \(timeout.seconds) s")
        } catch HTTPTransportError.unreachable(let reason) {
            throw RunbookError.unavailable("cannot reach S3 at \(base) for \(location)", cause: reason)
        }
        guard (200..<300).contains(response.status) else {
            let text = String(decoding: response.body, as: UTF8.self)
            let code = xmlText("Code", in: text) ?? "HTTP \(response.status)"
            let message = xmlText("Message", in: text).map { ": \($0)" } ?? ""
            let status: ExitStatus =
                response.status == 403 ? .noPermission : response.status == 404 ? .noInput : .unavailable
            throw RunbookError(status, "S3 \(action) on \(location) failed: \(code)\(message)")
        }
        return response.body
    }
}

/// The texts of every `<name>…</name>` element, entities decoded.
private func xmlTexts(_ name: String, in document: String) -> [String] {
    var texts: [String] = []
    var rest = document[...]
    while let open = rest.range(of: "<\(name)>"),
        let close = rest.range(of: "</\(name)>", range: open.upperBound..<rest.endIndex)
    {
        if let text = xmlText(name, in: String(rest[open.lowerBound..<close.upperBound])) { texts.append(text) }
        rest = rest[close.upperBound...]
    }
    return texts
}
