#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Gets role credentials from the IAM Identity Center portal with a cached `aws sso login` token.
struct SSOClient {
    var transport: any HTTPTransport
    var timeout: Duration
    var environment: CredentialEnvironment

    func roleCredentials(_ settings: SSOSettings, token: SSOToken, profile: String) async throws -> AWSCredentials {
        let base =
            environment["AWS_ENDPOINT_URL_SSO"] ?? environment["AWS_ENDPOINT_URL"]
            ?? "https://portal.sso.\(settings.region).amazonaws.com"
        let query = "account_id=\(sigV4Encode(settings.accountId))&role_name=\(sigV4Encode(settings.roleName))"
        guard let url = URL(string: "\(base)/federation/credentials?\(query)") else {
            throw RunbookError.usage("the SSO endpoint '\(base)' is not a URL")
        }
        let request = HTTPRequest(
            method: "GET", url: url, headers: [.init("x-amz-sso_bearer_token", token.accessToken)])
        let response: HTTPResponse
        do {
            response = try await transport.send(request, timeout: timeout)
        } catch {
            throw RunbookError.unavailable(
                "cannot reach the SSO portal at \(base); check the network", cause: "\(error)")
        }
        switch response.status {
        case 200:
            break
        case 401, 403:
            throw RunbookError.credentials(
                "the SSO portal refused the cached login for profile \(profile); run 'aws sso login --profile \(profile)'"
            )
        default:
            throw RunbookError.unavailable(
                "the SSO portal at \(base) answered HTTP \(response.status); try again later")
        }
        struct Document: Decodable {
            struct Role: Decodable {
                var accessKeyId: String
                var secretAccessKey: String
                var sessionToken: String
                var expiration: Double?
            }
            var roleCredentials: Role
        }
        guard let role = try? JSONDecoder().decode(Document.self, from: response.body).roleCredentials else {
            throw RunbookError.unavailable("the SSO portal at \(base) answered without role credentials")
        }
        return AWSCredentials(
            accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey, sessionToken: role.sessionToken,
            expiration: role.expiration.map { Date(timeIntervalSince1970: $0 / 1000) })
    }
}
