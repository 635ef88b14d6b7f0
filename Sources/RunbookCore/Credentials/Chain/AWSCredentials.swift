#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An access key, its secret, and for temporary credentials a session token and expiry.
///
/// `description` masks the key id and never shows the secret or token.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The access key id, such as `AKIA…`.
    public var accessKeyId: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials.
    public var sessionToken: String?
    /// When temporary credentials stop working, when known.
    public var expiration: Date?

    /// Makes credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// The key id with all but its first and last four characters hidden.
    public var maskedKeyId: String { maskKeyId(accessKeyId) }

    public var description: String { "AWSCredentials(\(maskedKeyId))" }

    /// The variables a child process (such as the ansible container) reads these credentials from.
    public var environmentVariables: [String: String] {
        var variables = ["AWS_ACCESS_KEY_ID": accessKeyId, "AWS_SECRET_ACCESS_KEY": secretAccessKey]
        if let sessionToken { variables["AWS_SESSION_TOKEN"] = sessionToken }
        return variables
    }

    /// The keys' variables plus `AWS_REGION` and `AWS_DEFAULT_REGION` when a region is known.
    public func environmentVariables(region: RegionSetting?) -> [String: String] {
        var variables = environmentVariables
        if let region {
            variables["AWS_REGION"] = region.name
            variables["AWS_DEFAULT_REGION"] = region.name
        }
        return variables
    }
}

/// `AKIA…MPLE`: the first four and last four characters; shorter ids are fully hidden.
public func maskKeyId(_ id: String) -> String {
    guard id.count >= 12 else { return String(repeating: "*", count: id.count) }
    return "\(id.prefix(4))…\(id.suffix(4))"
}

/// Parses an ISO 8601 timestamp as AWS writes them (`2024-05-01T12:00:00Z`, `…+00:00`, with fractions).
func parseTimestamp(_ text: String) -> Date? {
    // FoundationEssentials' ISO 8601 parser takes fractions and offsets alike.
    if let date = try? Date(text, strategy: .iso8601) { return date }
    // `2024-05-01T12:00:00UTC` as some SSO caches write it.
    if text.hasSuffix("UTC") { return parseTimestamp(String(text.dropLast(3)) + "Z") }
    return nil
}

/// `2024-05-01T12:00:00Z`.
func formatTimestamp(_ date: Date) -> String {
    Formatting.timestamp(utcParts(date), date: "-", middle: "T", time: ":", suffix: "Z")
}
