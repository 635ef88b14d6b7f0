import ArgumentParser
import RunbookCore

/// `runbook creds`: find the AWS credentials as the SDKs do, check them, and optionally ask STS who they are.
struct Creds: RunbookCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find and check the AWS credentials ansible will use.",
        discussion: """
            Resolves credentials in the AWS SDK order (environment, role profiles, web identity, SSO, the shared \
            credentials and config files, credential_process), checks them offline, and with --online calls \
            STS GetCallerIdentity (assuming roles as needed). Never prints secrets. Exit 0 ok, 77 missing, \
            invalid or wrong account, 69 STS unreachable, 64 usage.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Verify with STS GetCallerIdentity (and AssumeRole for role profiles).")
    var online = false

    @Flag(name: .long, help: "Only check offline (the default for this command).")
    var offline = false

    @Option(name: .long, help: .setting(.profile, valueName: "name"))
    var profile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --online: the code from the profile's MFA device (mfa_serial), when no cached session spares it; "
                + "else asked at the terminal.", valueName: "code"))
    var mfaCode: String?

    @Option(name: .long, help: ArgumentHelp("The STS endpoint.", valueName: "url"))
    var endpointURL: String?

    @Option(name: .long, help: .setting(.expectAccount, valueName: "id"))
    var expectAccount: String?

    @Option(name: .long, help: .setting(.region, valueName: "region"))
    var region: String?

    @Option(name: .long, help: .setting(.roleArn, valueName: "arn"))
    var roleArn: String?

    @Option(
        name: .customLong("target"),
        help: ArgumentHelp(
            "Check this target of runbook.yml (repeatable, or all): its credentials and, with --online, its "
                + "expect_account.", valueName: "name"))
    var targets: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("How long an STS call may take: 10s, 1m (plain numbers are seconds).", valueName: "duration")
    )
    var timeout = "10s"

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws {
        if online && offline { throw ValidationError("--online and --offline cannot be used together") }
        if expectAccount != nil && !online { throw ValidationError("--expect-account needs --online") }
        if mfaCode != nil && !online { throw ValidationError("--mfa-code needs --online") }
        if let mfaCode, !MFASessionCache.isCode(mfaCode) {
            throw ValidationError("--mfa-code '\(mfaCode)' is not a 6-digit code")
        }
        if Durations.parse(timeout) == nil {
            throw ValidationError("--timeout '\(timeout)' is not a duration such as 10s or 1m")
        }
    }

    var settingFlags: SettingFlags {
        var flags = SettingFlags()
        flags.set(.profile, profile, flag: "--profile")
        flags.set(.expectAccount, expectAccount, flag: "--expect-account")
        flags.set(.region, region, flag: "--region")
        flags.set(.roleArn, roleArn, flag: "--role-arn")
        return flags
    }

    func run(_ context: RunbookContext) async throws -> Int32 {
        var command = CredsCommand(
            online: online, endpointURL: endpointURL, timeout: Durations.parse(timeout) ?? .seconds(10),
            json: format == .json, mfaCode: mfaCode)
        command.targets = targets
        return try await command.run(context)
    }
}
