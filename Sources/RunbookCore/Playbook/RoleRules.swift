/// Checks of roles: `roles:` entries, `import_role`/`include_role`, role folders and their dependencies.
extension PlaybookChecker {
    /// What looking a role up found.
    enum RoleLookup {
        case found(RoleReference)
        /// Templated or collection names, which are not judged.
        case notJudged
        case missing(searched: [String])
    }

    func checkRoles(_ node: YAMLNode?, scope: TaskScope, state: inout PlayState) {
        guard let node else { return }
        let roles = scope.document.resolve(node)
        if roles.isNull { return }
        guard let items = roles.items else {
            report(
                .error, "roles-not-list", "'roles' must be a list of roles, found \(roles.typeDescription)",
                file: scope.file, at: roles)
            return
        }
        for item in items.map(scope.document.resolve) {
            guard let (name, nameNode) = roleName(item, document: scope.document) else {
                report(
                    .error, "role-without-name", "a role entry needs a name: '- role: name' or '- name'",
                    file: scope.file, at: item)
                continue
            }
            checkVarsShape(item["vars"], document: scope.document, file: scope.file, owner: "a role")
            useRole(name, at: nameNode, scope: scope, state: &state)
        }
    }

    /// Checks `import_role` / `include_role`: the role exists, and its `tasks_from` file.
    func checkRoleInclude(
        _ kind: String, arguments: TaskArguments, keyNode: YAMLNode, scope: TaskScope, state: inout PlayState
    ) {
        checkVarsShape(arguments.value["vars"], document: scope.document, file: scope.file, owner: kind)
        guard let (name, node) = arguments["name"] ?? arguments["role"] else {
            report(
                .error, "role-without-name", "\(kind) needs the role's name: '\(kind): {name: role}'",
                file: scope.file, at: keyNode)
            return
        }
        let tasksFrom = arguments["tasks_from"]
        let handlersFrom = arguments["handlers_from"]?.0 ?? "main"
        useRole(name, at: node, scope: scope, tasksFrom: tasksFrom, handlersFrom: handlersFrom, state: &state)
    }

    private func useRole(
        _ name: String, at node: YAMLNode, scope: TaskScope, tasksFrom: (String, YAMLNode)? = nil,
        handlersFrom: String = "main", state: inout PlayState
    ) {
        switch findRole(name, scope: scope) {
        case .notJudged:
            state.handlersKnown = false
        case .missing(let searched):
            state.handlersKnown = false
            report(
                .error, "role-not-found",
                "role '\(name)' not found; looked in \(searched.map { display($0) + "/" }.joined(separator: ", ")) "
                    + "(set roles_path in ansible.cfg, or install it)",
                file: scope.file, at: node)
        case .found(let role):
            checkRole(
                role, tasksFrom: tasksFrom, handlersFrom: handlersFrom, scope: scope, reference: node, state: &state)
        }
    }

    /// Looks a role up the way Ansible does: `roles/` beside the playbook, `roles_path`, the
    /// including role's folder, then the playbook's folder.
    func findRole(_ name: String, scope: TaskScope) -> RoleLookup {
        if isTemplated(name) || isCollectionName(name) { return .notJudged }
        var searched = [scope.playbookFolder + "/roles"] + configuredRolesPath(for: scope.playbookFolder)
        if let role = scope.role { searched += [role.folder, Paths.parent(role.folder)] }
        searched.append(scope.playbookFolder)
        var unique: Set<String> = []
        searched = searched.filter { unique.insert($0).inserted }
        for folder in searched where Paths.isFolder(Paths.absolute(name, relativeTo: folder)) {
            return .found(RoleReference(name: name, folder: Paths.absolute(name, relativeTo: folder)))
        }
        return .missing(searched: searched)
    }

    private func checkRole(
        _ role: RoleReference, tasksFrom: (String, YAMLNode)?, handlersFrom: String, scope: TaskScope,
        reference: YAMLNode, state: inout PlayState
    ) {
        let key = "role:" + role.folder + "|" + (tasksFrom?.0 ?? "main")
        guard state.visited.insert(key).inserted else { return }
        if roleStack.contains(role.folder) {
            report(
                .error, "role-dependency-cycle",
                "role '\(role.name)' depends on itself through its meta/main.yml dependencies; remove the cycle",
                file: scope.file, at: reference)
            return
        }
        roleStack.append(role.folder)
        defer { roleStack.removeLast() }
        let roleScope = TaskScope(
            file: scope.file, document: scope.document, playbookFolder: scope.playbookFolder, role: role,
            includeFolders: [])
        if let meta = roleFile(role, "meta", "main") {
            checkDependencies(meta, scope: roleScope, state: &state)
        }
        if let tasksFrom {
            if isTemplated(tasksFrom.0) {
                state.handlersKnown = false
            } else if let path = roleFile(role, "tasks", tasksFrom.0) {
                checkTasksFile(path, scope: roleScope, isHandler: false, state: &state)
            } else {
                report(
                    .error, "missing-tasks-file",
                    "tasks_from '\(tasksFrom.0)' not found in \(display(role.folder))/tasks/",
                    file: scope.file, at: tasksFrom.1)
            }
        } else if let path = roleFile(role, "tasks", "main") {
            checkTasksFile(path, scope: roleScope, isHandler: false, state: &state)
        }
        if isTemplated(handlersFrom) {
            state.handlersKnown = false
        } else if let path = roleFile(role, "handlers", handlersFrom) {
            checkTasksFile(path, scope: roleScope, isHandler: true, state: &state)
        }
    }

    private func checkDependencies(_ meta: String, scope: TaskScope, state: inout PlayState) {
        let file = use(meta)
        guard let document = file.document, let root = document.root,
            let dependencies = document.resolve(root)["dependencies"].map(document.resolve),
            let items = dependencies.items
        else { return }
        var metaScope = scope
        metaScope.file = meta
        metaScope.document = document
        for item in items.map(document.resolve) {
            guard let (name, node) = roleName(item, document: document) else { continue }
            useRole(name, at: node, scope: metaScope, state: &state)
        }
    }

    /// `role/<folder>/<name>` with `.yml`, `.yaml` or no extension, when it exists.
    private func roleFile(_ role: RoleReference, _ folder: String, _ name: String) -> String? {
        let base = role.folder + "/" + folder + "/" + name
        return [base + ".yml", base + ".yaml", base].first(where: Paths.isFile)
    }

    /// The role name of a `roles:` or `dependencies:` entry: a string, or `role:`/`name:` in a mapping.
    private func roleName(_ entry: YAMLNode, document: YAMLDocument) -> (String, YAMLNode)? {
        if let text = entry.string, !entry.isNull { return (text, entry) }
        for key in ["role", "name"] {
            if let node = entry[key].map(document.resolve), let text = node.string, !node.isNull { return (text, node) }
        }
        return nil
    }
}
