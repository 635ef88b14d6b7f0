#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
    /// The MFA device the profile's session needs a code from, and whether a cached session spares it.
    public var mfa: MFAStatus?
    /// A profile's `endpoint_url`, when set.
    public var profileEndpoint: String?

    /// Whether any finding is an error (`runbook creds` then exits 77).
    public var hasErrors: Bool { findings.contains { $0.severity == .error } }
}

/// A profile with `mfa_serial`: which device, for which role, and the cached session, if any.
public struct MFAStatus: Sendable, Hashable {
    /// What the session is cached under.
    public var key: MFASessionCache.Key
    /// Where `mfa_serial` is set.
    public var location: SourceLocation?
    /// When the cached session that will be reused expires; nil when a code is needed.
    public var cachedUntil: Date?

    /// Makes a status.
    public init(key: MFASessionCache.Key, location: SourceLocation?, cachedUntil: Date? = nil) {
        self.key = key
        self.location = location
        self.cachedUntil = cachedUntil
    }

    /// One line for people.
    public var summary: String {
        if let cachedUntil { return "cached session, expires \(formatTimestamp(cachedUntil)) (\(key.serial))" }
        return "needs a code from \(key.serial) (--mfa-code, or typed at the terminal)"
    }
}

/// What became of a profile's MFA session when resolving: reused from the cache or new, and a cache warning.
public struct MFAOutcome: Sendable, Hashable {
    /// The MFA device.
    public var serial: String
    /// Whether a cached session was reused (no code asked for).
    public var cached: Bool
    /// When the session expires.
    public var expiration: Date?
    /// Why a new session could not be cached, when it could not.
    public var warning: String?

    /// One line for people.
    public var summary: String {
        let until = expiration.map { ", expires \(formatTimestamp($0))" } ?? ""
        return (cached ? "cached session" : "new session") + until + " (\(serial))"
    }
}
