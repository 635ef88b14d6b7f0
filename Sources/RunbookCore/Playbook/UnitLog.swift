/// Every file one unit of a validation run (a playbook, with all it imports) used and every finding it
/// made, each once, whatever the checker had already seen for earlier units: the unit's outcome is
/// then the same on any checker, so units may be checked on any thread in any order and merged in
/// their own order (see PlaybookValidator).
final class UnitLog {
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var files: [String] = []
    private var seen: Set<Diagnostic.Key> = []
    private var used: Set<String> = []
    /// Role records replayed in this unit, held so that no other record takes the identity of one
    /// dropped from the shared table.
    private var replayed: [ObjectIdentifier: RoleExpansion] = [:]

    func report(_ diagnostic: Diagnostic) {
        if seen.insert(diagnostic.key).inserted { diagnostics.append(diagnostic) }
    }

    /// Lists `path` (shown as `display` gives it); true when it is the unit's first use of it.
    func use(_ path: String, display: (String) -> String) -> Bool {
        guard used.insert(path).inserted else { return false }
        files.append(display(path))
        return true
    }

    /// Whether the unit replays `expansion` for the first time (its files and findings then become the
    /// unit's, wherever it was recorded).
    func firstReplay(of expansion: RoleExpansion) -> Bool {
        replayed.updateValue(expansion, forKey: ObjectIdentifier(expansion)) == nil
    }
}
