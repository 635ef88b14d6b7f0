import Foundation
import Testing

@testable import RunbookCore

/// The CI jobs' own OIDC tokens: found for GitHub Actions, Bitbucket and GitLab (or any variable the
/// setting names), asked of GitHub as `@actions/core` asks, exchanged with AssumeRoleWithWebIdentity.
@Suite struct CIIdentityTests {
    private let role = "arn:aws:iam::123456789012:role/ci-deploy"

    private func webIdentityXML(key: String = "ASIAI44QH8DHBCIOIDC1") -> String {
        """
        <AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>
        <AccessKeyId>\(key)</AccessKeyId><SecretAccessKey>\(exampleSecret)</SecretAccessKey>
        <SessionToken>oidc-session</SessionToken><Expiration>2024-05-01T13:00:00Z</Expiration>
        </Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>
        """
    }

    private func form(_ request: HTTPRequest) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }

    /// STS at a loopback address: the web identity exchange, then GetCallerIdentity.
    private func sts(_ request: HTTPRequest) -> HTTPResponse {
        let action = form(request)["Action"]
        if action == "AssumeRoleWithWebIdentity" { return HTTPResponse(status: 200, body: Data(webIdentityXML().utf8)) }
        return HTTPResponse(status: 200, body: Data(identityXML.utf8))
    }

    @Test func githubTokenIsRequestedWithTheAudienceAndExchanged() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        let transport = FakeTransport { request in
            if request.method == "GET" {
                return HTTPResponse(status: 200, body: Data(#"{"count": 1, "value": "gh.jwt.token"}"#.utf8))
            }
            return self.sts(request)
        }
        let environment = [
            "GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "9876", "AWS_ROLE_ARN": role,
            "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/idtoken?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-bearer-1", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5000",
        ]
        let resolved = try await resolver(home, environment, transport: transport).resolve(CredentialOptions())
        #expect(resolved.credentials.accessKeyId == "ASIAI44QH8DHBCIOIDC1")
        #expect(resolved.source.kind == "ci-web-identity")
        #expect(resolved.source.summary.contains("GitHub Actions OIDC token (audience sts.amazonaws.com)"))

        let requests = transport.requests
        let token = try #require(requests.first)
        #expect(token.method == "GET")
        let query = URLComponents(url: token.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        #expect(query.contains(URLQueryItem(name: "api-version", value: "2.0")))
        #expect(query.contains(URLQueryItem(name: "audience", value: "sts.amazonaws.com")))
        #expect(token.headers.contains(.init("Authorization", "bearer request-bearer-1")))
        let exchange = form(requests[1])
        #expect(exchange["Action"] == "AssumeRoleWithWebIdentity")
        #expect(exchange["WebIdentityToken"] == "gh.jwt.token")
        #expect(exchange["RoleArn"] == role)
        #expect(exchange["RoleSessionName"] == "runbook-github-9876")
        #expect(!requests[1].headers.contains { $0.name.lowercased() == "authorization" }, "the exchange is unsigned")
    }

    @Test func theAudienceSettingIsAskedFor() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        let transport = FakeTransport { request in
            request.method == "GET"
                ? HTTPResponse(status: 200, body: Data(#"{"value": "t"}"#.utf8)) : self.sts(request)
        }
        var options = CredentialOptions()
        options.oidcAudience = "api://AzureADTokenExchange"
        _ = try await resolver(
            home,
            [
                "AWS_ROLE_ARN": role, "ACTIONS_ID_TOKEN_REQUEST_URL": "https://t.example/x?api-version=2.0",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "b", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5000",
            ], transport: transport
        ).resolve(options)
        let url = try #require(transport.requests.first?.url.absoluteString)
        #expect(url.contains("audience=api://AzureADTokenExchange"), "\(url)")
    }

    @Test(arguments: [
        (["BITBUCKET_STEP_OIDC_TOKEN": "bb.jwt", "BITBUCKET_BUILD_NUMBER": "41"], "bb.jwt", "runbook-bitbucket-41"),
        (["GITLAB_CI": "true", "AWS_OIDC_TOKEN": "gl.jwt", "CI_JOB_ID": "77"], "gl.jwt", "runbook-gitlab-77"),
        (["GITLAB_CI": "true", "GITLAB_OIDC_TOKEN": "gl2.jwt"], "gl2.jwt", nil),
    ])
    func variableTokensAreReadAndExchanged(variables: [String: String], token: String, session: String?) async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        let transport = FakeTransport { self.sts($0) }
        let environment = variables.merging(["AWS_ROLE_ARN": role, "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5000"]) {
            lhs, _ in lhs
        }
        _ = try await resolver(home, environment, transport: transport).resolve(CredentialOptions())
        let exchange = form(try #require(transport.requests.first))
        #expect(exchange["WebIdentityToken"] == token)
        if let session { #expect(exchange["RoleSessionName"] == session) }
    }

    @Test func theVariableSettingNamesAnyCIsToken() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        var options = CredentialOptions()
        options.oidcTokenVariables = ["CIRCLE_OIDC_TOKEN_V2"]
        let inspection = await resolver(home, ["AWS_ROLE_ARN": role, "CIRCLE_OIDC_TOKEN_V2": "c.jwt"]).inspect(options)
        #expect(
            inspection.source
                == .ciWebIdentity(
                    roleArn: role, token: .variable(name: "CIRCLE_OIDC_TOKEN_V2", provider: "CI"), sessionName: nil))
        // The defaults are not looked at once the setting names others.
        let ignored = await resolver(home, ["AWS_ROLE_ARN": role, "AWS_OIDC_TOKEN": "x"]).inspect(options)
        #expect(ignored.source == nil)
    }

    @Test(arguments: [
        (["GITHUB_ACTIONS": "true"], "permissions: id-token: write"),
        (["BITBUCKET_BUILD_NUMBER": "3"], "oidc: true"),
        (["GITLAB_CI": "true"], "id_tokens: {AWS_OIDC_TOKEN: {aud: sts.amazonaws.com}}"),
    ])
    func aCIWithARoleButNoTokenSaysWhatToAdd(variables: [String: String], advice: String) async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        let inspection = await resolver(home, variables.merging(["AWS_ROLE_ARN": role]) { lhs, _ in lhs })
            .inspect(CredentialOptions())
        let warning = try #require(inspection.findings.first { $0.rule == "ci-oidc-token" })
        #expect(warning.severity == .warning)
        #expect(warning.message.contains(advice), "\(warning.message)")
        // With nothing else in the chain, the error itself says what the job lacks.
        let failure = try #require(inspection.findings.first { $0.rule == "no-credentials" })
        #expect(failure.message.contains(advice), "\(failure.message)")
        #expect(!failure.message.contains("aws configure"))
    }

    @Test func aTokenFileWinsOverTheCIsToken() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        try home.write("token", "file.jwt")
        let inspection = await resolver(
            home,
            [
                "AWS_ROLE_ARN": role, "AWS_WEB_IDENTITY_TOKEN_FILE": home.path("token"),
                "BITBUCKET_STEP_OIDC_TOKEN": "bb",
            ]
        ).inspect(CredentialOptions())
        #expect(inspection.source?.kind == "web-identity")
    }

    @Test(arguments: [
        (403, RunbookCore.ExitStatus.noPermission, "permissions: id-token: write"),
        (200, RunbookCore.ExitStatus.noPermission, "without a token"),
        (500, RunbookCore.ExitStatus.unavailable, "3 attempts"),
    ])
    func githubFailuresAreClear(status: Int, exit: RunbookCore.ExitStatus, phrase: String) async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: status, body: Data(#"{"message": "no"}"#.utf8)) }
        let token = CIIdentityToken.github(
            requestURL: "https://t.example/x?api-version=2.0&sig=SECRET-QUERY", requestToken: "bearer-secret",
            audience: "sts.amazonaws.com")
        do {
            _ = try await token.fetch(
                environment: CredentialEnvironment(variables: [:], homeDirectory: "/"), transport: transport,
                sleep: { _ in })
            Issue.record("no error for HTTP \(status)")
        } catch let error as RunbookError {
            #expect(error.status == exit)
            #expect(error.message.contains(phrase), "\(error.message)")
            #expect(!error.message.contains("SECRET-QUERY") && !error.message.contains("bearer-secret"))
        }
        #expect(transport.requests.count == (status == 500 ? 3 : 1))
    }

    @Test func onlyHTTPSOrLoopbackTokenURLsAreCalled() throws {
        #expect(throws: RunbookError.self) {
            try CIIdentityToken.requestURL("http://token.example/x", audience: "a")
        }
        let loopback = try CIIdentityToken.requestURL("http://127.0.0.1:8080/x?api-version=2.0", audience: "a")
        #expect(loopback.absoluteString == "http://127.0.0.1:8080/x?api-version=2.0&audience=a")
    }
}
