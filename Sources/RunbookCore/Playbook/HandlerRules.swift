/// Handlers: collect the names and `listen` topics of a play's handlers, and check that every
/// `notify` reaches one.
extension PlaybookChecker {
    func recordHandlerNames(_ pairs: [YAMLPair], scope: TaskScope, isHandler: Bool, state: inout PlayState) {
        guard isHandler else { return }
        var names: [String] = []
        if let name = value(pairs, "name").map(scope.document.resolve)?.string { names.append(name) }
        if let listen = value(pairs, "listen").map(scope.document.resolve) {
            names += (listen.items ?? [listen]).map(scope.document.resolve).compactMap(\.string)
        }
        for name in names {
            if isTemplated(name) { state.handlersKnown = false }
            state.handlers.insert(name)
            recordingExpansion?.handlers.append(name)
            if let role = scope.role {
                state.handlers.insert("\(role.name) : \(name)")
                recordingExpansion?.handlers.append("\(role.name) : \(name)")
            }
        }
    }

    func recordNotify(_ node: YAMLNode?, scope: TaskScope, state: inout PlayState) {
        guard let node else { return }
        let notify = scope.document.resolve(node)
        for item in (notify.items ?? [notify]).map(scope.document.resolve) {
            guard let name = item.string, !item.isNull, !isTemplated(name) else { continue }
            state.notifications.append((name, location(scope.file, item)))
        }
    }

    /// Reports each notification that matches no handler of the play, when all handlers are known: an
    /// error, as ansible-playbook fails when the task changes, or a warning when
    /// `error_on_missing_handler` is off (Ansible then warns).
    /// A notification in a file other than the play's (a role's task file, which several playbooks may
    /// use) names the play it was checked in.
    func checkNotifications(_ state: PlayState, playFile: String, play node: YAMLNode) {
        guard state.handlersKnown, !state.notifications.isEmpty else { return }
        let fails = errorOnMissingHandler(for: Paths.parent(playFile))
        let play = location(playFile, node)
        for (name, location) in state.notifications where !state.handlers.contains(name) {
            let known = state.handlers.filter { !$0.containsBytes(" : ") }
            let hint =
                closestMatch(to: name, in: known).map { "; did you mean '\($0)'?" }
                ?? (known.isEmpty ? "; the play has no handlers" : "")
            report(
                Diagnostic(
                    fails ? .error : .warning, "notify-no-handler",
                    "notify '\(name)' matches no handler name or listen topic in "
                        + (location.file == play.file ? "this play" : "the play at \(play.file):\(play.line)") + hint
                        + (fails ? "" : " (error_on_missing_handler is off: Ansible only warns)"), at: location))
        }
    }
}
