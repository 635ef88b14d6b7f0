import Foundation
import Synchronization
import Testing

@testable import RunbookCore

/// botocore's signer with its clock fixed at `spec["time"]`, the request spec read from standard input
/// (exit 3 without botocore); the signing scripts below go on from here.
private let botocoreAtFixedTime = """
    import datetime, json, sys
    try:
        import botocore.auth as auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
    except ImportError:
        sys.exit(3)
    spec = json.load(sys.stdin)
    fixed = datetime.datetime.fromtimestamp(spec["time"], tz=datetime.timezone.utc)
    auth.get_current_datetime = lambda *args, **kwargs: fixed.replace(tzinfo=None)
    class FixedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed.replace(tzinfo=None)
    auth.datetime.datetime = FixedDatetime

    """

/// Signs with botocore's SigV4Auth at a fixed time; the request comes in as JSON on standard input
/// (so no key is ever in argv) and the Authorization header goes out on standard output.
private let botocoreSigner =
    botocoreAtFixedTime + """
        request = AWSRequest(method="POST", url=spec["url"], data=spec["body"].encode(), headers={"Content-Type": spec["contentType"]})
        signer = auth.SigV4Auth(Credentials(spec["key"], spec["secret"], spec.get("token")), "sts", spec["region"])
        signer.add_auth(request)
        print(request.headers["Authorization"])
        """

@Suite struct BotocoreCrossCheckTests {
    @Test(arguments: [nil, "FwoGZXIvYXdzEJr//////////token+with/slashes=="])
    func runbookSignsAsBotocoreDoes(_ token: String?) async throws {
        let credentials = AWSCredentials(accessKeyId: exampleKey, secretAccessKey: exampleSecret, sessionToken: token)
        let endpoint = try #require(URL(string: "http://127.0.0.1:5000/"))
        let client = STSClient(
            endpoint: endpoint, signingRegion: "eu-west-1", transport: NoNetwork(), now: { fixedNow })
        let request = client.request(
            "AssumeRole", [("RoleArn", "arn:aws:iam::123456789012:role/dev"), ("RoleSessionName", "a b~c")],
            signedWith: credentials)
        let ours = try #require(request.headers.first { $0.name == "Authorization" }?.value)

        var spec: [String: Any] = [
            "time": fixedNow.timeIntervalSince1970, "url": endpoint.absoluteString,
            "body": String(decoding: request.body, as: UTF8.self),
            "contentType": try #require(request.headers.first { $0.name == "Content-Type" }?.value),
            "key": credentials.accessKeyId, "secret": credentials.secretAccessKey, "region": "eu-west-1",
        ]
        if let token { spec["token"] = token }
        let input = try JSONSerialization.data(withJSONObject: spec)
        let output = try await SubprocessRunner().capture(
            ProcessSpec("python3", ["-c", botocoreSigner], input: input, timeout: .seconds(30)))
        if output.status == 3 || output.status == 127 {
            // CI installs botocore with moto (scripts/services/moto.sh); locally it may be missing.
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("python3 with botocore is needed for the SigV4 cross-check; pip install botocore")
            }
            return
        }
        #expect(output.status == 0, "\(output.standardError)")
        let theirs = output.standardOutput.trimmingCharacters(in: Foundation.CharacterSet.whitespacesAndNewlines)
        // botocore signs the same headers, so the whole header, signature included, must match.
        #expect(ours == theirs)
    }
}

/// botocore's S3SigV4Auth over the same request (URL, method, body, headers) at a fixed time.
private let botocoreS3Signer =
    botocoreAtFixedTime + """
        request = AWSRequest(method=spec["method"], url=spec["url"], data=spec["body"].encode(), headers=spec["headers"])
        auth.S3SigV4Auth(Credentials(spec["key"], spec["secret"], spec.get("token")), "s3", spec["region"]).add_auth(request)
        print(request.headers["Authorization"])
        """

/// Keeps the last request and answers 200 with an empty body.
private final class CapturingTransport: HTTPTransport {
    let last = Mutex<HTTPRequest?>(nil)
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        last.withLock { $0 = request }
        return HTTPResponse(status: 200, body: Data())
    }
}

@Suite struct BotocoreS3CrossCheckTests {
    enum Call: String, CaseIterable, Sendable {
        case put, get, list
    }

    @Test(arguments: Call.allCases)
    func runbookSignsS3RequestsAsBotocoreDoes(_ call: Call) async throws {
        let credentials = AWSCredentials(
            accessKeyId: exampleKey, secretAccessKey: exampleSecret, sessionToken: "FwoGZXIvYXdzE//token+x=")
        let transport = CapturingTransport()
        let client = try S3Client(
            location: try S3Location("s3://team-history/ci/runs"), credentials: credentials, region: "eu-west-2",
            environment: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:5791"], transport: transport, now: { fixedNow })
        let key = "ci/runs/runs/20261203T120000Z-abc123.json.gz"
        switch call {
        case .put:
            try await client.put(
                key, body: Data("gzip bytes".utf8), contentType: "application/json", contentEncoding: "gzip")
        case .get: _ = try await client.get(key)
        case .list: _ = try await client.list(prefix: "ci/runs/runs/", startAfter: "ci/runs/runs/20261201T000000Z~")
        }
        let request = try #require(transport.last.withLock { $0 })
        let ours = try #require(request.headers.first { $0.name == "Authorization" }?.value)
        var headers: [String: String] = [:]
        for header in request.headers
        where !["authorization", "host", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"].contains(
            header.name.lowercased())
        {
            headers[header.name] = header.value
        }
        let spec: [String: Any] = [
            "time": fixedNow.timeIntervalSince1970, "url": request.url.absoluteString, "method": request.method,
            "body": String(decoding: request.body, as: UTF8.self), "headers": headers, "key": credentials.accessKeyId,
            "secret": credentials.secretAccessKey, "token": credentials.sessionToken ?? "", "region": "eu-west-2",
        ]
        let output = try await SubprocessRunner().capture(
            ProcessSpec(
                "python3", ["-c", botocoreS3Signer], input: try JSONSerialization.data(withJSONObject: spec),
                timeout: .seconds(30)))
        if output.status == 3 || output.status == 127 {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("python3 with botocore is needed for the SigV4 cross-check; pip install botocore")
            }
            return
        }
        #expect(output.status == 0, "\(output.standardError)")
        #expect(
            ours == output.standardOutput.trimmingCharacters(in: Foundation.CharacterSet.whitespacesAndNewlines),
            "\(request.url)")
    }
}
