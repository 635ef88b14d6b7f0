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
    /// `--target`: check these targets of runbook.yml (`all` for every one).
    public var targets: [String] = []

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

    /// Checks each target's credentials (and account guard, online) in turn, each report prefixed by the
    /// target's name, then a table; returns the worst status (77 before 69 before 0).
    public func run(_ context: RunbookContext) async throws -> Int32 {
        guard !targets.isEmpty else { return try await check(context) }
        let picked = try Target.select(targets, from: context.settings.targets, file: context.settings.filePath)
        if picked.count == 1, let only = picked.first { return try await check(try context.selecting(only)) }
        let width = picked.map(\.name.count).max() ?? 0
        var rows: [[String]] = [["target", "account", "region", "result"]]
        var statuses: [Int32] = []
        var documents: [String] = []
        for target in picked {
            let targetContext = try context.selecting(target, prefix: TargetTable.prefix(target.name, width: width))
            var outcome = Outcome()
            outcome.collectJSON = true
            do {
                statuses.append(try await check(targetContext, outcome: &outcome))
            } catch let error as RunbookError {
                targetContext.console.err("runbook: error: \(error.description)\n")
                statuses.append(error.status.rawValue)
                outcome.result = error.message
            }
            rows.append([target.name, outcome.account ?? "-", outcome.region ?? "-", outcome.result])
            let report = outcome.json ?? "null"
            documents.append("\"\(target.name)\": " + report.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if json {
            // One object: target name → that target's report (null when it could not be made).
            context.console.out("{\n" + documents.joined(separator: ",\n") + "\n}\n")
        } else {
            context.console.err(TargetTable.render(rows))
        }
        return TargetRuns.worst(statuses)
    }

    /// What one check found, for the targets table.
    struct Outcome {
        var account: String?
        var region: String?
        var result = "ok"
        /// With several targets, the JSON report is kept here instead of printed.
        var json: String?
        var collectJSON = false
    }

    private func check(_ context: RunbookContext) async throws -> Int32 {
        var outcome = Outcome()
        return try await check(context, outcome: &outcome)
    }

    /// Prints the report; throws a credentials (77) or unavailable (69) error after it when a check failed.
    private func check(_ context: RunbookContext, outcome: inout Outcome) async throws -> Int32 {
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
        if json && outcome.collectJSON {
            outcome.json = report.json
        } else if json {
            context.console.out(report.json)
        } else {
            context.console.err(report.findingsText)
            context.console.out(report.text)
        }
        outcome.account = report.resolved?.identity.account
        outcome.region = inspection.region?.name
        if !online && failure == nil { outcome.result = "ok offline (not verified: no --online)" }
        if let failure { throw failure }
        return 0
    }
}
