/// What differs between two recorded runs: hosts that are new or gone, and host × task results whose
/// status or changed-ness differ, or that ran in only one of them. A task that runs several times on a
/// host (an include in a loop, a handler notified twice) is matched by its occurrence: the first
/// with the first, and so on.
public struct RunDiff: Sendable, Encodable {
    /// One host × task whose result differs.
    public struct Change: Sendable, Encodable, Hashable {
        public var host: String
        public var play: String
        public var task: String
        public var path: String
        /// `status` in the first run (nil: the task did not run there on that host).
        public var before: String?
        public var beforeChanged: Bool?
        /// `status` in the second run (nil: the task did not run there on that host).
        public var after: String?
        public var afterChanged: Bool?
    }

    /// The two runs' ids.
    public var first: String
    public var second: String
    /// Hosts only in the second run, and only in the first.
    public var newHosts: [String]
    public var vanishedHosts: [String]
    /// The differing results, in the second run's order (then the first's for vanished ones).
    public var changes: [Change]

    /// Compares `a` (before) with `b` (after).
    public init(_ a: RunDocument, _ b: RunDocument) {
        first = a.run.id
        second = b.run.id
        let hostsA = Set(a.results.map(\.host))
        let hostsB = Set(b.results.map(\.host))
        newHosts = hostsB.subtracting(hostsA).sorted()
        vanishedHosts = hostsA.subtracting(hostsB).sorted()
        let keyedA = Self.keyed(a.results)
        let keyedB = Self.keyed(b.results)
        var index: [String: RecordedResult] = [:]
        for (key, result) in keyedA { index[key] = result }
        var seen: Set<String> = []
        var changes: [Change] = []
        for (key, after) in keyedB {
            seen.insert(key)
            let before = index[key]
            guard before?.status != after.status || before?.changed != after.changed else { continue }
            changes.append(
                Change(
                    host: after.host, play: after.play, task: after.task, path: after.path, before: before?.status,
                    beforeChanged: before?.changed, after: after.status, afterChanged: after.changed))
        }
        for (key, before) in keyedA where !seen.contains(key) {
            changes.append(
                Change(
                    host: before.host, play: before.play, task: before.task, path: before.path, before: before.status,
                    beforeChanged: before.changed, after: nil, afterChanged: nil))
        }
        self.changes = changes
    }

    private static func keyed(_ results: [RecordedResult]) -> [(String, RecordedResult)] {
        var occurrences: [String: Int] = [:]
        return results.map { result in
            let identity = result.identity
            let count = occurrences[identity, default: 0]
            occurrences[identity] = count + 1
            return (identity + "\u{1F}\(count)", result)
        }
    }

    /// The differences as text.
    public func rendered() -> String {
        var text = "runs \(first) → \(second):\n"
        if newHosts.isEmpty && vanishedHosts.isEmpty && changes.isEmpty {
            return text + "  no differences: the same hosts ran the same tasks with the same results\n"
        }
        if !newHosts.isEmpty { text += "  new hosts: \(newHosts.joined(separator: ", "))\n" }
        if !vanishedHosts.isEmpty { text += "  vanished hosts: \(vanishedHosts.joined(separator: ", "))\n" }
        for change in changes {
            let before = change.before ?? "(did not run)"
            let after = change.after ?? "(did not run)"
            text += "  \(change.host): \(change.task)  (\(change.path))  \(before) → \(after)\n"
        }
        return text
    }
}
