import Dispatch

/// Runs the image-index checks of tasks (module, arguments, template plugins, loop lookups) on a
/// second thread while the checker walks on: they read only the task, its scope and the index, and
/// report into a checker of their own. Their findings are put back where the walk reached when each
/// check was handed over, so the report is the one a single thread gives (same findings, same order,
/// same repeats dropped).
final class DeepWorker: @unchecked Sendable {
    /// The worker's own checker (same settings, its own caches), used only on `queue`.
    private let checker: PlaybookChecker
    private let queue = DispatchQueue(label: "runbook.deep-checks")
    /// For each check handed over, in order: how many findings the walk had then, and the range of
    /// the worker's findings the check produced. Touched only on `queue`.
    private var placed: [(position: Int, range: Range<Int>)] = []

    init(settings: CheckerSettings) {
        var own = settings
        own.deepChecksInParallel = false
        checker = PlaybookChecker(settings: own)
    }

    /// Checks handed over but not yet sent to the thread (by the walk's thread only): they go in
    /// batches, as a thread hand-off per check would cost more than many checks.
    private var batch: [(position: Int, check: @Sendable (PlaybookChecker) -> Void)] = []

    /// Runs `check` on the worker's thread; `position` is the walk's number of findings now.
    func submit(at position: Int, _ check: @escaping @Sendable (PlaybookChecker) -> Void) {
        batch.append((position, check))
        if batch.count >= 256 { flush() }
    }

    private func flush() {
        let checks = batch
        batch = []
        queue.async {
            for (position, check) in checks {
                let start = self.checker.diagnostics.count
                check(self.checker)
                self.placed.append((position, start..<self.checker.diagnostics.count))
            }
        }
    }

    /// Waits for every check, then merges their findings into `walk` (the walk's findings in order).
    func merge(into walk: [Diagnostic]) -> [Diagnostic] {
        flush()
        let (placed, found) = queue.sync { (self.placed, self.checker.diagnostics) }
        var merged: [Diagnostic] = []
        var seen: Set<Diagnostic.Key> = []
        var next = placed.makeIterator()
        var pending = next.next()
        func add(_ diagnostic: Diagnostic) {
            if seen.insert(diagnostic.key).inserted { merged.append(diagnostic) }
        }
        for (position, diagnostic) in walk.enumerated() {
            while let group = pending, group.position <= position {
                found[group.range].forEach(add)
                pending = next.next()
            }
            add(diagnostic)
        }
        while let group = pending {
            found[group.range].forEach(add)
            pending = next.next()
        }
        return merged
    }
}

extension PlaybookChecker {
    /// Hands an index check of a task to the deep worker; the roles being expanded now go with it
    /// (they decide which plugin folders the task may load from). Without a deep worker the callers
    /// run the check themselves, directly: a closure per check costs more than most checks.
    func deepCheck(
        on deepWorker: DeepWorker, _ scope: TaskScope,
        _ check: @escaping @Sendable (PlaybookChecker, TaskScope) -> Void
    ) {
        var scope = scope
        if scope.expandedRoleFolders == nil { scope.expandedRoleFolders = roleFolders(scope) }
        deepWorker.submit(at: diagnostics.count) { [scope] checker in check(checker, scope) }
    }

    /// The findings so far with those of the deep worker's checks merged in (waits for them).
    func finishDeepChecks() {
        guard let deepWorker else { return }
        let merged = deepWorker.merge(into: diagnostics)
        replaceDiagnostics(merged)
    }
}
