#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// EC2 instance metadata (IMDS), called as botocore's `InstanceMetadataFetcher` calls it
/// (botocore/utils.py): a PUT to `latest/api/token` for an IMDSv2 token (a timeout, or 403, 404 or
/// 405, falls back to IMDSv1 unless `AWS_EC2_METADATA_V1_DISABLED`), then the role name from
/// `latest/meta-data/iam/security-credentials/` and its credentials below it. The endpoint is
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the IPv6 address when
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`, else 169.254.169.254; each request may take
/// `AWS_METADATA_SERVICE_TIMEOUT` seconds (1) and is tried `AWS_METADATA_SERVICE_NUM_ATTEMPTS` times
/// (1), botocore's defaults. `AWS_EC2_METADATA_DISABLED=true` turns it off.
struct InstanceMetadataClient {
    var transport: any HTTPTransport
    var environment: CredentialEnvironment

    static let defaultEndpoint = "http://169.254.169.254/"
    static let ipv6Endpoint = "http://[fd00:ec2::254]/"

    var base: String {
        if let custom = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] { return custom }
        if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" { return Self.ipv6Endpoint }
        return Self.defaultEndpoint
    }

    var timeout: Duration {
        .milliseconds(Int((environment["AWS_METADATA_SERVICE_TIMEOUT"].flatMap(Double.init) ?? 1) * 1000))
    }

    var attempts: Int { max(1, environment["AWS_METADATA_SERVICE_NUM_ATTEMPTS"].flatMap { Int($0) } ?? 1) }

    func url(_ path: String) throws -> URL {
        let text = base.hasSuffix("/") ? base + path : base + "/" + path
        guard let url = URL(string: text), url.scheme != nil, url.host != nil else {
            throw RunbookError.credentials("the instance metadata endpoint '\(base)' is not a URL")
        }
        return url
    }

    /// Fetches the instance role's credentials.
    func credentials() async throws -> AWSCredentials {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            throw RunbookError.credentials("instance metadata is turned off (AWS_EC2_METADATA_DISABLED=true)")
        }
        let token = try await fetchToken()
        if token == nil, environment["AWS_EC2_METADATA_V1_DISABLED"]?.lowercased() == "true" {
            throw RunbookError.credentials(
                "no IMDSv2 token from \(base), and IMDSv1 is turned off (AWS_EC2_METADATA_V1_DISABLED)")
        }
        let path = "latest/meta-data/iam/security-credentials/"
        let roles = try await get(path, token: token)
        guard let role = String(decoding: roles, as: UTF8.self).split(whereSeparator: \.isNewline).first else {
            throw RunbookError.credentials(
                "instance metadata at \(base) names no IAM role; attach a role to the instance")
        }
        let document = try await get(path + role, token: token, needsJSON: true)
        return try ContainerCredentialsClient.parse(document, source: "instance metadata at \(base) (role \(role))")
    }

    /// The IMDSv2 token, or nil when the service does not give one (then IMDSv1 is used).
    private func fetchToken() async throws -> String? {
        let request = HTTPRequest(
            method: "PUT", url: try url("latest/api/token"),
            headers: [.init("x-aws-ec2-metadata-token-ttl-seconds", "21600")])
        for _ in 0..<attempts {
            do {
                let response = try await transport.send(request, timeout: timeout)
                switch response.status {
                case 200: return String(decoding: response.body, as: UTF8.self)
                case 403, 404, 405: return nil
                case 400:
                    throw RunbookError.credentials("instance metadata at \(base) refused the token request (HTTP 400)")
                default: continue
                }
            } catch HTTPTransportError.timedOut {
                return nil
            } catch let error as RunbookError {
                throw error
            } catch {
                continue
            }
        }
        return nil
    }

    /// A GET retried on errors, non-200 answers and empty bodies (and bodies that are not JSON when wanted).
    private func get(_ path: String, token: String?, needsJSON: Bool = false) async throws -> Data {
        var headers: [SignableRequest.Header] = []
        if let token { headers.append(.init("x-aws-ec2-metadata-token", token)) }
        let request = HTTPRequest(method: "GET", url: try url(path), headers: headers)
        var failure = ""
        var malformed = false
        for _ in 0..<attempts {
            do {
                let response = try await transport.send(request, timeout: timeout)
                malformed = false
                guard response.status == 200, !response.body.isEmpty else {
                    failure = response.status == 200 ? "an empty answer" : "HTTP \(response.status)"
                    continue
                }
                if needsJSON, JSONValue.parse(response.body) == nil {
                    malformed = true
                    continue
                }
                return response.body
            } catch {
                failure = "\(error)"
            }
        }
        if malformed {
            throw RunbookError.credentials(
                "instance metadata at \(base) answered with something that is not a JSON credentials document")
        }
        throw RunbookError.unavailable(
            "cannot get credentials from instance metadata at \(base) (\(attempts) attempt(s))", cause: failure)
    }
}
