import Foundation
import Testing

/// Profiles with `mfa_serial` against moto: the role assumed with the code on moto's signature-checking
/// server, the session cached 0600 and reused by the next run (creds, and apply in a container) until it
/// nearly expires, an untrusted cache file ignored with a warning, the code typed at a terminal, and a
/// keys profile's GetSessionToken session.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct MFAIntegrationTests {
    private static let serial = "arn:aws:iam::123456789012:mfa/runbook-ci"

    private static let whoPlaybook = """
        - name: Who am I
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Caller
              amazon.aws.aws_caller_info:
              register: me
            - name: Report
              ansible.builtin.debug:
                msg: "arn={{ me.arn }}"
        """

    /// A workspace whose HOME has moto's checked keys as `base`, a role profile `admin` with an MFA device
    /// on top, and a keys profile `guarded` with one.
    private func workspace(_ moto: ApplyEnvironment.MotoAuth) throws -> ApplyWorkspace {
        let workspace = try ApplyWorkspace(["Playbooks/who.yml": Self.whoPlaybook])
        let aws = workspace.home.appendingPathComponent(".aws")
        try workspace.write(
            "credentials",
            """
            [base]
            aws_access_key_id = \(moto.keyId)
            aws_secret_access_key = \(moto.secret)

            [guarded]
            aws_access_key_id = \(ApplyEnvironment.accessKey)
            aws_secret_access_key = \(ApplyEnvironment.secretKey)
            """, in: aws, mode: 0o600)
        try workspace.write(
            "config",
            """
            [profile admin]
            role_arn = \(moto.roleArn)
            source_profile = base
            mfa_serial = \(Self.serial)
            role_session_name = mfa-test
            region = eu-west-2

            [profile guarded]
            mfa_serial = \(Self.serial)
            duration_seconds = 3600
            region = eu-west-2
            """, in: aws)
        return workspace
    }

    private func sessions(_ folder: URL) -> [String] {
        let path = folder.appendingPathComponent("runbook/sessions").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).map { path + "/" + $0 }
    }

    private func mode(_ path: String) -> Int {
        var info = stat()
        return lstat(path, &info) == 0 ? Int(info.st_mode & 0o777) : -1
    }

    private func line(_ name: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init)
    }

    @Test func theRoleIsAssumedWithTheCodeAndTheCachedSessionIsReusedOrDistrusted() throws {
        let moto = try ApplyEnvironment.requireMotoAuth()
        let workspace = try workspace(moto)
        defer { workspace.cleanUp() }
        let cache = workspace.root.appendingPathComponent("cache")
        let env = ["AWS_ENDPOINT_URL": moto.url, "XDG_CACHE_HOME": cache.path]

        let offline = try workspace.run(["creds", "--profile", "admin"], env)
        #expect(offline.status == 0, "\(offline.output)")
        #expect(
            line("mfa", in: offline.standardOutput)
                == "mfa         needs a code from \(Self.serial) (--mfa-code, or typed at the terminal)")

        // No terminal (the tests have none) and no code: a usage error that says what to pass, no STS call.
        let noCode = try workspace.run(["creds", "--online", "--profile", "admin"], env)
        #expect(noCode.status == 64, "\(noCode.output)")
        #expect(
            noCode.standardError.contains(
                "profile admin needs an MFA code from \(Self.serial), but runbook has no terminal to ask for it; "
                    + "pass --mfa-code CODE"), "\(noCode.output)")
        #expect(sessions(cache).isEmpty)

        let badCode = try workspace.run(["creds", "--online", "--profile", "admin", "--mfa-code", "12345"], env)
        #expect(badCode.status == 64)
        #expect(badCode.standardError.contains("--mfa-code '12345' is not a 6-digit code"), "\(badCode.output)")

        let first = try workspace.run(["creds", "--online", "--profile", "admin", "--mfa-code", "123456"], env)
        #expect(first.status == 0, "\(first.output)")
        #expect(
            line("arn", in: first.standardOutput)
                == "arn         arn:aws:sts::123456789012:assumed-role/runbook-deployer/mfa-test", "\(first.output)")
        #expect(line("mfa", in: first.standardOutput)?.hasPrefix("mfa         new session, expires ") == true)
        let files = sessions(cache)
        #expect(files.count == 1)
        let file = try #require(files.first)
        #expect(mode(file) == 0o600)
        #expect(mode(cache.appendingPathComponent("runbook/sessions").path) == 0o700)
        let roleKey = try #require(line("role key", in: first.standardOutput))
        #expect(!first.output.contains(moto.secret))

        // The next run reuses the session: same role key, signed calls still accepted by moto, no code.
        let second = try workspace.run(["creds", "--online", "--profile", "admin"], env)
        #expect(second.status == 0, "\(second.output)")
        #expect(line("role key", in: second.standardOutput) == roleKey)
        #expect(line("mfa", in: second.standardOutput)?.hasPrefix("mfa         cached session, expires ") == true)
        let shown = try workspace.run(["creds", "--profile", "admin", "--format", "json"], env)
        #expect(shown.standardOutput.contains("\"mfa\" : \"cached session, expires "), "\(shown.output)")

        // A corrupt file is not trusted: a warning, and a code is needed again.
        let kept = try Data(contentsOf: URL(fileURLWithPath: file))
        try Data("{\"version\": 1,".utf8).write(to: URL(fileURLWithPath: file))
        let corrupt = try workspace.run(["creds", "--online", "--profile", "admin"], env)
        #expect(corrupt.status == 64, "\(corrupt.output)")
        #expect(
            corrupt.standardError.contains(
                "warning: the MFA session cache \(file) is not a runbook session (corrupt?); ignored"),
            "\(corrupt.output)")

        // Nor is one another user owns, even with a good session in it.
        try kept.write(to: URL(fileURLWithPath: file))
        chmod(file, 0o600)
        try #require(chown(file, 4321, 4321) == 0, "the integration tests run as root (CI does)")
        let foreign = try workspace.run(["creds", "--online", "--profile", "admin"], env)
        #expect(foreign.status == 64, "\(foreign.output)")
        #expect(foreign.standardError.contains("belongs to uid 4321, not this user; ignored"), "\(foreign.output)")

        // A new code replaces it with this user's file.
        let renewed = try workspace.run(["creds", "--online", "--profile", "admin", "--mfa-code", "654321"], env)
        #expect(renewed.status == 0, "\(renewed.output)")
        var info = stat()
        #expect(lstat(file, &info) == 0 && info.st_uid == geteuid() && info.st_mode & 0o777 == 0o600)
    }

    @Test func applyAsksAtTheTerminalThenTheNextRunReusesTheSessionInTheContainer() throws {
        _ = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMotoAuth()
        let workspace = try workspace(moto)
        defer { workspace.cleanUp() }
        // No XDG_CACHE_HOME: the cache is under ~/.cache.
        let env: [String: String] = ["AWS_ENDPOINT_URL": moto.url]
        var extra = env
        extra["PTY_ANSWERS"] = "[[\"MFA code for \(Self.serial): \", \"246810\"]]"
        let asked = try workspace.launch(
            ["apply", "who", "--profile", "admin"], extra, prefix: ["/usr/bin/python3", "-c", ApplyTeamTests.ptyScript]
        ).wait()
        let output = asked.standardOutput + asked.standardError
        #expect(asked.status == 0, "\(output)")
        #expect(output.contains("MFA code for \(Self.serial): "), "\(output)")
        #expect(!output.contains("246810"), "the code was echoed")
        #expect(output.contains("runbook: MFA: new session, expires"), "\(output)")
        #expect(output.contains("an MFA session is not renewed without a new code"), "\(output)")
        #expect(output.contains("arn=arn:aws:sts::123456789012:assumed-role/runbook-deployer/mfa-test"), "\(output)")
        #expect(sessions(workspace.home.appendingPathComponent(".cache")).count == 1)

        let reused = try workspace.run(["apply", "who", "--profile", "admin"], env)
        #expect(reused.status == 0, "\(reused.output)")
        #expect(reused.standardError.contains("runbook: MFA: cached session, expires"), "\(reused.output)")
        #expect(reused.standardOutput.contains("arn=arn:aws:sts::123456789012:assumed-role/runbook-deployer/mfa-test"))
        #expect(!(asked.standardOutput + reused.output).contains(moto.secret))
    }

    @Test func aKeysProfileWithADeviceGetsASessionToken() throws {
        let moto = try ApplyEnvironment.requireMoto()
        let auth = try ApplyEnvironment.requireMotoAuth()
        let workspace = try workspace(auth)
        defer { workspace.cleanUp() }
        let cache = workspace.root.appendingPathComponent("cache")
        // moto's GetSessionToken hands out fixed example keys its IAM does not know, so this runs on the
        // plain server; the role test above is the one whose signatures moto checks.
        let env = ["AWS_ENDPOINT_URL": moto, "XDG_CACHE_HOME": cache.path]
        let first = try workspace.run(["creds", "--online", "--profile", "guarded", "--mfa-code", "135790"], env)
        #expect(first.status == 0, "\(first.output)")
        #expect(
            line("source", in: first.standardOutput)?.hasPrefix(
                "source      MFA session of profile guarded with \(Self.serial)") == true, "\(first.output)")
        #expect(line("mfa", in: first.standardOutput)?.hasPrefix("mfa         new session, expires ") == true)
        #expect(line("account", in: first.standardOutput) == "account     123456789012")
        #expect(sessions(cache).count == 1)
        let again = try workspace.run(["creds", "--online", "--profile", "guarded"], env)
        #expect(again.status == 0, "\(again.output)")
        #expect(line("mfa", in: again.standardOutput)?.hasPrefix("mfa         cached session, expires ") == true)
    }
}
