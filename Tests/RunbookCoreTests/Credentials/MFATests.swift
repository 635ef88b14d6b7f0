import Foundation
import Testing

@testable import RunbookCore

private func sessionXML(_ action: String, key: String) -> Data {
    Data(
        """
        <\(action)Response><\(action)Result><Credentials>
        <AccessKeyId>\(key)</AccessKeyId><SecretAccessKey>\(exampleSecret)</SecretAccessKey>
        <SessionToken>mfa-token</SessionToken><Expiration>2024-05-01T13:00:00Z</Expiration>
        </Credentials></\(action)Result></\(action)Response>
        """.utf8)
}

private func form(_ request: HTTPRequest) -> String { String(decoding: request.body, as: UTF8.self) }

private let serial = "arn:aws:iam::123456789012:mfa/me"

/// STS answering AssumeRole, GetSessionToken and GetCallerIdentity.
private func sts() -> FakeTransport {
    FakeTransport { request in
        let body = form(request)
        if body.contains("Action=AssumeRole") {
            return HTTPResponse(status: 200, body: sessionXML("AssumeRole", key: "ASIAROLEMFAEXAMPLE01"))
        }
        if body.contains("Action=GetSessionToken") {
            return HTTPResponse(status: 200, body: sessionXML("GetSessionToken", key: "ASIASESSIONEXAMPLE01"))
        }
        return HTTPResponse(status: 200, body: Data(identityXML.utf8))
    }
}

/// A home with a role profile and a keys profile that both name an MFA device, and a cache folder.
private func mfaHome() throws -> TemporaryHome {
    try TemporaryHome(
        config: """
            [profile admin]
            role_arn = arn:aws:iam::123456789012:role/admin
            source_profile = base
            mfa_serial = \(serial)
            region = eu-west-1

            [profile guarded]
            mfa_serial = \(serial)
            duration_seconds = 43200
            region = eu-west-1
            """,
        credentials: """
            [base]
            aws_access_key_id = \(exampleKey)
            aws_secret_access_key = \(exampleSecret)

            [guarded]
            aws_access_key_id = \(exampleKey)
            aws_secret_access_key = \(exampleSecret)
            """)
}

private func mfaResolver(
    _ home: TemporaryHome, transport: any HTTPTransport, now: Date = fixedNow,
    prompt: (@Sendable (String, String) throws -> String)? = nil
) -> CredentialResolver {
    CredentialResolver(
        environment: home.environment(["XDG_CACHE_HOME": home.path("cache"), "AWS_ENDPOINT_URL": "http://127.0.0.1:1"]),
        processRunner: FakeProcessRunner(outputs: [:]), transport: transport, now: { now },
        prompt: prompt ?? { _, noTerminal in throw RunbookError.usage(noTerminal) })
}

private func options(_ profile: String, code: String? = nil) -> CredentialOptions {
    var options = CredentialOptions(profile: profile)
    options.mfaCode = code
    return options
}

private func mode(_ path: String) -> Int {
    var info = stat()
    return lstat(path, &info) == 0 ? Int(info.st_mode & 0o777) : -1
}

@Suite struct MFATests {
    @Test func roleSessionIsAssumedWithTheCodeThenCachedAndReused() async throws {
        let home = try mfaHome()
        defer { home.cleanUp() }
        let first = sts()
        let resolved = try await mfaResolver(home, transport: first).resolve(options("admin", code: "123456"))
        #expect(resolved.credentials.accessKeyId == "ASIAROLEMFAEXAMPLE01")
        #expect(resolved.mfa == MFAOutcome(serial: serial, cached: false, expiration: fixedNow + 3600))
        let assume = form(try #require(first.requests.first))
        #expect(assume.contains("Action=AssumeRole"))
        #expect(assume.contains("SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fme&TokenCode=123456"))

        let cache = MFASessionCache(environment: home.environment(["XDG_CACHE_HOME": home.path("cache")]))
        #expect(cache.directory == home.path("cache") + "/runbook/sessions")
        let file = cache.path(.init(profile: "admin", roleArn: "arn:aws:iam::123456789012:role/admin", serial: serial))
        #expect(mode(file) == 0o600)
        #expect(mode(cache.directory) == 0o700)
        let stored = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
        #expect(stored.contains("ASIAROLEMFAEXAMPLE01") && !stored.contains(exampleKey))

        // 54 minutes later: reused without a code or an AssumeRole call; creds shows it offline.
        let later = sts()
        let reuser = mfaResolver(home, transport: later, now: fixedNow + 54 * 60) { _, _ in
            Issue.record("asked for a code although a session is cached")
            return "000000"
        }
        let inspection = await reuser.inspect(options("admin"))
        #expect(inspection.mfa?.summary == "cached session, expires 2024-05-01T13:00:00Z (\(serial))")
        #expect(CredentialReport(inspection: inspection).text.contains("mfa         cached session, expires"))
        let again = try await reuser.verify(inspection, options("admin"))
        #expect(again.credentials == resolved.credentials)
        #expect(again.mfa?.cached == true)
        #expect(later.requests.count == 1)
        #expect(form(try #require(later.requests.first)).contains("Action=GetCallerIdentity"))
    }

    @Test func sessionWithinFiveMinutesOfExpiryNeedsANewCode() async throws {
        let home = try mfaHome()
        defer { home.cleanUp() }
        _ = try await mfaResolver(home, transport: sts()).resolve(options("admin", code: "123456"))
        let asked = PromptLog()
        let transport = sts()
        let resolved = try await mfaResolver(home, transport: transport, now: fixedNow + 56 * 60) { prompt, _ in
            asked.append(prompt)
            return " 654321\n"
        }
        .resolve(options("admin"))
        #expect(asked.prompts == ["MFA code for \(serial): "])
        #expect(resolved.mfa?.cached == false)
        #expect(form(try #require(transport.requests.first)).contains("TokenCode=654321"))
    }

    @Test func withoutATerminalOrCodeItIsAUsageError() async throws {
        let home = try mfaHome()
        defer { home.cleanUp() }
        let transport = sts()
        let error = await #expect(throws: RunbookError.self) {
            try await mfaResolver(home, transport: transport).resolve(options("admin"))
        }
        #expect(error?.status == .usage)
        #expect(error?.message.contains("profile admin needs an MFA code from \(serial)") == true)
        #expect(error?.message.contains("--mfa-code") == true)
        #expect(transport.requests.isEmpty)

        let typo = await #expect(throws: RunbookError.self) {
            try await mfaResolver(home, transport: transport) { _, _ in "12ab56" }.resolve(options("admin"))
        }
        #expect(typo?.status == .usage)
        #expect(typo?.message == "the MFA code for \(serial) must be 6 digits")
        #expect(transport.requests.isEmpty)
    }

    @Test func keysProfileGetsASessionToken() async throws {
        let home = try mfaHome()
        defer { home.cleanUp() }
        let transport = sts()
        let resolver = mfaResolver(home, transport: transport)
        let inspection = await resolver.inspect(options("guarded"))
        #expect(inspection.source?.kind == "mfa-session")
        #expect(inspection.source?.root.kind == "file")
        #expect(inspection.mfa?.summary == "needs a code from \(serial) (--mfa-code, or typed at the terminal)")
        let resolved = try await resolver.verify(inspection, options("guarded", code: "111222"))
        #expect(resolved.credentials.accessKeyId == "ASIASESSIONEXAMPLE01")
        let requests = transport.requests
        #expect(requests.count == 2)
        #expect(form(requests[0]).contains("Action=GetSessionToken"))
        #expect(form(requests[0]).contains("TokenCode=111222&DurationSeconds=43200"))
        // The identity call is signed with the session, not the long-term key.
        #expect(
            requests[1].headers.contains { $0.name == "Authorization" && $0.value.contains("ASIASESSIONEXAMPLE01/") })
        let report = CredentialReport(inspection: inspection, resolved: resolved)
        #expect(report.text.contains("session key ASIA"))
        #expect(report.json.contains("\"mfa\" : \"new session, expires 2024-05-01T13:00:00Z (\(serial))\""))
    }

    @Test func environmentKeysWinOverTheProfileAsTheSDKsDo() async throws {
        let home = try mfaHome()
        defer { home.cleanUp() }
        let inspection = await CredentialResolver(
            environment: home.environment([
                "AWS_PROFILE": "admin", "AWS_ACCESS_KEY_ID": exampleKey, "AWS_SECRET_ACCESS_KEY": exampleSecret,
            ]), transport: NoNetwork(), now: { fixedNow }
        ).inspect(CredentialOptions())
        #expect(inspection.source?.kind == "environment")
        #expect(inspection.mfa == nil)
    }

    @Test(arguments: ["corrupt", "open", "symlink", "foreign", "other-profile"])
    func untrustedCacheFilesAreIgnoredWithAWarning(_ damage: String) async throws {
        let home = try mfaHome()
        defer { home.cleanUp() }
        _ = try await mfaResolver(home, transport: sts()).resolve(options("admin", code: "123456"))
        let cache = MFASessionCache(environment: home.environment(["XDG_CACHE_HOME": home.path("cache")]))
        let file = cache.path(.init(profile: "admin", roleArn: "arn:aws:iam::123456789012:role/admin", serial: serial))
        let expected: String
        switch damage {
        case "corrupt":
            try Data("{\"version\": 1, \"accessKeyId\": ".utf8).write(to: URL(fileURLWithPath: file))
            expected = "is not a runbook session (corrupt?)"
        case "open":
            chmod(file, 0o644)
            expected = "is open to other users (mode 644)"
        case "symlink":
            let elsewhere = home.path("elsewhere.json")
            try FileManager.default.moveItem(atPath: file, toPath: elsewhere)
            try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: elsewhere)
            expected = "is not a regular file"
        case "foreign":
            try #require(chown(file, 4321, 4321) == 0, "the unit tests run as root (CI does)")
            expected = "belongs to uid 4321, not this user"
        default:
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
            try Data(text.replacingOccurrences(of: "\"admin\"", with: "\"other\"").utf8)
                .write(to: URL(fileURLWithPath: file))
            expected = "is for another profile or role"
        }
        let transport = sts()
        let resolver = mfaResolver(home, transport: transport)
        let inspection = await resolver.inspect(options("admin"))
        let warning = try #require(inspection.findings.first { $0.rule == "mfa-cache" })
        #expect(warning.severity == .warning)
        #expect(warning.message == "the MFA session cache \(file) \(expected); ignored")
        #expect(inspection.mfa?.cachedUntil == nil)
        let error = await #expect(throws: RunbookError.self) { try await resolver.verify(inspection, options("admin")) }
        #expect(error?.status == .usage)
        #expect(transport.requests.isEmpty)

        // A new code replaces the file with a trusted one (not through the symlink).
        let fresh = try await resolver.resolve(options("admin", code: "222333"))
        #expect(fresh.mfa?.warning == nil)
        #expect(mode(file) == 0o600)
        if damage == "symlink" {
            #expect(
                String(decoding: try Data(contentsOf: URL(fileURLWithPath: home.path("elsewhere.json"))), as: UTF8.self)
                    .contains("ASIAROLEMFAEXAMPLE01"))
        }
        #expect(await resolver.inspect(options("admin")).mfa?.cachedUntil == fixedNow + 3600)
    }

    @Test func aCacheThatCannotBeWrittenIsAWarningNotAFailure() async throws {
        let home = try mfaHome()
        defer { home.cleanUp() }
        try home.write("cache", "a file where the cache folder should be")
        let resolved = try await mfaResolver(home, transport: sts()).resolve(options("admin", code: "123456"))
        #expect(resolved.credentials.accessKeyId == "ASIAROLEMFAEXAMPLE01")
        #expect(resolved.mfa?.warning?.hasPrefix("cannot make the MFA session cache folder") == true)
    }

    @Test func cacheFolderAndCodeShape() {
        let relative = MFASessionCache(
            environment: CredentialEnvironment(variables: ["XDG_CACHE_HOME": "cache"], homeDirectory: "/home/me"))
        #expect(relative.directory == "/home/me/.cache/runbook/sessions")
        #expect(MFASessionCache.isCode("012345"))
        for bad in ["12345", "1234567", "12 456", "١٢٣٤٥٦", ""] { #expect(!MFASessionCache.isCode(bad)) }
        let keys = [
            MFASessionCache.Key(profile: "a", roleArn: "r", serial: "s"),
            MFASessionCache.Key(profile: "a", roleArn: nil, serial: "s"),
            MFASessionCache.Key(profile: "b", roleArn: "r", serial: "s"),
        ]
        #expect(Set(keys.map(relative.path)).count == 3)
    }
}

/// Prompts seen by a test's prompt closure.
private final class PromptLog: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String] = []
    func append(_ prompt: String) { lock.withLock { seen.append(prompt) } }
    var prompts: [String] { lock.withLock { seen } }
}
