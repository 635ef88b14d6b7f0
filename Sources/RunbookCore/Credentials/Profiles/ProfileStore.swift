#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The profiles and `sso-session` sections of the shared config and credentials files.
public struct ProfileStore: Sendable {
    /// The profiles by name.
    public var profiles: [String: Profile]
    /// `[sso-session NAME]` sections of the config file, by name.
    public var ssoSessions: [String: Profile]
    /// Syntax errors and warnings found while reading the files.
    public var findings: [CredentialFinding]
    /// The files that exist and were read.
    public var filesRead: [String]

    /// The profile names, sorted.
    public var names: [String] { profiles.keys.sorted() }

    /// Reads the config and credentials files the environment points at; missing files are empty.
    public init(environment: CredentialEnvironment) {
        self.init(config: Self.read(environment.configFile), credentials: Self.read(environment.credentialsFile))
    }

    /// Builds the store from parsed files (nil for a file that does not exist).
    public init(config: INIDocument?, credentials: INIDocument?) {
        profiles = [:]
        ssoSessions = [:]
        findings = (config?.errors ?? []) + (credentials?.errors ?? [])
        filesRead = [config?.path, credentials?.path].compactMap { $0 }
        if let config { addConfig(config) }
        if let credentials { addCredentials(credentials) }
    }

    /// Reads and parses one file; nil when it does not exist.
    static func read(_ path: String) -> INIDocument? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return INIDocument(parsing: String(decoding: data, as: UTF8.self), path: path)
    }

    private mutating func addConfig(_ document: INIDocument) {
        var explicitDefault = false
        for section in document.sections {
            let header = SourceLocation(file: document.path, line: section.line, column: 1)
            if section.name == "default" {
                // `[profile default]` wins over `[default]`, as the AWS SDKs' shared-config rules say.
                if explicitDefault { continue }
                add(section, named: "default", file: .config, path: document.path, into: &profiles)
            } else if section.name.hasPrefix("profile") {
                guard let words = shellWords(section.name), words.count == 2 else {
                    findings.append(
                        CredentialFinding(
                            .warning, "ignored-section",
                            "section [\(section.name)] is ignored by the AWS CLI; write it as [profile NAME]",
                            at: header))
                    continue
                }
                if words[1] == "default" {
                    if !explicitDefault { profiles["default"] = nil }
                    explicitDefault = true
                }
                add(section, named: words[1], file: .config, path: document.path, into: &profiles)
            } else if section.name.hasPrefix("sso-session") {
                if let words = shellWords(section.name), words.count == 2 {
                    add(section, named: words[1], file: .config, path: document.path, into: &ssoSessions)
                }
            } else if !section.name.hasPrefix("services"), !section.name.hasPrefix("plugins"),
                !section.name.hasPrefix("preview")
            {
                findings.append(
                    CredentialFinding(
                        .warning, "ignored-section",
                        "section [\(section.name)] in the config file is not a profile; the AWS CLI ignores it; "
                            + "write [profile \(section.name.trimmed)]",
                        at: header))
            }
        }
    }

    private mutating func addCredentials(_ document: INIDocument) {
        for section in document.sections {
            if section.name.hasPrefix("profile ") {
                findings.append(
                    CredentialFinding(
                        .warning, "credentials-profile-prefix",
                        "the credentials file names sections without 'profile '; [\(section.name)] defines a profile "
                            + "literally named '\(section.name)'",
                        at: SourceLocation(file: document.path, line: section.line, column: 1)))
            }
            add(section, named: section.name, file: .credentials, path: document.path, into: &profiles)
        }
    }

    private func add(
        _ section: INISection, named name: String, file: SharedFile, path: String, into table: inout [String: Profile]
    ) {
        var profile = table[name] ?? Profile(name: name, settings: [:], sections: [])
        profile.sections.append(SourceLocation(file: path, line: section.line, column: 1))
        for entry in section.entries where entry.nested == nil {
            profile.settings[entry.key] = ProfileSetting(
                value: entry.value, location: SourceLocation(file: path, line: entry.line, column: 1), file: file)
        }
        table[name] = profile
    }
}
