import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A cached IAM Identity Center login, as `aws sso login` writes it.
public struct SSOToken: Sendable, Hashable {
    /// The bearer token for the SSO portal.
    public var accessToken: String
    /// When it stops working.
    public var expiresAt: Date?
}

/// Reads `~/.aws/sso/cache/<sha1 of session name or start URL>.json`.
public struct SSOTokenCache: Sendable {
    /// The home folder holding `.aws/sso/cache`.
    public var homeDirectory: String

    /// Makes a cache reader.
    public init(homeDirectory: String) {
        self.homeDirectory = homeDirectory
    }

    /// The file a login for `settings` is cached in.
    public func path(for settings: SSOSettings) -> String {
        let name = hexString(Insecure.SHA1.hash(data: Data(settings.cacheKey.utf8)))
        return "\(homeDirectory)/.aws/sso/cache/\(name).json"
    }

    /// The cached token, nil when there is none.
    public func token(for settings: SSOSettings) -> SSOToken? {
        struct Document: Decodable {
            var accessToken: String?
            var expiresAt: String?
        }
        guard let data = FileManager.default.contents(atPath: path(for: settings)),
            let document = try? JSONDecoder().decode(Document.self, from: data), let token = document.accessToken
        else { return nil }
        return SSOToken(accessToken: token, expiresAt: document.expiresAt.flatMap(parseTimestamp))
    }
}
