/// Which shared file a profile setting came from.
public enum SharedFile: String, Sendable, Hashable, Codable {
    case config
    case credentials
}

/// One setting of a profile, with where it was written.
public struct ProfileSetting: Sendable, Hashable {
    /// The value.
    public var value: String
    /// The file and line of its key.
    public var location: SourceLocation
    /// The file it came from.
    public var file: SharedFile
}

/// A named profile, merged from the config file's `[profile NAME]` (or `[default]`) section and the
/// credentials file's `[NAME]` section; credentials-file settings win, as in botocore.
public struct Profile: Sendable, Hashable {
    /// The profile name.
    public var name: String
    /// The settings by lowercase key.
    public var settings: [String: ProfileSetting]
    /// The section headers that define it.
    public var sections: [SourceLocation]

    /// The setting for `key`, if set to a non-empty value.
    public subscript(key: String) -> ProfileSetting? {
        guard let setting = settings[key], !setting.value.isEmpty else { return nil }
        return setting
    }
}
