import Foundation
import Testing

@testable import RunbookCore

let identityXML = """
    <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <GetCallerIdentityResult>
        <Arn>arn:aws:iam::123456789012:user/ansible</Arn>
        <UserId>AIDAEXAMPLE</UserId>
        <Account>123456789012</Account>
      </GetCallerIdentityResult>
    </GetCallerIdentityResponse>
    """

private func roleXML(_ action: String, key: String = "ASIAI44QH8DHBEXAMPLE") -> String {
    """
    <\(action)Response><\(action)Result><Credentials>
    <AccessKeyId>\(key)</AccessKeyId><SecretAccessKey>\(exampleSecret)</SecretAccessKey>
    <SessionToken>FwoG&amp;token</SessionToken><Expiration>2024-05-01T13:00:00Z</Expiration>
    </Credentials></\(action)Result></\(action)Response>
    """
}

private func errorXML(_ code: String) -> Data {
    Data(
        "<ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>nope</Message></Error></ErrorResponse>"
            .utf8)
}

private func form(_ request: HTTPRequest) -> String { String(decoding: request.body, as: UTF8.self) }

private let keys = AWSCredentials(accessKeyId: exampleKey, secretAccessKey: exampleSecret)

@Suite struct STSClientTests {
    private func client(_ transport: any HTTPTransport, endpoint: String = "http://127.0.0.1:5000") throws -> STSClient
    {
        STSClient(
            endpoint: try #require(URL(string: endpoint)), signingRegion: "eu-west-1", transport: transport,
            now: { fixedNow })
    }

    @Test func callerIdentityIsASignedPost() async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Data(identityXML.utf8)) }
        let identity = try await client(transport).callerIdentity(using: keys)
        #expect(
            identity
                == CallerIdentity(
                    account: "123456789012", arn: "arn:aws:iam::123456789012:user/ansible", userId: "AIDAEXAMPLE"))
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(form(request) == "Action=GetCallerIdentity&Version=2011-06-15")
        #expect(request.headers.contains(.init("Host", "127.0.0.1:5000")))
        #expect(request.headers.contains(.init("X-Amz-Date", "20240501T120000Z")))
        let authorization = try #require(request.headers.first { $0.name == "Authorization" }?.value)
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=\(exampleKey)/20240501/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="
            ))
        #expect(!request.headers.contains { $0.value.contains(exampleSecret) })
    }

    @Test(arguments: [
        ("InvalidClientTokenId", RunbookCore.ExitStatus.noPermission, "does not know this access key"),
        ("SignatureDoesNotMatch", .noPermission, "secret access key does not belong"),
        ("ExpiredToken", .noPermission, "expired"),
        ("AccessDenied", .noPermission, "trust policy"),
        ("Throttling", .unavailable, "throttling"),
    ])
    func errorsBecomeSentences(_ code: String, _ status: RunbookCore.ExitStatus, _ phrase: String) async throws {
        let transport = FakeTransport { _ in
            HTTPResponse(status: code == "Throttling" ? 400 : 403, body: errorXML(code))
        }
        let error = await #expect(throws: RunbookError.self) { try await client(transport).callerIdentity(using: keys) }
        #expect(error?.status == status)
        #expect(error?.message.contains(phrase) == true)
        #expect(error?.cause?.contains(code) == true)
    }

    @Test func timeoutAndUnreachableAreExit69() async throws {
        let slow = FakeTransport { _ in throw HTTPTransportError.timedOut }
        let timedOut = await #expect(throws: RunbookError.self) { try await client(slow).callerIdentity(using: keys) }
        #expect(timedOut?.status == .unavailable)
        #expect(timedOut?.message.contains("within 10 s") == true)
        let down = FakeTransport { _ in throw HTTPTransportError.unreachable("connection refused") }
        let unreachable = await #expect(throws: RunbookError.self) {
            try await client(down).callerIdentity(using: keys)
        }
        #expect(unreachable?.status == .unavailable)
    }

    @Test func assumeRoleReturnsTemporaryCredentials() async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Data(roleXML("AssumeRole").utf8)) }
        let role = try await client(transport).assumeRole(
            "arn:aws:iam::123456789012:role/dev", sessionName: "s", externalId: "x y", using: keys)
        #expect(role.accessKeyId == "ASIAI44QH8DHBEXAMPLE")
        #expect(role.sessionToken == "FwoG&token")
        #expect(role.expiration == fixedNow + 3600)
        #expect(
            form(try #require(transport.requests.first)).contains(
                "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdev&RoleSessionName=s&ExternalId=x%20y"))
    }

    @Test func webIdentityCallIsUnsigned() async throws {
        let transport = FakeTransport { _ in
            HTTPResponse(status: 200, body: Data(roleXML("AssumeRoleWithWebIdentity").utf8))
        }
        _ = try await client(transport).assumeRoleWithWebIdentity(
            "arn:aws:iam::123456789012:role/ci", sessionName: "ci", token: "jwt")
        let request = try #require(transport.requests.first)
        #expect(!request.headers.contains { $0.name == "Authorization" })
        #expect(form(request).contains("WebIdentityToken=jwt"))
    }

    @Test func endpointOrder() throws {
        let env = CredentialEnvironment(
            variables: ["AWS_ENDPOINT_URL": "http://localhost:1", "AWS_ENDPOINT_URL_STS": "http://localhost:2"],
            homeDirectory: "/")
        #expect(
            try STSClient.endpoint(explicit: "http://localhost:3", environment: env, profileEndpoint: nil, region: nil)
                .port == 3)
        #expect(try STSClient.endpoint(explicit: nil, environment: env, profileEndpoint: nil, region: nil).port == 2)
        let bare = CredentialEnvironment(variables: [:], homeDirectory: "/")
        #expect(
            try STSClient.endpoint(explicit: nil, environment: bare, profileEndpoint: nil, region: "eu-west-1")
                .absoluteString == "https://sts.eu-west-1.amazonaws.com")
        #expect(
            try STSClient.endpoint(explicit: nil, environment: bare, profileEndpoint: nil, region: nil).absoluteString
                == "https://sts.amazonaws.com")
        #expect(throws: RunbookError.self) {
            try STSClient.endpoint(explicit: "ftp://x", environment: bare, profileEndpoint: nil, region: nil)
        }
    }
}

@Suite struct CredentialResolverTests {
    @Test func roleProfileAssumesTheRoleThenAsksWhoItIs() async throws {
        let home = try TemporaryHome(
            config:
                "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\nrole_session_name = me\nregion = eu-west-1\n",
            credentials: "[base]\naws_access_key_id = \(exampleKey)\naws_secret_access_key = \(exampleSecret)\n")
        defer { home.cleanUp() }
        let transport = FakeTransport { request in
            let body = form(request)
            return HTTPResponse(
                status: 200, body: Data((body.contains("Action=AssumeRole") ? roleXML("AssumeRole") : identityXML).utf8)
            )
        }
        let resolved = try await resolver(home, ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000"], transport: transport)
            .resolve(CredentialOptions(profile: "dev", expectAccount: "123456789012"))
        #expect(resolved.credentials.accessKeyId == "ASIAI44QH8DHBEXAMPLE")
        #expect(resolved.environmentVariables["AWS_SESSION_TOKEN"] == "FwoG&token")
        #expect(resolved.environmentVariables["AWS_REGION"] == "eu-west-1")
        let requests = transport.requests
        #expect(requests.count == 2)
        #expect(form(requests[0]).contains("RoleSessionName=me"))
        // The identity call is signed with the role's temporary key and token.
        #expect(
            requests[1].headers.contains { $0.name == "Authorization" && $0.value.contains("ASIAI44QH8DHBEXAMPLE/") })
        #expect(requests[1].headers.contains(.init("X-Amz-Security-Token", "FwoG&token")))
    }

    @Test func wrongAccountIsExit77() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Data(identityXML.utf8)) }
        let error = await #expect(throws: RunbookError.self) {
            try await resolver(
                home, ["AWS_ACCESS_KEY_ID": exampleKey, "AWS_SECRET_ACCESS_KEY": exampleSecret], transport: transport
            )
            .resolve(CredentialOptions(expectAccount: "210987654321"))
        }
        #expect(error?.status == .noPermission)
        #expect(error?.message.contains("not 210987654321") == true)
    }

    @Test func reportNeverShowsSecrets() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        let token = "SESSIONTOKENVALUE"
        let inspection = await resolver(
            home,
            [
                "AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": exampleSecret,
                "AWS_SESSION_TOKEN": token,
            ]
        ).inspect(CredentialOptions())
        let report = CredentialReport(inspection: inspection)
        for output in [report.text, report.json, report.findingsText] {
            #expect(!output.contains(exampleSecret))
            #expect(!output.contains(token))
            #expect(!output.contains("ASIAIOSFODNN7EXAMPLE"))
        }
        #expect(report.text.contains("ASIA…MPLE"))
    }
}
