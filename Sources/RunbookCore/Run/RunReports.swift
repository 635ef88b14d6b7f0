#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes a run's results as JUnit XML and as JSON, masking secrets.
public struct RunReports: Sendable {
    /// The summary to write.
    public var summary: RunSummary
    /// The events, in order, for the JSON report.
    public var events: [RunEvent]
    /// The playbook's path, used as the test suite name.
    public var playbook: String
    /// The ansible-playbook exit status.
    public var exitStatus: Int32
    /// Masks secret values in every string written.
    public var masker: SecretMasker
    /// The run's `--slice`, named in the suite and the JSON so merged slices stay apart.
    public var slice: HostSlice?
    /// The run's `--target`, named in the suite and the JSON so merged targets stay apart.
    public var target: String?
    /// With `--idempotence`: the second run's verdict (its own suite in JUnit, `idempotence` in JSON).
    public var idempotence: IdempotenceGate?

    /// The suite's name: the playbook, then the target and slice when there are any.
    var suiteName: String {
        let parts = [target.map { "target \($0)" }, slice.map { "slice \($0)" }].compactMap { $0 }
        return parts.isEmpty ? playbook : playbook + " (" + parts.joined(separator: ", ") + ")"
    }

    /// Makes reports.
    public init(summary: RunSummary, events: [RunEvent], playbook: String, exitStatus: Int32, masker: SecretMasker) {
        self.summary = summary
        self.events = events
        self.playbook = playbook
        self.exitStatus = exitStatus
        self.masker = masker
    }

    /// JUnit XML: one test case per host × task; failures and unreachable hosts as failures, skips as skipped.
    public func junit() -> String {
        let results = summary.results
        let failures = results.filter { $0.status == "failed" || $0.status == "unreachable" }.count
        let skipped = results.filter { $0.status == "skipped" }.count
        let total = results.reduce(0) { $0 + $1.duration }
        let gateCases = idempotence.map { gate in gate.changed.isEmpty ? 1 : gate.changed.count } ?? 0
        let gateFailures = idempotence.map { gate in gate.passed ? 0 : max(gate.changed.count, 1) } ?? 0
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml +=
            "<testsuites name=\"runbook\" tests=\"\(results.count + gateCases)\" "
            + "failures=\"\(failures + gateFailures)\" time=\"\(seconds(total))\">\n"
        xml +=
            "  <testsuite name=\"\(escape(suiteName))\" tests=\"\(results.count)\" failures=\"\(failures)\" "
            + "errors=\"0\" skipped=\"\(skipped)\" time=\"\(seconds(total))\">\n"
        for result in results {
            let name = "[\(result.host)] \(result.task.isEmpty ? result.action : result.task)"
            let classname = result.play.isEmpty ? playbook : result.play
            xml +=
                "    <testcase classname=\"\(escape(classname))\" name=\"\(escape(name))\" "
                + "file=\"\(escape(result.path))\" time=\"\(seconds(result.duration))\""
            switch result.status {
            case "failed", "unreachable":
                let message = result.message.isEmpty ? result.status : result.message
                xml +=
                    ">\n      <failure type=\"\(result.status)\" message=\"\(escape(firstLine(message)))\">"
                    + "\(escape(message))</failure>\n    </testcase>\n"
            case "skipped":
                xml += ">\n      <skipped/>\n    </testcase>\n"
            default:
                xml += "/>\n"
            }
        }
        xml += "  </testsuite>\n"
        if let idempotence { xml += junitSuite(idempotence) }
        xml += "</testsuites>\n"
        return xml
    }

    /// The idempotence suite: one failing case per host × task the second run changed, or one case
    /// that passes (or fails, when the second run itself failed).
    private func junitSuite(_ gate: IdempotenceGate) -> String {
        let name = escape(suiteName + " idempotence")
        var xml =
            "  <testsuite name=\"\(name)\" tests=\"\(gate.changed.isEmpty ? 1 : gate.changed.count)\" "
            + "failures=\"\(gate.passed ? 0 : max(gate.changed.count, 1))\" errors=\"0\" skipped=\"0\">\n"
        if gate.changed.isEmpty {
            xml += "    <testcase classname=\"idempotence\" name=\"second run changes nothing\""
            xml +=
                gate.passed
                ? "/>\n"
                : ">\n      <failure type=\"failed\" message=\"the second run failed (exit status \(gate.secondStatus))\"/>\n"
                    + "    </testcase>\n"
        }
        for result in gate.changed {
            let task = result.task.isEmpty ? result.action : result.task
            xml +=
                "    <testcase classname=\"idempotence\" name=\"\(escape("[\(result.host)] \(task)"))\" "
                + "file=\"\(escape(result.path))\">\n"
                + "      <failure type=\"not-idempotent\" message=\"\(escape("changed on the second run: \(result.path)"))\"/>\n"
                + "    </testcase>\n"
        }
        return xml + "  </testsuite>\n"
    }

    /// JSON: exit status, per-host counts, slowest tasks, results and the raw events.
    public func json() throws -> Data {
        struct Document: Encodable {
            var playbook: String
            var exitStatus: Int32
            var slice: String?
            var target: String?
            var hosts: [String: RunSummary.HostCounts]
            var slowestTasks: [RunSummary.TaskResult]
            var results: [RunSummary.TaskResult]
            var events: [RunEvent]
            var idempotence: Idempotence?
        }
        struct Idempotence: Encodable {
            var passed: Bool
            var exitStatus: Int32
            var secondRunExitStatus: Int32
            var runID: String?
            var changed: [RunSummary.TaskResult]
        }
        let document = Document(
            playbook: playbook, exitStatus: exitStatus, slice: slice?.description, target: target, hosts: summary.hosts,
            slowestTasks: summary.slowestTasks().map(masked), results: summary.results.map(masked),
            events: events.map(masked),
            idempotence: idempotence.map { gate in
                Idempotence(
                    passed: gate.passed, exitStatus: gate.status, secondRunExitStatus: gate.secondStatus,
                    runID: gate.runID, changed: gate.changed.map(masked))
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(document)
    }

    private func masked(_ result: RunSummary.TaskResult) -> RunSummary.TaskResult {
        var result = result
        result.task = masker(result.task)
        result.message = masker(result.message)
        return result
    }

    private func masked(_ event: RunEvent) -> RunEvent {
        var event = event
        event.task = event.task.map { masker($0) }
        event.message = event.message.map { masker($0) }
        event.play = event.play.map { masker($0) }
        event.diff = event.diff.map { masker($0) }
        return event
    }

    private func escape(_ text: String) -> String {
        var out = ""
        for scalar in masker(text).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                // XML 1.0 forbids most control characters; ansible output can carry them.
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
                    out += "?"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private func firstLine(_ text: String) -> String {
        String(text.prefix { $0 != "\n" }.prefix(200))
    }

    private func seconds(_ value: Double) -> String { Formatting.fixed(value, digits: 3) }
}
