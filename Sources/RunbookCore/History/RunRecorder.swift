import Synchronization

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

/// Records one run into the history as it happens: the run's row when it starts, each host's result
/// as its event arrives (masked), and how it ended. A history that cannot be written costs the run
/// nothing but one warning: recording stops, the playbook goes on.
public final class RunRecorder: Sendable {
    private struct State {
        var seq = 0
        var play = ""
        var handlers: Set<String> = []
        var broken = false
    }

    /// The history written to.
    public let store: HistoryStore
    /// The run's id.
    public let runID: String
    private let masker: SecretMasker
    private let warn: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// Starts recording `run` (its row, status `running`); nil with a warning when the history cannot be
    /// opened or written.
    public init?(
        path: String, run: RecordedRun, masker: SecretMasker, warn: @escaping @Sendable (String) -> Void
    ) {
        do {
            let store = try HistoryStore(path: path)
            try store.begin(Self.masked(run, masker))
            self.store = store
        } catch {
            warn("runbook: warning: this run is not recorded in the history: \(error)\n")
            return nil
        }
        self.runID = run.id
        self.masker = masker
        self.warn = warn
    }

    /// Folds one event in: a play's name, a handler's id, a host's result (written at once).
    public func record(_ event: RunEvent) {
        let result: RecordedResult? = state.withLock { state in
            guard !state.broken else { return nil }
            switch event.event {
            case "play_start":
                state.play = event.play ?? ""
                return nil
            case "task_start":
                if event.handler == true, let id = event.taskID { state.handlers.insert(id) }
                return nil
            case "host_result":
                guard let host = event.host, let status = event.status else { return nil }
                let duration = event.duration ?? 0
                let result = RecordedResult(
                    seq: state.seq, play: masker(state.play), task: masker(event.task ?? ""),
                    action: event.action ?? "", path: event.path ?? "", host: host, status: status,
                    changed: event.changed ?? (status == "changed"), started: (event.time ?? 0) - duration,
                    duration: duration, message: masker(event.message ?? ""), diff: event.diff.map { masker($0) },
                    handler: event.taskID.map { state.handlers.contains($0) } ?? false)
                state.seq += 1
                return result
            default:
                return nil
            }
        }
        guard let result else { return }
        do {
            try store.add(result, run: runID)
        } catch {
            stopRecording(error)
        }
    }

    /// Records the image the run uses, once it is ready.
    public func setImage(_ image: PreparedImage) {
        do {
            try store.setImage(runID, name: image.reference, id: image.id, contentHash: image.contentHash)
        } catch {
            stopRecording(error)
        }
    }

    /// Records how the run ended.
    public func finish(status: String, exitStatus: Int32?, at date: Date) {
        do {
            try store.finish(runID, status: status, exitStatus: exitStatus, ended: date)
        } catch {
            stopRecording(error)
        }
    }

    /// The run as recorded, with its results (for the S3 store and the idempotence report).
    public func document() throws -> RunDocument { try store.document(runID) }

    /// The history status of an outcome: ok, failed, interrupted or timeout.
    public static func status(of outcome: RunOutcome) -> String {
        if outcome.signal != nil { return "interrupted" }
        if outcome.timedOut { return "timeout" }
        return outcome.status == 0 ? "ok" : "failed"
    }

    private func stopRecording(_ error: any Error) {
        let first = state.withLock { state in
            defer { state.broken = true }
            return !state.broken
        }
        if first { warn("runbook: warning: the history stopped recording this run: \(error)\n") }
    }

    private static func masked(_ run: RecordedRun, _ masker: SecretMasker) -> RecordedRun {
        var run = run
        run.limit = run.limit.map { masker($0) }
        run.inventory = run.inventory.map { masker($0) }
        return run
    }
}

/// Facts about where a run happens: who, which CI job, which git commit.
enum RunFacts {
    /// The user's name: `USER`/`LOGNAME`, else the password database's.
    static func user(_ environment: [String: String]) -> String? {
        if let user = environment["USER"] ?? environment["LOGNAME"], !user.isEmpty { return user }
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// The CI provider and the job's URL, from the variables each provider documents.
    static func ciJob(_ environment: [String: String]) -> (provider: String, url: String?)? {
        let value = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if value("GITHUB_ACTIONS") == "true" {
            var url: String?
            if let server = value("GITHUB_SERVER_URL"), let repository = value("GITHUB_REPOSITORY"),
                let run = value("GITHUB_RUN_ID")
            {
                url = "\(server)/\(repository)/actions/runs/\(run)"
                if let attempt = value("GITHUB_RUN_ATTEMPT") { url? += "/attempts/\(attempt)" }
            }
            return ("github", url)
        }
        if value("GITLAB_CI") != nil { return ("gitlab", value("CI_JOB_URL")) }
        if let build = value("BITBUCKET_BUILD_NUMBER") {
            let origin = value("BITBUCKET_GIT_HTTP_ORIGIN")?.replacingOccurrences(of: "http://", with: "https://")
            return ("bitbucket", origin.map { "\($0)/pipelines/results/\(build)" })
        }
        if value("CODEBUILD_BUILD_ID") != nil {
            return ("codebuild", value("CODEBUILD_BUILD_URL") ?? value("CODEBUILD_PUBLIC_BUILD_URL"))
        }
        if value("JENKINS_URL") != nil { return ("jenkins", value("BUILD_URL")) }
        if value("CIRCLECI") == "true" { return ("circleci", value("CIRCLE_BUILD_URL")) }
        if value("BUILDKITE") == "true" { return ("buildkite", value("BUILDKITE_BUILD_URL")) }
        if let ci = value("CI"), ci != "false", ci != "0" { return ("ci", nil) }
        return nil
    }

    /// The workspace's git commit and whether its work tree has uncommitted changes: from git when it
    /// is on PATH (the dirty flag needs it), else the commit from the repository's files (runbook's
    /// image has no git), else from the CI's commit variable; nil outside a repository.
    static func git(
        workspace: String, environment: [String: String], runner: any ProcessRunning
    ) async -> (commit: String, dirty: Bool?)? {
        if EngineDetector.onPath("git", path: environment["PATH"] ?? ""),
            let head = try? await runner.capture(ProcessSpec("git", ["-C", workspace, "rev-parse", "HEAD"])),
            head.status == 0
        {
            let commit = head.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            let status = try? await runner.capture(ProcessSpec("git", ["-C", workspace, "status", "--porcelain"]))
            let dirty = status.flatMap { $0.status == 0 ? !$0.standardOutput.isEmpty : nil }
            if !commit.isEmpty { return (commit, dirty) }
        }
        if let commit = GitFiles.head(of: workspace) { return (commit, nil) }
        for name in ["GITHUB_SHA", "CI_COMMIT_SHA", "BITBUCKET_COMMIT", "CODEBUILD_RESOLVED_SOURCE_VERSION"] {
            if let commit = environment[name], !commit.isEmpty { return (commit, nil) }
        }
        return nil
    }
}

/// The commit a repository's HEAD names, read from its files as git lays them out (`.git` folder or
/// `gitdir:` file, loose refs, `packed-refs`, a worktree's `commondir`).
enum GitFiles {
    /// HEAD's commit for the repository `folder` is in (or under a parent of), or nil.
    static func head(of folder: String) -> String? {
        var current = folder
        while true {
            if let gitDirectory = gitDirectory(at: current + "/.git") { return resolveHead(gitDirectory) }
            let parent = Paths.parent(current)
            if parent == current || parent.isEmpty { return nil }
            current = parent
        }
    }

    private static func gitDirectory(at path: String) -> String? {
        if Paths.isFolder(path) { return path }
        guard let text = read(path), text.hasPrefix("gitdir:") else { return nil }
        let target = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
        return Paths.absolute(target, relativeTo: Paths.parent(path))
    }

    private static func resolveHead(_ gitDirectory: String) -> String? {
        guard let head = read(gitDirectory + "/HEAD") else { return nil }
        guard head.hasPrefix("ref:") else { return isCommit(head) ? head : nil }
        let ref = head.dropFirst(4).trimmingCharacters(in: .whitespaces)
        let common = read(gitDirectory + "/commondir").map { Paths.absolute($0, relativeTo: gitDirectory) }
        for directory in [gitDirectory, common].compactMap({ $0 }) {
            if let commit = read(directory + "/" + ref), isCommit(commit) { return commit }
            for line in (read(directory + "/packed-refs") ?? "").split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, parts[1] == ref, isCommit(String(parts[0])) { return String(parts[0]) }
            }
        }
        return nil
    }

    private static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    private static func isCommit(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
    }
}
