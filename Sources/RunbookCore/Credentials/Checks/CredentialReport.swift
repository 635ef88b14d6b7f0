#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `runbook creds` shows: the offline inspection and, with `--online`, what STS said.
///
/// Neither rendering contains a secret key or session token.
public struct CredentialReport: Sendable {
    /// The offline inspection.
    public var inspection: CredentialInspection
    /// The verified credentials, when checked online.
    public var resolved: ResolvedCredentials?
    /// Whether an online check was tried and failed (the error is reported separately).
    public var onlineFailed = false

    /// Makes a report.
    public init(inspection: CredentialInspection, resolved: ResolvedCredentials? = nil) {
        self.inspection = inspection
        self.resolved = resolved
    }

    /// The findings, one per line, for standard error.
    public var findingsText: String {
        inspection.findings.map { $0.rendered + "\n" }.joined()
    }

    /// Aligned `name  value` lines for standard output.
    public var text: String {
        fields.map { name, value in name.padding(toLength: 11, withPad: " ", startingAt: 0) + " " + value + "\n" }
            .joined()
    }

    /// A JSON object with the same fields plus the findings.
    public var json: String {
        struct Finding: Encodable {
            var severity: String
            var rule: String
            var message: String
            var file: String?
            var line: Int?
        }
        struct Document: Encodable {
            var profile: String
            var source: String?
            var sourceDetail: String?
            var accessKeyId: String?
            var region: String?
            var regionSource: String?
            var online: Bool
            var account: String?
            var arn: String?
            var temporaryAccessKeyId: String?
            var expiration: String?
            var mfa: String?
            var findings: [Finding]
        }
        let credentials = resolved?.credentials ?? inspection.credentials
        let document = Document(
            profile: inspection.profile, source: inspection.source?.kind, sourceDetail: inspection.source?.summary,
            accessKeyId: inspection.credentials?.maskedKeyId, region: inspection.region?.name,
            regionSource: inspection.region?.origin, online: resolved != nil, account: resolved?.identity.account,
            arn: resolved?.identity.arn, temporaryAccessKeyId: temporaryKey?.maskedKeyId,
            expiration: credentials?.expiration.map(formatTimestamp), mfa: mfaSummary,
            findings: inspection.findings.map {
                Finding(
                    severity: $0.severity.rawValue, rule: $0.rule, message: $0.message, file: $0.location?.file,
                    line: $0.location?.line)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(document) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The MFA line: what happened online, else what the offline lookup found.
    private var mfaSummary: String? {
        resolved?.mfa?.summary ?? inspection.mfa?.summary
    }

    /// The temporary key obtained online, when it differs from the local one (roles, web identity, SSO).
    private var temporaryKey: AWSCredentials? {
        guard let resolved, resolved.credentials.accessKeyId != inspection.credentials?.accessKeyId else { return nil }
        return resolved.credentials
    }

    private var fields: [(String, String)] {
        var fields = [("profile", inspection.profile)]
        fields.append(("source", inspection.source?.summary ?? "none"))
        if let credentials = inspection.credentials { fields.append(("access key", credentials.maskedKeyId)) }
        if let temporaryKey {
            let label = if case .mfaSession = inspection.source { "session key" } else { "role key" }
            fields.append((label, temporaryKey.maskedKeyId))
        }
        if let expiration = (resolved?.credentials ?? inspection.credentials)?.expiration {
            fields.append(("expires", formatTimestamp(expiration)))
        }
        if let mfaSummary { fields.append(("mfa", mfaSummary)) }
        fields.append(("region", inspection.region.map { "\($0.name) (\($0.origin))" } ?? "not set"))
        if let identity = resolved?.identity {
            fields.append(("account", identity.account))
            fields.append(("arn", identity.arn))
        } else if onlineFailed {
            fields.append(("online", "failed (see the error)"))
        } else {
            fields.append(("online", "not checked (add --online to ask STS)"))
        }
        return fields
    }
}
