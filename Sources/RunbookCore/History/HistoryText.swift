#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The text forms of the history commands: the `runs` table and the `show` page.
enum HistoryText {
    /// One line per run, newest first.
    static func table(_ runs: [RecordedRun]) -> String {
        guard !runs.isEmpty else { return "no runs recorded match\n" }
        let header = [
            "RUN", "STARTED (UTC)", "TOOK", "STATUS", "EXIT", "KIND", "PLAYBOOK", "TARGET", "ACCOUNT",
            "HOSTS", "CHANGED", "FAILED",
        ]
        let rows = runs.map { run in
            [
                run.id, timestamp(run.started), run.duration.map(seconds) ?? "-", run.status,
                run.exitStatus.map(String.init) ?? "-", run.kind, run.playbook, run.target ?? "-", run.account ?? "-",
                String(run.hosts), String(run.changed), String(run.failed),
            ]
        }
        return columns([header] + rows)
    }

    /// The run's facts, recap, failures, changes (with diffs), then every host's tasks.
    static func show(_ document: RunDocument) -> String {
        let run = document.run
        var text = "run \(run.id) (\(run.kind)\(run.parent.map { " of \($0)" } ?? "")): \(run.status)"
        text += run.exitStatus.map { ", exit status \($0)" } ?? ""
        text += ", started \(timestamp(run.started))" + (run.duration.map { ", took \(seconds($0))" } ?? "") + "\n"
        for (name, value) in facts(run) { text += "  \(name): \(value)\n" }
        let recap = document.recap
        if !recap.isEmpty {
            text += "recap:\n"
            let width = recap.keys.map(\.count).max() ?? 0
            for host in recap.keys.sorted() {
                guard let c = recap[host] else { continue }
                text +=
                    "  \(host.padding(toLength: width, withPad: " ", startingAt: 0))  ok=\(c.ok) changed=\(c.changed) "
                    + "failed=\(c.failed) unreachable=\(c.unreachable) skipped=\(c.skipped) ignored=\(c.ignored)\n"
            }
        }
        let failures = document.results.filter { $0.status == "failed" || $0.status == "unreachable" }
        if !failures.isEmpty {
            text += "failures:\n"
            for result in failures {
                text += "  \(result.host): \(name(result))  (\(result.path)) \(result.status)\n"
                if !result.message.isEmpty { text += indented(result.message, by: 4) }
            }
        }
        let changes = document.results.filter(\.changed)
        if !changes.isEmpty {
            text += "changed:\n"
            for result in changes {
                text += "  \(result.host): \(name(result))  (\(result.path))\n"
                if let diff = result.diff, !diff.isEmpty { text += indented(diff, by: 4) }
            }
        }
        let hosts = orderedHosts(document.results)
        if !hosts.isEmpty { text += "hosts × tasks:\n" }
        for host in hosts {
            text += "  \(host):\n"
            for result in document.results where result.host == host {
                text +=
                    "    \(result.status.padding(toLength: 11, withPad: " ", startingAt: 0)) "
                    + "\(seconds(result.duration).leftPadded(7))  \(name(result))  (\(result.path))\n"
            }
        }
        if document.results.isEmpty { text += "no host results were recorded\n" }
        return text
    }

    /// The facts worth a line, in order.
    static func facts(_ run: RecordedRun) -> [(String, String)] {
        var lines: [(String, String)] = [("playbook", run.playbook)]
        if !run.inventory.isEmpty { lines.append(("inventory", run.inventory.joined(separator: ", "))) }
        let selection = [
            run.limit.map { "limit \($0)" }, run.tags.map { "tags \($0)" }, run.skipTags.map { "skip-tags \($0)" },
            run.target.map { "target \($0)" }, run.slice.map { "slice \($0)" },
        ].compactMap { $0 }
        if !selection.isEmpty { lines.append(("selection", selection.joined(separator: ", "))) }
        lines.append(
            (
                "by",
                [run.user, run.host].compactMap { $0 }.joined(separator: "@") + (run.pid.map { " (pid \($0))" } ?? "")
            ))
        if let provider = run.ciProvider { lines.append(("ci", provider + (run.ciJobURL.map { " \($0)" } ?? ""))) }
        lines.append(("workspace", run.workspace))
        if let commit = run.gitCommit {
            lines.append(
                (
                    "git",
                    commit + (run.gitDirty == true ? " (uncommitted changes)" : run.gitDirty == false ? " (clean)" : "")
                ))
        }
        if run.account != nil || run.region != nil {
            lines.append(
                (
                    "aws",
                    [run.account.map { "account \($0)" }, run.arn, run.region.map { "region \($0)" }]
                        .compactMap { $0 }.joined(separator: ", ")
                ))
        }
        if let image = run.image {
            let details = [run.imageID.map { String($0.prefix(19)) }, run.imageHash.map { "content \($0.prefix(12))" }]
                .compactMap { $0 }
            lines.append(("image", image + (details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")")))
        }
        return lines
    }

    static func name(_ result: RecordedResult) -> String {
        (result.task.isEmpty ? result.action : result.task) + (result.handler ? " [handler]" : "")
    }

    /// Hosts with failures first, then the rest, each group in name order.
    static func orderedHosts(_ results: [RecordedResult]) -> [String] {
        let hosts = Set(results.map(\.host))
        let failing = Set(results.filter { $0.status == "failed" || $0.status == "unreachable" }.map(\.host))
        return failing.sorted() + hosts.subtracting(failing).sorted()
    }

    static func timestamp(_ date: Date) -> String {
        Formatting.timestamp(utcParts(date), date: "-", middle: " ", time: ":")
    }

    static func seconds(_ value: Double) -> String {
        value >= 100 ? "\(Int(value.rounded())) s" : Formatting.fixed(value, digits: 1) + " s"
    }

    private static func indented(_ text: String, by width: Int) -> String {
        let pad = String(repeating: " ", count: width)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
            .trimmingCharacters(in: .newlines) + "\n"
    }

    /// Left-aligned columns two spaces apart.
    static func columns(_ rows: [[String]]) -> String {
        var widths: [Int] = []
        for row in rows {
            for (index, cell) in row.enumerated() {
                if index >= widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
