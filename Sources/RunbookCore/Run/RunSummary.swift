/// Per-host counts and per-task results gathered from a run's events.
public struct RunSummary: Sendable, Hashable {
    /// One host's counts, as in Ansible's PLAY RECAP.
    public struct HostCounts: Sendable, Hashable, Codable {
        public var ok = 0
        public var changed = 0
        public var failed = 0
        public var unreachable = 0
        public var skipped = 0
        public var ignored = 0

        /// Makes zero counts.
        public init() {}
    }

    /// One host's result for one task.
    public struct TaskResult: Sendable, Hashable, Codable {
        public var play: String
        public var task: String
        public var action: String
        public var path: String
        public var host: String
        public var status: String
        public var duration: Double
        public var message: String
        /// Whether the result reported a change (an ignored failure can too).
        public var changed = false
    }

    /// Counts by host name.
    public private(set) var hosts: [String: HostCounts] = [:]
    /// Every host × task result, in the order they arrived.
    public private(set) var results: [TaskResult] = []
    private var currentPlay = ""

    /// Makes an empty summary.
    public init() {}

    /// Folds one event in.
    public mutating func add(_ event: RunEvent) {
        switch event.event {
        case "play_start":
            currentPlay = event.play ?? ""
        case "host_result":
            guard let host = event.host, let status = event.status else { return }
            var counts = hosts[host] ?? HostCounts()
            switch status {
            case "ok": counts.ok += 1
            case "changed":
                counts.ok += 1
                counts.changed += 1
            case "failed": counts.failed += 1
            case "ignored":
                // Ansible counts an ignored failure as ok too.
                counts.ok += 1
                counts.ignored += 1
                if event.changed == true { counts.changed += 1 }
            case "skipped": counts.skipped += 1
            case "unreachable": counts.unreachable += 1
            default: break
            }
            hosts[host] = counts
            results.append(
                TaskResult(
                    play: currentPlay, task: event.task ?? "", action: event.action ?? "", path: event.path ?? "",
                    host: host, status: status, duration: event.duration ?? 0, message: event.message ?? "",
                    changed: event.changed ?? (status == "changed")))
        default:
            break
        }
    }

    /// The slowest tasks (longest host result per task), longest first.
    public func slowestTasks(_ count: Int = 5) -> [TaskResult] {
        var longest: [String: TaskResult] = [:]
        for result in results {
            let key = result.play + "\u{1F}" + result.task + "\u{1F}" + result.path
            if (longest[key]?.duration ?? -1) < result.duration { longest[key] = result }
        }
        return longest.values.sorted { ($0.duration, $1.task) > ($1.duration, $0.task) }.prefix(count).map { $0 }
    }

    /// For a dry run: per host, the tasks that would change something (and those that failed).
    public func renderedChanges() -> String {
        guard !hosts.isEmpty else { return "" }
        var text = "would change:\n"
        for host in hosts.keys.sorted() {
            let changes = results.filter { $0.host == host && ($0.status == "changed" || $0.status == "failed") }
            if changes.isEmpty {
                text += "  \(host): nothing\n"
                continue
            }
            text += "  \(host): \(changes.count) task(s)\n"
            for change in changes {
                let mark = change.status == "failed" ? "failed" : "change"
                text += "    \(mark)  \(change.task)  (\(change.path))\n"
            }
        }
        return text
    }

    /// A plain-text recap: one line per host, then the slowest tasks.
    public func rendered() -> String {
        guard !hosts.isEmpty else { return "runbook: no host results were recorded\n" }
        var text = "runbook summary:\n"
        let width = hosts.keys.map(\.count).max() ?? 0
        for host in hosts.keys.sorted() {
            guard let c = hosts[host] else { continue }
            let name = host.padding(toLength: width, withPad: " ", startingAt: 0)
            text +=
                "  \(name)  ok=\(c.ok) changed=\(c.changed) failed=\(c.failed) unreachable=\(c.unreachable) "
                + "skipped=\(c.skipped) ignored=\(c.ignored)\n"
        }
        let slow = slowestTasks()
        if !slow.isEmpty {
            text += "slowest tasks:\n"
            for result in slow {
                text += "  \(formatSeconds(result.duration))  \(result.task)  (\(result.path))\n"
            }
        }
        return text
    }
}

private func formatSeconds(_ seconds: Double) -> String {
    let tenths = Int((seconds * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)s".leftPadded(to: 7)
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
