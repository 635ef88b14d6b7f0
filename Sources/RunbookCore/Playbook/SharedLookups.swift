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

    /// The file at `path`, made by `load` if no checker has loaded it yet. Two checkers asking at
    /// once may both parse it; the first one stored is the one every checker gets.
    func file(_ path: String, load: () -> YAMLFile) -> YAMLFile {
        if let file = files.withLock({ $0[path] }) { return file }
        let made = load()
        return files.withLock { all in
            if let stored = all[path] { return stored }
            all[path] = made
            return made
        }
    }

    /// A folder's entries (empty when it cannot be read), listed once for the run.
    func listing(_ folder: String) -> [String] {
        if let names = listings.withLock({ $0[folder] }) { return names }
        let names = RawFiles.listing(folder) ?? []
        listings.withLock { $0[folder] = names }
        return names
    }

    /// What is at `path`, looked at once for the run.
    func kind(_ path: String) -> Paths.Kind {
        if let kind = kinds.withLock({ $0[path] }) { return kind }
        let kind = Paths.kind(path)
        kinds.withLock { $0[path] = kind }
        return kind
    }
}
