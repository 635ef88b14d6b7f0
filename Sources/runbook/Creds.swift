import ArgumentParser
import Foundation
import RunbookCore

/// `runbook creds`: find the AWS credentials as the SDKs do, check them, and optionally ask STS who they are.
struct Creds: AsyncParsableCommand {
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

    @Option(
        name: .long,
        help: ArgumentHelp("The profile to use; the environment's keys are then ignored.", valueName: "name"))
    var profile: String?

    @Option(name: .long, help: ArgumentHelp("The STS endpoint.", valueName: "url"))
    var endpointURL: String?

    @Option(name: .long, help: ArgumentHelp("Fail unless the credentials belong to this account.", valueName: "id"))
    var expectAccount: String?

    @Option(name: .long, help: ArgumentHelp("How many seconds an STS call may take.", valueName: "seconds"))
    var timeout: Int = 10

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws {
        if online && offline { throw ValidationError("--online and --offline cannot be used together") }
        if expectAccount != nil && !online { throw ValidationError("--expect-account needs --online") }
        if timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() async throws {
        // runbook.yml's `profile` and `expect_account` (the latter for --online) under the flags.
        let settings = try reportingErrors { try Settings(workspace: global.workspaceURL.path) }
        let options = CredentialOptions(
            profile: settings.string("profile", flag: profile), endpointURL: endpointURL,
            expectAccount: online ? settings.string("expect_account", flag: expectAccount) : nil,
            timeout: .seconds(timeout))
        let environment = CredentialEnvironment(variables: settings.layeredEnvironment)
        try await run(options, resolver: CredentialResolver(environment: environment))
    }

    /// Runs with a given resolver (tests pass one with fakes).
    func run(_ options: CredentialOptions, resolver: CredentialResolver) async throws {
        let inspection = await resolver.inspect(options)
        var report = CredentialReport(inspection: inspection)
        var failure: RunbookError?
        if inspection.hasErrors {
            failure = .credentials("the credentials have problems; see above")
        } else if online {
            do {
                report.resolved = try await resolver.verify(inspection, options)
            } catch let error as RunbookError {
                failure = error
                report.onlineFailed = true
            }
        }
        if format == .json {
            print(report.json, terminator: "")
        } else {
            FileHandle.standardError.write(Data(report.findingsText.utf8))
            print(report.text, terminator: "")
        }
        if let failure { throw runbook.exit(with: failure) }
    }
}
