#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checks of task lists, tasks and blocks: one action per task, loops, includes, sources.
extension PlaybookChecker {
    func checkTaskList(
        _ node: YAMLNode?, section: String, scope: TaskScope, isHandler: Bool, state: inout PlayState
    ) {
        guard let node else { return }
        let list = scope.document.resolve(node)
        if list.isNull { return }
        guard let items = list.items else {
            report(
                .error, "section-not-list",
                "'\(section)' must be a list of tasks, found \(list.typeDescription); start each task with '- '",
                file: scope.file, at: list)
            return
        }
        // Ansible skips empty entries ('- ' with nothing after it).
        for item in items where !scope.document.resolve(item).isNull {
            checkTask(scope.document.resolve(item), scope: scope, isHandler: isHandler, state: &state)
        }
    }

    private func checkTask(_ task: YAMLNode, scope: TaskScope, isHandler: Bool, state: inout PlayState) {
        guard task.pairs != nil else {
            report(
                .error, "task-not-mapping",
                "a task must be a mapping (module: arguments), found \(task.typeDescription)",
                file: scope.file, at: task)
            return
        }
        let pairs = scope.document.mergedPairs(task)
        let keys = pairs.compactMap(\.key.string).filter { $0 != "<<" }
        if keys.contains(where: { ["block", "rescue", "always"].contains($0) }) {
            checkBlock(pairs, scope: scope, isHandler: isHandler, state: &state)
            return
        }
        let actions = pairs.filter { pair in
            guard let key = pair.key.string, key != "<<" else { return false }
            return key == "action" || key == "local_action" || !(Keywords.task.contains(key) || Keywords.isLoop(key))
        }
        if actions.isEmpty {
            report(
                .error, "no-action",
                "no action detected in task; add a module (e.g. ansible.builtin.debug: …) or fix the indentation of its arguments",
                file: scope.file, at: task)
        } else if actions.count > 1 {
            let names = actions.compactMap(\.key.string)
            if let misplaced = misplacedArgument(names) {
                let pair = actions.first { $0.key.string == misplaced.argument } ?? actions[1]
                report(
                    .error, "misplaced-argument",
                    "'\(misplaced.argument)' is not a valid attribute for a Task; it is an argument of "
                        + "\(misplaced.module): indent it under '\(misplaced.module):'",
                    file: scope.file, at: pair.key)
            } else {
                let typo = names.lazy.compactMap { name in
                    closestMatch(to: name, in: Keywords.task).map {
                        "; '\(name)' is not a task keyword, did you mean '\($0)'?"
                    }
                }.first
                report(
                    .error, "conflicting-actions",
                    "conflicting action statements: \(names.joined(separator: ", ")); a task runs exactly one module"
                        + (typo ?? ""),
                    file: scope.file, at: actions[1].key)
            }
        }
        let loops = pairs.filter { $0.key.string.map(Keywords.isLoop) ?? false }
        if loops.count > 1 {
            report(
                .error, "loop-conflict",
                "a task has one loop, found \(loops.compactMap(\.key.string).joined(separator: " and ")); keep one",
                file: scope.file, at: loops[1].key)
        }
        for loop in loops {
            guard let key = loop.key.string else { continue }
            let lookup = String(key.dropFirst("with_".count))
            if key != "loop", settings.index != nil {
                if let deepWorker {
                    deepCheck(on: deepWorker, scope) { $0.checkLookup(lookup, keyword: key, at: loop.key, scope: $1) }
                } else {
                    checkLookup(lookup, keyword: key, at: loop.key, scope: scope)
                }
            } else if key != "loop", !Keywords.builtinLookups.contains(shortActionName(lookup)) {
                report(
                    .warning, "unknown-loop-lookup",
                    "'\(key)' needs the lookup plugin '\(lookup)', which ansible-core does not ship; "
                        + "install the collection that provides it, or use 'loop:'",
                    file: scope.file, at: loop.key)
            }
            guard Keywords.listLoops.contains(key) else { continue }
            facts.checkListValue(scope.document.resolve(loop.value), keyword: key, file: scope.file, checker: self)
        }
        // A role's tasks are checked again in every play that uses it: their templates are scanned once
        // per file and position (the findings are the same each time, and reported once).
        let scanned = jinjaMemo(scope.file)
        for pair in pairs where pair.key.string != "<<" {
            let mayHoldTemplates = checkJinjaOnce(pair.value, document: scope.document, file: scope.file, scanned)
            if settings.index != nil, let key = pair.key.string {
                let expression = Keywords.conditionals.contains(key)
                // A value without templates names no plugin outside a bare conditional.
                if !expression && !mayHoldTemplates { continue }
                if let deepWorker {
                    deepCheck(on: deepWorker, scope) {
                        $0.checkTemplatePlugins(pair.value, expression: expression, scope: $1)
                    }
                } else {
                    checkTemplatePlugins(pair.value, expression: expression, scope: scope, memo: scanned)
                }
            }
        }
        checkVarsShape(value(pairs, "vars"), document: scope.document, file: scope.file, owner: "a task")
        recordHandlerNames(pairs, scope: scope, isHandler: isHandler, state: &state)
        recordNotify(value(pairs, "notify"), scope: scope, state: &state)
        if actions.count == 1, let key = actions[0].key.string {
            checkAction(
                key: key, pairs: pairs, actionPair: actions[0], scope: scope, isHandler: isHandler, state: &state)
        }
    }

    private func checkBlock(_ pairs: [YAMLPair], scope outer: TaskScope, isHandler: Bool, state: inout PlayState) {
        var scope = outer
        scope.moduleDefaults = outer.moduleDefaults || pairs.contains { $0.key.string == "module_defaults" }
        for pair in pairs {
            guard let key = pair.key.string, key != "<<" else { continue }
            if ["block", "rescue", "always"].contains(key) {
                checkTaskList(pair.value, section: key, scope: scope, isHandler: isHandler, state: &state)
                continue
            }
            checkJinja(pair.value, document: scope.document, file: scope.file)
            guard !Keywords.block.contains(key) else { continue }
            let hint =
                Keywords.isLoop(key)
                ? "; loops are not allowed on a block, put it on the tasks or an include_tasks"
                : didYouMean(key, in: Keywords.block)
            report(
                .error, "invalid-block-keyword", "'\(key)' is not a valid keyword for a block\(hint)",
                file: scope.file, at: pair.key)
        }
        recordNotify(value(pairs, "notify"), scope: scope, state: &state)
    }

    private func checkAction(
        key: String, pairs: [YAMLPair], actionPair: YAMLPair, scope: TaskScope, isHandler: Bool, state: inout PlayState
    ) {
        var module = key
        var argument = scope.document.resolve(actionPair.value)
        if key == "action" || key == "local_action" {
            if let text = argument.string {
                module = whitespaceWords(text).first.map(String.init) ?? ""
            } else if let name = argument["module"].map(scope.document.resolve)?.string {
                module = name
            }
        }
        let arguments = TaskArguments(value: argument, args: value(pairs, "args"), document: scope.document)
        if settings.index != nil {
            if let deepWorker {
                deepCheck(on: deepWorker, scope) { [module] in
                    $0.checkModule(module, keyNode: actionPair.key, arguments: arguments, pairs: pairs, scope: $1)
                }
            } else {
                checkModule(module, keyNode: actionPair.key, arguments: arguments, pairs: pairs, scope: scope)
            }
        }
        switch shortActionName(module) {
        case "include":
            report(
                .error, "removed-include",
                "'include' was removed in ansible-core 2.16; use include_tasks (dynamic) or import_tasks (static)",
                file: scope.file, at: actionPair.key)
        case "include_tasks", "import_tasks":
            if shortActionName(module) == "include_tasks" {
                checkIncludeKeywords(
                    "include_tasks", className: isHandler ? "HandlerTaskInclude" : "TaskInclude", pairs: pairs,
                    actionKey: actionPair.key, scope: scope, isHandler: isHandler)
            }
            if argument.isNull { argument = actionPair.key }
            checkTaskInclude(
                shortActionName(module), arguments: arguments, at: argument, keyNode: actionPair.key, scope: scope,
                isHandler: isHandler, state: &state)
        case "include_role", "import_role":
            if shortActionName(module) == "include_role" {
                checkIncludeKeywords(
                    "include_role", className: "IncludeRole", pairs: pairs, actionKey: actionPair.key, scope: scope,
                    isHandler: isHandler)
            }
            checkRoleInclude(
                shortActionName(module), arguments: arguments, keyNode: actionPair.key,
                taskCollections: value(pairs, "collections").map { collectionList($0, document: scope.document) },
                scope: scope, state: &state)
        case "import_playbook":
            report(
                .error, "misplaced-import-playbook",
                "import_playbook is a playbook entry, not a task; move it to the top level of the playbook",
                file: scope.file, at: actionPair.key)
        case "template", "copy":
            checkSource(shortActionName(module), arguments: arguments, scope: scope)
            recordControllerFile("copy", key: key, pairs: pairs, arguments: arguments, scope: scope)
        case "fetch":
            recordControllerFile("fetch", key: key, pairs: pairs, arguments: arguments, scope: scope)
        case "set_fact":
            facts.recordSetFact(argument, document: scope.document, file: scope.file)
        case "add_host", "group_by":
            recordRuntimeNames(shortActionName(module), arguments: arguments)
        default:
            recordControllerFile(module, key: key, pairs: pairs, arguments: arguments, scope: scope)
        }
    }

    /// Notes the file a task writes on the controller, for `checkSource`: a `fetch` with `flat` (its
    /// `dest`, or the source's name in a `dest` folder), or a task delegated to localhost (`delegate_to: localhost`, `local_action`)
    /// writing a `dest` or `path`. Ansible makes a relative one absolute from the playbook's folder
    /// (fetch) or the working directory; both are noted, and the text as written.
    private func recordControllerFile(
        _ module: String, key: String, pairs: [YAMLPair], arguments: TaskArguments, scope: TaskScope
    ) {
        let written: String?
        if shortActionName(module) == "fetch" {
            guard let (flat, _) = arguments["flat"], isTrue(flat), let dest = arguments["dest"]?.0 else { return }
            // A folder (ending in /) receives the file under the source's own name.
            let name = arguments["src"].map { Paths.lastComponent($0.0) } ?? ""
            written = dest.hasSuffix("/") ? (name.isEmpty || isTemplated(name) ? nil : dest + name) : dest
        } else {
            let delegate = value(pairs, "delegate_to").map(scope.document.resolve)?.string
            guard key == "local_action" || delegate == "localhost" || delegate == "127.0.0.1" else { return }
            written = (arguments["dest"] ?? arguments["path"])?.0
        }
        guard let written, !written.isEmpty, !written.hasSuffix("/"), !isTemplated(written) else { return }
        controllerFiles.insert(written)
        controllerFiles.insert(Paths.absolute(written, relativeTo: scope.playbookFolder))
        controllerFiles.insert(Paths.absolute(written, relativeTo: settings.currentDirectory))
    }

    /// Ansible rejects task keywords a dynamic include does not take ("'become' is not a valid attribute
    /// for a TaskInclude"), or only warns when `invalid_task_attribute_failed` is off.
    private func checkIncludeKeywords(
        _ kind: String, className: String, pairs: [YAMLPair], actionKey: YAMLNode, scope: TaskScope, isHandler: Bool
    ) {
        let accepted =
            isHandler && className != "IncludeRole"
            ? Keywords.dynamicInclude.union(["listen"]) : Keywords.dynamicInclude
        let severity: Severity = invalidTaskAttributeFailed(for: scope.playbookFolder) ? .error : .warning
        for pair in pairs {
            let isAction = pair.key.line == actionKey.line && pair.key.column == actionKey.column
            guard let key = pair.key.string, key != "<<", !isAction || key == "local_action" else { continue }
            let keyword: String
            if key == "local_action" {
                keyword = "delegate_to"
            } else if key.hasPrefix("with_") && key.count > 5 {
                keyword = "loop_with"
            } else {
                keyword = key
            }
            guard !accepted.contains(keyword) else { continue }
            let shown = key == "local_action" ? "'delegate_to' (from local_action)" : "'\(key)'"
            report(
                severity, "invalid-include-keyword",
                "\(shown) is not a valid attribute for a \(className): \(kind) takes only "
                    + accepted.subtracting(["action", "args", "loop_with"]).sorted().joined(separator: ", ")
                    + "; to set it on the included tasks put it under the include's 'apply:', or use "
                    + (kind == "include_role" ? "import_role" : "import_tasks"),
                file: scope.file, at: pair.key)
        }
    }

    /// Remembers the groups (and hosts) an `add_host` or `group_by` creates, for later plays' `hosts`.
    private func recordRuntimeNames(_ module: String, arguments: TaskArguments) {
        let keys =
            module == "add_host" ? ["groups", "group", "groupname", "name", "host", "hostname"] : ["key", "parents"]
        for key in keys {
            for name in arguments.list(key) ?? [] {
                if isTemplated(name) {
                    runtimeNamesUnknown = true
                } else {
                    runtimeNames.insert(name)
                    recordingExpansion?.runtimeNames.append(name)
                }
            }
        }
        if module == "group_by", arguments["key"] == nil { runtimeNamesUnknown = true }
    }

    private func checkTaskInclude(
        _ kind: String, arguments: TaskArguments, at node: YAMLNode, keyNode: YAMLNode, scope: TaskScope,
        isHandler: Bool, state: inout PlayState
    ) {
        guard let (name, nameNode) = arguments.freeForm ?? arguments["file"] ?? arguments["_raw_params"],
            !name.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            report(
                .error, "no-file-specified",
                "no file specified for \(kind); give the tasks file, e.g. '\(kind): tasks/setup.yml'",
                file: scope.file, at: keyNode)
            return
        }
        if isTemplated(name) {
            if isHandler { state.handlersKnown = false }
            return
        }
        guard let path = findTasksFile(name, scope: scope) else {
            report(
                .error, "missing-tasks-file",
                "tasks file '\(name)' not found; looked in \(taskSearchFolders(scope).map { display($0) + "/" }.joined(separator: ", "))",
                file: scope.file, at: nameNode)
            if isHandler { state.handlersKnown = false }
            return
        }
        if taskFileStack.contains(path) {
            if kind == "import_tasks" {
                report(
                    .error, "import-cycle",
                    "import_tasks cycle: '\(display(path))' imports itself through this task; remove the import",
                    file: scope.file, at: nameNode)
            }
            return
        }
        let key = "tasks:" + path + "|" + (scope.role?.folder ?? "")
        guard visit(key, state: &state) else { return }
        checkTasksFile(path, scope: scope, isHandler: isHandler, state: &state)
    }

    /// Checks a file of tasks (a role's `tasks/main.yml`, an imported file) in `scope`'s role and playbook.
    func checkTasksFile(_ path: String, scope: TaskScope, isHandler: Bool, state: inout PlayState) {
        let file = use(path)
        guard let document = file.document, let root = document.root, !file.failed, !file.isVault else { return }
        let list = document.resolve(root)
        if list.isNull { return }
        guard list.items != nil else {
            report(
                .error, "tasks-file-not-list",
                "a tasks file must be a list of tasks, found \(list.typeDescription); start each task with '- '",
                file: path, at: list)
            return
        }
        var inner = scope
        inner.file = path
        inner.document = document
        inner.includeFolders.append(Paths.parent(path))
        taskFileStack.append(path)
        defer { taskFileStack.removeLast() }
        checkTaskList(list, section: "tasks", scope: inner, isHandler: isHandler, state: &state)
    }

    /// The folders a relative tasks-file path is looked up in, the way Ansible does.
    func taskSearchFolders(_ scope: TaskScope) -> [String] {
        var folders = Array(scope.includeFolders.reversed())
        if let role = scope.role { folders += [role.folder + "/tasks", role.folder] }
        folders.append(scope.playbookFolder)
        return folders.withoutRepeats()
    }

    private func findTasksFile(_ name: String, scope: TaskScope) -> String? {
        taskSearchFolders(scope).lazy.map { Paths.absolute(name, relativeTo: $0) }.first(where: isFile)
    }

    private func checkSource(_ module: String, arguments: TaskArguments, scope: TaskScope) {
        guard let (source, node) = arguments["src"], !source.isEmpty, !isTemplated(source) else { return }
        if module == "copy", let (remote, _) = arguments["remote_src"], isTrue(remote) { return }
        let sub = module == "template" ? "templates" : "files"
        var folders: [String] = []
        if let role = scope.role { folders += [role.folder + "/" + sub, role.folder] }
        for folder in scope.includeFolders.reversed() { folders += [folder + "/" + sub, folder] }
        folders += [scope.playbookFolder + "/" + sub, scope.playbookFolder]
        // An absolute source is the same path from every folder.
        if folders.contains(where: { exists(Paths.absolute(source, relativeTo: $0)) }) { return }
        // Written by an earlier task of the playbook (fetched, or made on the controller).
        if controllerFiles.contains(source)
            || folders.contains(where: { controllerFiles.contains(Paths.absolute(source, relativeTo: $0)) })
        {
            return
        }
        report(
            .warning, "source-not-found",
            "\(module) src '\(source)' not found in \(sub)/ of the role or the playbook's folder; check the name",
            file: scope.file, at: node)
    }
}
