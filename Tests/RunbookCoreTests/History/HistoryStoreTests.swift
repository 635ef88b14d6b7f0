import Foundation
import Testing

@testable import RunbookCore

/// The history store on a real SQLite file: schema and migrations, writing as a run goes, reading with
/// filters and references, abandoned runs, and two writers at once.
@Suite struct HistoryStoreTests {
    private let folder: URL

    init() throws {
        folder = try temporaryDirectory()
    }

    private var path: String { folder.appendingPathComponent("h/history.sqlite").path }

    private func run(
        _ id: String, at seconds: Double, status: String = "running", playbook: String = "Playbooks/site.yml"
    )
        -> RecordedRun
    {
        var run = RecordedRun(
            id: id, kind: "apply", started: Date(timeIntervalSince1970: seconds), workspace: "/ws", playbook: playbook)
        run.status = status
        run.host = RunOwner.hostName
        return run
    }

    private func result(_ seq: Int, host: String = "web1", task: String = "Install", status: String = "ok")
        -> RecordedResult
    {
        RecordedResult(
            seq: seq, play: "Play", task: task, action: "apt", path: "Playbooks/site.yml:\(seq + 3)", host: host,
            status: status, changed: status == "changed", started: 100 + Double(seq), duration: 0.5, message: "",
            diff: nil, handler: false)
    }

    @Test func aNewFileGetsTheSchemaInWALModeAtTheCurrentVersion() throws {
        let store = try HistoryStore(path: path)
        try store.begin(run("a1", at: 1))
        let database = try SQLiteDatabase(path: path)
        #expect(try database.query("PRAGMA user_version").first?.first?.integer == Int64(HistoryStore.schemaVersion))
        #expect(try database.query("PRAGMA journal_mode").first?.first?.text == "wal")
        let indexes = try database.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs'")
            .compactMap { $0.first?.text }
        #expect(Set(indexes).isSuperset(of: ["runs_started", "runs_playbook", "runs_status", "runs_account"]))
        // The filtered listing uses an index, not a scan of every run.
        let plan = try database.query(
            "EXPLAIN QUERY PLAN SELECT id FROM runs WHERE status = 'ok' ORDER BY started DESC"
        )
        .map { $0.last?.text ?? "" }.joined(separator: " ")
        #expect(plan.contains("USING INDEX"), "\(plan)")
    }

    @Test func aFileFromANewerRunbookIsRefusedNotRewritten() throws {
        _ = try HistoryStore(path: path)
        try SQLiteDatabase(path: path).execute("PRAGMA user_version = 99")
        #expect {
            _ = try HistoryStore(path: path)
        } throws: { error in
            let error = error as? RunbookError
            return error?.status == .cantCreate && error?.message.contains("newer than this runbook's") == true
        }
        #expect(try SQLiteDatabase(path: path).query("PRAGMA user_version").first?.first?.integer == 99)
    }

    @Test func resultsLandAsTheyComeAndTheEndFillsTheCounts() throws {
        let store = try HistoryStore(path: path)
        try store.begin(run("a1", at: 1))
        try store.add(result(0, status: "changed"), run: "a1")
        try store.add(result(1, host: "web2", status: "failed"), run: "a1")
        // Before the end a reader already sees the results.
        #expect(try HistoryStore(path: path).results(of: "a1").count == 2)
        try store.finish("a1", status: "failed", exitStatus: 2, ended: Date(timeIntervalSince1970: 9))
        let finished = try store.run("a1")
        #expect(finished.status == "failed" && finished.exitStatus == 2 && finished.duration == 8)
        #expect(finished.hosts == 2 && finished.changed == 1 && finished.failed == 1)
    }

    @Test func runsAreNewestFirstAndFilteredAndReferencesResolve() throws {
        let store = try HistoryStore(path: path)
        try store.begin(run("abc111", at: 10, status: "ok"))
        try store.begin(run("abc222", at: 20, status: "failed", playbook: "Playbooks/other.yml"))
        var third = run("xyz333", at: 30, status: "ok")
        third.account = "123456789012"
        try store.begin(third)
        #expect(try store.runs(.init()).map(\.id) == ["xyz333", "abc222", "abc111"])
        var filter = HistoryStore.Filter()
        filter.status = "ok"
        #expect(try store.runs(filter).map(\.id) == ["xyz333", "abc111"])
        filter = .init()
        filter.playbook = "other.yml"
        #expect(try store.runs(filter).map(\.id) == ["abc222"])
        filter = .init()
        filter.since = Date(timeIntervalSince1970: 15)
        filter.account = "123456789012"
        #expect(try store.runs(filter).map(\.id) == ["xyz333"])
        filter = .init()
        filter.limit = 1
        #expect(try store.runs(filter).map(\.id) == ["xyz333"])
        // A playbook name with LIKE's wildcards matches itself only.
        filter = .init()
        filter.playbook = "%"
        #expect(try store.runs(filter).isEmpty)

        #expect(try store.run("last").id == "xyz333")
        #expect(try store.run("last~2").id == "abc111")
        #expect(try store.run("xyz").id == "xyz333")
        #expect(throws: RunbookError.self) { try store.run("abc") }  // two runs start so
        #expect(throws: RunbookError.self) { try store.run("nope") }
        #expect(throws: RunbookError.self) { try store.run("last~9") }
    }

    @Test func aRunningRunWhoseRunbookIsGoneShowsAsInterrupted() throws {
        let store = try HistoryStore(path: path)
        var gone = run("gone01", at: 1)
        gone.pid = Int32.max - 1  // no such process
        try store.begin(gone)
        var alive = run("live01", at: 2)
        let me = RunOwner.current()
        alive.pid = me.pid
        alive.pidStart = me.processStart
        try store.begin(alive)
        #expect(try store.markAbandoned() == ["gone01"])
        #expect(try store.run("gone01").status == "interrupted")
        #expect(try store.run("live01").status == "running")
    }

    @Test func twoWritersAtOnceBothLand() async throws {
        let first = try HistoryStore(path: path)
        let second = try HistoryStore(path: path)
        try first.begin(run("one", at: 1))
        try second.begin(run("two", at: 2))
        await withTaskGroup(of: Void.self) { group in
            for (store, id) in [(first, "one"), (second, "two")] {
                group.addTask {
                    for seq in 0..<300 { try? store.add(result(seq), run: id) }
                }
            }
        }
        #expect(try first.results(of: "one").count == 300)
        #expect(try first.results(of: "two").count == 300)
    }

    /// Runbooks started at the same moment all open (create, switch to WAL, migrate) a history file
    /// that does not exist yet, and each one's run lands.
    @Test func runbooksOpeningANewFileAtOnceAllLand() async throws {
        for round in 0..<25 {
            let fresh = folder.appendingPathComponent("new-\(round)/history.sqlite").path
            let opened = await withTaskGroup(of: String?.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        do {
                            let store = try HistoryStore(path: fresh)
                            try store.begin(run("r\(writer)", at: Double(writer)))
                            return nil
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                var failures: [String] = []
                for await failure in group { if let failure { failures.append(failure) } }
                return failures
            }
            #expect(opened.isEmpty, "round \(round): \(opened)")
            #expect(try HistoryStore(path: fresh).runs(HistoryStore.Filter()).count == 4)
        }
    }

    @Test func aDocumentRoundTripsThroughJSONAndStore() throws {
        let store = try HistoryStore(path: path)
        var recorded = run("doc1", at: 1, status: "ok")
        recorded.gitCommit = "0123456789abcdef0123456789abcdef01234567"
        recorded.gitDirty = true
        recorded.inventory = ["Inventory/", "web1,web2,"]
        let document = RunDocument(run: recorded, results: [result(0), result(1, status: "changed")])
        let decoded = try RunDocument.decoder.decode(RunDocument.self, from: try document.encoded())
        try store.store(decoded)
        let back = try store.document("doc1")
        #expect(back.results == document.results)
        #expect(back.run.inventory == recorded.inventory && back.run.gitDirty == true)
        #expect(back.recap["web1"]?.changed == 1)
    }
}

@Suite struct HistoryPiecesTests {
    @Test func gzipRoundTripsAndIsReadByGunzip() async throws {
        let text = Data((0..<2000).map { "line \($0) of a run document\n" }.joined().utf8)
        let compressed = try Gzip.compress(text)
        #expect(compressed.starts(with: [0x1f, 0x8b]) && compressed.count < text.count / 5)
        #expect(try Gzip.decompress(compressed) == text)
        #expect(throws: GzipError.self) { try Gzip.decompress(compressed.prefix(compressed.count / 2)) }
        let gunzip = try await SubprocessRunner().capture(ProcessSpec("gzip", ["-dc"], input: compressed))
        #expect(gunzip.status == 0 && gunzip.standardOutput == String(decoding: text, as: UTF8.self))
    }

    @Test(arguments: [
        ("s3://team-history", "team-history", ""), ("s3://team-history/ci/runbook/", "team-history", "ci/runbook"),
        ("s3://my.bucket//a//b", "my.bucket", "a/b"),
    ])
    func s3LocationsParse(_ text: String, bucket: String, prefix: String) throws {
        let location = try S3Location(text)
        #expect(location.bucket == bucket && location.prefix == prefix)
    }

    @Test(arguments: ["team-history", "s3://", "s3://UPPER/x", "s3://ab", "s3://bucket/../x", "https://bucket/x"])
    func badS3LocationsAreUsageErrors(_ text: String) {
        #expect { try S3Location(text) } throws: { ($0 as? RunbookError)?.status == .usage }
    }

    @Test func sinceTakesDurationsAndDates() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(RunsCommand.since("90m", now: now) == now.addingTimeInterval(-5400))
        #expect(RunsCommand.since("7d", now: now) == now.addingTimeInterval(-604_800))
        #expect(RunsCommand.since("2w", now: now) == now.addingTimeInterval(-1_209_600))
        #expect(RunsCommand.since("2026-12-01", now: now) == Date(timeIntervalSince1970: 1_796_083_200))
        #expect(RunsCommand.since("2026-12-01T10:00:00Z", now: now) == Date(timeIntervalSince1970: 1_796_119_200))
        #expect(RunsCommand.since("yesterday", now: now) == nil)
    }

    @Test func ciJobsAreNamedWithTheirURL() {
        let github = RunFacts.ciJob([
            "GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
            "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "2",
        ])
        #expect(github?.provider == "github" && github?.url == "https://github.com/o/r/actions/runs/42/attempts/2")
        let gitlab = RunFacts.ciJob([
            "GITLAB_CI": "true", "CI_JOB_URL": "https://gitlab.com/o/r/-/jobs/7", "CI": "true",
        ])
        #expect(gitlab?.provider == "gitlab" && gitlab?.url == "https://gitlab.com/o/r/-/jobs/7")
        let bitbucket = RunFacts.ciJob([
            "BITBUCKET_BUILD_NUMBER": "9", "BITBUCKET_GIT_HTTP_ORIGIN": "http://bitbucket.org/team/repo",
        ])
        #expect(bitbucket?.url == "https://bitbucket.org/team/repo/pipelines/results/9")
        #expect(RunFacts.ciJob(["CI": "true"])?.provider == "ci")
        #expect(RunFacts.ciJob([:]) == nil)
    }

    @Test func gitHeadIsReadFromTheRepositoryFiles() throws {
        let folder = try temporaryDirectory()
        let commit = "3f2a9c0d1e4b5a6978877665544332211009f8e7"
        let git = folder.appendingPathComponent(".git")
        try FileManager.default.createDirectory(
            at: git.appendingPathComponent("refs/heads"), withIntermediateDirectories: true)
        try Data("ref: refs/heads/main\n".utf8).write(to: git.appendingPathComponent("HEAD"))
        try Data("# pack-refs with: peeled\n\(commit) refs/heads/main\n".utf8)
            .write(to: git.appendingPathComponent("packed-refs"))
        let nested = folder.appendingPathComponent("ops/Playbooks")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        #expect(GitFiles.head(of: nested.path) == commit)
        let loose = "0000000000000000000000000000000000000abc"
        try Data("\(loose)\n".utf8).write(to: git.appendingPathComponent("refs/heads/main"))
        #expect(GitFiles.head(of: folder.path) == loose)
        #expect(GitFiles.head(of: try temporaryDirectory().path) == nil)
    }

    private func document(_ id: String, _ results: [(String, String, String)]) -> RunDocument {
        RunDocument(
            run: RecordedRun(id: id, kind: "apply", started: Date(), workspace: "/ws", playbook: "p.yml"),
            results: results.enumerated().map { index, item in
                RecordedResult(
                    seq: index, play: "P", task: item.1, action: "x", path: "p.yml:\(index)", host: item.0,
                    status: item.2, changed: item.2 == "changed", started: 0, duration: 0, message: "", diff: nil,
                    handler: false)
            })
    }

    @Test func diffNamesHostsAndTasksThatDiffer() {
        let a = document("a", [("web1", "Install", "changed"), ("web1", "Start", "ok"), ("web2", "Install", "ok")])
        let b = document("b", [("web1", "Install", "ok"), ("web1", "Start", "ok"), ("web3", "Install", "ok")])
        let diff = RunDiff(a, b)
        #expect(diff.newHosts == ["web3"] && diff.vanishedHosts == ["web2"])
        #expect(
            diff.changes.map { "\($0.host) \($0.task) \($0.before ?? "-") \($0.after ?? "-")" } == [
                "web1 Install changed ok", "web3 Install - ok", "web2 Install ok -",
            ])
        #expect(RunDiff(a, a).rendered().contains("no differences"))
    }

    @Test func theReportEscapesEveryTextAndCannotEndItsScriptEarly() {
        var recorded = RunDocument(
            run: RecordedRun(id: "r1", kind: "apply", started: Date(), workspace: "/ws", playbook: "<b>p</b>.yml"),
            results: [])
        recorded.results = [
            RecordedResult(
                seq: 0, play: "P", task: "</script><script>alert(1)</script>", action: "x", path: "p.yml:1",
                host: "web\"1", status: "failed", changed: false, started: 0, duration: 1,
                message: "<img src=x onerror=alert(1)>", diff: "+<new>\n-old", handler: false)
        ]
        let html = HTMLReport(recorded).rendered()
        #expect(!html.contains("<img") && !html.contains("<b>p</b>") && !html.contains("alert(1)</script>"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.components(separatedBy: "</script>").count - 1 == 2, "one data block and one script")
        #expect(!html.contains("http://") && !html.contains("https://"), "the page fetches nothing")
    }
}
