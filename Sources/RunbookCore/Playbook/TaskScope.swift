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
}

/// A role found on disk.
struct RoleReference: Hashable {
    /// The name it was referenced by.
    var name: String
    /// Its folder (absolute).
    var folder: String
}

/// What one play collects while it is checked: its handlers, its notifications, what was visited.
struct PlayState {
    /// Handler names and `listen` topics, also as `role : name`.
    var handlers: Set<String> = []
    /// False when some handler source could not be judged (a templated path, a collection role).
    var handlersKnown = true
    /// Each `notify` target with where it was written.
    var notifications: [(name: String, location: SourceLocation)] = []
    /// Task files and roles already checked in this play.
    var visited: Set<String> = []
}
