#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `runbook ps`: the runs in progress on this machine (their support folders and containers), and
/// what runs whose runbook is gone left behind, which `--clean` (and every `apply`) removes.
public struct PsCommand: Sendable {
    /// Remove what gone runs left behind.
    public var clean: Bool
    /// JSON instead of a table.
    public var json: Bool

    /// Makes the command.
    public init(clean: Bool = false, json: Bool = false) {
        self.clean = clean
        self.json = json
    }

    /// One run in progress.
    struct Row: Encodable {
        var runID: String
        var started: Date?
        var host: String?
        var pid: Int32?
        var playbook: String?
        var workspace: String?
        var container: String?
        var containerState: String?
    }

    /// Something a gone run left.
    struct Leftover: Encodable {
        var kind: String
        var name: String
        var state: String?
        var removed: Bool
    }

    /// Lists (and with `clean` removes); always 0 unless listing itself fails.
    public func run(_ context: RunbookContext) async throws -> Int32 {
        let registry = RunRegistry(temporaryDirectory: context.temporaryDirectory)
        let folders = registry.folders()
        var containers: [ManagedContainer] = []
        var engine: ContainerEngine?
        if !context.settings.bool(.inImage) {
            do {
                let found = try await context.engine()
                containers = try await RunRegistry.containers(engine: found, runner: context.runner)
                engine = found
            } catch let error as RunbookError {
                context.console.err("runbook: note: containers are not listed: \(error.description)\n")
            }
        }
        var rows: [Row] = []
        var leftovers: [Leftover] = []
        var byName: [String: ManagedContainer] = [:]
        for container in containers { byName[container.name] = container }
        for folder in folders {
            let record = folder.record
            guard folder.running != false else {
                leftovers.append(Leftover(kind: "folder", name: folder.directory, state: nil, removed: false))
                continue
            }
            let container = record.container.flatMap { byName.removeValue(forKey: $0) }
            rows.append(
                Row(
                    runID: record.runID, started: record.started, host: record.owner.host, pid: record.owner.pid,
                    playbook: record.playbook, workspace: record.workspace, container: record.container,
                    containerState: container?.state ?? (record.container == nil ? nil : "not started")))
        }
        for container in byName.values.sorted(by: { $0.name < $1.name }) {
            if container.owner?.isRunning(onHost: registry.host) == false {
                leftovers.append(
                    Leftover(kind: "container", name: container.name, state: container.state, removed: false))
            } else {
                // A run of another host sharing the engine, or of a runbook without owner labels.
                rows.append(
                    Row(
                        runID: container.runID ?? container.name, started: nil, host: container.owner?.host,
                        pid: container.owner?.pid, playbook: nil, workspace: container.workspace,
                        container: container.name, containerState: container.state))
            }
        }
        if clean {
            let removedFolders = Set(registry.removeLeftoverFolders().map(\.directory))
            let removedContainers =
                if let engine {
                    Set(await registry.removeLeftoverContainers(engine: engine, runner: context.runner))
                } else { Set<String>() }
            for index in leftovers.indices {
                let name = leftovers[index].name
                leftovers[index].removed = removedFolders.contains(name) || removedContainers.contains(name)
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            struct Report: Encodable {
                var runs: [Row]
                var leftovers: [Leftover]
            }
            let data = try encoder.encode(Report(runs: rows, leftovers: leftovers))
            context.console.out(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            context.console.out(Self.table(rows, currentDirectory: context.currentDirectory))
            context.console.err(Self.describe(leftovers, cleaned: clean))
        }
        return 0
    }

    static func table(_ rows: [Row], currentDirectory: String) -> String {
        guard !rows.isEmpty else { return "no runs in progress\n" }
        let local = RunOwner.hostName
        let cells: [[String]] =
            [["RUN", "STARTED", "PID", "CONTAINER", "PLAYBOOK"]]
            + rows.map { row in
                let pid = row.pid.map { row.host == local ? String($0) : "\(row.host ?? "?"):\($0)" } ?? "?"
                let container = row.container.map { "\($0) (\(row.containerState ?? "?"))" } ?? "in-image"
                let playbook = row.playbook.map { Paths.display($0, from: currentDirectory) } ?? "?"
                return [row.runID, row.started.map(Formatting.localTimestamp) ?? "?", pid, container, playbook]
            }
        let widths = (0..<cells[0].count).map { column in cells.map { $0[column].count }.max() ?? 0 }
        return cells.map { line in
            line.enumerated().map { index, cell in
                index == line.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func describe(_ leftovers: [Leftover], cleaned: Bool) -> String {
        guard !leftovers.isEmpty else { return "" }
        let names = leftovers.map { "\($0.kind) \($0.name)\($0.state.map { " (\($0))" } ?? "")" }
        if cleaned {
            let removed = zip(leftovers, names).filter { $0.0.removed }.map(\.1)
            let kept = zip(leftovers, names).filter { !$0.0.removed }.map(\.1)
            return (removed.isEmpty ? "" : "runbook: removed \(removed.joined(separator: ", "))\n")
                + (kept.isEmpty ? "" : "runbook: warning: could not remove \(kept.joined(separator: ", "))\n")
        }
        return "runbook: left by runs whose runbook is gone: \(names.joined(separator: ", ")); "
            + "`runbook ps --clean` removes them (so does the next apply)\n"
    }
}
