/// Checks of a playbook file as a whole: one YAML document holding a list of plays.
extension PlaybookChecker {
    /// Checks the playbook at absolute path `path` and everything it references, once per run.
    /// `reference` is the `import_playbook` that led here, for cycle reports.
    func checkPlaybook(_ path: String, reference: (file: String, node: YAMLNode)? = nil) {
        if let start = playbookStack.firstIndex(of: path), let reference {
            let chain = (playbookStack[start...] + [path]).map(display).joined(separator: " -> ")
            report(
                .error, "import-cycle", "import_playbook cycle: \(chain); remove one of the imports",
                file: reference.file, at: reference.node)
            return
        }
        let isTopLevel = playbookStack.isEmpty
        // Each playbook given (or found) is checked whole, as ansible-playbook runs it: what it
        // imports is checked once within it, whatever other playbooks of the run import.
        if isTopLevel { checkedPlaybooks = [] }
        guard checkedPlaybooks.insert(path).inserted else { return }
        if isTopLevel {
            facts = FactTracker()
            runtimeNames = []
            controllerFiles = []
            runtimeNamesUnknown = false
        }
        playbookStack.append(path)
        defer {
            playbookStack.removeLast()
            if isTopLevel { facts.reportStringsUsedAsLists(to: self) }
        }
        let file = use(path)
        if file.isVault || file.failed { return }
        guard let document = file.document, let written = document.root, !file.isEmpty else {
            report(
                Diagnostic(
                    .error, "playbook-empty", "playbook is empty; add a list of plays (- hosts: …)",
                    at: SourceLocation(file: display(path), line: 1, column: 1)))
            return
        }
        if file.documents.count > 1 {
            let extra = file.documents[1].root
            report(
                Diagnostic(
                    .error, "yaml-multiple-documents",
                    "a playbook is one YAML document, but another one starts here; remove the '---' or split the file",
                    at: SourceLocation(file: display(path), line: extra?.line ?? 1, column: extra?.column ?? 1)))
        }
        let root = document.resolve(written)
        guard let plays = root.items else {
            report(
                .error, "playbook-not-list",
                "a playbook must be a list of plays, found \(root.typeDescription); "
                    + "start each play with '- hosts: …' (is this a tasks or vars file?)",
                file: path, at: root)
            return
        }
        for play in plays {
            checkPlay(document.resolve(play), document: document, file: path)
        }
    }

    /// Whether a parsed file looks like a playbook: a list with a play (`hosts`) or an `import_playbook`.
    static func looksLikePlaybook(_ file: YAMLFile) -> Bool {
        guard let document = file.document, let root = document.root, let items = document.resolve(root).items else {
            return false
        }
        return items.contains { item in
            document.mergedPairs(item).contains { pair in
                guard let key = pair.key.string else { return false }
                return key == "hosts" || shortActionName(key) == "import_playbook"
            }
        }
    }
}
