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
