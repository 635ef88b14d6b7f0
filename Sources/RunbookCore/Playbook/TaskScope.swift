/// Where a list of tasks comes from, for resolving the paths its tasks reference.
struct TaskScope {
    /// The file holding the tasks (absolute).
    var file: String
    /// The YAML document of that file, for resolving aliases.
    var document: YAMLDocument
    /// The folder of the playbook the tasks run in (Ansible's base directory).
    var playbookFolder: String
    /// The role the tasks belong to, if any.
    var role: RoleReference?
    /// The folders of the task files that included this one, outermost first, this file's last.
    var includeFolders: [String]
    /// The collections bare role names are looked for in first: the play's `collections:` keyword in
    /// the play, the role's `meta/main.yml` `collections:` (and its own collection) inside a role.
    var collections: [String] = []
    /// Whether a play, block or role above sets `module_defaults` (which can supply required arguments).
    var moduleDefaults = false
    /// The folders of the task's role and of the roles being expanded, captured when an index check
    /// is handed to the deep worker (whose own checker expands no roles).
    var expandedRoleFolders: [String]?
}

/// A role found on disk.
struct RoleReference: Hashable {
    /// The name it was referenced by.
    var name: String
    /// Its folder (absolute).
    var folder: String
    /// The collection it lives in (`namespace.name`), when it was found in one.
    var collection: String?
}

/// What one play collects while it is checked: its handlers, its notifications, what was visited.
struct PlayState {
    /// Handler names and `listen` topics, also as `role : name`.
    var handlers: Set<String> = []
    /// False when some handler source could not be judged (a templated path, a collection role).
    var handlersKnown = true
    /// Each `notify` target with where it was written.
    var notifications: [(name: String, location: SourceLocation)] = []
    /// Task files and roles already checked in this play (room for a role-heavy play up front: growing
    /// a set hashes every path in it again).
    var visited = Set<String>(minimumCapacity: 32)
}

/// One role being expanded and how it was entered: by a `meta/main.yml` dependency or by a play's
/// `roles:` / an `include_role` / `import_role` (with its `tasks_from`).
struct RoleLink {
    /// The role's folder.
    var folder: String
    /// The name it was referenced by.
    var name: String
    /// The tasks file entered (`main` unless `tasks_from`).
    var tasksFrom: String
    /// Whether a `meta/main.yml` dependency entered it.
    var viaDependency: Bool
    /// Where the reference was written.
    var location: SourceLocation
}
