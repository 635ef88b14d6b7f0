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
        "argument-required-one-of", "argument-required-if", "argument-required-by",
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
        let bare = !name.utf8.contains(UInt8(ascii: "."))
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
            // A collection of the workspace's own (collections/ beside the playbook): not the image's to judge.
            if let collection = finding.missingCollection,
                collectionFolder(collection, roots: collectionRoots(for: scope.playbookFolder)) != nil
            {
                continue
            }
            report(finding.severity, finding.rule, finding.message, file: scope.file, at: node)
        }
        return outcome.0
    }

    private func resolveModule(
        _ name: String, index: ImageIndex, scope: TaskScope, findings: inout [ModuleFinding]
    ) -> ModuleResolution {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 3 && !(parts[0] == "ansible" && parts[1] == "legacy") {
            return resolveQualified(name, index: index, scope: scope, hops: 0, findings: &findings)
        }
        let short = parts.count >= 3 ? parts.dropFirst(2).joined(separator: ".") : name
        guard parts.count == 1 || parts.count >= 3 else { return .notJudged }
        // (A library/ or action_plugins/ module of that name was ruled out by resolvedModule.)
        let builtin = "ansible.builtin." + short
        if index.modules[builtin] != nil || index.routing.route("ansible.builtin", short) != nil {
            return resolveQualified(builtin, index: index, scope: scope, hops: 0, shown: name, findings: &findings)
        }
        for collection in scope.collections where collection.split(separator: ".").count == 2 {
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
        let parts = fqcn.split(separator: ".").map(String.init)
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
                    "collection \(collection)\(known) is not in the image, so '\(shown ?? fqcn)' cannot run; add it "
                        + "to the collections setting (or requirements.yml)", missingCollection: collection))
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

    /// Whether a module or action of this name sits in a `library/` or `action_plugins/` folder Ansible
    /// would search (beside the playbook, in the role, in the roles being expanded), or a configured
    /// library path could hold one.
    private func hasLocalPlugin(_ name: String, scope: TaskScope) -> Bool {
        if modulePathsFromEnvironment { return true }
        return localPlugins(scope).modules.map { $0.contains(name) } ?? true
    }

    /// What decides the plugin folders of a task: its playbook's folder, its role, the roles being expanded.
    func pluginContext(_ scope: TaskScope) -> String {
        // Consecutive tasks mostly share it: comparing the folders is cheaper than building and
        // joining them again.
        if let last = deep.lastContext, hasFolders(last.folders, scope) { return last.key }
        let folders = [scope.playbookFolder] + roleFolders(scope)
        let key = folders.joined(separator: "\u{0}")
        deep.lastContext = (folders, key)
        deep.lastPlugins = nil
        return key
    }

    /// Whether `folders` are the task's playbook folder and role folders (see roleFolders), compared
    /// in place.
    private func hasFolders(_ folders: [String], _ scope: TaskScope) -> Bool {
        guard let first = folders.first, first == scope.playbookFolder else { return false }
        if let expanded = scope.expandedRoleFolders {
            return folders.count == expanded.count + 1 && folders.dropFirst().elementsEqual(expanded)
        }
        let own = scope.role?.folder
        guard folders.count == 1 + (own == nil ? 0 : 1) + roleStack.count else { return false }
        var position = 1
        if let own {
            guard folders[1] == own else { return false }
            position = 2
        }
        for link in roleStack {
            guard folders[position] == link.folder else { return false }
            position += 1
        }
        return true
    }

    /// The folders of the task's role and of the roles being expanded (as captured when the check was
    /// handed over, on the deep worker).
    func roleFolders(_ scope: TaskScope) -> [String] {
        scope.expandedRoleFolders ?? ([scope.role?.folder].compactMap { $0 } + roleStack.map(\.folder))
    }

    /// The plugins the folders a task may load from define: those of the playbook's folder, the
    /// workspace and every role on disk (worked out once per playbook folder), and those of its role
    /// and the roles being expanded. A role's plugins serve the whole play once the role is in it.
    func localPlugins(_ scope: TaskScope) -> LocalPlugins {
        let context = pluginContext(scope)
        if let known = deep.lastPlugins { return known }
        if let known = deep.localPluginsByContext[context] {
            deep.lastPlugins = known
            return known
        }
        var base = deep.localPluginsByPlaybookFolder[scope.playbookFolder]
        if base == nil {
            var found = LocalPlugins()
            let configs = configs(for: scope.playbookFolder)
            if configs.contains(where: { $0.hasLibraryPath }) { found.modules = nil }
            if configs.contains(where: { $0.hasJinjaPluginPath }) { found.anyJinja = true }
            var folders = [scope.playbookFolder, settings.workspace]
            let rolesFolders =
                [scope.playbookFolder + "/roles", settings.workspace + "/roles"]
                + configuredRolesPath(for: scope.playbookFolder)
            for rolesFolder in rolesFolders {
                folders += listing(rolesFolder).map { rolesFolder + "/" + $0 }
            }
            for folder in folders { found.add(folderPlugins(folder)) }
            base = found
            deep.localPluginsByPlaybookFolder[scope.playbookFolder] = found
        }
        var plugins = base ?? LocalPlugins()
        for folder in roleFolders(scope) {
            plugins.add(folderPlugins(folder))
        }
        deep.localPluginsByContext[context] = plugins
        deep.lastPlugins = plugins
        return plugins
    }

    /// The plugins one folder's `library/`, `action_plugins/`, `lookup_plugins/`, `filter_plugins/`
    /// and `test_plugins/` hold.
    private func folderPlugins(_ folder: String) -> LocalPlugins {
        if let known = deep.folderPlugins[folder] { return known }
        var found = LocalPlugins()
        // One listing of the folder answers which plugin folders it has (a role rarely has any).
        let entries = Set(listing(folder))
        for kind in ["library", "action_plugins"] where entries.contains(kind) {
            for entry in listing(folder + "/" + kind) {
                found.modules?.insert(entry)
                for suffix in [".py", ".ps1", ".sh"] where entry.hasSuffix(suffix) {
                    found.modules?.insert(String(entry.dropLast(suffix.count)))
                }
            }
        }
        if entries.contains("lookup_plugins") {
            for entry in listing(folder + "/lookup_plugins") where entry.hasSuffix(".py") {
                found.lookups.insert(String(entry.dropLast(3)))
            }
        }
        found.filters = entries.contains("filter_plugins")
        found.tests = entries.contains("test_plugins")
        deep.folderPlugins[folder] = found
        return found
    }

    /// A folder's entries, read once per validation.
    func listing(_ folder: String) -> [String] {
        if let known = folderListings[folder] { return known }
        let names = settings.shared?.listing(folder) ?? RawFiles.listing(folder) ?? []
        folderListings[folder] = names
        return names
    }

    // MARK: - Arguments

    private func checkArgumentKeys(
        _ keys: [(String, YAMLNode)], module: String, spec: [String: ImageIndex.Option], file: String
    ) {
        let names = Self.acceptedNames(spec)
        for (key, node) in keys where !key.hasPrefix("_") && !names.contains(key) && !isTemplated(key) {
            report(
                .error, "unknown-argument",
                "unsupported parameter '\(key)' for module \(module)" + didYouMean(key, in: names),
                file: file, at: node)
        }
    }

    private static func acceptedNames(_ spec: [String: ImageIndex.Option]) -> Set<String> {
        var names = Set(spec.keys)
        for option in spec.values { names.formUnion(option.aliases ?? []) }
        names.remove("free_form")
        return names
    }

    private func checkArguments(
        _ given: [YAMLPair], module: String, spec: [String: ImageIndex.Option], rules: ImageIndex.ArgumentRules?,
        freeForm: Bool, checkRequired: Bool, prefix: String, document: YAMLDocument, file: String,
        at owner: YAMLNode
    ) {
        // The names a spec accepts, worked out once per module and suboption path.
        let key = prefix.isEmpty ? module : module + "\u{0}" + prefix
        let accepted: ArgumentNames
        if let known = deep.argumentNames[key] {
            accepted = known
        } else {
            accepted = ArgumentNames(
                accepted: Self.acceptedNames(spec),
                canonical: spec.reduce(into: [String: String]()) { table, entry in
                    table[entry.key] = entry.key
                    for alias in entry.value.aliases ?? [] { table[alias] = entry.key }
                },
                required: spec.filter { $0.value.required == true && $0.key != "free_form" }.map(\.key).sorted())
            deep.argumentNames[key] = accepted
        }
        let (names, canonical) = (accepted.accepted, accepted.canonical)
        var present: Set<String> = []
        for pair in given {
            guard let key = pair.key.string else { continue }
            if key.hasPrefix("_") || isTemplated(key) { continue }
            guard let name = canonical[key], name != "free_form" || freeForm, let option = spec[name] else {
                report(
                    .error, "unknown-argument",
                    "unsupported parameter '\(prefix)\(key)' for module \(module)" + didYouMean(key, in: names),
                    file: file, at: pair.key)
                continue
            }
            present.insert(name)
            checkValue(
                document.resolve(pair.value), option: option, rules: rules?.options?[name], name: prefix + key,
                module: module, document: document, file: file)
        }
        if let rules {
            checkArgumentRules(
                given, rules: rules, presence: checkRequired, module: module, prefix: prefix, document: document,
                file: file, at: owner)
        }
        guard checkRequired else { return }
        let missing = accepted.required.filter { !present.contains($0) }
        if !missing.isEmpty {
            report(
                .error, "missing-required-argument",
                "missing required argument(s) of module \(module): "
                    + missing.map { prefix + $0 }.joined(separator: ", "), file: file, at: owner)
        }
    }

    private func checkValue(
        _ node: YAMLNode, option: ImageIndex.Option, rules: ImageIndex.ArgumentRules?, name: String, module: String,
        document: YAMLDocument, file: String
    ) {
        if node.isNull { return }
        if let text = node.string, isTemplated(text) { return }
        let type = option.type ?? "str"
        let found = node.items != nil ? "a list" : node.pairs != nil ? "a mapping" : nil
        switch type {
        case "bool", "int", "float":
            if let found {
                report(
                    .error, "argument-type",
                    "'\(name)' of module \(module) must be \(Self.article(type)), found \(found)",
                    file: file, at: node)
                return
            }
        case "list":
            if node.pairs != nil {
                report(
                    .error, "argument-type", "'\(name)' of module \(module) must be a list, found a mapping",
                    file: file, at: node)
                return
            }
        case "dict":
            if node.items != nil {
                report(
                    .error, "argument-type", "'\(name)' of module \(module) must be a mapping, found a list",
                    file: file, at: node)
                return
            }
        default:
            break
        }
        // A YAML boolean meets yes/no choices: Ansible maps True/False onto them.
        let booleanMeetsChoices =
            node.bool != nil && (option.choices ?? []).contains(where: Self.booleanWords.contains)
        if let choices = option.choices, type != "bool", type != "list", let text = node.string,
            !choices.contains(text), !booleanMeetsChoices
        {
            let shown =
                choices.count > 12
                ? choices.prefix(12).joined(separator: ", ") + ", …" : choices.joined(separator: ", ")
            report(
                .error, "argument-choice",
                "'\(text)' is not a choice of '\(name)' (module \(module)): \(shown)" + didYouMean(text, in: choices),
                file: file, at: node)
        }
        guard let suboptions = option.suboptions, !suboptions.isEmpty else { return }
        if type == "dict", let pairs = node.pairs {
            checkArguments(
                pairs, module: module, spec: suboptions, rules: rules, freeForm: false, checkRequired: true,
                prefix: name + ".", document: document, file: file, at: node)
        } else if type == "list", option.elements == "dict", let items = node.items {
            for item in items {
                guard let pairs = document.resolve(item).pairs else { continue }
                checkArguments(
                    pairs, module: module, spec: suboptions, rules: rules, freeForm: false, checkRequired: true,
                    prefix: name + "[].", document: document, file: file, at: item)
            }
        }
    }

    private static let booleanWords: Set<String> = [
        "yes", "no", "true", "false", "on", "off", "1", "0", "True", "False",
    ]

    private static func article(_ type: String) -> String {
        switch type {
        case "bool": "a boolean"
        case "int": "an integer"
        case "float": "a number"
        case "path": "a path"
        default: "a string"
        }
    }
}

extension [PlaybookChecker.ModuleFinding] {
    mutating func append(_ severity: Severity, _ rule: String, _ message: String) {
        append(PlaybookChecker.ModuleFinding(severity, rule, message))
    }
}
