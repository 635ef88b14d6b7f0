/// A role checked once per checker and replayed in the other plays that use it the same way.
///
/// A play's `roles:` entry expands the role, its `meta/main.yml` dependencies, their tasks and
/// handlers: hundreds of task files in a large repository, used by play after play and playbook after
/// playbook. Expanded again in the same context, it finds the same things (reported once per run
/// anyway) and changes the play and the checker the same way. So the first expansion records those
/// changes, and a later one with the same inputs applies them instead of walking the files again.
///
/// The inputs: the role (folder, name), the playbook's folder (lookups, settings), whether
/// `module_defaults` is set above, and what the play had already visited (a role or tasks file seen
/// earlier in the play is skipped, so the record holds each such probe and replays only when every
/// one comes out the same). Only an outermost expansion is recorded: no role or tasks file around it
/// (their stacks decide cycles), no `tasks_from`/`handlers_from` (reported at the reference), and no
/// controller files written earlier in the playbook (a copy `src` may name one).
struct RoleExpansionKey: Hashable {
    var folder: String
    var name: String
    var playbookFolder: String
    var moduleDefaults: Bool
}

/// What one expansion changed, in order where order matters. Insertions are logged as made (not as
/// the difference of the sets before and after, which drops what was already there).
final class RoleExpansion {
    /// Each `visited` probe and whether it found the key new.
    var probes: [(key: String, new: Bool)] = []
    /// Handler names and `role : name` forms recorded, and groups an `add_host`/`group_by` creates.
    var handlers: [String] = []
    var handlersUnknown = false
    var notifications: [(name: String, location: SourceLocation)] = []
    var controllerFiles: [String] = []
    var runtimeNames: [String] = []
    var runtimeNamesUnknown = false
    var facts: [FactTracker.Change] = []
}

extension PlaybookChecker {
    /// Marks `key` (a role or tasks file) visited in the play; false when it already was.
    func visit(_ key: String, state: inout PlayState) -> Bool {
        let new = state.visited.insert(key).inserted
        recordingExpansion?.probes.append((key, new))
        return new
    }

    /// The key of an expansion that may be recorded or replayed here, when one may.
    func expansionKey(
        _ role: RoleReference, link: RoleLink, tasksFrom: (String, YAMLNode)?, handlersFrom: String, scope: TaskScope
    ) -> RoleExpansionKey? {
        guard tasksFrom == nil, handlersFrom == "main", roleStack.isEmpty, taskFileStack.isEmpty,
            controllerFiles.isEmpty, recordingExpansion == nil
        else { return nil }
        return RoleExpansionKey(
            folder: role.folder, name: link.name, playbookFolder: scope.playbookFolder,
            moduleDefaults: scope.moduleDefaults)
    }

    /// Applies a recorded expansion when the play has visited what it had then; false (nothing changed)
    /// when not.
    func replay(_ expansion: RoleExpansion, state: inout PlayState) -> Bool {
        var added: Set<String> = []
        added.reserveCapacity(expansion.probes.count)
        for probe in expansion.probes {
            let seen = state.visited.contains(probe.key) || added.contains(probe.key)
            guard seen != probe.new else { return false }
            if probe.new { added.insert(probe.key) }
        }
        state.visited.formUnion(added)
        state.handlers.formUnion(expansion.handlers)
        if expansion.handlersUnknown { state.handlersKnown = false }
        state.notifications += expansion.notifications
        controllerFiles.formUnion(expansion.controllerFiles)
        runtimeNames.formUnion(expansion.runtimeNames)
        if expansion.runtimeNamesUnknown { runtimeNamesUnknown = true }
        for change in expansion.facts { facts.apply(change) }
        return true
    }

    /// Runs `expand` and records what it changed under `key`. The two flags are cleared for the run
    /// (nothing reads them until the play or playbook ends) so that the record says whether the
    /// expansion itself sets them, then put back with what it did.
    func record(_ key: RoleExpansionKey, state: inout PlayState, _ expand: (inout PlayState) -> Void) {
        let handlersKnown = state.handlersKnown
        let namesUnknown = runtimeNamesUnknown
        let notifications = state.notifications.count
        let facts = self.facts.log.count
        let expansion = RoleExpansion()
        state.handlersKnown = true
        runtimeNamesUnknown = false
        recordingExpansion = expansion
        expand(&state)
        recordingExpansion = nil
        expansion.handlersUnknown = !state.handlersKnown
        expansion.runtimeNamesUnknown = runtimeNamesUnknown
        state.handlersKnown = handlersKnown && state.handlersKnown
        runtimeNamesUnknown = namesUnknown || runtimeNamesUnknown
        expansion.notifications = Array(state.notifications[notifications...])
        expansion.controllerFiles = Array(controllerFiles)
        expansion.facts = Array(self.facts.log[facts...])
        // A role used in a few contexts (what the play visited before it) keeps a record for each.
        var records = roleExpansions[key] ?? []
        if records.count == 4 { records.removeFirst() }
        records.append(expansion)
        roleExpansions[key] = records
    }
}
