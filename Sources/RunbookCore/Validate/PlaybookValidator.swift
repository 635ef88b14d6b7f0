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
        let playbookPaths = try resolvePaths(request)
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        var matchers: [any HostPatternMatching] = []
        for inventory in try inventoryPaths(request) {
            let result = loadInventory(inventory, display(inventory, request))
            files += result.files
            diagnostics += result.diagnostics
            if let matcher = result.matcher { matchers.append(matcher) }
        }
        let settings = CheckerSettings(
            workspace: request.workspace, currentDirectory: request.currentDirectory,
            hostMatcher: matchers.isEmpty ? nil : CombinedHostMatcher(matchers: matchers),
            loader: YAMLLoader(limits: limits), environment: request.environment, index: request.index,
            requirementsInImage: request.requirementsInImage, deepChecksInParallel: request.deepChecksInParallel)
        let checker = PlaybookChecker(settings: settings)
        for path in playbookPaths {
            guard Paths.isFolder(path) else {
                checker.checkPlaybook(path)
                continue
            }
            let walk = PlaybookWalker().candidates(under: path, display: checker.display)
            walk.diagnostics.forEach(checker.report)
            for candidate in walk.files {
                let file = checker.load(candidate)
                if file.failed || PlaybookChecker.looksLikePlaybook(file) { checker.checkPlaybook(candidate) }
            }
        }
        checker.finishDeepChecks()
        files += checker.filesRead
        diagnostics += checker.diagnostics
        let ordered = diagnostics.enumerated().sorted { lhs, rhs in
            lhs.element.location == rhs.element.location
                ? lhs.offset < rhs.offset
                : lhs.element.location < rhs.element.location
        }.map(\.element)
        return ValidationReport(files: files, diagnostics: ordered)
    }

    private func resolvePaths(_ request: ValidationRequest) throws(RunbookError) -> [String] {
        guard !request.paths.isEmpty else {
            let folder = Paths.absolute("Playbooks", relativeTo: request.workspace)
            guard Paths.isFolder(folder) else {
                throw .noInput(
                    "no playbook given and \(display(folder, request)) does not exist; "
                        + "pass a playbook file or folder, or run in a workspace with a Playbooks folder")
            }
            return [folder]
        }
        return try request.paths.map { (path: String) throws(RunbookError) -> String in
            let absolute = Paths.absolute(path, relativeTo: request.currentDirectory)
            var info = stat()
            guard lstat(absolute, &info) == 0 else {
                throw .noInput("\(path): no such file or directory; check the path")
            }
            return absolute
        }
    }

    /// The inventory paths to read (host lists have no file to check); throws when a path does not exist.
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
