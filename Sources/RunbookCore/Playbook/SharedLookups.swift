/// What the checkers of one run, on several threads, look up once for all: each file parsed, each
/// path looked at, each plugin folder listed, each module name resolved against the index, each role
/// expansion recorded, whichever checker asks first (the file system and the index do not change
/// during a run, so which one does makes no difference).
final class SharedLookups: Sendable {
    private let files = Locked([String: YAMLFile](minimumCapacity: 1024))
    private let kinds = Locked([String: Paths.Kind](minimumCapacity: 2048))
    private let listings = Locked<[String: [String]]>([:])
    private let modules = Locked<[String: (PlaybookChecker.ModuleResolution, [PlaybookChecker.ModuleFinding])]>([:])
    /// The role expansions recorded by any checker (see RoleExpansion).
    let expansions = RoleExpansions()

    /// A module name's resolution against the index, if a checker has worked it out (see
    /// DeepLookups.modules: it depends only on the name and the play's collections).
    func module(_ key: String) -> (PlaybookChecker.ModuleResolution, [PlaybookChecker.ModuleFinding])? {
        modules.withLock { $0[key] }
    }

    func setModule(_ key: String, _ outcome: (PlaybookChecker.ModuleResolution, [PlaybookChecker.ModuleFinding])) {
        modules.withLock { $0[key] = outcome }
    }

    /// The file at `path`, made by `load` if no checker has loaded it yet (two checkers asking at once
    /// may both parse it; every checker gets the first one stored).
    func file(_ path: String, load: () -> YAMLFile) -> YAMLFile {
        files.value(for: path, orMake: load)
    }

    /// A folder's entries (empty when it cannot be read), listed once for the run.
    func listing(_ folder: String) -> [String] {
        listings.value(for: folder) { RawFiles.listing(folder) ?? [] }
    }

    /// What is at `path`, looked at once for the run.
    func kind(_ path: String) -> Paths.Kind {
        kinds.value(for: path) { Paths.kind(path) }
    }
}
