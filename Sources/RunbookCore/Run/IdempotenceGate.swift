/// `apply --idempotence`: the verdict on the playbook's second run. A playbook is idempotent when
/// running it again on hosts it just configured changes nothing; every host × task that reports
/// changed the second time is named with its file:line. `add_host` and `group_by` change only the
/// controller's in-memory inventory (and report changed on every run), so they are listed apart and
/// do not fail the gate.
public struct IdempotenceGate: Sendable {
    /// Actions that change nothing on a host: the in-memory inventory only.
    static let inMemoryActions: Set<String> = ["add_host", "group_by"]

    /// The exit status when the second run changed something: 80, used by neither ansible-playbook
    /// (0-8, 99, 250) nor the sysexits runbook uses (64-78) nor signals (128+).
    public static let notIdempotentStatus: Int32 = 80

    /// The host × task results of the second run that changed something.
    public var changed: [RunSummary.TaskResult]
    /// Changed results of in-memory actions (add_host, group_by), not counted.
    public var inMemory: [RunSummary.TaskResult]
    /// The second run's own status (ansible-playbook's, or 130/143/75).
    public var secondStatus: Int32
    /// The second run's id in the history.
    public var runID: String?

    /// Judges `second`.
    public init(second: RunOutcome, runID: String?) {
        let all = second.summary.results.filter { $0.status == "changed" || ($0.status == "ignored" && $0.changed) }
        let isInMemory = { (result: RunSummary.TaskResult) in
            Self.inMemoryActions.contains(String(result.action.split(separator: ".").last ?? ""))
                && (!result.action.contains(".") || result.action.hasPrefix("ansible.builtin.")
                    || result.action.hasPrefix("ansible.legacy."))
        }
        changed = all.filter { !isInMemory($0) }
        inMemory = all.filter(isInMemory)
        secondStatus = second.status
        self.runID = runID
    }

    /// Whether the second run passed and changed nothing.
    public var passed: Bool { secondStatus == 0 && changed.isEmpty }

    /// runbook's exit status: the second run's own when it failed, 80 when it changed something, else 0.
    public var status: Int32 {
        if secondStatus != 0 { return secondStatus }
        return changed.isEmpty ? 0 : Self.notIdempotentStatus
    }

    /// The second run's status in the history.
    public var historyStatus: String {
        if secondStatus == 130 || secondStatus == 143 { return "interrupted" }
        if secondStatus != 0 { return "failed" }
        return changed.isEmpty ? "ok" : "not-idempotent"
    }

    /// The verdict for standard error.
    public func rendered() -> String {
        if secondStatus != 0 {
            return "runbook: idempotence: the second run failed (exit status \(secondStatus))\n"
        }
        let note =
            inMemory.isEmpty
            ? ""
            : "runbook: idempotence: not counted (in-memory inventory only): "
                + Set(inMemory.map { $0.task.isEmpty ? $0.action : $0.task }).sorted().joined(separator: ", ") + "\n"
        guard !changed.isEmpty else { return note + "runbook: idempotence: the second run changed nothing\n" }
        var text =
            "runbook: idempotence: FAILED: the second run changed \(changed.count) host × task result(s) "
            + "(exit status \(Self.notIdempotentStatus)):\n"
        for result in changed {
            text += "  \(result.host): \(result.task.isEmpty ? result.action : result.task)  (\(result.path))\n"
        }
        return note + text
    }
}
