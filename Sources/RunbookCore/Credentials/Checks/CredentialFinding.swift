/// One finding about the credentials: a problem in a file (with its line) or in the environment.
public struct CredentialFinding: Error, Sendable, Hashable, Codable {
    /// How serious it is; any error makes `runbook creds` exit 77.
    public var severity: Severity
    /// A stable, kebab-case rule id such as `access-key-shape`.
    public var rule: String
    /// What is wrong and what to do.
    public var message: String
    /// Where, when the finding is about a file; nil for environment variables and flags.
    public var location: SourceLocation?

    /// Makes a finding.
    public init(_ severity: Severity, _ rule: String, _ message: String, at location: SourceLocation? = nil) {
        self.severity = severity
        self.rule = rule
        self.message = message
        self.location = location
    }

    /// `path:line:col: severity: message [rule]`, or `severity: message [rule]` without a location.
    public var rendered: String {
        let prefix = location.map { "\($0.file):\($0.line):\($0.column): " } ?? ""
        return "\(prefix)\(severity.rawValue): \(message) [\(rule)]"
    }
}
