import Foundation
import Testing

@testable import RunbookCore

/// Signs with botocore's SigV4Auth at a fixed time; the request comes in as JSON on standard input
/// (so no key is ever in argv) and the Authorization header goes out on standard output.
private let botocoreSigner = """
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
        let theirs = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        // botocore signs the same headers, so the whole header, signature included, must match.
        #expect(ours == theirs)
    }
}
