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
        return argv
    }
}

/// What to pass to ansible-playbook: the playbook, inventories and the selection flags.
public struct PlaybookArguments: Sendable, Hashable {
    /// The playbook's absolute path.
    public var playbook: String
    /// Inventory sources (`-i`), absolute paths or host lists.
    public var inventories: [String] = []
    /// Limit, tags, extra vars, check/diff, verbosity, forks.
    public var selection = PlaybookSelection()

    /// Makes arguments for a playbook.
    public init(playbook: String) {
        self.playbook = playbook
    }

    /// The ansible-playbook command line, starting with `ansible-playbook`.
    public var commandLine: [String] {
        var argv = ["ansible-playbook"]
        for inventory in inventories { argv += ["-i", inventory] }
        argv += selection.arguments
        argv.append(playbook)
        return argv
    }
}
