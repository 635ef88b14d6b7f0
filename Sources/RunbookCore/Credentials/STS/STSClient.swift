#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The caller that STS `GetCallerIdentity` reports.
public struct CallerIdentity: Sendable, Hashable, Codable {
    /// The 12-digit account id.
    public var account: String
    /// The caller's ARN.
    public var arn: String
    /// The unique id of the user or role session.
    public var userId: String
}

/// A small AWS STS client: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity and GetSessionToken over
/// the query API.
public struct STSClient: Sendable {
    /// The endpoint, such as `https://sts.eu-west-1.amazonaws.com`.
    public var endpoint: URL
    /// The region used in the signature scope.
    public var signingRegion: String
    /// The transport.
    public var transport: any HTTPTransport
    /// How long one call may take.
    public var timeout: Duration
    /// The clock used for signatures.
    public var now: @Sendable () -> Date

    /// Makes a client.
    public init(
        endpoint: URL, signingRegion: String, transport: any HTTPTransport, timeout: Duration = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.endpoint = endpoint
        self.signingRegion = signingRegion
        self.transport = transport
        self.timeout = timeout
        self.now = now
    }

    /// The endpoint: `explicit`, else `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the profile's `endpoint_url`,
    /// else the regional endpoint (the global one without a region).
    public static func endpoint(
        explicit: String?, environment: CredentialEnvironment, profileEndpoint: String?, region: String?
    ) throws -> URL {
        let (text, origin): (String, String)
        if let explicit {
            (text, origin) = (explicit, "--endpoint-url")
        } else if let value = environment["AWS_ENDPOINT_URL_STS"] {
            (text, origin) = (value, "AWS_ENDPOINT_URL_STS")
        } else if let value = environment["AWS_ENDPOINT_URL"] {
            (text, origin) = (value, "AWS_ENDPOINT_URL")
        } else if let profileEndpoint {
            (text, origin) = (profileEndpoint, "the profile's endpoint_url")
        } else if let region {
            (text, origin) = ("https://sts.\(region).amazonaws.com", "the region")
        } else {
            (text, origin) = ("https://sts.amazonaws.com", "the default")
        }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
        else {
            throw RunbookError.usage(
                "'\(text)' (\(origin)) is not an http(s) URL such as https://sts.us-east-1.amazonaws.com")
        }
        return url
    }

    /// Calls GetCallerIdentity with `credentials`.
    public func callerIdentity(using credentials: AWSCredentials) async throws -> CallerIdentity {
        let body = try await call("GetCallerIdentity", [], signedWith: credentials)
        guard let account = xmlText("Account", in: body), let arn = xmlText("Arn", in: body) else {
            throw RunbookError.unavailable(
                "STS at \(endpoint.absoluteString) answered GetCallerIdentity without an account; is it STS?")
        }
        return CallerIdentity(account: account, arn: arn, userId: xmlText("UserId", in: body) ?? "")
    }

    /// Calls AssumeRole with `credentials` and returns the role's temporary credentials.
    public func assumeRole(
        _ roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil,
        mfa: (serial: String, code: String)? = nil, using credentials: AWSCredentials
    ) async throws -> AWSCredentials {
        var parameters = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { parameters.append(("ExternalId", externalId)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        if let mfa { parameters += [("SerialNumber", mfa.serial), ("TokenCode", mfa.code)] }
        return try temporaryCredentials(
            in: try await call("AssumeRole", parameters, signedWith: credentials), action: "AssumeRole")
    }

    /// Calls GetSessionToken with an MFA device's code and returns the session's temporary credentials.
    public func sessionToken(
        mfa: (serial: String, code: String), durationSeconds: Int? = nil, using credentials: AWSCredentials
    ) async throws -> AWSCredentials {
        var parameters = [("SerialNumber", mfa.serial), ("TokenCode", mfa.code)]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        return try temporaryCredentials(
            in: try await call("GetSessionToken", parameters, signedWith: credentials), action: "GetSessionToken")
    }

    /// Calls AssumeRoleWithWebIdentity (unsigned: the token is the proof) and returns the role's temporary credentials.
    public func assumeRoleWithWebIdentity(_ roleArn: String, sessionName: String, token: String) async throws
        -> AWSCredentials
    {
        let parameters = [("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        let body = try await call("AssumeRoleWithWebIdentity", parameters, signedWith: nil)
        return try temporaryCredentials(in: body, action: "AssumeRoleWithWebIdentity")
    }

    /// The signed (or, without credentials, unsigned) POST request for an action; exposed for tests.
    public func request(_ action: String, _ parameters: [(String, String)], signedWith credentials: AWSCredentials?)
        -> HTTPRequest
    {
        let form = ([("Action", action), ("Version", "2011-06-15")] + parameters)
            .map { "\(sigV4Encode($0.0))=\(sigV4Encode($0.1))" }.joined(separator: "&")
        var host = endpoint.host ?? ""
        if let port = endpoint.port { host += ":\(port)" }
        let path = endpoint.path.isEmpty ? "/" : endpoint.path
        var signable = SignableRequest(
            method: "POST", path: path,
            headers: [.init("Host", host), .init("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Data(form.utf8))
        if let credentials {
            signable = SigV4Signer(credentials: credentials, region: signingRegion, service: "sts").sign(
                signable, at: now())
        }
        return HTTPRequest(method: "POST", url: endpoint, headers: signable.headers, body: signable.body)
    }

    private func call(_ action: String, _ parameters: [(String, String)], signedWith credentials: AWSCredentials?)
        async throws -> String
    {
        let response: HTTPResponse
        do {
            response = try await transport.send(request(action, parameters, signedWith: credentials), timeout: timeout)
        } catch HTTPTransportError.timedOut {
            throw RunbookError.unavailable(
                "STS at \(endpoint.absoluteString) did not answer \(action) within \(timeout.seconds) s; "
                    + "check the network or --endpoint-url")
        } catch HTTPTransportError.unreachable(let reason) {
            throw RunbookError.unavailable(
                "cannot reach STS at \(endpoint.absoluteString); check the network or --endpoint-url", cause: reason)
        }
        let body = String(decoding: response.body, as: UTF8.self)
        guard response.status == 200 else {
            throw STSErrorText.error(
                code: xmlText("Code", in: body), message: xmlText("Message", in: body), status: response.status,
                action: action, endpoint: endpoint.absoluteString)
        }
        return body
    }

    private func temporaryCredentials(in body: String, action: String) throws -> AWSCredentials {
        guard let id = xmlText("AccessKeyId", in: body), let secret = xmlText("SecretAccessKey", in: body),
            let token = xmlText("SessionToken", in: body)
        else {
            throw RunbookError.unavailable("STS at \(endpoint.absoluteString) answered \(action) without credentials")
        }
        return AWSCredentials(
            accessKeyId: id, secretAccessKey: secret, sessionToken: token,
            expiration: xmlText("Expiration", in: body).flatMap(parseTimestamp))
    }
}
