import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where MFA sessions are kept between runs: one JSON file per profile, role and MFA device under
/// `$XDG_CACHE_HOME/runbook/sessions/` (else `~/.cache/runbook/sessions/`), mode 0600 in a 0700 folder.
///
/// A session is reused until 5 minutes before it expires. A file that is not this user's, that others
/// may read or write, that is a symlink, or that is not a runbook session is ignored with a warning
/// (and replaced when a new session is stored).
public struct MFASessionCache: Sendable {
    /// The folder.
    public var directory: String
    /// How long before expiry a cached session stops being used.
    public static let reuseMargin: TimeInterval = 5 * 60

    /// The cache of this environment: `XDG_CACHE_HOME` (when absolute), else `~/.cache`.
    public init(environment: CredentialEnvironment) {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        directory = (base ?? environment.homeDirectory + "/.cache") + "/runbook/sessions"
    }

    /// What a session is for: the profile, the role (nil: GetSessionToken) and the MFA device.
    public struct Key: Sendable, Hashable {
        public var profile: String
        public var roleArn: String?
        public var serial: String

        public init(profile: String, roleArn: String?, serial: String) {
            self.profile = profile
            self.roleArn = roleArn
            self.serial = serial
        }
    }

    /// What a lookup found.
    public enum Lookup: Sendable, Hashable {
        /// No file, or one whose session is (nearly) over.
        case none
        /// A session to reuse.
        case session(AWSCredentials)
        /// A file that was ignored, and why.
        case ignored(String)
    }

    /// Whether `code` looks like an MFA code: 6 digits, as STS's TokenCode requires.
    public static func isCode(_ code: String) -> Bool {
        code.utf8.count == 6 && code.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The file of `key`.
    public func path(_ key: Key) -> String {
        let text = [key.profile, key.roleArn ?? "", key.serial].joined(separator: "\n")
        let digest = hexString(SHA256.hash(data: Data(text.utf8)))
        return directory + "/" + digest.prefix(40) + ".json"
    }

    private struct Document: Codable {
        var version: Int
        var profile: String
        var roleArn: String?
        var serialNumber: String
        var accessKeyId: String
        var secretAccessKey: String
        var sessionToken: String
        var expiration: String
    }

    /// The cached session of `key`, when there is a usable one at `now`.
    public func lookup(_ key: Key, now: Date) -> Lookup {
        let file = path(key)
        var info = stat()
        guard lstat(file, &info) == 0 else { return .none }
        if (info.st_mode & S_IFMT) != S_IFREG {
            return .ignored("the MFA session cache \(file) is not a regular file; ignored")
        }
        if info.st_uid != geteuid() {
            return .ignored("the MFA session cache \(file) belongs to uid \(info.st_uid), not this user; ignored")
        }
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            return .ignored("the MFA session cache \(file) is open to other users (mode \(mode)); ignored")
        }
        guard let data = FileManager.default.contents(atPath: file),
            let document = try? JSONDecoder().decode(Document.self, from: data), document.version == 1,
            let expiration = parseTimestamp(document.expiration)
        else {
            return .ignored("the MFA session cache \(file) is not a runbook session (corrupt?); ignored")
        }
        guard document.profile == key.profile, document.roleArn == key.roleArn, document.serialNumber == key.serial
        else {
            return .ignored("the MFA session cache \(file) is for another profile or role; ignored")
        }
        guard expiration.timeIntervalSince(now) > Self.reuseMargin else { return .none }
        return .session(
            AWSCredentials(
                accessKeyId: document.accessKeyId, secretAccessKey: document.secretAccessKey,
                sessionToken: document.sessionToken, expiration: expiration))
    }

    /// Stores a session (atomically, 0600); returns a warning instead of failing when it cannot.
    public func store(_ credentials: AWSCredentials, for key: Key) -> String? {
        guard let token = credentials.sessionToken, let expiration = credentials.expiration else {
            return "the MFA session has no token or expiry; not cached"
        }
        let document = Document(
            version: 1, profile: key.profile, roleArn: key.roleArn, serialNumber: key.serial,
            accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: token,
            expiration: formatTimestamp(expiration))
        guard let data = try? JSONEncoder().encode(document) else { return "the MFA session could not be encoded" }
        do {
            try makeDirectory()
        } catch {
            return "cannot make the MFA session cache folder \(directory): \(error); the session is not cached"
        }
        let file = path(key)
        let temporary = file + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            return "cannot write the MFA session cache \(temporary): \(String(cString: strerror(errno)))"
        }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == data.count, synced, rename(temporary, file) == 0 else {
            unlink(temporary)
            return "cannot write the MFA session cache \(file): \(String(cString: strerror(errno)))"
        }
        return nil
    }

    /// Makes the folder (and its parents) with 0700 for the last; refuses one that others may enter.
    private func makeDirectory() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var info = stat()
        guard lstat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid() else {
            throw RunbookError.credentials("\(directory) is not a folder of this user")
        }
        if info.st_mode & 0o077 != 0 { chmod(directory, 0o700) }
    }
}
