/// What loading one inventory gave: a host matcher for the `hosts-no-match` warning, and findings.
public struct InventoryLoadResult: Sendable {
    /// Matches host patterns against the inventory; nil when it cannot be judged statically.
    public var matcher: (any HostPatternMatching)?
    /// Problems found in the inventory.
    public var diagnostics: [Diagnostic]
    /// Display paths of the files read.
    public var files: [String]

    /// Makes a result.
    public init(matcher: (any HostPatternMatching)?, diagnostics: [Diagnostic] = [], files: [String] = []) {
        self.matcher = matcher
        self.diagnostics = diagnostics
        self.files = files
    }
}

/// Loads the inventory at an absolute path (a file or a folder), reported against a display path.
public typealias InventoryLoader = @Sendable (_ path: String, _ displayPath: String) -> InventoryLoadResult

/// The seam between `runbook validate` and the static inventory loader.
public enum InventorySeam {
    /// The loader `runbook validate` and `runbook apply` use: the static inventory reader.
    public static let load: InventoryLoader = { path, displayPath in
        let loaded = InventoryReader().load(path, displayPath)
        return InventoryLoadResult(matcher: loaded.matcher, diagnostics: loaded.diagnostics, files: loaded.files)
    }
}

/// Several inventories as one: a pattern matches when it matches in any of them.
struct CombinedHostMatcher: HostPatternMatching {
    var matchers: [any HostPatternMatching]

    func matchesAnyHost(_ pattern: String) -> Bool? {
        var answers = matchers.map { $0.matchesAnyHost(pattern) }
        if answers.contains(true) { return true }
        answers.removeAll { $0 == false }
        return answers.isEmpty ? false : nil
    }

    /// A name is unmatched when no inventory has it.
    func unmatchedNames(_ pattern: String) -> [String]? {
        var common: [String]?
        for matcher in matchers {
            guard let names = matcher.unmatchedNames(pattern) else { return nil }
            common = common.map { $0.filter(names.contains) } ?? names
        }
        return common ?? []
    }
}
