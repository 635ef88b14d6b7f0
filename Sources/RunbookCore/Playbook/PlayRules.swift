/// Checks of one play: its keywords, hosts, vars, vars files, roles and task sections.
extension PlaybookChecker {
    func checkPlay(_ play: YAMLNode, document: YAMLDocument, file: String) {
        guard play.pairs != nil else {
            report(
                .error, "play-not-mapping",
                "a play must be a mapping with 'hosts' (or an 'import_playbook' entry), found \(play.typeDescription)",
                file: file, at: play)
            return
        }
        let pairs = document.mergedPairs(play)
        if pairs.contains(where: { $0.key.string.map(shortActionName) == "import_playbook" }) {
            checkImportPlaybook(play, pairs: pairs, document: document, file: file)
            return
        }
        let folder = Paths.parent(file)
        for pair in pairs {
            guard let key = pair.key.string, key != "<<", !Keywords.play.contains(key) else { continue }
            if key == "user" {
                report(
                    .warning, "deprecated-keyword", "'user' is an old name for 'remote_user'; rename it",
                    file: file, at: pair.key)
            } else if key == "include" {
                report(
                    .error, "removed-include",
                    "'include' was removed in ansible-core 2.16; import a playbook with 'import_playbook: file.yml'",
                    file: file, at: pair.key)
            } else {
                report(
                    .error, "unknown-play-keyword",
                    "'\(key)' is not a valid play keyword\(didYouMean(key, in: Keywords.play))",
                    file: file, at: pair.key)
            }
        }
        // An old playbook include (`- include: other.yml`) is that one error, not also a play without hosts.
        if value(pairs, "include") != nil && value(pairs, "hosts") == nil { return }
        var state = PlayState()
        checkHosts(pairs, play: play, document: document, file: file)
        checkVarsShape(value(pairs, "vars"), document: document, file: file, owner: "a play")
        checkVarsFiles(value(pairs, "vars_files"), document: document, file: file)
        for pair in pairs where !Keywords.taskSections.contains(pair.key.string ?? "") {
            checkJinja(pair.value, document: document, file: file)
        }
        var scope = TaskScope(
            file: file, document: document, playbookFolder: folder, role: nil, includeFolders: [folder],
            collections: collectionList(value(pairs, "collections"), document: document))
        scope.moduleDefaults = value(pairs, "module_defaults") != nil
        checkRoles(value(pairs, "roles"), scope: scope, state: &state)
        for section in Keywords.taskSections {
            checkTaskList(
                value(pairs, section), section: section, scope: scope, isHandler: section == "handlers", state: &state)
        }
        checkNotifications(state, playFile: file, play: play)
    }

    private func checkHosts(_ pairs: [YAMLPair], play: YAMLNode, document: YAMLDocument, file: String) {
        let hosts = value(pairs, "hosts")
        guard let hosts else {
            report(
                .error, "play-missing-hosts", "play has no 'hosts'; add e.g. 'hosts: all' or 'hosts: localhost'",
                file: file, at: play)
            return
        }
        let value = document.resolve(hosts)
        let patterns: [YAMLNode]
        switch value.kind {
        case .scalar(let text, _) where !value.isNull && !text.trimmingCharacters(in: .whitespaces).isEmpty:
            patterns = [value]
        case .sequence(let items) where !items.isEmpty:
            patterns = items.map(document.resolve)
        default:
            let key = pairs.last { $0.key.string == "hosts" }?.key
            report(
                .error, "play-hosts-invalid",
                "'hosts' must be a host pattern or a list of them, found \(value.isNull ? "nothing" : value.typeDescription)",
                file: file, at: value.isNull ? (key ?? value) : value)
            return
        }
        guard let matcher = settings.hostMatcher, !runtimeNamesUnknown else { return }
        // One judgement for the whole pattern (a list is a union, as Ansible reads it), and a warning
        // only when it selects no host because a name matches no group or host ("Could not match
        // supplied host pattern"): an existing group without hosts is silent, as Ansible is, and groups
        // an earlier add_host/group_by creates count as existing.
        let texts = patterns.compactMap { $0.string?.trimmingCharacters(in: .whitespaces) }
        guard texts.count == patterns.count, !texts.contains(where: isTemplated) else { return }
        let pattern = texts.joined(separator: ",")
        if texts.allSatisfy({ ["all", "*", "localhost", "127.0.0.1", "::1"].contains($0) }) { return }
        guard matcher.matchesAnyHost(pattern) == false, let names = matcher.unmatchedNames(pattern) else { return }
        let unknown = names.filter { !runtimeNames.contains($0) }
        // A name an earlier task creates may give the pattern hosts at run time: then say nothing.
        guard !unknown.isEmpty, unknown.count == names.count else { return }
        let quoted = unknown.map { "'\($0)'" }.joined(separator: ", ")
        report(
            .warning, "hosts-no-match",
            "hosts pattern '\(pattern)' selects no host: \(quoted) \(unknown.count == 1 ? "matches" : "match") "
                + "no group or host in the inventory (nor one an earlier add_host or group_by creates); "
                + "check the name or the inventory",
            file: file, at: value)
    }

    /// The names of a `collections:` keyword (a list, or one name), templated ones left out.
    func collectionList(_ node: YAMLNode?, document: YAMLDocument) -> [String] {
        guard let node else { return [] }
        let value = document.resolve(node)
        let items = value.items?.map(document.resolve) ?? [value]
        return items.compactMap { $0.isNull ? nil : $0.string }.filter { !isTemplated($0) }
    }

    /// `vars` must be a mapping (ansible-core 2.19 rejects the old list-of-mappings form).
    func checkVarsShape(_ vars: YAMLNode?, document: YAMLDocument, file: String, owner: String) {
        guard let vars else { return }
        let value = document.resolve(vars)
        if value.isNull || value.pairs != nil { return }
        let hint = value.items != nil ? " (ansible-core 2.19 no longer accepts a list of mappings: drop the '- ')" : ""
        report(
            .error, "vars-not-mapping",
            "vars of \(owner) must be a mapping of names to values, found \(value.typeDescription)\(hint)",
            file: file, at: value)
    }

    /// `vars_files`: each entry (or the first existing file of a list entry) is looked up as Ansible's
    /// `path_dwim_relative_stack` does for a play: `vars/NAME` then `NAME` beside the playbook (`~` and
    /// absolute paths as they are). Since ansible-core 2.15 a play skips a vars file it cannot find
    /// without a word, so a missing one is a warning: the play runs, its variables are undefined.
    private func checkVarsFiles(_ node: YAMLNode?, document: YAMLDocument, file: String) {
        guard let node else { return }
        let value = document.resolve(node)
        let entries = value.items ?? [value]
        let folder = Paths.parent(file)
        for entry in entries.map(document.resolve) where !entry.isNull {
            // A list entry is a set of alternatives: the first that exists is used.
            let alternatives = (entry.items ?? [entry]).map(document.resolve).compactMap(\.string)
            if alternatives.isEmpty || alternatives.contains(where: isTemplated) { continue }
            let searched = alternatives.flatMap { varsFileCandidates($0, folder: folder) }
            if let found = searched.first(where: isFile) {
                let vars = use(found)
                if let root = vars.document?.root { checkJinja(root, document: vars.document ?? document, file: found) }
            } else {
                report(
                    .warning, "missing-vars-file",
                    "vars file '\(alternatives.joined(separator: "' or '"))' not found (looked for "
                        + searched.map(display).joined(separator: ", ")
                        + "); ansible-playbook skips it without a word, so its variables will be undefined",
                    file: file, at: entry)
            }
        }
    }

    /// Where Ansible looks for a play's vars file `name`, in order.
    private func varsFileCandidates(_ name: String, folder: String) -> [String] {
        if name.hasBytePrefix("~") || name.hasBytePrefix("/") {
            return [Paths.normalize(Paths.expandingTilde(name, home: home))]
        }
        return (name.hasBytePrefix("vars/") ? [] : [Paths.absolute("vars/" + name, relativeTo: folder)])
            + [Paths.absolute(name, relativeTo: folder)]
    }

    private func checkImportPlaybook(_ entry: YAMLNode, pairs: [YAMLPair], document: YAMLDocument, file: String) {
        for pair in pairs {
            guard let key = pair.key.string, key != "<<", shortActionName(key) != "import_playbook",
                !Keywords.importPlaybook.contains(key)
            else { continue }
            report(
                .error, "unknown-play-keyword",
                "'\(key)' is not a valid keyword for import_playbook\(didYouMean(key, in: Keywords.importPlaybook))",
                file: file, at: pair.key)
        }
        checkVarsShape(value(pairs, "vars"), document: document, file: file, owner: "import_playbook")
        guard let target = pairs.last(where: { $0.key.string.map(shortActionName) == "import_playbook" }) else {
            return
        }
        let node = document.resolve(target.value)
        guard let name = node.string, !node.isNull, !name.isEmpty else {
            report(
                .error, "import-playbook-invalid",
                "import_playbook needs the path of a playbook file, found \(node.isNull ? "nothing" : node.typeDescription)",
                file: file, at: node)
            return
        }
        checkJinja(node, document: document, file: file)
        if isTemplated(name) { return }
        if isCollectionName(name) {
            checkCollectionPlaybook(name, at: node, file: file)
            return
        }
        let path = Paths.absolute(name, relativeTo: Paths.parent(file))
        guard isFile(path) else {
            report(
                .error, "missing-playbook",
                "imported playbook '\(name)' not found; the path is relative to \(display(Paths.parent(file)))/",
                file: file, at: node)
            return
        }
        checkPlaybook(path, reference: (file, node))
    }
}

extension PlaybookChecker {
    /// `import_playbook: ns.coll.name`, judged by the image's index when the collection is not on disk.
    func checkCollectionPlaybook(_ name: String, at node: YAMLNode, file: String) {
        guard let index = settings.index, let playbooks = index.playbooks else { return }
        let parts = name.splitBytes(".").map(String.init)
        let collection = parts[0] + "." + parts[1]
        let playbook = parts.dropFirst(2).joined(separator: ".")
        if collectionFolder(collection, roots: collectionRoots(for: Paths.parent(file))) != nil { return }
        guard index.collections[collection] != nil else {
            report(
                .error, "collection-not-in-image",
                "collection \(collection) is not in the image, so the playbook '\(name)' cannot be imported; "
                    + collectionAdvice(collection, playbookFolder: Paths.parent(file)), file: file, at: node)
            return
        }
        if playbooks[collection]?.contains(playbook) == true { return }
        report(
            .error, "playbook-not-in-image",
            "collection \(collection) \(index.collections[collection] ?? "") in the image has no playbook '\(playbook)'"
                + didYouMean(playbook, in: playbooks[collection] ?? []), file: file, at: node)
    }
}

/// Whether `name` is a collection reference (`namespace.collection.name`), which runbook does not judge.
func isCollectionName(_ name: String) -> Bool {
    // On the bytes (it runs for every role and playbook name): no slash, at least three non-empty
    // dot-separated parts, not a .yml/.yaml file name.
    var parts = 0
    var inPart = false
    for byte in name.utf8 {
        if byte == UInt8(ascii: "/") { return false }
        if byte == UInt8(ascii: ".") {
            inPart = false
        } else if !inPart {
            inPart = true
            parts += 1
        }
    }
    return parts >= 3 && !name.utf8.reversed().starts(with: "lmy.".utf8)
        && !name.utf8.reversed().starts(with: "lmay.".utf8)
}

/// The last value for `key` among `pairs`, as Ansible reads repeated keys.
func value(_ pairs: [YAMLPair], _ key: String) -> YAMLNode? {
    pairs.last { $0.key.string == key }?.value
}
