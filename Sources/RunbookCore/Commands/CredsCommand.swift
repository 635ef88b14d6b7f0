/// `runbook creds`: find the AWS credentials as the SDKs do, check them, and optionally ask STS.
public struct CredsCommand: Sendable {
    /// Also verify with STS (assuming roles as needed).
    public var online: Bool
    /// The STS endpoint, when not the default.
    public var endpointURL: String?
    /// How long one STS call may take.
    public var timeout: Duration
    /// JSON instead of text.
    public var json: Bool
    /// `--mfa-code`.
    public var mfaCode: String?

    /// Makes the command.
    public init(
        online: Bool, endpointURL: String? = nil, timeout: Duration = .seconds(10), json: Bool = false,
        mfaCode: String? = nil
    ) {
        self.online = online
        self.endpointURL = endpointURL
        self.timeout = timeout
        self.json = json
        self.mfaCode = mfaCode
    }

    /// Prints the report; throws a credentials (77) or unavailable (69) error after it when a check failed.
    public func run(_ context: RunbookContext) async throws -> Int32 {
        var options = CredentialOptions(
            settings: context.settings, endpointURL: endpointURL, expectAccount: online, timeout: timeout)
        options.mfaCode = mfaCode
        let resolver = context.credentials
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
            if let warning = report.resolved?.mfa?.warning { context.console.err("warning: \(warning)\n") }
        }
        if json {
            context.console.out(report.json)
        } else {
            context.console.err(report.findingsText)
            context.console.out(report.text)
        }
        if let failure { throw failure }
        return 0
    }
}
