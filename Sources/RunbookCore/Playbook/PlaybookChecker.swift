#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Settings for one run of the playbook checker.
struct CheckerSettings {
    /// The workspace folder (absolute); its `ansible.cfg` gives `roles_path`.
    var workspace: String
    /// The folder display paths are made relative to (absolute).
    var currentDirectory: String
    /// The static inventory plays' `hosts` are matched against, if any.
    var hostMatcher: (any HostPatternMatching)?
    /// The YAML loader and its limits.
    var loader: YAMLLoader = YAMLLoader()
    /// The environment (`ANSIBLE_ROLES_PATH`, `HOME`).
    var environment: [String: String] = [:]
    /// The image's plugin index: modules and their arguments are checked against it when present.
    var index: ImageIndex?
    /// Whether the workspace's requirements will be installed into the image (see ValidationRequest).
    var requirementsInImage = false
    /// The requirements files runbook installs into the image (the `requirements` setting), absolute;
    /// nil for its default, the workspace's requirements.yml files.
    var requirementFiles: [String]?
    /// Whether the index checks run on a second thread (see DeepWorker).
    var deepChecksInParallel = true
    /// What any checker of the run has looked up, when several run at once.
    var shared: SharedLookups?
    /// Whether the checkers and what they parsed are kept until the process exits (see UntilExit).
    var keepUntilExit = false
}

/// The plugins of the workspace's own plugin folders that a task may load.
struct LocalPlugins {
    /// Module and action names (`library/`, `action_plugins/`); nil when a configured path may hold any.
    var modules: Set<String>? = []
    /// Lookup names (`lookup_plugins/NAME.py`).
    var lookups: Set<String> = []
    /// Whether a `filter_plugins/` or `test_plugins/` folder exists (one file defines many names).
    var filters = false
    var tests = false
    /// Whether a configured path may hold any filter, test or lookup.
    var anyJinja = false

    mutating func add(_ other: LocalPlugins) {
        if let theirs = other.modules { modules?.formUnion(theirs) } else { modules = nil }
        lookups.formUnion(other.lookups)
        filters = filters || other.filters
        tests = tests || other.tests
        anyJinja = anyJinja || other.anyJinja
    }
}

/// Answers deep validation works out once per run: the same module, filter or expression recurs in
/// task after task.
struct DeepLookups {
    /// The last plugin folders asked about, and their key.
    var lastContext: (folders: [String], key: String)?
    /// The local plugins of that context, once worked out.
    var lastPlugins: LocalPlugins?
    /// The plugins a task's folders define: by its plugin folders, by playbook folder (the part every
    /// task of a playbook shares), and each folder's own.
    var localPluginsByContext: [String: LocalPlugins] = [:]
    var localPluginsByPlaybookFolder: [String: LocalPlugins] = [:]
    var folderPlugins: [String: LocalPlugins] = [:]
    var rolesFolderPlugins: [String: LocalPlugins] = [:]
    /// The playbook folder and role folders asked about last, with their module names: a task's
    /// folders are mostly the previous task's, found by comparing rather than hashing their paths.
    var lastBaseModules: (folder: String, modules: Set<String>?)?
    var recentFolderModules: [(folder: String, modules: Set<String>?)] = []
    /// The plugins found in the index (directly or through its routing): never a finding.
    var knownPlugins: Set<PlaybookChecker.TemplatePlugin> = []
    /// The index's filter, test and lookup names as sets.
    var pluginNames: [PlaybookChecker.TemplatePlugin.Kind: Set<String>] = [:]
    /// Module names to suggest from (did-you-mean of unknown modules), by collection.
    var moduleNames: [String: CandidateNames] = [:]
    /// The argument names (with aliases) a module or suboption accepts, and each one's option, by
    /// module and suboption path.
    var argumentNames: [String: ArgumentNames] = [:]
    /// Module names resolved, with their findings, by name and play collections.
    var modules: [String: (PlaybookChecker.ModuleResolution, [PlaybookChecker.ModuleFinding])] = [:]
    /// For a collection the image lacks, by collection and playbook folder: whether the workspace has
    /// it on disk (then nothing is reported) and, if not, the advice that ends the message.
    var missingCollections: [String: (onDisk: Bool, advice: String)] = [:]
}

/// What a module's (or a suboption's) spec accepts, worked out once per run.
struct ArgumentNames {
    /// Every name it accepts, aliases included (for did-you-mean).
    var accepted: Set<String>
    /// Each accepted name's option.
    var canonical: [String: String]
    /// Its required options, sorted.
    var required: [String]
}

/// Checks playbooks and everything they reference, parsing each file once and reporting each
/// finding once. One instance serves one validation run on one thread.
final class PlaybookChecker {
    let settings: CheckerSettings
    /// Findings in the order found, without repeats.
    private(set) var diagnostics: [Diagnostic] = []
    /// Display paths of every file read, in the order read.
    private(set) var filesRead: [String] = []
    private var seen: Set<Diagnostic.Key> = []
    private var cache: [String: YAMLFile] = [:]
    private var used: Set<String> = []
    private var configs: [String: AnsibleConfig] = [:]
    private var configFoldersByFolder: [String: [String]] = [:]
    private var pathKinds: [String: Paths.Kind] = [:]
    private var collectionRootsByFolder: [String: [String]] = [:]
    /// Role lookups and installed collection folders already made in this run (the file system
    /// does not change during one).
    var roleLookups: [String: RoleLookup] = [:]
    /// Per file, whether each task value already scanned for templates holds any (see checkJinjaOnce).
    var jinjaScanned: [String: JinjaMemo] = [:]
    var lastJinjaMemo: (file: String, memo: JinjaMemo)?
    /// Role expansions recorded for replay (the run's, shared when several checkers run), and the one
    /// being recorded (see RoleExpansion).
    lazy var expansions = settings.shared?.expansions ?? RoleExpansions()
    var recordingExpansion: RoleExpansion?
    /// What the unit being checked has used and reported, when the checker serves a run's units.
    var unit: UnitLog?
    /// The requirements files found for each playbook folder, and the names a Molecule role goes by.
    var requirementFilesByFolder: [String: [(path: String, installed: Bool)]] = [:]
    var moleculeNames: [String: Set<String>] = [:]
    /// What each requirements file declares: role names and collection FQCNs, with their lines.
    var requirementsDeclared: [String: (roles: [String: Int], collections: [String: Int])] = [:]
    var collectionFolders: [String: String?] = [:]
    var checkedPlaybooks: Set<String> = []
    /// Files earlier tasks of the playbook write on the controller (a `fetch` with `flat`, a task
    /// delegated to localhost), as written and made absolute: a later copy/template `src` may name one.
    var controllerFiles: Set<String> = []
    var playbookStack: [String] = []
    var taskFileStack: [String] = []
    /// The roles being expanded, outermost first, each with the link that entered it.
    var roleStack: [RoleLink] = []
    var facts = FactTracker()
    /// Groups and hosts that the `add_host` / `group_by` tasks seen so far in this playbook run create.
    var runtimeNames: Set<String> = []
    /// Whether one of those tasks names them with a template (then no hosts pattern is judged).
    var runtimeNamesUnknown = false
    /// The plugin folders found on disk, by folder path (deep validation asks per task).
    var folderListings: [String: [String]] = [:]
    /// What deep validation works out once per run rather than once per task.
    var deep = DeepLookups()

    /// Runs the image-index checks on a second thread (with an index; see DeepWorker).
    private(set) var deepWorker: DeepWorker?

    /// Whether the environment names module or action plugin folders (then any module name may be one).
    let modulePathsFromEnvironment: Bool

    /// A checker; with an index (and `deepChecksInParallel`), a deep worker runs the index checks.
    init(settings: CheckerSettings) {
        self.settings = settings
        modulePathsFromEnvironment =
            settings.environment["ANSIBLE_LIBRARY"] != nil || settings.environment["ANSIBLE_ACTION_PLUGINS"] != nil
        if settings.index != nil && settings.deepChecksInParallel {
            self.deepWorker = DeepWorker(settings: settings)
        }
        // Sized for a repository's worth up front: growing a table rehashes every path in it.
        pathKinds.reserveCapacity(2048)
        cache.reserveCapacity(512)
        seen.reserveCapacity(512)
    }

    /// Replaces the findings (the deep worker's merged in), keeping the record of repeats.
    func replaceDiagnostics(_ merged: [Diagnostic]) {
        diagnostics = merged
        seen = Set(merged.map(\.key))
    }

    // MARK: - Reporting

    /// Records a finding unless the same one was already recorded.
    func report(_ diagnostic: Diagnostic) {
        recordingExpansion?.events.append(.report(diagnostic))
        unit?.report(diagnostic)
        if seen.insert(diagnostic.key).inserted { diagnostics.append(diagnostic) }
    }

    /// Records a finding at a node of the file at absolute path `file`.
    func report(_ severity: Severity, _ rule: String, _ message: String, file: String, at node: YAMLNode) {
        report(Diagnostic(severity, rule, message, at: location(file, node)))
    }

    /// The location of `node` in `file`, with a display path.
    func location(_ file: String, _ node: YAMLNode) -> SourceLocation {
        SourceLocation(file: display(file), line: node.line, column: node.column)
    }

    /// `path` relative to the current directory when under it, else as is.
    func display(_ path: String) -> String {
        Paths.display(path, from: settings.currentDirectory)
    }

    // MARK: - Files

    /// What is at `path`, asked of the file system once per run (it does not change during one):
    /// role searches and `requirements.yml` lookups repeat the same paths playbook after playbook.
    /// Nothing is under a folder that is not there (the kernel resolves each component of a path, `..`
    /// included): a search through roles paths that do not exist costs one look per path, not one
    /// per role and file name.
    func pathKind(_ path: String) -> Paths.Kind {
        if let kind = pathKinds[path] { return kind }
        let parent = Paths.parent(path)
        let kind: Paths.Kind
        if parent.utf8.count > 1, pathKind(parent) != .folder {
            kind = .missing
        } else {
            kind = settings.shared?.kind(path) ?? Paths.kind(path)
        }
        pathKinds[path] = kind
        return kind
    }

    /// Whether a file (anything but a folder) is at `path`; see pathKind.
    func isFile(_ path: String) -> Bool { pathKind(path) == .file }

    /// Whether a folder is at `path`; see pathKind.
    func isFolder(_ path: String) -> Bool { pathKind(path) == .folder }

    /// Whether anything is at `path`; see pathKind.
    func exists(_ path: String) -> Bool { pathKind(path) != .missing }

    /// The parsed file at absolute path `path`, read at most once per run; nothing is reported.
    func load(_ path: String) -> YAMLFile {
        if let file = cache[path] { return file }
        let load = { self.settings.loader.load(path: path, displayPath: self.display(path)) }
        let file = settings.shared?.file(path, load: load) ?? load()
        cache[path] = file
        return file
    }

    /// The parsed file, with its load findings reported and its path listed as read.
    func use(_ path: String) -> YAMLFile {
        let file = load(path)
        recordingExpansion?.events.append(.use(path))
        let firstInUnit = unit?.use(path, display: display) ?? false
        if used.insert(path).inserted {
            filesRead.append(display(path))
            file.diagnostics.forEach(report)
        } else if firstInUnit {
            file.diagnostics.forEach(report)
        }
        return file
    }

    /// The folder `~` stands for in the run's environment (Ansible expands it from `HOME`).
    var home: String { settings.environment["HOME"] ?? "/root" }

    /// The `ansible.cfg` files that apply to a playbook in `folder`: the one beside it first (Ansible
    /// reads `./ansible.cfg` when run from there), then the nearest one above it inside the workspace
    /// (a project folder run from its own folder, with playbooks in subfolders), then the workspace's.
    func configs(for folder: String) -> [AnsibleConfig] {
        var found: [AnsibleConfig] = []
        for configFolder in configFolders(for: folder) {
            let path = configFolder + "/ansible.cfg"
            if configs[path] == nil { configs[path] = AnsibleConfig(path: path, home: home) }
            if let config = configs[path] { found.append(config) }
        }
        return found
    }

    /// The folders whose `ansible.cfg` applies to a playbook in `folder` (see configs), without repeats.
    private func configFolders(for folder: String) -> [String] {
        if let known = configFoldersByFolder[folder] { return known }
        var folders = [folder]
        let project = Paths.ancestors(of: folder).prefix {
            $0 != settings.workspace && Paths.isInside($0, settings.workspace)
        }
        .first { isFile($0 + "/ansible.cfg") }
        if let project { folders.append(project) }
        if folder != settings.workspace { folders.append(settings.workspace) }
        configFoldersByFolder[folder] = folders
        return folders
    }

    /// Whether Ansible fails (rather than warns) on a keyword a task does not take: the environment's
    /// `ANSIBLE_INVALID_TASK_ATTRIBUTE_FAILED`, else `invalid_task_attribute_failed`, else true.
    func invalidTaskAttributeFailed(for folder: String) -> Bool {
        configFlag("ANSIBLE_INVALID_TASK_ATTRIBUTE_FAILED", for: folder, \.invalidTaskAttributeFailed)
    }

    /// Whether Ansible fails (rather than warns) when a notified handler does not exist: the
    /// environment's `ANSIBLE_ERROR_ON_MISSING_HANDLER`, else `error_on_missing_handler`, else true.
    func errorOnMissingHandler(for folder: String) -> Bool {
        configFlag("ANSIBLE_ERROR_ON_MISSING_HANDLER", for: folder, \.errorOnMissingHandler)
    }

    /// A boolean Ansible setting that defaults to true: its environment variable, else the first
    /// `ansible.cfg` that applies and sets it.
    private func configFlag(_ variable: String, for folder: String, _ key: KeyPath<AnsibleConfig, Bool?>) -> Bool {
        if let value = settings.environment[variable].flatMap(AnsibleConfig.boolean) { return value }
        return configs(for: folder).lazy.compactMap { $0[keyPath: key] }.first ?? true
    }

    /// The collection roots (folders holding `ansible_collections/`) Ansible searches for a playbook in
    /// `folder`: `collections/` beside the playbook, then `ANSIBLE_COLLECTIONS_PATH` or
    /// `collections_path`, else `~/.ansible/collections` and `/usr/share/ansible/collections`.
    func collectionRoots(for folder: String) -> [String] {
        if let roots = collectionRootsByFolder[folder] { return roots }
        let roots = findCollectionRoots(for: folder)
        collectionRootsByFolder[folder] = roots
        return roots
    }

    private func findCollectionRoots(for folder: String) -> [String] {
        var roots = [folder + "/collections"]
        let environment =
            settings.environment["ANSIBLE_COLLECTIONS_PATH"] ?? settings.environment["ANSIBLE_COLLECTIONS_PATHS"]
        if let environment {
            roots += AnsibleConfig.pathList(environment, relativeTo: settings.currentDirectory, home: home)
        } else if let configured = configs(for: folder).lazy.compactMap(\.collectionsPath).first {
            roots += configured
        } else {
            roots += [home + "/.ansible/collections", "/usr/share/ansible/collections"]
        }
        return roots
    }

    /// The role folders of the `ansible.cfg` files that apply to a playbook in `folder` (see configs),
    /// the workspace's first.
    func configuredRolesPath(for folder: String) -> [String] {
        var paths: [String] = []
        if let env = settings.environment["ANSIBLE_ROLES_PATH"] {
            paths += AnsibleConfig.pathList(env, relativeTo: settings.currentDirectory, home: home)
        }
        for config in configs(for: folder).reversed() {
            paths += config.rolesPath
        }
        return paths + [home + "/.ansible/roles", "/usr/share/ansible/roles", "/etc/ansible/roles"]
    }
}
