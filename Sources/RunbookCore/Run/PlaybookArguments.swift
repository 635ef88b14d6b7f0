/// The ansible-playbook flags that select and shape a run: limit, tags, extra vars, check and diff,
/// verbosity, forks.
public struct PlaybookSelection: Sendable, Hashable {
    /// `--limit` pattern.
    public var limit: String?
    /// `--tags`.
    public var tags: [String] = []
    /// `--skip-tags`.
    public var skipTags: [String] = []
    /// `-e` values (`key=value`, JSON, or `@file`).
    public var extraVars: [String] = []
    /// `--check`.
    public var check = false
    /// `--diff`.
    public var diff = false
    /// Number of `-v`s.
    public var verbosity = 0
    /// `--forks`.
    public var forks: Int?
    /// `-b/--become`, `--become-user`, `--become-method`.
    public var become = false
    public var becomeUser: String?
    public var becomeMethod: String?
    /// `-u/--user`, `-c/--connection`, ansible's `-T/--timeout` (SSH connection timeout, seconds).
    public var remoteUser: String?
    public var connection: String?
    public var connectionTimeout: Int?
    /// `--private-key` (absolute; mounted read-only at the same path).
    public var privateKey: String?
    /// `--list-tasks`, `--list-hosts`, `--list-tags`, `--start-at-task`.
    public var listTasks = false
    public var listHosts = false
    public var listTags = false
    public var startAtTask: String?
    /// Every ansible-playbook option given after `--`, unchanged.
    public var passthrough: [String] = []
    /// `--slice I/N`: not an ansible-playbook flag; the entry applies it (see `PlaybookArguments.entryCommand`).
    public var slice: HostSlice?

    /// Makes an empty selection (the whole playbook, no flags).
    public init() {}

    /// The flags, in ansible-playbook's spelling.
    public var arguments: [String] {
        var argv: [String] = []
        if let limit { argv += ["--limit", limit] }
        if !tags.isEmpty { argv += ["--tags", tags.joined(separator: ",")] }
        if !skipTags.isEmpty { argv += ["--skip-tags", skipTags.joined(separator: ",")] }
        for value in extraVars { argv += ["--extra-vars", value] }
        if check { argv.append("--check") }
        if diff { argv.append("--diff") }
        if verbosity > 0 { argv.append("-" + String(repeating: "v", count: min(verbosity, 6))) }
        if let forks { argv += ["--forks", String(forks)] }
        if become { argv.append("--become") }
        if let becomeUser { argv += ["--become-user", becomeUser] }
        if let becomeMethod { argv += ["--become-method", becomeMethod] }
        if let remoteUser { argv += ["--user", remoteUser] }
        if let connection { argv += ["--connection", connection] }
        if let connectionTimeout { argv += ["--timeout", String(connectionTimeout)] }
        if let privateKey { argv += ["--private-key", privateKey] }
        if listTasks { argv.append("--list-tasks") }
        if listHosts { argv.append("--list-hosts") }
        if listTags { argv.append("--list-tags") }
        if let startAtTask { argv += ["--start-at-task", startAtTask] }
        return argv + passthrough
    }

    /// ansible-playbook options that must not be passed through after `--`, each with what to use:
    /// runbook would have to reach a host-only file or a prompt for them, or they break its contract.
    public static let refusedPassthrough: [(options: [String], instead: String)] = [
        (["-i", "--inventory", "--inventory-file"], "use runbook's -i (before --), which mounts the inventory"),
        (
            [
                "--vault-id", "--vault-password-file", "--vault-pass-file", "-J", "--ask-vault-pass",
                "--ask-vault-password",
            ],
            "use runbook's --vault-id, --vault-password-file or --ask-vault-pass (before --): runbook reads "
                + "vault passwords on this machine and hands them over without a file the container cannot see"
        ),
        (
            ["-K", "--ask-become-pass", "--ask-become-password", "--become-password-file", "--become-pass-file"],
            "use runbook's -K/--ask-become-pass (before --)"
        ),
        (
            ["-k", "--ask-pass", "--connection-password-file", "--conn-pass-file"],
            "connection passwords are not supported; use an SSH key (--private-key) or an ssh-agent"
        ),
        (["--private-key", "--key-file"], "use runbook's --private-key (before --), which mounts the key read-only"),
        (["--step"], "--step needs ansible's standard input, which runbook uses to watch the run; not supported"),
    ]

    /// Throws a usage error naming the first pass-through option runbook refuses, and what to use.
    public func checkPassthrough() throws {
        for argument in passthrough where argument.hasPrefix("-") {
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            if let refused = Self.refusedPassthrough.first(where: { $0.options.contains(name) }) {
                throw RunbookError.usage("'\(argument)' after --: \(refused.instead)")
            }
        }
    }
}

/// What to pass to ansible-playbook: the playbook, inventories and the selection flags.
public struct PlaybookArguments: Sendable, Hashable {
    /// The playbook's absolute path.
    public var playbook: String
    /// Inventory sources (`-i`), absolute paths or host lists.
    public var inventories: [String] = []
    /// Limit, tags, extra vars, check/diff, verbosity, forks, become, connection, pass-through.
    public var selection = PlaybookSelection()
    /// `--vault-id label@FILE` / `--become-password-file FILE` for the files the entry writes.
    public var secretArguments: [String] = []

    /// Makes arguments for a playbook.
    public init(playbook: String) {
        self.playbook = playbook
    }

    /// The entry's command line around it: `runbook exec-playbook --secrets DIR [--slice I/N] -- ansible-playbook …`.
    public func entryCommand(runbook: String, secretsFolder: String) -> [String] {
        [runbook, "exec-playbook", "--secrets", secretsFolder]
            + (selection.slice.map { ["--slice", $0.description] } ?? []) + ["--"] + commandLine
    }

    /// The ansible-playbook command line, starting with `ansible-playbook`.
    public var commandLine: [String] {
        var argv = ["ansible-playbook"]
        for inventory in inventories { argv += ["-i", inventory] }
        argv += selection.arguments
        argv += secretArguments
        argv.append(playbook)
        return argv
    }
}
