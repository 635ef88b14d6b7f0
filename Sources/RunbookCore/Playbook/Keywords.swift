/// The keywords Ansible (ansible-core 2.19) accepts on each playbook object, after its
/// "Playbook Keywords" reference and the field attributes of `lib/ansible/playbook/`.
enum Keywords {
    /// Keywords every playbook object has (Ansible's `Base`, become, tags, collections).
    static let common: Set<String> = [
        "name", "connection", "port", "remote_user", "vars", "module_defaults", "environment", "no_log",
        "run_once", "ignore_errors", "ignore_unreachable", "check_mode", "diff", "any_errors_fatal",
        "throttle", "timeout", "debugger", "become", "become_method", "become_user", "become_flags",
        "become_exe", "collections", "tags",
    ]

    /// Keywords of a play.
    static let play: Set<String> = common.union([
        "hosts", "gather_facts", "gather_subset", "gather_timeout", "fact_path", "vars_files", "vars_prompt",
        "roles", "handlers", "pre_tasks", "post_tasks", "tasks", "force_handlers", "max_fail_percentage",
        "serial", "strategy", "order",
    ])

    /// Keywords of an `import_playbook` entry.
    static let importPlaybook: Set<String> = common.union(["import_playbook", "when"])

    /// Keywords of a block.
    static let block: Set<String> = common.union([
        "block", "rescue", "always", "when", "delegate_to", "delegate_facts", "notify",
    ])

    /// Keywords of a task; anything else in a task is an action (a module name).
    static let task: Set<String> = common.union([
        "action", "local_action", "args", "async", "changed_when", "delay", "delegate_to", "delegate_facts",
        "failed_when", "loop", "loop_control", "notify", "poll", "register", "retries", "until", "when",
        "listen",
    ])

    /// The keywords a dynamic include (`include_tasks`, `include_role`) accepts, after Ansible's task
    /// preprocessing has turned the module key into `action`, `local_action` into `action` plus
    /// `delegate_to`, and `with_<lookup>` into `loop_with`. From ansible-core 2.19:
    /// `lib/ansible/playbook/task_include.py` (`TaskInclude.VALID_INCLUDE_KEYWORDS`, checked in its
    /// `preprocess_data` for `_ACTION_ALL_INCLUDE_ROLE_TASKS` only, so `import_*` take every task
    /// keyword), `role_include.py` (`IncludeRole` inherits that check) and
    /// `handler_task_include.py` (`HandlerTaskInclude` adds `listen`).
    static let dynamicInclude: Set<String> = [
        "action", "args", "collections", "debugger", "ignore_errors", "loop", "loop_control", "loop_with", "name",
        "no_log", "register", "run_once", "tags", "timeout", "vars", "when",
    ]

    /// Keywords of a role entry in a play's `roles` (other keys are role parameters).
    static let role: Set<String> = common.union(["role", "when", "delegate_to", "delegate_facts"])

    /// The task sections of a play.
    static let taskSections = ["pre_tasks", "tasks", "post_tasks", "handlers"]

    /// Whether `key` is a loop keyword: `loop` or `with_<lookup>`.
    static func isLoop(_ key: String) -> Bool {
        key == "loop" || (key.hasPrefix("with_") && key.count > 5)
    }

    /// The lookup plugins ansible-core ships, which `with_<lookup>` can name without a collection.
    static let builtinLookups: Set<String> = [
        "config", "csvfile", "dict", "env", "file", "fileglob", "first_found", "indexed_items", "ini",
        "inventory_hostnames", "items", "lines", "list", "nested", "password", "pipe", "random_choice", "sequence",
        "subelements", "template", "together", "unvault", "url", "varnames", "vars",
    ]

    /// Loop keywords whose value must render to a list.
    /// Keywords whose values are bare Jinja expressions (no `{{ }}` needed).
    static let conditionals: Set<String> = ["when", "changed_when", "failed_when", "until"]

    static let listLoops: Set<String> = ["loop", "with_items", "with_list", "with_flattened"]
}

/// An action name without the `ansible.builtin.` / `ansible.legacy.` prefix, so that
/// `ansible.builtin.import_tasks` and `import_tasks` compare equal.
func shortActionName(_ name: String) -> String {
    // Byte by byte: it runs for every key of every task.
    let utf8 = name.utf8
    guard utf8.first == UInt8(ascii: "a") else { return name }
    for prefix in ["ansible.builtin.", "ansible.legacy."] where name.hasBytePrefix(prefix) {
        return String(name[utf8.index(utf8.startIndex, offsetBy: prefix.utf8.count)...])
    }
    return name
}

/// Whether a string holds a Jinja template, so it cannot be judged statically.
func isTemplated(_ text: String) -> Bool {
    text.containsBytes("{{") || text.containsBytes("{%")
}
