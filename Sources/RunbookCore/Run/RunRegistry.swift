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

/// Who started a run: the machine, runbook's process id, and that process's start time, so that a
/// process id the system has since given to another program is not taken for the run's owner.
public struct RunOwner: Codable, Sendable, Hashable {
    /// The host name (`gethostname`); a CI job in a container has the container's.
    public var host: String
    /// runbook's process id.
    public var pid: Int32
    /// The process's start, in clock ticks after boot (`/proc/PID/stat`, field 22); 0 when unknown.
    public var processStart: UInt64

    /// Makes an owner.
    public init(host: String, pid: Int32, processStart: UInt64) {
        self.host = host
        self.pid = pid
        self.processStart = processStart
    }

    /// This process.
    public static func current() -> RunOwner {
        let pid = getpid()
        return RunOwner(host: hostName, pid: pid, processStart: processStart(of: pid) ?? 0)
    }

    /// This machine's host name.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// When process `pid` started (clock ticks after boot), or nil when there is no such process.
    public static func processStart(of pid: Int32) -> UInt64? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the name: field 3 (state) is fields[0], so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// Whether the owner still runs: nil when it is on another host (runbook cannot tell from here).
    public func isRunning(onHost host: String = RunOwner.hostName) -> Bool? {
        guard host == self.host else { return nil }
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        // The id exists (EPERM: another user's process); it is the owner only if it started then.
        if processStart != 0, let start = Self.processStart(of: pid), start != processStart { return false }
        return true
    }

    /// The container labels that carry the owner.
    public var labels: [String: String] {
        ["runbook.host": host, "runbook.pid": String(pid), "runbook.pid-start": String(processStart)]
    }

    /// Reads the owner from container labels (nil without them: a container of an older runbook).
    public init?(labels: [String: String]) {
        guard let host = labels["runbook.host"], let pid = labels["runbook.pid"].flatMap({ Int32($0) }) else {
            return nil
        }
        self.init(host: host, pid: pid, processStart: labels["runbook.pid-start"].flatMap { UInt64($0) } ?? 0)
    }
}

/// What a run's support folder says about the run (its `run.json`).
public struct RunRecord: Codable, Sendable, Hashable {
    /// The run's id (the folder is `runbook-ID`, its container `runbook-ID`).
    public var runID: String
    /// Who runs it.
    public var owner: RunOwner
    /// When it started.
    public var started: Date
    /// The playbook's absolute path.
    public var playbook: String
    /// The workspace's absolute path.
    public var workspace: String
    /// The container's name, or nil when ansible-playbook runs directly (in-image).
    public var container: String?

    /// Makes a record.
    public init(
        runID: String, owner: RunOwner, started: Date, playbook: String, workspace: String, container: String?
    ) {
        self.runID = runID
        self.owner = owner
        self.started = started
        self.playbook = playbook
        self.workspace = workspace
        self.container = container
    }

    /// The file name inside the support folder.
    public static let fileName = "run.json"

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// A container runbook started (label `runbook.managed=true`), as the engine reports it.
public struct ManagedContainer: Sendable, Hashable {
    /// The container's name.
    public var name: String
    /// The run id label.
    public var runID: String?
    /// The workspace label.
    public var workspace: String?
    /// The owner labels (nil for containers of runbooks before owner labels).
    public var owner: RunOwner?
    /// The engine's state word: running, created, exited, …
    public var state: String
}

/// The runs of this machine's runbooks: their support folders under the temporary directory (each
/// with a `run.json`) and their containers. A run whose runbook process is gone (SIGKILL, a crash, a
/// lost CI agent) has left its folder, and perhaps its container; `apply` removes those at its start
/// and `runbook ps` lists what is still running.
public struct RunRegistry: Sendable {
    /// The folder support folders are made in (TMPDIR).
    public var temporaryDirectory: String
    /// This machine's host name (owners on other hosts are never judged gone).
    public var host: String

    /// Makes a registry for `temporaryDirectory`.
    public init(temporaryDirectory: String, host: String = RunOwner.hostName) {
        self.temporaryDirectory = temporaryDirectory
        self.host = host
    }

    /// One support folder and what its record says.
    public struct Folder: Sendable, Hashable {
        /// The folder's path.
        public var directory: String
        /// Its record.
        public var record: RunRecord
        /// Whether the owner runs (nil: on another host).
        public var running: Bool?
    }

    /// The support folders with a readable record (folders of other users, which are 0700, and
    /// folders still being made are not listed).
    public func folders() -> [Folder] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: temporaryDirectory) else { return [] }
        return names.filter { $0.hasPrefix("runbook-") }.sorted().compactMap { name in
            let directory = Paths.absolute(name, relativeTo: temporaryDirectory)
            guard let data = manager.contents(atPath: directory + "/" + RunRecord.fileName),
                let record = try? RunRecord.decoder.decode(RunRecord.self, from: data),
                name == "runbook-" + record.runID
            else { return nil }
            return Folder(directory: directory, record: record, running: record.owner.isRunning(onHost: host))
        }
    }

    /// Removes the folders whose runbook is gone; returns them.
    @discardableResult
    public func removeLeftoverFolders() -> [Folder] {
        let gone = folders().filter { $0.running == false }
        for folder in gone { try? FileManager.default.removeItem(atPath: folder.directory) }
        return gone
    }

    /// The containers runbook made, as `engine` reports them; unavailable (69) when it does not answer.
    public static func containers(engine: ContainerEngine, runner: any ProcessRunning) async throws
        -> [ManagedContainer]
    {
        func answer(_ spec: ProcessSpec) async throws -> String {
            let result = try await runner.capture(spec)
            guard result.status == 0 else {
                throw RunbookError.unavailable(
                    "`\(([spec.executable] + spec.arguments.prefix(2)).joined(separator: " "))` failed with exit "
                        + "\(result.status)", cause: result.standardError.split(separator: "\n").last.map(String.init))
            }
            return result.standardOutput
        }
        let ids = try await answer(engine.listManagedContainers()).split(whereSeparator: \.isWhitespace)
            .map(String.init)
        guard !ids.isEmpty else { return [] }
        // A container can go between the two calls (inspect then fails for it): list again once.
        let inspected: String
        do {
            inspected = try await answer(engine.inspectContainers(ids))
        } catch {
            let again = try await answer(engine.listManagedContainers()).split(whereSeparator: \.isWhitespace)
                .map(String.init)
            guard !again.isEmpty else { return [] }
            inspected = try await answer(engine.inspectContainers(again))
        }
        return parseInspection(Data(inspected.utf8))
    }

    /// Reads `container inspect` JSON (docker's and podman's agree on Name, Config.Labels, State.Status).
    static func parseInspection(_ data: Data) -> [ManagedContainer] {
        struct Inspected: Decodable {
            struct Config: Decodable { var Labels: [String: String]? }
            struct State: Decodable { var Status: String? }
            var Name: String
            var Config: Config?
            var State: State?
        }
        guard let items = try? JSONDecoder().decode([Inspected].self, from: data) else { return [] }
        return items.map { item in
            let labels = item.Config?.Labels ?? [:]
            let name = item.Name.hasPrefix("/") ? String(item.Name.dropFirst()) : item.Name
            return ManagedContainer(
                name: name, runID: labels["runbook.run"], workspace: labels["runbook.workspace"],
                owner: RunOwner(labels: labels), state: item.State?.Status ?? "unknown")
        }
    }

    /// Removes the containers whose runbook (on this host) is gone; returns their names.
    @discardableResult
    public func removeLeftoverContainers(engine: ContainerEngine, runner: any ProcessRunning) async -> [String] {
        var removed: [String] = []
        for container in (try? await Self.containers(engine: engine, runner: runner)) ?? []
        where container.owner?.isRunning(onHost: host) == false {
            if let result = try? await runner.capture(engine.removeContainer(container.name)), result.status == 0 {
                removed.append(container.name)
            }
        }
        return removed
    }
}
