import Foundation
import Testing

@testable import RunbookCore

private let keysFile = """
    [default]
    aws_access_key_id = \(exampleKey)
    aws_secret_access_key = \(exampleSecret)

    [base]
    aws_access_key_id = AKIAI44QH8DHBEXAMPLE
    aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY

    """

@Suite struct CredentialChainTests {
    @Test func environmentKeysComeFirst() async throws {
        let home = try TemporaryHome(credentials: keysFile)
        defer { home.cleanUp() }
        let inspection = await resolver(
            home,
            [
                "AWS_ACCESS_KEY_ID": "AKIAI44QH8DHBEXAMPLE", "AWS_SECRET_ACCESS_KEY": exampleSecret,
                "AWS_REGION": "eu-west-1",
            ]
        ).inspect(CredentialOptions())
        #expect(inspection.source == .environment)
        #expect(inspection.credentials?.maskedKeyId == "AKIA…MPLE")
        #expect(inspection.region == RegionSetting(name: "eu-west-1", origin: "AWS_REGION"))
        #expect(inspection.findings.isEmpty)
    }

    @Test func profileFlagSkipsTheEnvironmentButAWSProfileDoesNot() async throws {
        let home = try TemporaryHome(credentials: keysFile)
        defer { home.cleanUp() }
        let env = ["AWS_ACCESS_KEY_ID": exampleKey, "AWS_SECRET_ACCESS_KEY": exampleSecret]
        let flagged = await resolver(home, env).inspect(CredentialOptions(profile: "base"))
        #expect(
            flagged.source
                == .sharedFile(
                    profile: "base", location: .init(file: home.path(".aws/credentials"), line: 6, column: 1)))
        let variable = await resolver(home, env.merging(["AWS_PROFILE": "base"]) { $1 }).inspect(CredentialOptions())
        #expect(variable.source == .environment)
        #expect(variable.profile == "base")
    }

    @Test func sharedCredentialsFileWithLine() async throws {
        let home = try TemporaryHome(config: "[default]\nregion = us-east-2\n", credentials: keysFile)
        defer { home.cleanUp() }
        let inspection = await resolver(home).inspect(CredentialOptions())
        #expect(inspection.source?.summary == "profile default (\(home.path(".aws/credentials")):2)")
        #expect(inspection.region == RegionSetting(name: "us-east-2", origin: "\(home.path(".aws/config")):2"))
        #expect(!inspection.hasErrors)
    }

    @Test func explicitFilesFromVariables() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        try home.write("elsewhere/creds", keysFile)
        try home.write("elsewhere/conf", "[profile base]\nregion = sa-east-1\n")
        let inspection = await resolver(
            home,
            [
                "AWS_SHARED_CREDENTIALS_FILE": "$HOME/elsewhere/creds", "AWS_CONFIG_FILE": "~/elsewhere/conf",
                "AWS_PROFILE": "base",
            ]
        ).inspect(CredentialOptions())
        #expect(inspection.source?.kind == "file")
        #expect(inspection.region?.name == "sa-east-1")
    }

    @Test func roleProfileChainsToItsSource() async throws {
        let config = """
            [profile dev]
            role_arn = arn:aws:iam::123456789012:role/dev
            source_profile = ops
            [profile ops]
            role_arn = arn:aws:iam::123456789012:role/ops
            source_profile = base
            """
        let home = try TemporaryHome(config: config, credentials: keysFile)
        defer { home.cleanUp() }
        let inspection = await resolver(home).inspect(CredentialOptions(profile: "dev"))
        guard case .assumeRole(let profile, let role, let location, let inner) = inspection.source else {
            Issue.record("expected a role, got \(String(describing: inspection.source))")
            return
        }
        #expect(profile == "dev" && role.hasSuffix("role/dev") && location.line == 2)
        #expect(inner.kind == "assume-role")
        #expect(inner.root.kind == "file")
        #expect(inspection.credentials?.accessKeyId == "AKIAI44QH8DHBEXAMPLE")
    }

    @Test func sourceProfileCycleIsReportedWithItsLine() async throws {
        let config = """
            [profile a]
            role_arn = arn:aws:iam::123456789012:role/a
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::123456789012:role/b
            source_profile = a
            """
        let home = try TemporaryHome(config: config)
        defer { home.cleanUp() }
        let inspection = await resolver(home).inspect(CredentialOptions(profile: "a"))
        let cycle = try #require(inspection.findings.first { $0.rule == "source-profile-cycle" })
        #expect(cycle.message.contains("a -> b -> a"))
        #expect(cycle.location?.line == 6)
        #expect(inspection.hasErrors)
    }

    @Test func missingProfileListsTheOnesThatExist() async throws {
        let home = try TemporaryHome(config: "[profile dev]\nregion = eu-west-1\n", credentials: keysFile)
        defer { home.cleanUp() }
        let inspection = await resolver(home, ["AWS_PROFILE": "prod"]).inspect(CredentialOptions())
        let finding = try #require(inspection.findings.first)
        #expect(finding.rule == "missing-profile")
        #expect(finding.message.contains("profiles: base, default, dev"))
        #expect(finding.message.contains("AWS_PROFILE"))
    }

    @Test func webIdentityFromTheEnvironment() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        try home.write("token", "eyJhbGciOi.example.token\n")
        let inspection = await resolver(
            home,
            [
                "AWS_WEB_IDENTITY_TOKEN_FILE": home.path("token"), "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci",
                "AWS_ROLE_SESSION_NAME": "pipeline",
            ]
        ).inspect(CredentialOptions())
        #expect(
            inspection.source
                == .webIdentity(
                    roleArn: "arn:aws:iam::123456789012:role/ci", tokenFile: home.path("token"),
                    sessionName: "pipeline", location: nil))
        #expect(!inspection.hasErrors)
    }

    @Test func webIdentityWithAnUnreadableTokenIsAnError() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        let inspection = await resolver(
            home,
            ["AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci"]
        ).inspect(CredentialOptions())
        #expect(inspection.findings.map(\.rule) == ["web-identity-token"])
    }

    @Test func credentialProcessIsRunAndItsExpiryChecked() async throws {
        let home = try TemporaryHome(config: "[profile tool]\ncredential_process = '/opt/get creds' --account 1\n")
        defer { home.cleanUp() }
        let json = """
            {"Version": 1, "AccessKeyId": "ASIAI44QH8DHBEXAMPLE", "SecretAccessKey": "\(exampleSecret)",
             "SessionToken": "token", "Expiration": "2024-05-01T12:03:00Z"}
            """
        let inspection = await resolver(
            home, processes: ["/opt/get creds --account 1": ProcessOutput(status: 0, standardOutput: json)]
        ).inspect(CredentialOptions(profile: "tool"))
        #expect(inspection.source?.kind == "process")
        #expect(inspection.credentials?.sessionToken == "token")
        let expiring = try #require(inspection.findings.first)
        #expect(expiring.rule == "expiring")
        #expect(expiring.location?.line == 2)
    }

    @Test func credentialProcessFailureSaysWhy() async throws {
        let home = try TemporaryHome(config: "[default]\ncredential_process = helper\n")
        defer { home.cleanUp() }
        let inspection = await resolver(
            home, processes: ["helper": ProcessOutput(status: 3, standardError: "not logged in\n")]
        ).inspect(CredentialOptions())
        #expect(inspection.findings.first?.message.contains("exited with status 3: not logged in") == true)
    }

    @Test func ssoWithoutCachedLoginSaysToLogIn() async throws {
        let config = """
            [profile corp]
            sso_session = corp
            sso_account_id = 123456789012
            sso_role_name = Admin
            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            """
        let home = try TemporaryHome(config: config)
        defer { home.cleanUp() }
        let inspection = await resolver(home).inspect(CredentialOptions(profile: "corp"))
        let finding = try #require(inspection.findings.first)
        #expect(finding.message.contains("aws sso login --profile corp"))
        #expect(finding.location?.line == 2)
    }

    @Test func ssoWithCachedLoginGetsRoleCredentialsOnline() async throws {
        let config = """
            [profile corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            sso_account_id = 123456789012
            sso_role_name = Admin
            """
        let home = try TemporaryHome(config: config)
        defer { home.cleanUp() }
        let settings = SSOSettings(
            startURL: "https://corp.awsapps.com/start", region: "eu-west-1", accountId: "123456789012",
            roleName: "Admin")
        let cachePath = SSOTokenCache(homeDirectory: home.url.path).path(for: settings)
        try home.write(
            String(cachePath.dropFirst(home.url.path.count + 1)),
            #"{"accessToken": "bearer", "expiresAt": "2024-05-01T20:00:00Z"}"#)
        let transport = FakeTransport { request in
            if request.url.host == "portal.sso.eu-west-1.amazonaws.com" {
                #expect(request.headers.contains(.init("x-amz-sso_bearer_token", "bearer")))
                return HTTPResponse(
                    status: 200,
                    body: Data(
                        #"{"roleCredentials":{"accessKeyId":"ASIAI44QH8DHBEXAMPLE","secretAccessKey":"\#(exampleSecret)","sessionToken":"t","expiration":1714600000000}}"#
                            .utf8))
            }
            return HTTPResponse(status: 200, body: Data(identityXML.utf8))
        }
        let resolved = try await resolver(home, transport: transport).resolve(CredentialOptions(profile: "corp"))
        #expect(resolved.credentials.accessKeyId == "ASIAI44QH8DHBEXAMPLE")
        #expect(resolved.identity.account == "123456789012")
    }

    @Test func containerEndpointIsDetectedOfflineAndCalledOnlyWhenResolving() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        // Offline: NoNetwork records an issue for any request.
        let inspection = await resolver(home, ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/c"]).inspect(
            CredentialOptions())
        #expect(inspection.source == .container(variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI"))
        let refused = FakeTransport { _ in throw HTTPTransportError.unreachable("connection refused") }
        let error = await #expect(throws: RunbookError.self) {
            _ = try await resolver(
                home, ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/c"], transport: refused
            )
            .resolve(CredentialOptions())
        }
        #expect(error?.status == .unavailable)
        #expect(refused.requests.allSatisfy { $0.url.absoluteString == "http://127.0.0.1:9/c" })
        #expect(refused.requests.count == 3)
    }

    @Test func nothingFoundIsAnError() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        let inspection = await resolver(home, ["AWS_EC2_METADATA_DISABLED": "true"]).inspect(CredentialOptions())
        #expect(inspection.findings.map(\.rule) == ["no-credentials"])
    }
}
