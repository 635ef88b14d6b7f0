#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The settings runbook reads from an `ansible.cfg`: `roles_path` (for validation) and the callback
/// settings that `apply` must extend rather than override.
struct AnsibleConfig: Sendable {
    /// Absolute role folders from `[defaults] roles_path`, relative entries resolved against the file's folder.
    var rolesPath: [String] = []
    /// `[defaults] callbacks_enabled` (or its old name `callback_whitelist`).
    var callbacksEnabled: [String] = []
    /// Absolute folders from `[defaults] callback_plugins`.
    var callbackPlugins: [String] = []
    /// Absolute folders from `[defaults] collections_path` (or its old name `collections_paths`).
    var collectionsPath: [String]?
    /// `[defaults] invalid_task_attribute_failed`, when set.
    var invalidTaskAttributeFailed: Bool?
    /// `[defaults] error_on_missing_handler`, when set.
    var errorOnMissingHandler: Bool?
    /// `[defaults] vault_identity_list` (`label@source` entries, as written).
    var vaultIdentityList: [String] = []
    /// `[defaults] vault_password_file` as written (`~` and relative paths resolved by the caller,
    /// with the home folder of the command's environment), when set.
    var vaultPasswordFile: String?
    /// `pipelining` in `[defaults]`, `[connection]` or `[ssh_connection]`, when set (the ssh plugin reads all three).
    var pipelining: Bool?
    /// `[defaults] forks`, when set.
    var forks: String?
    /// `[defaults] strategy` or `strategy_plugins`, when either is set.
    var strategy: String?
    /// The folders `[defaults] library` and `action_plugins` name (relative ones from the file's folder).
    var moduleFolders: [String] = []
    /// Whether one of them depends on a variable, so that any module name may be in it.
    var moduleFoldersUnknown = false
    /// Whether `[defaults] filter_plugins`, `test_plugins` or `lookup_plugins` is set.
    var hasJinjaPluginPath = false

    /// Empty settings.
    init() {}

    /// The folder `~` stands for when the caller has no environment of its own: `HOME`, as Python's
    /// expanduser reads it, else the user's passwd entry; worked out once (a passwd lookup reads
    /// /etc/nsswitch.conf and /etc/passwd again each time).
    static let processHome: String =
        ProcessInfo.processInfo.environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path

    /// Reads `path` when it exists; a missing or unreadable file gives empty settings. `~` in its
    /// path lists is `home`.
    init(path: String, home: String = AnsibleConfig.processHome) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let folder = Paths.parent(path)
        var section = ""
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.hasPrefix(";") || line.isEmpty { continue }
            if line.hasPrefix("[") {
                section = line.trimmingCharacters(in: ["[", "]", " "]).lowercased()
                continue
            }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            if key == "pipelining" && ["defaults", "connection", "ssh_connection"].contains(section) {
                pipelining = AnsibleConfig.boolean(value) ?? false
            }
            guard section == "defaults" else { continue }
            switch key {
            case "forks": forks = value
            case "library", "action_plugins":
                moduleFolders += AnsibleConfig.pathList(value, relativeTo: folder, home: home)
                moduleFoldersUnknown = moduleFoldersUnknown || value.contains("$")
            case "filter_plugins", "test_plugins", "lookup_plugins":
                hasJinjaPluginPath = hasJinjaPluginPath || !value.isEmpty
            case "strategy", "strategy_plugins": strategy = strategy ?? "\(key) = \(value)"
            case "roles_path": rolesPath = AnsibleConfig.pathList(value, relativeTo: folder, home: home)
            case "callback_plugins": callbackPlugins = AnsibleConfig.pathList(value, relativeTo: folder, home: home)
            case "callbacks_enabled", "callback_whitelist": callbacksEnabled = AnsibleConfig.nameList(value)
            case "collections_path", "collections_paths":
                collectionsPath = AnsibleConfig.pathList(value, relativeTo: folder, home: home)
            case "invalid_task_attribute_failed": invalidTaskAttributeFailed = AnsibleConfig.boolean(value)
            case "error_on_missing_handler": errorOnMissingHandler = AnsibleConfig.boolean(value)
            case "vault_password_file": vaultPasswordFile = value.isEmpty ? nil : value
            case "vault_identity_list": vaultIdentityList = AnsibleConfig.nameList(value)
            default: continue
            }
        }
    }

    /// Ansible's boolean for a config value (`yes`, `on`, `1`, `true`, …); nil when it is neither.
    static func boolean(_ value: String) -> Bool? {
        let text = value.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        if ["y", "yes", "on", "1", "true", "t"].contains(text) { return true }
        if ["n", "no", "off", "0", "false", "f", ""].contains(text) { return false }
        return nil
    }

    /// Splits a comma-separated list of names.
    static func nameList(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Splits a `:`-separated path list, expanding `~` to `home` and dropping entries with unset
    /// variables.
    static func pathList(_ value: String, relativeTo folder: String, home: String = processHome) -> [String] {
        value.split(separator: ":").compactMap { entry in
            var path = String(entry).trimmingCharacters(in: .whitespaces)
            if path.isEmpty || path.contains("$") { return nil }
            path = Paths.expandingTilde(path, home: home)
            return Paths.absolute(path, relativeTo: folder)
        }
    }
}
