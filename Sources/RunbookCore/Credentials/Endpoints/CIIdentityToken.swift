#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a CI job's OIDC token comes from, for `AssumeRoleWithWebIdentity` with `AWS_ROLE_ARN` and
/// no `AWS_WEB_IDENTITY_TOKEN_FILE`, so a pipeline needs no step that writes the token to a file:
///
/// - GitHub Actions: a GET of `ACTIONS_ID_TOKEN_REQUEST_URL` with `&audience=…` and
///   `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN` (set when the job has
///   `permissions: id-token: write`), whose JSON answer's `value` is the token (as
///   `@actions/core`'s `getIDToken` asks for it);
/// - Bitbucket Pipelines: `BITBUCKET_STEP_OIDC_TOKEN` (a step with `oidc: true`);
/// - GitLab CI, or any CI that puts a token in a variable: the first set of the `oidc_token_variable`
///   setting's names (default `AWS_OIDC_TOKEN`, `GITLAB_OIDC_TOKEN`: a job's `id_tokens:`).
public enum CIIdentityToken: Sendable, Hashable {
    /// GitHub Actions' token request URL and bearer token.
    case github(requestURL: String, requestToken: String, audience: String)
    /// A token in a variable.
    case variable(name: String, provider: String)

    /// The CI's name and how the token is got, for reports.
    public var summary: String {
        switch self {
        case .github(_, _, let audience): "GitHub Actions OIDC token (audience \(audience))"
        case .variable(let name, let provider): "\(provider) OIDC token (\(name))"
        }
    }

    /// The CI's short name, for session names.
    var provider: String {
        switch self {
        case .github: "github"
        case .variable(_, let provider): provider.lowercased().split(separator: " ").first.map(String.init) ?? "ci"
        }
    }

    /// The token source of this environment, and a warning when a CI is detected with a role but no
    /// token (the job lacks the permission or setting that makes one).
    static func detect(_ environment: CredentialEnvironment, variables: [String], audience: String) -> (
        token: CIIdentityToken?, warning: String?
    ) {
        if let url = environment["ACTIONS_ID_TOKEN_REQUEST_URL"],
            let token = environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
        {
            return (.github(requestURL: url, requestToken: token, audience: audience), nil)
        }
        if environment["BITBUCKET_STEP_OIDC_TOKEN"] != nil {
            return (.variable(name: "BITBUCKET_STEP_OIDC_TOKEN", provider: "Bitbucket Pipelines"), nil)
        }
        let gitlab = environment["GITLAB_CI"] != nil
        if let name = variables.first(where: { environment[$0] != nil }) {
            return (.variable(name: name, provider: gitlab ? "GitLab CI" : "CI"), nil)
        }
        if environment["GITHUB_ACTIONS"] == "true" {
            return (
                nil,
                "AWS_ROLE_ARN is set in GitHub Actions but the job gets no OIDC token: add `permissions: id-token: write` "
                    + "to the workflow or job"
            )
        }
        if environment["BITBUCKET_BUILD_NUMBER"] != nil {
            return (
                nil,
                "AWS_ROLE_ARN is set in Bitbucket Pipelines but the step has no BITBUCKET_STEP_OIDC_TOKEN: add `oidc: true` "
                    + "to the step"
            )
        }
        if gitlab {
            let name = variables.first ?? "AWS_OIDC_TOKEN"
            return (
                nil,
                "AWS_ROLE_ARN is set in GitLab CI but no OIDC token variable is: add `id_tokens: {\(name): {aud: "
                    + "\(audience)}}` to the job (or name the variable with the oidc_token_variable setting)"
            )
        }
        return (nil, nil)
    }

    /// The role session name: `AWS_ROLE_SESSION_NAME`, else `runbook-<ci>-<job id>` when the CI names
    /// its job, within STS's 64 characters of `[\w+=,.@-]`.
    static func sessionName(_ environment: CredentialEnvironment, provider: String) -> String? {
        if let name = environment["AWS_ROLE_SESSION_NAME"] { return name }
        let job = ["GITHUB_RUN_ID", "BITBUCKET_BUILD_NUMBER", "CI_JOB_ID"].lazy.compactMap { environment[$0] }.first
        guard let job else { return nil }
        let allowed = Set("+=,.@-_")
        let name = "runbook-\(provider)-\(job)".map { $0.isLetter || $0.isNumber || allowed.contains($0) ? $0 : "-" }
        return String(String(name).prefix(64))
    }

    /// The token: read from its variable, or asked of GitHub (3 tries 1 s apart, 10 s each).
    func fetch(
        environment: CredentialEnvironment, transport: any HTTPTransport,
        sleep: @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }
    ) async throws -> String {
        switch self {
        case .variable(let name, let provider):
            guard let token = environment[name]?.trimmed, !token.isEmpty else {
                throw RunbookError.credentials("\(provider): \(name) is empty")
            }
            return token
        case .github(let requestURL, let requestToken, let audience):
            let url = try Self.requestURL(requestURL, audience: audience)
            let shown = ContainerCredentialsClient.display(url)
            let request = HTTPRequest(
                method: "GET", url: url,
                headers: [.init("Accept", "application/json"), .init("Authorization", "bearer \(requestToken)")])
            var failure = ""
            for attempt in 1...3 {
                if attempt > 1 { await sleep(.seconds(1)) }
                let response: HTTPResponse
                do {
                    response = try await transport.send(request, timeout: .seconds(10))
                } catch {
                    failure = "\(error)"
                    continue
                }
                if response.status == 401 || response.status == 403 {
                    throw RunbookError.credentials(
                        "GitHub Actions refused the OIDC token request to \(shown) (HTTP \(response.status)); the job "
                            + "needs `permissions: id-token: write`")
                }
                guard response.status == 200 else {
                    failure = "HTTP \(response.status)"
                    continue
                }
                struct Answer: Decodable { var value: String? }
                guard let value = (try? JSONDecoder().decode(Answer.self, from: response.body))?.value, !value.isEmpty
                else {
                    throw RunbookError.credentials(
                        "GitHub Actions answered the OIDC token request to \(shown) without a token (no `value`)")
                }
                return value
            }
            throw RunbookError.unavailable(
                "cannot get the GitHub Actions OIDC token from \(shown) (3 attempts)", cause: failure)
        }
    }

    /// The request URL with the audience added; https only, or http to a loopback address.
    static func requestURL(_ text: String, audience: String) throws -> URL {
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host
        else {
            throw RunbookError.credentials("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL")
        }
        guard scheme == "https" || (scheme == "http" && ContainerCredentialsClient.isLoopback(host)) else {
            throw RunbookError.credentials(
                "ACTIONS_ID_TOKEN_REQUEST_URL must be https (or http to a loopback address), not \(scheme)://\(host)")
        }
        components.queryItems =
            (components.queryItems ?? []).filter { $0.name != "audience" } + [
                URLQueryItem(name: "audience", value: audience)
            ]
        guard let url = components.url else {
            throw RunbookError.credentials("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL")
        }
        return url
    }
}
