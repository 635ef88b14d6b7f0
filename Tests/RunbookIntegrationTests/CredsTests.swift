import Foundation
import Testing

/// The moto endpoints `scripts/services/moto.sh` starts (plain, and signature-checking).
private enum Moto {
    static let environment = ProcessInfo.processInfo.environment
    static var url: String? { environment["RUNBOOK_TEST_MOTO_URL"] }
    static var authURL: String? { environment["RUNBOOK_TEST_MOTO_AUTH_URL"] }
    /// In CI the tests run (and fail on a missing endpoint); locally they need scripts/test or moto.sh up.
    static var enabled: Bool { url != nil || RunbookFixture.inCI }
}

private let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
private let key = "AKIAIOSFODNN7EXAMPLE"

/// A temporary HOME holding `.aws` files, and an environment with every inherited AWS_* variable removed.
private struct CredsHome {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-creds-\(UUID().uuidString)")

    init(config: String? = nil, credentials: String? = nil) throws {
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        if let config { try write(".aws/config", config) }
        if let credentials {
            try write(".aws/credentials", credentials)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path(".aws/credentials"))
        }
    }

    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    func write(_ relative: String, _ text: String, executable: Bool = false) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(relative))
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path(relative))
        }
    }

    func run(_ arguments: [String], _ variables: [String: String] = [:]) throws -> RunbookFixture.Result {
        var environment: [String: String?] = [:]
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("AWS_") {
            environment[name] = .some(nil)
        }
        environment["HOME"] = url.path
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        for (name, value) in variables { environment[name] = value }
        let result = try RunbookFixture.run(["creds"] + arguments, environment: environment)
        #expect(
            !result.standardOutput.contains(secret) && !result.standardError.contains(secret), "a secret was printed")
        return result
    }

    func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

@Suite(.enabled(if: Moto.enabled, "set RUNBOOK_TEST_MOTO_URL (scripts/test starts moto) to run the creds tests"))
struct CredsTests {
    private func moto() throws -> String {
        try #require(Moto.url, "RUNBOOK_TEST_MOTO_URL is not set; scripts/services/moto.sh up starts moto")
    }

    @Test func environmentKeys() throws {
        let home = try CredsHome()
        defer { home.cleanUp() }
        let result = try home.run(
            ["--online", "--endpoint-url", try moto()],
            ["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "eu-west-1"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("source      environment (AWS_ACCESS_KEY_ID)"))
        #expect(result.standardOutput.contains("access key  AKIA…MPLE"))
        #expect(result.standardOutput.contains("account     123456789012"))
        #expect(!result.standardOutput.contains(key))
    }

    @Test func sharedFilesWithProfile() throws {
        let home = try CredsHome(
            config: "[profile ops]\nregion = eu-central-1\n",
            credentials: "[ops]\naws_access_key_id = \(key)\naws_secret_access_key = \(secret)\n")
        defer { home.cleanUp() }
        let result = try home.run(
            ["--online", "--profile", "ops", "--format", "json"], ["AWS_ENDPOINT_URL_STS": try moto()])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(json["source"] as? String == "file")
        #expect((json["sourceDetail"] as? String)?.hasSuffix(".aws/credentials:2)") == true)
        #expect(json["region"] as? String == "eu-central-1")
        #expect(json["account"] as? String == "123456789012")
    }

    @Test func roleViaSourceProfile() throws {
        let home = try CredsHome(
            config: """
                [profile deploy]
                role_arn = arn:aws:iam::123456789012:role/deploy
                source_profile = base
                role_session_name = runbook-test
                region = us-west-2
                """,
            credentials: "[base]\naws_access_key_id = \(key)\naws_secret_access_key = \(secret)\n")
        defer { home.cleanUp() }
        let result = try home.run(
            ["--online", "--profile", "deploy", "--expect-account", "123456789012"], ["AWS_ENDPOINT_URL": try moto()])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("role arn:aws:iam::123456789012:role/deploy of profile deploy"))
        #expect(result.standardOutput.contains("assumed-role/deploy/runbook-test"))
        #expect(result.standardOutput.contains("role key    ASIA"))
    }

    @Test func webIdentity() throws {
        let home = try CredsHome()
        defer { home.cleanUp() }
        try home.write("token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl\n")
        let result = try home.run(
            ["--online", "--endpoint-url", try moto()],
            [
                "AWS_WEB_IDENTITY_TOKEN_FILE": home.path("token"), "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci",
                "AWS_ROLE_SESSION_NAME": "pipeline", "AWS_REGION": "eu-west-1",
            ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("web identity arn:aws:iam::123456789012:role/ci"))
        #expect(result.standardOutput.contains("assumed-role/ci/pipeline"))
    }

    @Test func credentialProcess() throws {
        let home = try CredsHome()
        defer { home.cleanUp() }
        try home.write(
            "get creds.sh",
            """
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "\(key)", "SecretAccessKey": "\(secret)"}'
            """, executable: true)
        try home.write(
            ".aws/config",
            "[default]\ncredential_process = \"\(home.path("get creds.sh"))\" --ignored-arg\nregion = eu-west-1\n")
        let result = try home.run(["--online", "--endpoint-url", try moto()])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("credential_process of profile default"))
        #expect(result.standardOutput.contains("account     123456789012"))
    }

    @Test func signatureCheckingMotoAcceptsOursAndRejectsAWrongSecret() throws {
        let authURL = try #require(Moto.authURL, "RUNBOOK_TEST_MOTO_AUTH_URL is not set")
        let env = Moto.environment
        let id = try #require(env["RUNBOOK_TEST_MOTO_AUTH_KEY_ID"])
        let good = try #require(env["RUNBOOK_TEST_MOTO_AUTH_SECRET"])
        let home = try CredsHome()
        defer { home.cleanUp() }
        let accepted = try home.run(
            ["--online", "--endpoint-url", authURL], ["AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": good])
        #expect(accepted.status == 0, "\(accepted.standardError)")
        #expect(accepted.standardOutput.contains("user/runbook-ci"))
        let wrong = String(good.dropLast()) + (good.hasSuffix("A") ? "B" : "A")
        let rejected = try home.run(
            ["--online", "--endpoint-url", authURL], ["AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": wrong])
        #expect(rejected.status == 77)
        #expect(rejected.standardError.contains("rejected the signature"))
    }

    @Test func wrongAccountIsRefused() throws {
        let home = try CredsHome()
        defer { home.cleanUp() }
        let result = try home.run(
            ["--online", "--endpoint-url", try moto(), "--expect-account", "210987654321"],
            ["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret])
        #expect(result.status == 77)
        #expect(result.standardError.contains("not 210987654321"))
    }
}

@Suite struct CredsOfflineTests {
    @Test func unreachableEndpointIsExit69() throws {
        let home = try CredsHome()
        defer { home.cleanUp() }
        let result = try home.run(
            ["--online", "--endpoint-url", "http://127.0.0.1:9", "--timeout", "3"],
            ["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret])
        #expect(result.status == 69)
        #expect(result.standardError.contains("cannot reach STS at http://127.0.0.1:9"))
    }

    @Test func missingProfileIsExit77AndListsProfiles() throws {
        let home = try CredsHome(
            credentials: "[alpha]\naws_access_key_id = \(key)\naws_secret_access_key = \(secret)\n")
        defer { home.cleanUp() }
        let result = try home.run(["--profile", "beta"])
        #expect(result.status == 77)
        #expect(result.standardError.contains("profile 'beta' (from --profile) is not in"))
        #expect(result.standardError.contains("profiles: alpha"))
    }

    @Test func problemsCarryFileAndLine() throws {
        let home = try CredsHome(credentials: "[default]\naws_access_key_id = AKIA123\naws_secret_access_key = short\n")
        defer { home.cleanUp() }
        let result = try home.run([])
        #expect(result.status == 77)
        #expect(result.standardError.contains("\(home.path(".aws/credentials")):2:1: error: the access key id"))
        #expect(result.standardError.contains("[secret-key-length]"))
    }

    @Test func badFlagsAreExit64() throws {
        let home = try CredsHome()
        defer { home.cleanUp() }
        #expect(try home.run(["--online", "--offline"]).status == 64)
        #expect(try home.run(["--format", "yaml"]).status == 64)
        #expect(try home.run(["--expect-account", "123"]).status == 64)
    }
}

/// A loopback container-credentials endpoint speaking the ECS/EKS protocol: GET with an
/// `Authorization` header equal to the token file's content answers a credentials document with a
/// fresh key id; `/malformed` answers JSON without keys; anything else is 403. Each request's path
/// and header go to its log.
private final class LoopbackCredentialsEndpoint {
    static let script = """
        import http.server, json, os, sys
        token = open(sys.argv[1]).read()
        key = sys.argv[2]
        log = open(sys.argv[3], "a", buffering=1)
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                auth = self.headers.get("Authorization")
                log.write("%s %s\\n" % (self.path, auth == token))
                if auth != token:
                    self.send_response(403); self.end_headers(); return
                body = {"AccessKeyId": key, "SecretAccessKey": "loopback-secret-" + key,
                        "Token": "loopback-token", "Expiration": "2099-01-01T00:00:00Z"}
                if self.path == "/malformed":
                    body = {"Unexpected": True}
                data = json.dumps(body).encode()
                self.send_response(200); self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        with open(sys.argv[4] + ".new", "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(sys.argv[4] + ".new", sys.argv[4])
        server.serve_forever()
        """

    let process = Process()
    let keyId = "ASIA" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16)).uppercased()
    let port: Int
    let logFile: String

    init(tokenFile: String, folder: URL) throws {
        logFile = folder.appendingPathComponent("endpoint.log").path
        let portFile = folder.appendingPathComponent("endpoint.port").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, tokenFile, keyId, logFile, portFile]
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var written: Int?
        for _ in 0..<100 where written == nil && process.isRunning {
            written = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
            if written == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        port = try #require(written, "the loopback endpoint did not start")
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    deinit {
        // SIGKILL, not Process.terminate() and a wait, which could hang here while serve_forever ran.
        kill(process.processIdentifier, SIGKILL)
    }
}

/// The container endpoint and instance metadata, called for real: a loopback endpoint in the test and
/// moto's instance-metadata routes, with botocore resolving the same endpoints to the same key.
@Suite(.serialized, .enabled(if: Moto.enabled, "set RUNBOOK_TEST_MOTO_URL (scripts/test starts moto)"))
struct CredsEndpointTests {
    /// The access key id botocore resolves with `variables` (HOME and no other AWS_* variables).
    private func botocoreKey(_ home: CredsHome, _ variables: [String: String], profile: String? = nil) throws -> String
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let code = """
            import botocore.session, sys
            session = botocore.session.Session(profile=sys.argv[1] or None)
            print(session.get_credentials().access_key)
            """
        process.arguments = ["python3", "-c", code, profile ?? ""]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["HOME"] = home.url.path
        environment.merge(variables) { _, new in new }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(process.terminationStatus == 0, "botocore failed: \(text)")
        return text
    }

    /// runbook's masked form of a key id (first four, last four; all stars when shorter than 12).
    private func masked(_ key: String) -> String {
        key.count < 12 ? String(repeating: "*", count: key.count) : String(key.prefix(4)) + "…" + String(key.suffix(4))
    }

    private func json(_ result: RunbookFixture.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    @Test func containerEndpointWithATokenFile() throws {
        let moto = try #require(Moto.url)
        let home = try CredsHome()
        defer { home.cleanUp() }
        try home.write("pod-token", "eks-pod-identity-token-6b1f")
        let endpoint = try LoopbackCredentialsEndpoint(tokenFile: home.path("pod-token"), folder: home.url)
        let variables = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": home.path("pod-token"), "AWS_REGION": "eu-west-1",
        ]
        let result = try home.run(["--online", "--endpoint-url", moto, "--format", "json"], variables)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try json(result)
        #expect(report["source"] as? String == "container")
        #expect(report["account"] as? String == "123456789012")
        #expect(report["temporaryAccessKeyId"] as? String == masked(endpoint.keyId), "\(report)")
        #expect(endpoint.log.contains("/v1/credentials True"), "\(endpoint.log)")
        #expect(!result.standardOutput.contains("loopback-secret"))
        // botocore, with the same variables, gets the same key from the same endpoint.
        #expect(try botocoreKey(home, variables) == endpoint.keyId)

        // A wrong token: the endpoint refuses, 77; a malformed answer, 77 naming the source.
        try home.write("wrong-token", "not-the-token")
        var wrong = variables
        wrong["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = home.path("wrong-token")
        let refused = try home.run(["--online", "--endpoint-url", moto], wrong)
        #expect(refused.status == 77, "\(refused.standardError)")
        #expect(refused.standardError.contains("refused the request (HTTP 403)"))
        var malformed = variables
        malformed["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = endpoint.url + "/malformed"
        let bad = try home.run(["--online", "--endpoint-url", moto], malformed)
        #expect(bad.status == 77, "\(bad.standardError)")
        #expect(bad.standardError.contains("container credentials endpoint \(endpoint.url)/malformed answered without"))
    }

    @Test func containerEndpointRulesAndAnUnreachableOne() throws {
        let moto = try #require(Moto.url)
        let home = try CredsHome()
        defer { home.cleanUp() }
        // Not https, not loopback, not an ECS/EKS address: refused before any connection.
        let refused = try home.run(
            ["--online", "--endpoint-url", moto], ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.10/creds"])
        #expect(refused.status == 77, "\(refused.standardError)")
        #expect(refused.standardError.contains("is not allowed"))
        // A loopback port nothing listens on: 69 with the URL, after botocore's three attempts.
        let closed = try home.run(
            ["--online", "--endpoint-url", moto], ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds"])
        #expect(closed.status == 69, "\(closed.standardError)")
        #expect(closed.standardError.contains("http://127.0.0.1:9/creds"))
    }

    @Test func instanceMetadataFromMotoAndARoleOnTopOfIt() throws {
        let moto = try #require(Moto.url)
        let home = try CredsHome(
            config: """
                [profile app]
                role_arn = arn:aws:iam::123456789012:role/app
                credential_source = Ec2InstanceMetadata
                role_session_name = runbook-imds
                region = eu-west-1
                """)
        defer { home.cleanUp() }
        let variables = [
            "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": moto, "AWS_REGION": "eu-west-1",
        ]
        let result = try home.run(["--online", "--endpoint-url", moto, "--format", "json"], variables)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try json(result)
        #expect(report["source"] as? String == "instance-metadata")
        // moto's metadata serves the key "test-key"; botocore reads the same from the same endpoint.
        let botocore = try botocoreKey(home, variables)
        #expect(botocore == "test-key")
        #expect(report["temporaryAccessKeyId"] as? String == masked(botocore), "\(report)")

        var withRole = variables
        withRole["AWS_ENDPOINT_URL"] = moto
        let role = try home.run(["--online", "--profile", "app"], withRole)
        #expect(role.status == 0, "\(role.standardError)")
        #expect(role.standardOutput.contains("assumed-role/app/runbook-imds"), "\(role.standardOutput)")
    }
}
