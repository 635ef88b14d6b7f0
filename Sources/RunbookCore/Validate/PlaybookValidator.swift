import CProcessTuning
import Dispatch
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Validates playbooks statically: YAML, shape, tasks, references, handlers, Jinja, and hosts
/// against a static inventory. The core of `runbook validate`.
public struct PlaybookValidator: Sendable {
    /// Loads inventories for the `hosts-no-match` check.
    public var loadInventory: InventoryLoader
    /// Limits for every YAML file read.
    public var limits: YAMLLimits

    /// Makes a validator.
    public init(loadInventory: @escaping InventoryLoader = InventorySeam.load, limits: YAMLLimits = .standard) {
        self.loadInventory = loadInventory
        self.limits = limits
    }

    /// Checks every playbook the request names; throws `noInput` when a path does not exist.
    public func validate(_ request: ValidationRequest) throws(RunbookError) -> ValidationReport {
        let units: [CheckUnit]
        if let prefetched = request.prefetched?.units {
            units = prefetched
        } else {
            units = try self.units(request)
        }
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        var matchers: [any HostPatternMatching] = []
        for inventory in try inventoryPaths(request) {
            let result = loadInventory(inventory, display(inventory, request))
            files += result.files
            diagnostics += result.diagnostics
            if let matcher = result.matcher { matchers.append(matcher) }
        }
        var settings = CheckerSettings(
            workspace: request.workspace, currentDirectory: request.currentDirectory,
            hostMatcher: matchers.isEmpty ? nil : CombinedHostMatcher(matchers: matchers),
            loader: YAMLLoader(limits: limits), environment: request.environment, index: request.index,
            requirementsInImage: request.requirementsInImage, deepChecksInParallel: request.deepChecksInParallel)
        settings.requirementFiles = request.requirementFiles
        settings.keepUntilExit = request.keepUntilExit
        // (One unit needs one thread: the processors are not counted, which reads the cgroup's CPU quota.)
        let threads = units.count <= 1 ? 1 : min(units.count, request.checkerThreads ?? Self.automaticThreads)
        settings.shared = request.prefetched?.shared
        let outcomes: [UnitOutcome]
        if threads > 1 {
            settings.deepChecksInParallel = false  // the threads already share the cores
            if settings.shared == nil { settings.shared = SharedLookups() }
            if let shared = settings.shared, settings.keepUntilExit { UntilExit.keep(shared) }
            outcomes = Self.check(units, threads: threads, settings: settings)
        } else {
            outcomes = Self.check(units, settings: settings)
        }
        // Each unit's findings and files in the order of the units, a repeat dropped where it recurs:
        // the report one checker walking the units in order gives.
        var seenFiles = Set(files)
        var seenDiagnostics = Set(diagnostics.map(\.key))
        for outcome in outcomes {
            for file in outcome.files where seenFiles.insert(file).inserted { files.append(file) }
            for diagnostic in outcome.diagnostics where seenDiagnostics.insert(diagnostic.key).inserted {
                diagnostics.append(diagnostic)
            }
        }
        let ordered = diagnostics.enumerated().sorted { lhs, rhs in
            lhs.element.location == rhs.element.location
                ? lhs.offset < rhs.offset
                : lhs.element.location < rhs.element.location
        }.map(\.element)
        return ValidationReport(files: files, diagnostics: ordered)
    }

    /// The units of the request: each playbook path, and each folder's walk (its findings, then the
    /// candidates found); throws `noInput` when a path does not exist.
    private func units(_ request: ValidationRequest) throws(RunbookError) -> [CheckUnit] {
        var units: [CheckUnit] = []
        for (path, isFolder) in try resolvePaths(request) {
            guard isFolder else {
                units.append(.playbook(path))
                continue
            }
            let walk = PlaybookWalker().candidates(under: path) { Paths.display($0, from: request.currentDirectory) }
            if !walk.diagnostics.isEmpty { units.append(.findings(walk.diagnostics)) }
            units += walk.files.map(CheckUnit.candidate)
        }
        return units
    }

    /// Works out the request's units (the folders walked here, once for the run) and starts reading
    /// and parsing their files on another thread, for the caller to do something else meanwhile (look
    /// up the image index, which the checks need from the start); the checkers then find them parsed.
    /// Stops at the end of the list or when told.
    func prefetch(_ request: ValidationRequest) -> Prefetch {
        let prefetch = Prefetch(units: try? units(request))
        let loader = YAMLLoader(limits: limits)
        let folder = request.currentDirectory
        DispatchQueue.global().async {
            _ = runbook_prefer_huge_pages()  // see check(_:threads:settings:)
            for unit in prefetch.units ?? [] {
                let path: String
                switch unit {
                case .playbook(let given), .candidate(let given): path = given
                case .findings: continue
                }
                if prefetch.stopped.load(ordering: .relaxed) { return }
                _ = prefetch.shared.file(path) {
                    loader.load(path: path, displayPath: Paths.display(path, from: folder))
                }
            }
        }
        return prefetch
    }

    /// Playbooks being parsed ahead of a validation (see `prefetch`).
    final class Prefetch: Sendable {
        /// The run's units; nil when a path does not exist (the validation then says so).
        let units: [CheckUnit]?
        let shared = SharedLookups()
        let stopped = Atomic(false)

        init(units: [CheckUnit]?) { self.units = units }

        /// Stops after the file being parsed (what is parsed stays for the checkers).
        func stop() { stopped.store(true, ordering: .relaxed) }
    }

    /// One piece of a validation run: a playbook given by path, a YAML file found in a folder (a
    /// playbook if it looks like one), or a folder walk's own findings. Each is checked on its own
    /// (what one playbook imports, and the facts and groups its plays create, never leak into
    /// another), so units may run on several threads and still give the same report.
    enum CheckUnit: Sendable {
        case playbook(String)
        case candidate(String)
        case findings([Diagnostic])
    }

    /// A unit's findings and the files it used, each once (see UnitLog).
    struct UnitOutcome: Sendable {
        var diagnostics: [Diagnostic] = []
        var files: [String] = []
    }

    /// Threads for a run of many units: the processors there are, at most 8.
    static var automaticThreads: Int {
        max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// Runs `unit` on `checker` and returns every file it used and finding it made.
    private static func run(_ unit: CheckUnit, on checker: PlaybookChecker) -> UnitOutcome {
        let log = UnitLog()
        checker.unit = log
        defer { checker.unit = nil }
        switch unit {
        case .playbook(let path):
            checker.checkPlaybook(path)
        case .candidate(let path):
            let file = checker.load(path)
            if file.failed || PlaybookChecker.looksLikePlaybook(file) { checker.checkPlaybook(path) }
        case .findings(let found):
            found.forEach(checker.report)
        }
        return UnitOutcome(diagnostics: log.diagnostics, files: log.files)
    }

    /// The units checked in order by one checker on this thread (its deep worker, if any, merged).
    private static func check(_ units: [CheckUnit], settings: CheckerSettings) -> [UnitOutcome] {
        _ = runbook_prefer_huge_pages()  // see check(_:threads:settings:)
        let checker = PlaybookChecker(settings: settings)
        if settings.keepUntilExit { UntilExit.keep(checker) }
        guard checker.deepWorker != nil else { return units.map { run($0, on: checker) } }
        // The deep worker's findings are merged into the whole run's, so this run is one unit.
        var outcome = UnitOutcome()
        for unit in units { outcome.files += run(unit, on: checker).files }
        checker.finishDeepChecks()
        outcome.diagnostics = checker.diagnostics
        return [outcome]
    }

    /// The units checked by `threads` checkers at once (see UnitQueue for who takes which).
    private static func check(_ units: [CheckUnit], threads: Int, settings: CheckerSettings) -> [UnitOutcome] {
        let queue = UnitQueue(count: units.count, takers: threads)
        let outcomes = Locked([UnitOutcome?](repeating: nil, count: units.count))
        DispatchQueue.concurrentPerform(iterations: threads) { taker in
            // Each checker thread fills its own malloc heap with the trees and tables of its units:
            // backed by huge pages, that costs a page fault per 2 MB instead of one per 4 KB.
            _ = runbook_prefer_huge_pages()
            let checker = PlaybookChecker(settings: settings)
            if settings.keepUntilExit { UntilExit.keep(checker) }
            var mine: [(Int, UnitOutcome)] = []
            while let index = queue.next(for: taker) {
                mine.append((index, run(units[index], on: checker)))
            }
            outcomes.withLock { all in
                for (index, outcome) in mine { all[index] = outcome }
            }
        }
        return outcomes.withLock { $0.compactMap { $0 } }
    }

    /// The absolute paths the request names, each with whether it is a folder; throws when one does
    /// not exist. A path is looked at once (a symlink followed); a broken link is left to the loader.
    private func resolvePaths(_ request: ValidationRequest) throws(RunbookError) -> [(String, Bool)] {
        guard !request.paths.isEmpty else {
            let folder = Paths.absolute("Playbooks", relativeTo: request.workspace)
            guard Paths.isFolder(folder) else {
                throw .noInput(
                    "no playbook given and \(display(folder, request)) does not exist; "
                        + "pass a playbook file or folder, or run in a workspace with a Playbooks folder")
            }
            return [(folder, true)]
        }
        return try request.paths.map { (path: String) throws(RunbookError) -> (String, Bool) in
            let absolute = Paths.absolute(path, relativeTo: request.currentDirectory)
            var info = stat()
            guard lstat(absolute, &info) == 0 else {
                throw .noInput("\(path): no such file or directory; check the path")
            }
            if (info.st_mode & S_IFMT) == S_IFLNK { return (absolute, Paths.isFolder(absolute)) }
            return (absolute, (info.st_mode & S_IFMT) == S_IFDIR)
        }
    }

    /// The inventory paths to read (host lists have no file to check); throws when a path does not exist.
    private func inventoryPaths(_ request: ValidationRequest) throws(RunbookError) -> [String] {
        var paths: [String] = []
        for text in request.inventories {
            let inventory = InventoryArgument(text, relativeTo: request.currentDirectory)
            guard let path = inventory.path else { continue }
            guard Paths.exists(path) else {
                throw .noInput(
                    "inventory \(text): no such file or directory; check the -i path or the inventory setting")
            }
            paths.append(path)
        }
        return paths
    }

    private func display(_ path: String, _ request: ValidationRequest) -> String {
        Paths.display(path, from: request.currentDirectory)
    }
}

/// Hands out a run's units to its checkers: each checker has its own stretch of consecutive units
/// (a repository's playbooks are given or found together, and share roles and files) and takes them
/// from the front; one whose stretch is done takes from the back of the stretch with most left. So
/// checkers rarely work on the same repository at once (where one would wait for another's record
/// of a role) until the end, and every unit is taken once.
final class UnitQueue: Sendable {
    private let stretches: Locked<[(front: Int, back: Int)]>

    init(count: Int, takers: Int) {
        let takers = max(1, takers)
        stretches = Locked(
            (0..<takers).map { taker in (count * taker / takers, count * (taker + 1) / takers) })
    }

    /// The next unit for `taker`, nil when none is left.
    func next(for taker: Int) -> Int? {
        stretches.withLock { stretches in
            if stretches[taker].front < stretches[taker].back {
                defer { stretches[taker].front += 1 }
                return stretches[taker].front
            }
            guard
                let fullest = stretches.indices.max(by: {
                    stretches[$0].back - stretches[$0].front < stretches[$1].back - stretches[$1].front
                }), stretches[fullest].front < stretches[fullest].back
            else { return nil }
            stretches[fullest].back -= 1
            return stretches[fullest].back
        }
    }
}
