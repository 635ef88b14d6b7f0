import Foundation
import Testing

@testable import RunbookCore

/// The container credentials endpoint and instance metadata, against a fake transport: botocore's URL
/// rules, headers, fallbacks and retries; the same flows run against moto and a loopback endpoint
/// in the integration tests.
@Suite struct EndpointClientTests {
    private static let document = Data(
        #"{"AccessKeyId":"ASIAENDPOINTEXAMPLE1","SecretAccessKey":"endpoint-secret","Token":"endpoint-token","Expiration":"2030-01-01T00:00:00Z"}"#
            .utf8)

    private func container(_ variables: [String: String], transport: FakeTransport) -> ContainerCredentialsClient {
        ContainerCredentialsClient(
            transport: transport,
            environment: CredentialEnvironment(variables: variables, homeDirectory: "/nonexistent"),
            sleep: { _ in })
    }

    @Test(arguments: [
        ("http://127.0.0.1:9911/creds", true), ("http://127.3.4.5/x", true), ("http://[::1]:80/c", true),
        ("http://localhost:8080/c", true), ("http://169.254.170.23/v1/credentials", true),
        ("https://creds.example.com/c", true), ("http://10.0.0.5/creds", false), ("http://example.com/c", false),
        ("http://127.0.0.1.example.com/c", false),
    ])
    func fullURIFollowsBotocoresHostRules(uri: String, allowed: Bool) async throws {
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Self.document) }
        let client = container(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri], transport: transport)
        if allowed {
            #expect(try await client.credentials().accessKeyId == "ASIAENDPOINTEXAMPLE1")
        } else {
            let error = await #expect(throws: RunbookError.self) { try await client.credentials() }
            #expect(error?.status == .noPermission)
            #expect(transport.requests.isEmpty, "a refused URL must not be called")
        }
    }

    @Test func relativeURIGoesTo169_254_170_2AndTheTokenFileWinsOverTheVariable() async throws {
        let home = try TemporaryHome()
        defer { home.cleanUp() }
        try home.write("token", "from-the-file")
        let transport = FakeTransport { _ in HTTPResponse(status: 200, body: Self.document) }
        let client = container(
            [
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc?id=1",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/ignored",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": home.path("token"),
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "from-the-variable",
            ], transport: transport)
        let keys = try await client.credentials()
        #expect(keys.sessionToken == "endpoint-token")
        #expect(keys.expiration == parseTimestamp("2030-01-01T00:00:00Z"))
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "http://169.254.170.2/v2/credentials/abc?id=1")
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "from-the-file" })

        try home.write("token", "with-a-newline\n")
        let error = await #expect(throws: RunbookError.self) { try await client.credentials() }
        #expect(error?.message.contains("line break") == true)
    }

    @Test func containerEndpointIsTriedThreeTimesThenUnavailableAndMalformedIsCredentials() async throws {
        let failing = FakeTransport { _ in throw HTTPTransportError.unreachable("connection refused") }
        let client = container(
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/c?secret=q"], transport: failing)
        let error = await #expect(throws: RunbookError.self) { try await client.credentials() }
        #expect(error?.status == .unavailable)
        #expect(error?.message.contains("http://127.0.0.1:9/c ") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("secret=q") == false)
        #expect(failing.requests.count == 3)

        let malformed = FakeTransport { _ in HTTPResponse(status: 200, body: Data(#"{"AccessKeyId":"A"}"#.utf8)) }
        let bad = container(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/c"], transport: malformed)
        let badError = await #expect(throws: RunbookError.self) { try await bad.credentials() }
        #expect(badError?.status == .noPermission)
        #expect(badError?.message.contains("without SecretAccessKey") == true, "\(badError?.message ?? "")")
    }

    private func metadata(_ variables: [String: String], transport: FakeTransport) -> InstanceMetadataClient {
        InstanceMetadataClient(
            transport: transport,
            environment: CredentialEnvironment(variables: variables, homeDirectory: "/nonexistent"))
    }

    @Test func instanceMetadataUsesAnIMDSv2TokenThenTheRolesCredentials() async throws {
        let transport = FakeTransport { request in
            // absoluteString: Foundation's `path` drops a trailing slash.
            switch (request.method, String(request.url.absoluteString.dropFirst("http://127.0.0.1:5791".count))) {
            case ("PUT", "/latest/api/token"): return HTTPResponse(status: 200, body: Data("v2-token".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return HTTPResponse(status: 200, body: Data("web-role\n".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/web-role"):
                return HTTPResponse(status: 200, body: Self.document)
            default: return HTTPResponse(status: 404, body: Data())
            }
        }
        let client = metadata(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:5791"], transport: transport)
        #expect(try await client.credentials().accessKeyId == "ASIAENDPOINTEXAMPLE1")
        let requests = transport.requests
        #expect(requests.count == 3)
        #expect(
            requests[0].headers.contains { $0.name == "x-aws-ec2-metadata-token-ttl-seconds" && $0.value == "21600" })
        #expect(
            requests[1...].allSatisfy {
                $0.headers.contains { $0.name == "x-aws-ec2-metadata-token" && $0.value == "v2-token" }
            })
    }

    @Test func instanceMetadataFallsBackToV1UnlessV1IsDisabled() async throws {
        let transport = FakeTransport { request in
            if request.method == "PUT" { return HTTPResponse(status: 405, body: Data()) }
            if request.url.absoluteString.hasSuffix("/security-credentials/") {
                return HTTPResponse(status: 200, body: Data("role".utf8))
            }
            return HTTPResponse(status: 200, body: Self.document)
        }
        let v1 = metadata(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1/"], transport: transport)
        #expect(try await v1.credentials().accessKeyId == "ASIAENDPOINTEXAMPLE1")
        #expect(transport.requests.last?.url.absoluteString.hasSuffix("/security-credentials/role") == true)
        #expect(transport.requests.dropFirst().allSatisfy { $0.headers.isEmpty })

        let disabled = metadata(
            ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1/", "AWS_EC2_METADATA_V1_DISABLED": "true"],
            transport: transport)
        let error = await #expect(throws: RunbookError.self) { try await disabled.credentials() }
        #expect(error?.message.contains("IMDSv1 is turned off") == true)
    }

    @Test func instanceMetadataDefaultsAndAttempts() async throws {
        let unreachable = FakeTransport { _ in throw HTTPTransportError.unreachable("no route") }
        let defaults = metadata([:], transport: unreachable)
        #expect(defaults.base == "http://169.254.169.254/")
        #expect(defaults.timeout == .seconds(1))
        #expect(
            metadata(["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"], transport: unreachable).base
                == "http://[fd00:ec2::254]/")
        let retried = metadata(
            ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"],
            transport: unreachable)
        let error = await #expect(throws: RunbookError.self) { try await retried.credentials() }
        #expect(error?.status == .unavailable)
        #expect(error?.message.contains("http://127.0.0.1:1") == true)
        // Two token attempts, then two for the role name.
        #expect(unreachable.requests.count == 4)
        let off = metadata(["AWS_EC2_METADATA_DISABLED": "true"], transport: unreachable)
        await #expect(throws: RunbookError.self) { try await off.credentials() }
    }
}
