#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where the run history lives: the `history` setting's file (`off` turns recording off), by default
/// `$XDG_DATA_HOME/runbook/history.sqlite`, else `~/.local/share/runbook/history.sqlite`.
public enum HistoryLocation {
    /// The default file for `environment`, nil without XDG_DATA_HOME (absolute) or HOME.
    public static func defaultPath(_ environment: [String: String]) -> String? {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/runbook/history.sqlite" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/share/runbook/history.sqlite"
    }

    /// The words that turn recording off.
    static let offWords: Set<String> = ["off", "false", "no", "none", "0"]

    /// The history file the settings name, or nil when recording is off.
    public static func path(_ settings: Settings, home: String) -> String? {
        guard let text = settings.string(.history), !offWords.contains(text.lowercased()) else { return nil }
        return settings.path(.history, home: home)
    }

    /// Opens the history for reading commands (`runs`, `show`, `report`): a usage error when it is off.
    public static func open(_ context: RunbookContext) throws -> HistoryStore {
        guard let path = path(context.settings, home: context.home) else {
            throw RunbookError.usage(
                "the history is off (\(context.settings[.history].source)); there are no runs to read")
        }
        guard Paths.exists(path) else {
            throw RunbookError.noInput("no runs recorded yet: \(path) does not exist (every apply and plan writes it)")
        }
        let store = try HistoryStore(path: path)
        try store.markAbandoned()
        return store
    }
}
