/// A region and where it was set.
public struct RegionSetting: Sendable, Hashable {
    /// The region name.
    public var name: String
    /// Where it came from, such as `AWS_REGION` or `/home/me/.aws/config:3`.
    public var origin: String
}

/// What the chain found without calling AWS: the source, the locally readable keys, the region, and findings.
public struct CredentialInspection: Sendable {
    /// The profile in effect (`--profile`, `AWS_PROFILE`, or `default`).
    public var profile: String
    /// The source the SDKs would use; nil when none was found.
    public var source: CredentialSource?
    /// The keys read locally (for a role: its source profile's keys); nil for web identity, SSO, or none.
    public var credentials: AWSCredentials?
    /// The region, when set.
    public var region: RegionSetting?
    /// Problems found, errors first in importance.
    public var findings: [CredentialFinding]
    /// A profile's `endpoint_url`, when set.
    public var profileEndpoint: String?

    /// Whether any finding is an error (`runbook creds` then exits 77).
    public var hasErrors: Bool { findings.contains { $0.severity == .error } }
}
