/// Checks of roles: `roles:` entries, `import_role`/`include_role`, role folders and their dependencies.
extension PlaybookChecker {
    /// What looking a role up found.
    enum RoleLookup {
        case found(RoleReference)
        /// Templated or collection names, which are not judged.
        case notJudged
        case missing(searched: [String])
        /// Judged by the image's index: the message says what is missing.
        case notInImage(String)
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

    /// Checks `import_role` / `include_role`: the role exists, and its `tasks_from` file. A task's own
    /// `collections:` replaces the scope's list for the lookup.
    func checkRoleInclude(
        _ kind: String, arguments: TaskArguments, keyNode: YAMLNode, taskCollections: [String]?, scope: TaskScope,
        state: inout PlayState
    ) {
        var scope = scope
        if let taskCollections { scope.collections = taskCollections }
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
        handlersFrom: String = "main", viaDependency: Bool = false, state: inout PlayState
    ) {
        switch findRole(name, scope: scope) {
        case .notJudged:
            state.handlersKnown = false
        case .missing(let searched):
            state.handlersKnown = false
            if let declaration = declaredRole(name, playbookFolder: scope.playbookFolder) {
                let declared = declaration.location
                let inWorkspace = declaration.installedByRunbook
                // runbook installs the workspace's requirements into its image: judged by the image's
                // index when there is one; left to that pass when apply is about to build the image.
                if inWorkspace, settings.index?.imageRoles != nil || settings.requirementsInImage {
                    if settings.index?.imageRoles != nil {
                        report(
                            .error, "role-not-in-image",
                            "role '\(name)' is declared in \(declared.file):\(declared.line) but the image has no "
                                + "such role; `runbook image ensure` rebuilds it from the requirements",
                            file: scope.file, at: node)
                    }
                    return
                }
                report(
                    .error, "role-not-installed",
                    "role '\(name)' is declared in \(declared.file):\(declared.line) but not installed here; "
                        + (inWorkspace
                            ? "`runbook apply` installs it into the image; to check it here, validate against that "
                                + "image (`runbook image ensure`, then validate without --no-image)"
                            : "install it with `ansible-galaxy role install -r \(declared.file)` (or set roles_path)"),
                    file: scope.file, at: node)
                return
            }
            // `galaxy/name`: a role of a requirements file installed into a folder of its own
            // (`ansible-galaxy role install -r requirements.yml -p roles/galaxy`), which has not run here.
            if name.containsByte(UInt8(ascii: "/")), !name.hasBytePrefix("/"),
                let declared = declaredRole(Paths.lastComponent(name), playbookFolder: scope.playbookFolder)?.location
            {
                let folder = display(Paths.parent(Paths.absolute(name, relativeTo: scope.playbookFolder + "/roles")))
                report(
                    .error, "role-not-installed",
                    "role '\(name)' is '\(Paths.lastComponent(name))' of \(declared.file):\(declared.line), not installed "
                        + "here; install it with `ansible-galaxy role install -r \(declared.file) -p \(folder)`",
                    file: scope.file, at: node)
                return
            }
            // The role a Molecule scenario tests: Molecule puts it on the roles path, ansible-playbook
            // alone does not (and rejects the playbook, as here).
            let hint =
                moleculeRole(name, playbookFolder: scope.playbookFolder).map {
                    "; it is \($0 == settings.currentDirectory ? "." : display($0))/, the role this Molecule scenario "
                        + "tests, which Molecule puts on the roles path when it runs the scenario "
                        + "(ansible-playbook alone does not)"
                } ?? " (set roles_path in ansible.cfg, or install it)"
            report(
                .error, "role-not-found",
                "role '\(name)' not found; looked in \(searched.map { display($0) + "/" }.joined(separator: ", "))"
                    + hint,
                file: scope.file, at: node)
        case .notInImage(let message):
            state.handlersKnown = false
            report(.error, "role-not-in-image", message, file: scope.file, at: node)
        case .found(let role):
            let link = RoleLink(
                folder: role.folder, name: name, tasksFrom: tasksFrom?.0 ?? "main", viaDependency: viaDependency,
                location: location(scope.file, node))
            checkRole(
                role, link: link, tasksFrom: tasksFrom, handlersFrom: handlersFrom, scope: scope, reference: node,
                state: &state)
        }
    }

    /// Looks a role up the way Ansible does (`RoleDefinition._load_role_path`): a bare name in the
    /// collections of the scope's `collections:` list first, then `roles/` beside the playbook,
    /// `roles_path`, the including role's folder and the playbook's folder. A bare name that may come
    /// from a collection runbook cannot see, and a collection role (`ns.collection.role`) that is not
    /// installed where Ansible looks, are not judged.
    func findRole(_ name: String, scope: TaskScope) -> RoleLookup {
        if isTemplated(name) { return .notJudged }
        let key =
            [name, scope.playbookFolder, scope.role?.folder ?? ""].joined(separator: "\u{0}") + "\u{0}"
            + scope.collections.joined(separator: ",")
        if let known = roleLookups[key] { return known }
        let lookup = lookUpRole(name, scope: scope)
        roleLookups[key] = lookup
        return lookup
    }

    private func lookUpRole(_ name: String, scope: TaskScope) -> RoleLookup {
        let roots = collectionRoots(for: scope.playbookFolder)
        if isCollectionName(name) {
            let parts = name.splitBytes(".").map(String.init)
            let collection = parts[0] + "." + parts[1]
            guard parts.count == 3, let installed = collectionFolder(collection, roots: roots) else {
                return parts.count == 3
                    ? imageRole(collection, parts[2], playbookFolder: scope.playbookFolder) : .notJudged
            }
            guard let folder = collectionRole(collection, parts[2], roots: roots) else {
                return .missing(searched: [installed + "/roles"])
            }
            return .found(RoleReference(name: name, folder: folder, collection: collection))
        }
        let collections = scope.collections.filter { isCollectionListEntry($0) }
        for collection in collections {
            if let folder = collectionRole(collection, name, roots: roots) {
                return .found(RoleReference(name: name, folder: folder, collection: collection))
            }
        }
        var searched = [scope.playbookFolder + "/roles"] + configuredRolesPath(for: scope.playbookFolder)
        if let role = scope.role { searched += [role.folder, Paths.parent(role.folder)] }
        searched.append(scope.playbookFolder)
        searched = searched.withoutRepeats()
        for folder in searched where isFolder(Paths.absolute(name, relativeTo: folder)) {
            return .found(RoleReference(name: name, folder: Paths.absolute(name, relativeTo: folder)))
        }
        if let folder = roleFromRunFolder(name, playbookFolder: scope.playbookFolder) {
            return .found(RoleReference(name: Paths.lastComponent(name), folder: folder))
        }
        // Installed into the image from the workspace's requirements (its files are not on disk here).
        if settings.index?.imageRoles?.contains(name) == true { return .notJudged }
        // Not on disk: it may be in a listed collection that is not installed here (the image has it),
        // which the image's index can tell.
        let elsewhere = collections.filter { collectionFolder($0, roots: roots) == nil }
        if !elsewhere.isEmpty {
            guard let index = settings.index,
                elsewhere.allSatisfy({ index.collections[$0] != nil && index.roles?[$0] != nil })
            else { return .notJudged }
            if elsewhere.contains(where: { index.roles?[$0]?.contains(name) == true }) { return .notJudged }
            searched += elsewhere.map { "the image's \($0)/roles" }
        }
        return .missing(searched: searched)
    }

    /// Ansible's last resort: the name as a path (`~` expanded) from the folder ansible-playbook runs
    /// in. runbook does not know that folder, so it tries each one a user plausibly runs from: the
    /// current folder, the workspace, and any folder above the playbook that holds an `ansible.cfg` (a
    /// project run from its own folder, as `roles: [../roles/web]` in a playbook one level down expects).
    private func roleFromRunFolder(_ name: String, playbookFolder: String) -> String? {
        let path = Paths.expandingTilde(name, home: home)
        if path.hasBytePrefix("/") { return nil }  // the search above has tried it
        let folders =
            [settings.currentDirectory, settings.workspace]
            + Paths.ancestors(of: playbookFolder).filter { isFile($0 + "/ansible.cfg") }
        return folders.lazy.map { Paths.absolute(path, relativeTo: $0) }.first(where: isFolder)
    }

    /// A collection role (`ns.coll.role`) whose collection is not on disk here, judged by the image's
    /// index: there (not expanded: its files are in the image), missing from it, or from a collection
    /// the image does not have.
    private func imageRole(_ collection: String, _ role: String, playbookFolder: String) -> RoleLookup {
        guard let index = settings.index, let roles = index.roles else { return .notJudged }
        guard index.collections[collection] != nil else {
            return .notInImage(
                "collection \(collection) is not in the image, so its role '\(role)' cannot be found; "
                    + collectionAdvice(collection, playbookFolder: playbookFolder))
        }
        if roles[collection]?.contains(role) == true { return .notJudged }
        return .notInImage(
            "collection \(collection) \(index.collections[collection] ?? "") in the image has no role '\(role)'"
                + didYouMean(role, in: roles[collection] ?? []))
    }

    /// A `collections:` entry that can hold roles (not `ansible.builtin` / `ansible.legacy`).
    private func isCollectionListEntry(_ name: String) -> Bool {
        name != "ansible.builtin" && name != "ansible.legacy" && name.splitBytes(".").count == 2
    }

    /// The installed collection's folder under the first root that has it.
    func collectionFolder(_ collection: String, roots: [String]) -> String? {
        let key = collection + "\u{0}" + roots.joined(separator: ":")
        if let known = collectionFolders[key] { return known }
        let found = findCollectionFolder(collection, roots: roots)
        collectionFolders[key] = found
        return found
    }

    private func findCollectionFolder(_ collection: String, roots: [String]) -> String? {
        let parts = collection.splitBytes(".")
        guard parts.count == 2 else { return nil }
        for root in roots {
            let base = root.hasSuffix("/ansible_collections") ? root : root + "/ansible_collections"
            let folder = base + "/" + parts[0] + "/" + parts[1]
            if isFolder(folder) { return folder }
        }
        return nil
    }

    /// `roles/<role>` of an installed collection, when it has one.
    private func collectionRole(_ collection: String, _ role: String, roots: [String]) -> String? {
        guard let folder = collectionFolder(collection, roots: roots) else { return nil }
        let path = folder + "/roles/" + role
        return isFolder(path) ? path : nil
    }

    private func checkRole(
        _ role: RoleReference, link: RoleLink, tasksFrom: (String, YAMLNode)?, handlersFrom: String,
        scope: TaskScope, reference: YAMLNode, state: inout PlayState
    ) {
        if let start = roleStack.lastIndex(where: { $0.folder == role.folder }) {
            // Back into a role being expanded. Only a loop of meta/main.yml dependencies is a cycle;
            // an include_role/import_role of another tasks file of it is a normal call, and a repeat
            // of the same one is where Ansible, running it, would stop recursing: stop without a word.
            let links = Array(roleStack[(start + 1)...]) + [link]
            if links.allSatisfy(\.viaDependency) {
                let names = ([roleStack[start]] + links).map(\.name).joined(separator: " → ")
                let places = links.map { "\($0.location.file):\($0.location.line)" }.joined(separator: ", ")
                report(
                    .error, "role-dependency-cycle",
                    "role dependency cycle: \(names) (meta/main.yml dependencies at \(places)); remove one of them",
                    file: scope.file, at: reference)
                return
            }
            if roleStack.contains(where: { $0.folder == role.folder && $0.tasksFrom == link.tasksFrom }) {
                return
            }
        }
        let key = "role:" + role.folder + "|" + link.tasksFrom
        guard visit(key, state: &state) else { return }
        guard
            let memo = expansionKey(
                role, link: link, tasksFrom: tasksFrom, handlersFrom: handlersFrom, scope: scope)
        else {
            expandRole(role, link: link, tasksFrom: tasksFrom, handlersFrom: handlersFrom, scope: scope, state: &state)
            return
        }
        replayOrRecord(memo, state: &state) {
            expandRole(role, link: link, tasksFrom: tasksFrom, handlersFrom: handlersFrom, scope: scope, state: &$0)
        }
    }

    /// The role's dependencies, tasks and handlers, checked within it.
    private func expandRole(
        _ role: RoleReference, link: RoleLink, tasksFrom: (String, YAMLNode)?, handlersFrom: String,
        scope: TaskScope, state: inout PlayState
    ) {
        roleStack.append(link)
        defer { roleStack.removeLast() }
        let meta = roleFile(role, "meta", "main")
        var roleScope = TaskScope(
            file: scope.file, document: scope.document, playbookFolder: scope.playbookFolder, role: role,
            includeFolders: [])
        roleScope.collections = (role.collection.map { [$0] } ?? []) + (meta.map(metaCollections) ?? [])
        roleScope.moduleDefaults = scope.moduleDefaults
        if let meta {
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
            useRole(name, at: node, scope: metaScope, viaDependency: true, state: &state)
        }
    }

    /// The `collections:` of a role's `meta/main.yml`.
    private func metaCollections(_ meta: String) -> [String] {
        let file = use(meta)
        guard let document = file.document, let root = document.root else { return [] }
        return collectionList(document.resolve(root)["collections"], document: document)
    }

    /// `role/<folder>/<name>` with `.yml`, `.yaml` or no extension, when it exists.
    private func roleFile(_ role: RoleReference, _ folder: String, _ name: String) -> String? {
        let base = role.folder + "/" + folder + "/" + name
        return [base + ".yml", base + ".yaml", base].first(where: isFile)
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
