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

/// `runbook apply|plan --target NAME…`: the apply pipeline once per target, each with the target's
/// settings layered in; one after another (stopping at the first failure unless `keepGoing`) or
/// `parallel` at once; then a table and the worst exit status.
public struct TargetRuns: Sendable {
    /// What to run (the command line's limit and extra variables are combined with each target's).
    public var request: ApplyRequest
    /// The `--target` values (`all` is every target).
    public var names: [String]
    /// How many targets run at once.
    public var parallel: Int
    /// Go on with the other targets after one fails.
    public var keepGoing: Bool

    /// Makes the runs.
    public init(_ request: ApplyRequest, targets names: [String], parallel: Int = 1, keepGoing: Bool = false) {
        self.request = request
        self.names = names
        self.parallel = max(1, parallel)
        self.keepGoing = keepGoing
    }

    /// One target's result, as the final table shows it.
    public struct Result: Sendable, Hashable {
        /// The target's name.
        public var target: String
        /// The account its credentials belong to, when STS said.
        public var account: String?
        /// Its exit status; nil when it did not run.
        public var status: Int32?
        /// Tasks changed and failed (or unreachable), over its hosts; nil when ansible-playbook did not run.
        public var changed: Int?
        public var failed: Int?
        /// Why it did not run, or the error that ended it.
        public var note: String?
    }

    /// Runs every selected target and returns the worst status (see `worst`).
    public func run(_ context: RunbookContext, images: (any ImageProviding)? = nil) async throws -> Int32 {
        let targets = try Target.select(names, from: context.settings.targets, file: context.settings.filePath)
        guard targets.count > 1 else {
            guard let target = targets.first else {
                return try await ApplyCommand(request).run(context, images: images)
            }
            let result = try await runOne(
                target, context: try context.selecting(target), images: images, several: false)
            return result.status ?? ExitStatus.software.rawValue
        }
        // Everything asked once for all targets: passwords at the terminal, and the image.
        var shared = request
        shared.secrets = try shared.secrets.askingOnce(context: context)
        let image: (any ImageProviding)?
        if context.settings.bool(.inImage) {
            image = images
        } else {
            image = PreparedImageProvider(try await (images ?? EnsuredImage(context)).prepare())
        }
        let width = targets.map(\.name.count).max() ?? 0
        var runs = self
        runs.request = shared
        let results = try await runs.runAll(targets, width: width, context: context, images: image)
        context.console.err(Self.table(results))
        return Self.worst(results.compactMap(\.status))
    }

    private func runAll(
        _ targets: [Target], width: Int, context: RunbookContext, images: (any ImageProviding)?
    ) async throws -> [Result] {
        var stop = false
        var results: [Int: Result] = [:]
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var next = 0
            func start() throws {
                let index = next
                let target = targets[index]
                next += 1
                let targetContext = try context.selecting(target, prefix: TargetTable.prefix(target.name, width: width))
                group.addTask {
                    (index, try await runOne(target, context: targetContext, images: images, several: true))
                }
            }
            while next < targets.count && next < parallel { try start() }
            while let (index, result) = try await group.next() {
                results[index] = result
                let failed = (result.status ?? 0) != 0
                let interrupted = result.status.map(Self.isInterruption) ?? false
                if interrupted || (failed && !keepGoing) { stop = true }
                if next < targets.count && !stop { try start() }
            }
        }
        let interrupted = results.values.contains { $0.status.map(Self.isInterruption) ?? false }
        return targets.indices.map { index in
            results[index]
                ?? Result(
                    target: targets[index].name,
                    note: interrupted ? "not run: stopped by a signal" : "not run: an earlier target failed")
        }
    }

    /// Runs one target; runbook's own errors end only that target (reported with its prefix).
    private func runOne(_ target: Target, context: RunbookContext, images: (any ImageProviding)?, several: Bool)
        async throws -> Result
    {
        var request = self.request
        request.target = target.name
        request.selection.limit = try HostLimit.intersect(
            target.limit, request.selection.limit, names: ("of target \(target.name)", "--limit"))
        request.selection.extraVars = target.extraVars + request.selection.extraVars
        if several {
            request.jsonFile = request.jsonFile.map { Self.fileName($0, target: target.name) }
            request.junitFile = request.junitFile.map { Self.fileName($0, target: target.name) }
        }
        var result = Result(target: target.name)
        do {
            let outcome = try await ApplyPipeline(context: context, images: images).run(request)
            result.status = outcome.status
            result.account = outcome.account
            result.changed = outcome.summary.hosts.values.reduce(0) { $0 + $1.changed }
            result.failed = outcome.summary.hosts.values.reduce(0) { $0 + $1.failed + $1.unreachable }
        } catch let error as RunbookError where several {
            context.console.err("runbook: error: \(error.description)\n")
            result.status = error.status.rawValue
            result.note = error.message
        }
        return result
    }

    /// `results/runbook.xml` for target `prod` → `results/runbook.prod.xml` (the name before the extension).
    public static func fileName(_ path: String, target: String) -> String {
        let folder = Paths.parent(path)
        let name = Paths.lastComponent(path)
        let renamed: String
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            renamed = name[..<dot] + "." + target + name[dot...]
        } else {
            renamed = name + "." + target
        }
        return path.contains("/") ? folder + "/" + renamed : renamed
    }

    /// The worst of several exit statuses: a signal's (130, 143) first, else the highest.
    public static func worst(_ statuses: [Int32]) -> Int32 {
        if let signal = statuses.filter(isInterruption).max() { return signal }
        return statuses.max() ?? 0
    }

    static func isInterruption(_ status: Int32) -> Bool {
        status == SignalTrap.exitStatus(for: SIGINT) || status == SignalTrap.exitStatus(for: SIGTERM)
    }

    /// The final table: target, account, exit status, changed, failed, and a note.
    public static func table(_ results: [Result]) -> String {
        let header = ["target", "account", "exit", "changed", "failed", ""]
        let rows = results.map { result -> [String] in
            [
                result.target, result.account ?? "-", result.status.map(String.init) ?? "-",
                result.changed.map(String.init) ?? "-", result.failed.map(String.init) ?? "-", result.note ?? "",
            ]
        }
        return TargetTable.render([header] + rows)
    }
}

/// An image prepared once and handed to every target's run.
struct PreparedImageProvider: ImageProviding {
    let image: PreparedImage

    init(_ image: PreparedImage) {
        self.image = image
    }

    func prepare() async throws -> PreparedImage { image }
}
