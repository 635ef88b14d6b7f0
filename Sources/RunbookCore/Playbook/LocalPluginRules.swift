#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The workspace's own plugin folders (`library/`, `action_plugins/`, `filter_plugins/`, …) beside the
/// playbook and in the roles being expanded: a name found there is the workspace's, not the image's, to judge.
extension PlaybookChecker {
    /// Whether a module or action of this name sits in a `library/` or `action_plugins/` folder Ansible
    /// would search (beside the playbook, in the role, in the roles being expanded), or a configured
    /// library path could hold one.
    func hasLocalPlugin(_ name: String, scope: TaskScope) -> Bool {
        if modulePathsFromEnvironment { return true }
        // Asked for every task with a bare module name: the playbook folder's plugins and each role
        // folder's are looked at in turn, without merging them under a key of the task's context,
        // and without hashing a path the previous tasks already asked about.
        guard let base = baseModules(scope.playbookFolder), base.isEmpty || !base.contains(name) else { return true }
        if let expanded = scope.expandedRoleFolders {
            return expanded.contains { folderHolds(name, $0) }
        }
        if let own = scope.role?.folder, folderHolds(name, own) { return true }
        return roleStack.contains { folderHolds(name, $0.folder) }
    }

    /// The module names of the playbook folder's plugins (see basePlugins); nil when any may be one.
    private func baseModules(_ playbookFolder: String) -> Set<String>? {
        if let last = deep.lastBaseModules, last.folder == playbookFolder { return last.modules }
        let modules = basePlugins(playbookFolder).modules
        deep.lastBaseModules = (playbookFolder, modules)
        return modules
    }

    /// Whether one role folder's `library/` or `action_plugins/` has `name` (or may have any).
    private func folderHolds(_ name: String, _ folder: String) -> Bool {
        let modules: Set<String>?
        if let recent = deep.recentFolderModules.first(where: { $0.folder == folder }) {
            modules = recent.modules
        } else {
            modules = folderPlugins(folder).modules
            if deep.recentFolderModules.count == 8 { deep.recentFolderModules.removeFirst() }
            deep.recentFolderModules.append((folder, modules))
        }
        guard let modules else { return true }
        return !modules.isEmpty && modules.contains(name)
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
        var plugins = basePlugins(scope.playbookFolder)
        for folder in roleFolders(scope) {
            plugins.add(folderPlugins(folder))
        }
        deep.localPluginsByContext[context] = plugins
        deep.lastPlugins = plugins
        return plugins
    }

    /// The plugins of the playbook's folder, the workspace and every role on disk (its `roles/`, the
    /// workspace's, `roles_path`), worked out once per playbook folder.
    private func basePlugins(_ playbookFolder: String) -> LocalPlugins {
        if let known = deep.localPluginsByPlaybookFolder[playbookFolder] { return known }
        var found = LocalPlugins()
        let configs = configs(for: playbookFolder)
        // The configured library and action plugin folders hold what they list (a missing one nothing).
        for config in configs {
            if config.moduleFoldersUnknown { found.modules = nil }
            for folder in config.moduleFolders {
                found.modules?.formUnion(Self.moduleNames(listing(folder)))
            }
        }
        if configs.contains(where: { $0.hasJinjaPluginPath }) { found.anyJinja = true }
        found.add(folderPlugins(playbookFolder))
        found.add(folderPlugins(settings.workspace))
        let rolesFolders =
            [playbookFolder + "/roles", settings.workspace + "/roles"] + configuredRolesPath(for: playbookFolder)
        for rolesFolder in rolesFolders { found.add(rolesFolderPlugins(rolesFolder)) }
        deep.localPluginsByPlaybookFolder[playbookFolder] = found
        return found
    }

    /// The plugins of every role in a roles folder, worked out once per folder (the playbook folders
    /// of a repository mostly share their roles folders).
    private func rolesFolderPlugins(_ rolesFolder: String) -> LocalPlugins {
        if let known = deep.rolesFolderPlugins[rolesFolder] { return known }
        var found = LocalPlugins()
        for role in listing(rolesFolder) { found.add(folderPlugins(rolesFolder + "/" + role)) }
        deep.rolesFolderPlugins[rolesFolder] = found
        return found
    }

    /// The plugins one folder's `library/`, `action_plugins/`, `lookup_plugins/`, `filter_plugins/`
    /// and `test_plugins/` hold.
    private func folderPlugins(_ folder: String) -> LocalPlugins {
        if let known = deep.folderPlugins[folder] { return known }
        var found = LocalPlugins()
        // One listing of the folder answers which plugin folders it has (a role rarely has any); a
        // role folder has a handful of entries, searched in place rather than hashed into a set.
        let entries = listing(folder)
        for kind in ["library", "action_plugins"] where entries.contains(kind) {
            found.modules?.formUnion(Self.moduleNames(listing(folder + "/" + kind)))
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

    /// The module or action names a plugin folder's entries give: each entry as it is, and without its
    /// extension (Ansible's module loader indexes every file by its name without one: `.py`, `.ps1`,
    /// `.sh`, `.pl`, …).
    static func moduleNames(_ entries: [String]) -> [String] {
        entries
            + entries.compactMap { entry in
                guard let dot = entry.utf8.lastIndex(of: UInt8(ascii: ".")), dot != entry.utf8.startIndex else {
                    return nil
                }
                return String(entry[..<dot])
            }
    }

    /// A folder's entries, read once per validation.
    func listing(_ folder: String) -> [String] {
        if let known = folderListings[folder] { return known }
        let names = settings.shared?.listing(folder) ?? RawFiles.listing(folder) ?? []
        folderListings[folder] = names
        return names
    }
}
