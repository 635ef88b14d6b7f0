import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The run history: one SQLite file (WAL mode, a busy timeout so two runbooks writing at once both
/// land), versioned with `PRAGMA user_version` and migrated forward on open.
public final class HistoryStore: Sendable {
    private let database: Mutex<SQLiteDatabase>
    /// The file's path.
    public let path: String

    /// The schema version this runbook writes; older files are migrated to it on open.
    public static let schemaVersion = migrations.count

    /// Opens (creating the file and its folder when missing) and migrates the history at `path`.
    public init(path: String) throws {
        self.path = path
        let folder = Paths.parent(path)
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw RunbookError(
                .cantCreate, "cannot create the history's folder \(folder): \(Formatting.reason(error))")
        }
        do {
            database = Mutex(try Self.open(path))
        } catch let error as SQLiteError {
            throw RunbookError(.cantCreate, "cannot open the run history \(path): \(error.message)")
        }
    }

    /// Opens the file in WAL mode at the current schema. Switching a new file to WAL takes a lock
    /// SQLite does not wait for (it answers "database is locked" at once when another runbook is
    /// creating the same file), so a busy answer here is retried, for as long as the busy timeout.
    private static func open(_ path: String) throws -> SQLiteDatabase {
        let deadline = ContinuousClock.now + .seconds(10)
        var pause = 5
        while true {
            do {
                let opened = try SQLiteDatabase(path: path)
                try opened.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON")
                try migrate(opened)
                return opened
            } catch let error as SQLiteError where error.isBusy && ContinuousClock.now < deadline {
                usleep(UInt32(pause * 1000 + Int.random(in: 0..<pause) * 1000))
                pause = min(pause * 2, 100)
            }
        }
    }

    // MARK: - Schema

    /// Each step takes the schema from version N to N+1; never edit a released step, add one.
    static let migrations: [String] = [
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, parent TEXT,
            started REAL NOT NULL, ended REAL, status TEXT NOT NULL, exit_status INTEGER,
            user TEXT, host TEXT, pid INTEGER, pid_start INTEGER, ci_provider TEXT, ci_job_url TEXT,
            workspace TEXT NOT NULL, git_commit TEXT, git_dirty INTEGER,
            playbook TEXT NOT NULL, inventory TEXT, limit_pattern TEXT, tags TEXT, skip_tags TEXT,
            target TEXT, slice TEXT, account TEXT, arn TEXT, region TEXT,
            image TEXT, image_id TEXT, image_hash TEXT,
            hosts INTEGER NOT NULL DEFAULT 0, changed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX runs_started ON runs (started);
        CREATE INDEX runs_playbook ON runs (playbook, started);
        CREATE INDEX runs_status ON runs (status, started);
        CREATE INDEX runs_account ON runs (account, started);
        CREATE TABLE results (
            run TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, seq INTEGER NOT NULL,
            play TEXT NOT NULL, task TEXT NOT NULL, action TEXT NOT NULL, path TEXT NOT NULL, host TEXT NOT NULL,
            status TEXT NOT NULL, changed INTEGER NOT NULL, started REAL NOT NULL, duration REAL NOT NULL,
            message TEXT NOT NULL, diff TEXT, handler INTEGER NOT NULL,
            PRIMARY KEY (run, seq)
        ) WITHOUT ROWID;
        """
    ]

    private static func migrate(_ database: SQLiteDatabase) throws {
        let current = Int(try database.query("PRAGMA user_version").first?.first?.integer ?? 0)
        guard current < migrations.count else {
            if current > migrations.count {
                throw SQLiteError(
                    code: 0,
                    message:
                        "it has schema version \(current), newer than this runbook's \(migrations.count); use a newer runbook"
                )
            }
            return
        }
        try database.transaction {
            // Read again under the write lock: another runbook may have migrated it meanwhile.
            let locked = Int(try database.query("PRAGMA user_version").first?.first?.integer ?? 0)
            for step in migrations.dropFirst(locked) { try database.execute(step) }
            try database.execute("PRAGMA user_version = \(migrations.count)")
        }
    }

    // MARK: - Writing

    /// Records a run's start (status `running`).
    public func begin(_ run: RecordedRun) throws {
        try write { database in
            try database.run(
                "INSERT OR REPLACE INTO runs (\(Self.runColumns)) VALUES (\(Self.placeholders(Self.runColumnCount)))",
                Self.values(of: run))
        }
    }

    /// Records one result of a running run.
    public func add(_ result: RecordedResult, run id: String) throws {
        try write { database in
            try database.run(
                "INSERT OR REPLACE INTO results (run, \(Self.resultColumns)) VALUES (\(Self.placeholders(14)))",
                [.text(id)] + Self.values(of: result))
        }
    }

    /// Records the image a run uses.
    public func setImage(_ id: String, name: String, id imageID: String?, contentHash: String?) throws {
        try write { database in
            try database.run(
                "UPDATE runs SET image = ?, image_id = ?, image_hash = ? WHERE id = ?",
                [.text(name), .of(imageID), .of(contentHash), .text(id)])
        }
    }

    /// Records how a run ended, with its counts from its results.
    public func finish(_ id: String, status: String, exitStatus: Int32?, ended: Date) throws {
        try write { database in
            try database.run(
                "UPDATE runs SET status = ?, exit_status = ?, ended = ?, \(Self.countsFromResults) WHERE id = ?",
                [.text(status), .of(exitStatus.map { Int($0) }), .real(ended.timeIntervalSince1970), .text(id)])
        }
    }

    /// Stores a whole run with its results (a document from the S3 store), replacing one of the same id.
    public func store(_ document: RunDocument) throws {
        try write { database in
            try database.transaction {
                try database.run("DELETE FROM results WHERE run = ?", [.text(document.run.id)])
                try database.run(
                    "INSERT OR REPLACE INTO runs (\(Self.runColumns)) VALUES (\(Self.placeholders(Self.runColumnCount)))",
                    Self.values(of: document.run))
                let insert = try database.prepare(
                    "INSERT INTO results (run, \(Self.resultColumns)) VALUES (\(Self.placeholders(14)))")
                for result in document.results { try insert.run([.text(document.run.id)] + Self.values(of: result)) }
            }
        }
    }

    /// Marks this host's `running` runs whose runbook is gone (kill -9, a crash) as `interrupted`; the
    /// runs' ids.
    @discardableResult
    public func markAbandoned(host: String = RunOwner.hostName) throws -> [String] {
        let running = try read { database in
            try database.query(
                "SELECT id, pid, pid_start FROM runs WHERE status = 'running' AND host = ?", [.text(host)])
        }
        let gone = running.compactMap { row -> String? in
            guard let id = row[0].text, let pid = row[1].integer else { return nil }
            let owner = RunOwner(host: host, pid: Int32(pid), processStart: UInt64(row[2].integer ?? 0))
            return owner.isRunning(onHost: host) == false ? id : nil
        }
        for id in gone {
            try write { database in
                try database.run(
                    "UPDATE runs SET status = 'interrupted', \(Self.countsFromResults) WHERE id = ? AND status = 'running'",
                    [.text(id)])
            }
        }
        return gone
    }

    // MARK: - Reading

    /// What `runbook runs` filters on.
    public struct Filter: Sendable, Hashable {
        public var playbook: String?
        public var status: String?
        public var since: Date?
        public var account: String?
        public var limit = 20

        /// Makes a filter (everything, newest 20).
        public init() {}
    }

    /// The runs that match `filter`, newest first.
    public func runs(_ filter: Filter) throws -> [RecordedRun] {
        var clauses: [String] = []
        var parameters: [SQLValue] = []
        if let playbook = filter.playbook {
            // A path as given, or its file name: `--playbook site.yml` finds Playbooks/site.yml.
            clauses.append("(playbook = ? OR playbook LIKE ? ESCAPE '\\')")
            parameters += [.text(playbook), .text("%/" + Self.likeEscaped(playbook))]
        }
        if let status = filter.status {
            clauses.append("status = ?")
            parameters.append(.text(status))
        }
        if let since = filter.since {
            clauses.append("started >= ?")
            parameters.append(.real(since.timeIntervalSince1970))
        }
        if let account = filter.account {
            clauses.append("account = ?")
            parameters.append(.text(account))
        }
        let condition = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        parameters.append(.integer(Int64(max(filter.limit, 0))))
        return try read { database in
            try database.query(
                "SELECT \(Self.runColumns) FROM runs\(condition) ORDER BY started DESC, rowid DESC LIMIT ?",
                parameters)
        }.map(Self.run(from:))
    }

    /// The run `reference` names: its id, a unique prefix of it, `last` (the newest) or `last~N`
    /// (N runs before the newest).
    public func run(_ reference: String) throws -> RecordedRun {
        if reference == "last" || reference.hasPrefix("last~") {
            let back = reference == "last" ? 0 : Int(reference.dropFirst(5)) ?? -1
            guard back >= 0 else { throw RunbookError.usage("'\(reference)' is not a run; write last or last~N") }
            let rows = try read { database in
                try database.query(
                    "SELECT \(Self.runColumns) FROM runs ORDER BY started DESC, rowid DESC LIMIT 1 OFFSET ?",
                    [.integer(Int64(back))])
            }
            guard let row = rows.first else {
                throw RunbookError.noInput(
                    "the history \(path) has \(back == 0 ? "no runs" : "fewer than \(back + 1) runs")")
            }
            return Self.run(from: row)
        }
        let rows = try read { database in
            try database.query(
                "SELECT \(Self.runColumns) FROM runs WHERE id = ? OR id LIKE ? ESCAPE '\\' ORDER BY id = ? DESC LIMIT 3",
                [.text(reference), .text(Self.likeEscaped(reference) + "%"), .text(reference)])
        }
        let runs = rows.map(Self.run(from:))
        if let exact = runs.first(where: { $0.id == reference }) { return exact }
        guard let only = runs.first else { throw RunbookError.noInput("no run '\(reference)' in the history \(path)") }
        guard runs.count == 1 else {
            throw RunbookError.usage(
                "'\(reference)' names more than one run (\(runs.map(\.id).joined(separator: ", "))…); give more of the id"
            )
        }
        return only
    }

    /// A run's results in the order they arrived.
    public func results(of id: String) throws -> [RecordedResult] {
        try read { database in
            try database.query("SELECT \(Self.resultColumns) FROM results WHERE run = ? ORDER BY seq", [.text(id)])
        }.map(Self.result(from:))
    }

    /// A run with its results.
    public func document(_ reference: String) throws -> RunDocument {
        let run = try run(reference)
        return RunDocument(run: run, results: try results(of: run.id))
    }

    /// The ids of every run stored (to tell which S3 objects are new).
    public func ids() throws -> Set<String> {
        Set(try read { database in try database.query("SELECT id FROM runs") }.compactMap { $0.first?.text })
    }

    // MARK: - Rows

    private func read<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        do {
            return try database.withLock { try body($0) }
        } catch let error as SQLiteError {
            throw RunbookError(.noInput, "cannot read the run history \(path): \(error.message)")
        }
    }

    private func write(_ body: (SQLiteDatabase) throws -> Void) throws {
        do {
            try database.withLock { try body($0) }
        } catch let error as SQLiteError {
            throw RunbookError(.cantCreate, "cannot write the run history \(path): \(error.message)")
        }
    }

    /// The per-run counts, worked out from the run's results when it ends (or is found abandoned).
    private static let countsFromResults = """
        hosts = (SELECT count(DISTINCT host) FROM results WHERE run = runs.id),
        changed = (SELECT count(*) FROM results WHERE run = runs.id AND changed = 1),
        failed = (SELECT count(*) FROM results WHERE run = runs.id AND status IN ('failed', 'unreachable'))
        """

    private static let runColumnList = [
        "id", "kind", "parent", "started", "ended", "status", "exit_status", "user", "host", "pid", "pid_start",
        "ci_provider", "ci_job_url", "workspace", "git_commit", "git_dirty", "playbook", "inventory",
        "limit_pattern", "tags", "skip_tags", "target", "slice", "account", "arn", "region", "image", "image_id",
        "image_hash", "hosts", "changed", "failed",
    ]
    private static let runColumns = runColumnList.joined(separator: ", ")
    private static let runColumnCount = runColumnList.count
    private static let resultColumns =
        "seq, play, task, action, path, host, status, changed, started, duration, message, diff, handler"

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    private static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    private static func values(of run: RecordedRun) -> [SQLValue] {
        [
            .text(run.id), .text(run.kind), .of(run.parent), .real(run.started.timeIntervalSince1970),
            .of(run.ended?.timeIntervalSince1970), .text(run.status), .of(run.exitStatus.map { Int($0) }),
            .of(run.user), .of(run.host), .of(run.pid.map { Int($0) }), .of(run.pidStart.map { Int($0) }),
            .of(run.ciProvider), .of(run.ciJobURL), .text(run.workspace), .of(run.gitCommit), .of(run.gitDirty),
            .text(run.playbook), .text(run.inventory.joined(separator: "\n")), .of(run.limit), .of(run.tags),
            .of(run.skipTags), .of(run.target), .of(run.slice), .of(run.account), .of(run.arn), .of(run.region),
            .of(run.image), .of(run.imageID), .of(run.imageHash), .of(run.hosts), .of(run.changed), .of(run.failed),
        ]
    }

    private static func run(from row: [SQLValue]) -> RecordedRun {
        var run = RecordedRun(
            id: row[0].text ?? "", kind: row[1].text ?? "apply",
            started: Date(timeIntervalSince1970: row[3].real ?? 0), workspace: row[13].text ?? "",
            playbook: row[16].text ?? "")
        run.parent = row[2].text
        run.ended = row[4].real.map { Date(timeIntervalSince1970: $0) }
        run.status = row[5].text ?? "running"
        run.exitStatus = row[6].integer.map { Int32(truncatingIfNeeded: $0) }
        run.user = row[7].text
        run.host = row[8].text
        run.pid = row[9].integer.map { Int32(truncatingIfNeeded: $0) }
        run.pidStart = row[10].integer.map { UInt64(bitPattern: $0) }
        run.ciProvider = row[11].text
        run.ciJobURL = row[12].text
        run.gitCommit = row[14].text
        run.gitDirty = row[15].integer.map { $0 != 0 }
        run.inventory = (row[17].text ?? "").split(separator: "\n").map(String.init)
        run.limit = row[18].text
        run.tags = row[19].text
        run.skipTags = row[20].text
        run.target = row[21].text
        run.slice = row[22].text
        run.account = row[23].text
        run.arn = row[24].text
        run.region = row[25].text
        run.image = row[26].text
        run.imageID = row[27].text
        run.imageHash = row[28].text
        run.hosts = Int(row[29].integer ?? 0)
        run.changed = Int(row[30].integer ?? 0)
        run.failed = Int(row[31].integer ?? 0)
        return run
    }

    private static func values(of result: RecordedResult) -> [SQLValue] {
        [
            .of(result.seq), .text(result.play), .text(result.task), .text(result.action), .text(result.path),
            .text(result.host), .text(result.status), .of(result.changed), .real(result.started),
            .real(result.duration), .text(result.message), .of(result.diff), .of(result.handler),
        ]
    }

    private static func result(from row: [SQLValue]) -> RecordedResult {
        RecordedResult(
            seq: Int(row[0].integer ?? 0), play: row[1].text ?? "", task: row[2].text ?? "",
            action: row[3].text ?? "", path: row[4].text ?? "", host: row[5].text ?? "", status: row[6].text ?? "",
            changed: (row[7].integer ?? 0) != 0, started: row[8].real ?? 0, duration: row[9].real ?? 0,
            message: row[10].text ?? "", diff: row[11].text, handler: (row[12].integer ?? 0) != 0)
    }
}
