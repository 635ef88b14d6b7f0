/// What `runbook validate` was asked to check.
public struct ValidationRequest: Sendable {
    /// Playbook files or folders as given; empty means `Playbooks/` of the workspace.
    public var paths: [String]
    /// Inventory files, folders or host lists as given (relative to `currentDirectory`); the command
    /// fills them from the `inventory` setting, whose default is `Inventory/` when present.
    public var inventories: [String]
    /// The workspace folder (absolute).
    public var workspace: String
    /// The folder relative paths are resolved from and shown against (absolute).
    public var currentDirectory: String
    /// The environment Ansible's `ANSIBLE_ROLES_PATH` and `HOME` (for ~/.ansible/roles) are read from.
    public var environment: [String: String]
    /// The image's plugin index: with it, modules and their arguments are checked too.
    public var index: ImageIndex?
    /// Whether the image the run will use is built from the workspace's requirements (apply, before
    /// the image is ready): roles they declare are then left to the index's pass instead of being
    /// reported as not installed here.
    public var requirementsInImage = false
    /// The requirements files runbook installs into the image (the `requirements` setting, absolute);
    /// nil for the workspace's requirements.yml files. Messages about a missing role or collection say
    /// whether one of them asks for it.
    public var requirementFiles: [String]?
    /// Whether the index checks run on a second thread while the playbooks are walked (the report is
    /// the same either way; tests compare the two).
    var deepChecksInParallel = true
    /// How many threads check playbooks at once (each playbook on its own; the report is the same
    /// for any number): nil for one per processor, at most 8. Tests set 1 to compare.
    var checkerThreads: Int?
    /// Whether what the validation parsed and looked up is left for the process's exit to free (a
    /// one-shot command that exits right after; see UntilExit).
    var keepUntilExit = false
    /// Playbooks parsed ahead, while the image index was looked up (see PlaybookValidator.prefetch).
    var prefetched: PlaybookValidator.Prefetch?

    /// Makes a request.
    public init(
        paths: [String], inventories: [String] = [], workspace: String, currentDirectory: String,
        environment: [String: String] = [:]
    ) {
        self.environment = environment
        self.paths = paths
        self.inventories = inventories
        self.workspace = workspace
        self.currentDirectory = currentDirectory
    }
}

/// The outcome of a validation: the files read and every finding, sorted by position.
public struct ValidationReport: Sendable {
    /// Display paths of the files read.
    public var files: [String]
    /// Every finding.
    public var diagnostics: [Diagnostic]

    /// Makes a report.
    public init(files: [String], diagnostics: [Diagnostic]) {
        self.files = files
        self.diagnostics = diagnostics
    }

    /// The number of errors.
    public var errorCount: Int { diagnostics.count { $0.severity == .error } }
    /// The number of warnings.
    public var warningCount: Int { diagnostics.count { $0.severity == .warning } }

    /// 0 when clean, 65 (data error) when there are errors, or with `strict` warnings too.
    public func exitStatus(strict: Bool) -> ExitStatus {
        errorCount > 0 || (strict && warningCount > 0) ? .dataError : .success
    }
}
