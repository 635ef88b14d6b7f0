#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks that need no network: the shape of keys and regions, expiry, and file permissions.
public enum OfflineChecks {
    /// Access key id prefixes: long-term (`AKIA`) and temporary (`ASIA`) keys.
    public static let keyPrefixes = ["AKIA", "ASIA"]

    /// Checks a key pair; `origin` says where it was found, `location` its file line when in a file.
    public static func check(
        _ credentials: AWSCredentials, origin: String, at location: SourceLocation?, now: Date
    ) -> [CredentialFinding] {
        var findings: [CredentialFinding] = []
        func error(_ rule: String, _ message: String) {
            findings.append(CredentialFinding(.error, rule, message, at: location))
        }
        let id = credentials.accessKeyId
        let masked = maskKeyId(id)
        if id.count != 20 || !id.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
            error(
                "access-key-shape",
                "the access key id in \(origin) (\(masked), \(id.count) characters) is not 20 upper-case letters "
                    + "and digits; copy it again from the IAM console")
        } else if !keyPrefixes.contains(String(id.prefix(4))) {
            error(
                "access-key-prefix",
                "the access key id in \(origin) starts with \(id.prefix(4)), not AKIA (long-term) or ASIA "
                    + "(temporary); it may be a user or role id, not an access key")
        }
        if credentials.secretAccessKey.count != 40 {
            error(
                "secret-key-length",
                "the secret access key in \(origin) has \(credentials.secretAccessKey.count) characters, not 40; "
                    + "copy it again (it is shown only once when the key is created)")
        }
        if id.hasPrefix("ASIA"), credentials.sessionToken == nil {
            error(
                "missing-session-token",
                "\(masked) in \(origin) is a temporary key (ASIA…) but no session token is set; "
                    + "set AWS_SESSION_TOKEN or aws_session_token as well")
        }
        if id.hasPrefix("AKIA"), credentials.sessionToken != nil {
            findings.append(
                CredentialFinding(
                    .warning, "unexpected-session-token",
                    "\(masked) in \(origin) is a long-term key (AKIA…) but a session token is set too; "
                        + "STS will reject the pair; unset the stale session token",
                    at: location))
        }
        findings += checkExpiration(credentials.expiration, origin: origin, at: location, now: now)
        return findings
    }

    /// An error when `expiration` has passed or is less than five minutes away.
    public static func checkExpiration(
        _ expiration: Date?, origin: String, at location: SourceLocation?, now: Date
    ) -> [CredentialFinding] {
        guard let expiration else { return [] }
        let left = expiration.timeIntervalSince(now)
        if left <= 0 {
            return [
                CredentialFinding(
                    .error, "expired",
                    "the credentials from \(origin) expired at \(formatTimestamp(expiration)); get new ones",
                    at: location)
            ]
        }
        if left < 300 {
            return [
                CredentialFinding(
                    .error, "expiring",
                    "the credentials from \(origin) expire at \(formatTimestamp(expiration)), in under 5 minutes; "
                        + "get new ones before a run",
                    at: location)
            ]
        }
        return []
    }

    /// Whether `region` looks like an AWS region name such as `eu-west-1` or `us-gov-west-1`.
    /// The message for a region that is not shaped like one, naming where it was set.
    static func regionShapeMessage(_ region: RegionSetting) -> String {
        "region '\(region.name)' (\(region.origin)) is not a region name such as us-east-1 or eu-west-1"
    }

    public static func isRegionName(_ region: String) -> Bool {
        let parts = region.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, !last.isEmpty, last.allSatisfy(\.isNumber) else {
            return false
        }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
    }

    /// Whether `text` looks like an IAM role ARN (`arn:PARTITION:iam::ACCOUNT:role/NAME`).
    public static func isRoleArn(_ text: String) -> Bool {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0] == "arn" && parts[2] == "iam" && isAccountId(String(parts[4]))
            && parts[5].hasPrefix("role/") && parts[5].count > 5
    }

    /// Whether `text` is a 12-digit account id.
    public static func isAccountId(_ text: String) -> Bool {
        text.count == 12 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A warning when the credentials file at `path` can be read by its group or by others.
    public static func checkPermissions(ofCredentialsFile path: String) -> [CredentialFinding] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        let mode = Int(info.st_mode) & 0o777
        guard mode & 0o044 != 0 else { return [] }
        return [
            CredentialFinding(
                .warning, "credentials-file-mode",
                "the credentials file is readable by \(mode & 0o004 != 0 ? "everyone" : "its group") (mode "
                    + "\(String(mode, radix: 8))); run chmod 600 \(path)",
                at: SourceLocation(file: path, line: 1, column: 1))
        ]
    }
}
