#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Deep checks of a task's module against the image's plugin index: the name resolved as Ansible
/// resolves it (ansible.builtin / ansible.legacy, the routing of meta/runtime.yml, the play's
/// `collections:`), then the arguments against the module's documented spec. Only what is certain is
/// judged: templated names or arguments, `args:` from a variable, modules from the workspace's own
/// `library/` or a collection the index does not cover are left alone.
extension PlaybookChecker {
    /// How a module name resolved.
    enum ModuleResolution: Sendable {
        case module(String, ImageIndex.Module)
        case notJudged
    }

    /// The rules only the image's index can give (a bare role under a play's collections can also become
    /// `role-not-found` with it).
    public static let ruleCodes: Set<String> = [
        "unknown-module", "collection-not-in-image", "removed-module", "deprecated-module", "redirected-module",
        "unknown-argument", "missing-required-argument", "argument-type", "argument-choice", "unknown-lookup",
        "unknown-filter", "unknown-test", "removed-filter", "removed-test", "removed-lookup", "role-not-in-image",
        "playbook-not-in-image", "mutually-exclusive-arguments", "arguments-required-together",
        "argument-required-one-of", "argument-required-if", "argument-required-by", "misplaced-argument",
    ]

    /// Actions whose arguments are not a fixed set: variables, host variables, free text, and the
    /// generic `package`/`service`, whose action plugins hand every argument on to the backend module
    /// (apt's `update_cache`, systemd's `scope`) and whose documented requirements that module relaxes.
    static let freeArgumentActions: Set<String> = [
        "set_fact", "add_host", "group_by", "set_stats", "include_vars", "meta", "include_tasks", "import_tasks",
        "include_role", "import_role", "import_playbook", "include", "validate_argument_spec", "package", "service",
    ]

    func checkModule(
        _ name: String, keyNode: YAMLNode, arguments: TaskArguments, pairs: [YAMLPair], scope: TaskScope
    ) {
        guard let index = settings.index, !name.isEmpty, !isTemplated(name) else { return }
        guard case .module(let fqcn, let module) = resolvedModule(name, at: keyNode, index: index, scope: scope) else {
            return
        }
        guard !Self.freeArgumentActions.contains(shortActionName(fqcn)), !module.options.isEmpty else { return }
        if let args = arguments.args, scope.document.resolve(args).pairs == nil { return }  // `args: "{{ x }}"`
        let value = arguments.value
        var given: [YAMLPair] = []
        if value.pairs != nil {
            given = scope.document.mergedPairs(value).filter { $0.key.string != "<<" }
        } else if let text = value.string, !value.isNull {
            // `key=value` form; a free-form string (command, shell, …) or templated text is not judged.
            if module.freeForm || isTemplated(text) || keyNode.string == "action" || keyNode.string == "local_action" {
                return
            }
            let tokens = arguments.words
            guard tokens.allSatisfy({ $0.contains("=") && !$0.hasPrefix("=") }) else { return }
            let keys = tokens.map { String($0.prefix { $0 != "=" }) }
            checkArgumentKeys(keys.map { ($0, value) }, module: fqcn, spec: module.options, file: scope.file)
            return
        }
        if keyNode.string == "action" || keyNode.string == "local_action" {
            given.removeAll { $0.key.string == "module" }
        }
        if let args = arguments.args.map(scope.document.resolve), args.pairs != nil {
            given += scope.document.mergedPairs(args).filter { $0.key.string != "<<" }
        }
        let moduleDefaults = scope.moduleDefaults || pairs.contains { $0.key.string == "module_defaults" }
        // An action plugin (of the module's name, routed to, or its network family's) may rewrite the
        // arguments before the module sees them.
        checkArguments(
            given, module: fqcn, spec: module.options, rules: module.action == true ? nil : module.rules,
            freeForm: module.freeForm, checkRequired: !moduleDefaults, prefix: "", document: scope.document,
            file: scope.file, at: keyNode)
    }

    // MARK: - Names

    /// `with_<lookup>`: the lookup resolved against the index as a template's `lookup()` is.
    func checkLookup(_ name: String, keyword: String, at node: YAMLNode, scope: TaskScope) {
        guard let index = settings.index, !isTemplated(name) else { return }
        checkTemplatePlugin(TemplatePlugin(kind: .lookup, name: name), index: index, at: node, scope: scope)
    }

    /// A finding of name resolution, reported at each task that names the module.
    struct ModuleFinding: Sendable {
        var severity: Severity
        var rule: String
        var message: String
        /// For `collection-not-in-image`: the collection, which a workspace's own `collections/`
        /// beside the playbook may hold (then nothing is reported).
        var missingCollection: String?

        init(_ severity: Severity, _ rule: String, _ message: String, missingCollection: String? = nil) {
            self.severity = severity
            self.rule = rule
            self.message = message
            self.missingCollection = missingCollection
        }
    }

    /// `name` resolved once per run for each play collections it is seen with (a
    /// playbook names the same modules task after task), its findings reported at `node` each time; a
    /// module of the task's own plugin folders is not judged.
    private func resolvedModule(
        _ name: String, at node: YAMLNode, index: ImageIndex, scope: TaskScope
    ) -> ModuleResolution {
        let bare = !name.containsByte(UInt8(ascii: "."))
        let legacy = name.hasPrefix("ansible.legacy.")
        if bare || legacy, hasLocalPlugin(legacy ? String(name.dropFirst(15)) : name, scope: scope) {
            return .notJudged
        }
        let key = scope.collections.isEmpty ? name : ([name] + scope.collections).joined(separator: "\u{1}")
        let outcome: (ModuleResolution, [ModuleFinding])
        if let known = deep.modules[key] {
            outcome = known
        } else if let known = settings.shared?.module(key) {
            outcome = known
            deep.modules[key] = known
        } else {
            var findings: [ModuleFinding] = []
            outcome = (resolveModule(name, index: index, scope: scope, findings: &findings), findings)
            deep.modules[key] = outcome
            settings.shared?.setModule(key, outcome)
        }
        for finding in outcome.1 {
            // Molecule runs a scenario's playbooks with its driver's modules (`vagrant`, `podman`, …)
            // on the library path, which ansible-playbook alone does not have.
            if bare, finding.rule == "unknown-module", isMoleculeScenario(scope.playbookFolder) { continue }
            guard let collection = finding.missingCollection else {
                report(finding.severity, finding.rule, finding.message, file: scope.file, at: node)
                continue
            }
            // A collection of the workspace's own (collections/ beside the playbook) is not the image's
            // to judge; otherwise the advice depends on the playbook's requirements files. Both are
            // worked out once per collection and playbook folder.
            let key = collection + "\u{0}" + scope.playbookFolder
            let missing =
                deep.missingCollections[key]
                ?? {
                    let onDisk = collectionFolder(collection, roots: collectionRoots(for: scope.playbookFolder)) != nil
                    let found = (
                        onDisk, onDisk ? "" : collectionAdvice(collection, playbookFolder: scope.playbookFolder)
                    )
                    deep.missingCollections[key] = found
                    return found
                }()
            if missing.onDisk { continue }
            report(finding.severity, finding.rule, finding.message + "; " + missing.advice, file: scope.file, at: node)
        }
        return outcome.0
    }

    /// Whether ansible-core has a module or action of this short name, or routes it somewhere.
    static func isBuiltinModule(_ short: String, index: ImageIndex) -> Bool {
        index.modules["ansible.builtin." + short] != nil || index.routing.route("ansible.builtin", short) != nil
    }

    private func resolveModule(
        _ name: String, index: ImageIndex, scope: TaskScope, findings: inout [ModuleFinding]
    ) -> ModuleResolution {
        let parts = name.splitBytes(".", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 3 && !(parts[0] == "ansible" && parts[1] == "legacy") {
            return resolveQualified(name, index: index, scope: scope, hops: 0, findings: &findings)
        }
        let short = parts.count >= 3 ? parts.dropFirst(2).joined(separator: ".") : name
        guard parts.count == 1 || parts.count >= 3 else { return .notJudged }
        // (A library/ or action_plugins/ module of that name was ruled out by resolvedModule.)
        let builtin = "ansible.builtin." + short
        if Self.isBuiltinModule(short, index: index) {
            return resolveQualified(builtin, index: index, scope: scope, hops: 0, shown: name, findings: &findings)
        }
        for collection in scope.collections where collection.splitBytes(".").count == 2 {
            let candidate = collection + "." + short
            if index.modules[candidate] != nil || index.routing.route(collection, short) != nil {
                return resolveQualified(
                    candidate, index: index, scope: scope, hops: 0, shown: name, findings: &findings)
            }
            if index.collections[collection] == nil { return .notJudged }
        }
        // Ansible's own message, then the nearest name the image has.
        let suggestion =
            closestMatch(to: short, in: candidates("ansible.builtin", index: index, short: true))
            ?? closestMatch(to: name, in: candidates(nil, index: index, short: false))
        findings.append(
            .error, "unknown-module",
            "couldn't resolve module/action '\(name)': neither ansible-core \(index.ansibleCore) nor the play's "
                + "collections have it" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""))
        return .notJudged
    }

    private func resolveQualified(
        _ fqcn: String, index: ImageIndex, scope: TaskScope, hops: Int, shown: String? = nil,
        findings: inout [ModuleFinding]
    ) -> ModuleResolution {
        let parts = fqcn.splitBytes(".").map(String.init)
        let collection = parts[0] + "." + parts[1]
        let short = parts.dropFirst(2).joined(separator: ".")
        let route = index.routing.route(collection, short)
        if let tombstone = route?.tombstone {
            findings.append(
                .error, "removed-module", "module '\(shown ?? fqcn)' was removed from \(collection): \(tombstone)")
            return .notJudged
        }
        if let module = index.modules[fqcn] {
            if let deprecation = route?.deprecation {
                findings.append(
                    .warning, "deprecated-module", "module '\(shown ?? fqcn)' is deprecated: \(deprecation)")
            }
            return .module(fqcn, module)
        }
        if let redirect = route?.redirect, hops < 8 {
            let resolved = resolveQualified(
                redirect, index: index, scope: scope, hops: hops + 1, shown: shown, findings: &findings)
            if hops == 0, case .module(let target, _) = resolved {
                findings.append(
                    .warning, "redirected-module",
                    "'\(shown ?? fqcn)' is redirected to '\(target)'; write '\(target)'")
            }
            return resolved
        }
        if let deprecation = route?.deprecation {
            findings.append(
                .warning, "deprecated-module", "module '\(shown ?? fqcn)' is deprecated: \(deprecation)")
        }
        guard index.collections[collection] != nil || collection == "ansible.builtin" else {
            let known = index.available.contains(collection) ? " (the ansible package has it)" : ""
            findings.append(
                ModuleFinding(
                    .error, "collection-not-in-image",
                    "collection \(collection)\(known) is not in the image, so '\(shown ?? fqcn)' cannot run",
                    missingCollection: collection))
            return .notJudged
        }

        findings.append(
            .error, "unknown-module",
            "couldn't resolve module/action '\(shown ?? fqcn)': \(collection) "
                + "\(index.collections[collection] ?? index.ansibleCore) has no such module"
                + (closestMatch(to: fqcn, in: candidates(collection, index: index, short: false))
                    .map { "; did you mean '\($0)'?" } ?? ""))
        return .notJudged
    }

    /// The module names of one collection (all with nil), full or without the collection, for
    /// did-you-mean: worked out once per run.
    private func candidates(_ collection: String?, index: ImageIndex, short: Bool) -> CandidateNames {
        let key = (collection ?? "") + (short ? "\u{0}short" : "")
        if let known = deep.moduleNames[key] { return known }
        let prefix = collection.map { $0 + "." } ?? ""
        let names = index.modules.keys.filter { $0.hasPrefix(prefix) }.map {
            short ? String($0.dropFirst(prefix.count)) : $0
        }
        let found = CandidateNames(names)
        deep.moduleNames[key] = found
        return found
    }

}

extension [PlaybookChecker.ModuleFinding] {
    mutating func append(_ severity: Severity, _ rule: String, _ message: String) {
        append(PlaybookChecker.ModuleFinding(severity, rule, message))
    }
}
