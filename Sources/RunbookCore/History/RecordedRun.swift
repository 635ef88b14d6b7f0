#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One run as the history keeps it: what ran, where, by whom, with which credentials and image, and
/// how it ended. Also the JSON document of the S3 store (with its results) and of `runs --format json`.
public struct RecordedRun: Sendable, Hashable, Codable {
    /// The run's id (the one `runbook ps` shows and the container is named after).
    public var id: String
    /// `apply`, `plan`, or `idempotence` (the second run of `apply --idempotence`).
    public var kind: String
    /// For an idempotence run, the run it repeated.
    public var parent: String?
    /// When it started and ended (nil while it runs, or when it was killed).
    public var started: Date
    public var ended: Date?
    /// `running`, `ok`, `failed`, `not-idempotent`, `interrupted`, `timeout` or `error`.
    public var status: String
    /// runbook's exit status for the run (ansible-playbook's own, passed through; nil while running).
    public var exitStatus: Int32?
    /// Who: the user, host and runbook's process (to tell a killed run from a running one).
    public var user: String?
    public var host: String?
    public var pid: Int32?
    public var pidStart: UInt64?
    /// The CI provider and the job's URL, when the run is a CI job.
    public var ciProvider: String?
    public var ciJobURL: String?
    /// The workspace, its git commit and whether the work tree had uncommitted changes.
    public var workspace: String
    public var gitCommit: String?
    public var gitDirty: Bool?
    /// The playbook (relative to the workspace when inside it) and what it ran on.
    public var playbook: String
    public var inventory: [String] = []
    public var limit: String?
    public var tags: String?
    public var skipTags: String?
    public var target: String?
    public var slice: String?
    /// The AWS identity and region.
    public var account: String?
    public var arn: String?
    public var region: String?
    /// The image: name:tag, id and runbook's content hash (nil in-image when unknown).
    public var image: String?
    public var imageID: String?
    public var imageHash: String?
    /// Per-run counts, filled in when the run ends: hosts, and host × task results that changed or failed.
    public var hosts: Int = 0
    public var changed: Int = 0
    public var failed: Int = 0

    /// Makes a run record.
    public init(id: String, kind: String, started: Date, workspace: String, playbook: String) {
        self.id = id
        self.kind = kind
        self.started = started
        self.status = "running"
        self.workspace = workspace
        self.playbook = playbook
    }

    /// How long it ran, when it has ended.
    public var duration: Double? { ended.map { $0.timeIntervalSince(started) } }
}

/// One host's result for one task, as the history keeps it.
public struct RecordedResult: Sendable, Hashable, Codable {
    /// The result's place in the run (0, 1, …).
    public var seq: Int
    public var play: String
    public var task: String
    public var action: String
    /// `file:line` of the task.
    public var path: String
    public var host: String
    /// ok, changed, failed, ignored, skipped or unreachable.
    public var status: String
    public var changed: Bool
    /// When the task started on the host (the result's time less its duration), and how long it took.
    public var started: Double
    public var duration: Double
    /// The masked message and the masked diff (with --diff).
    public var message: String
    public var diff: String?
    /// Whether the task is a handler.
    public var handler: Bool

    /// Makes a result.
    public init(
        seq: Int, play: String, task: String, action: String, path: String, host: String, status: String,
        changed: Bool, started: Double, duration: Double, message: String, diff: String?, handler: Bool
    ) {
        self.seq = seq
        self.play = play
        self.task = task
        self.action = action
        self.path = path
        self.host = host
        self.status = status
        self.changed = changed
        self.started = started
        self.duration = duration
        self.message = message
        self.diff = diff
        self.handler = handler
    }

    /// The key that identifies "the same task on the same host" across two runs.
    var identity: String { host + "\u{1F}" + play + "\u{1F}" + task + "\u{1F}" + path }
}

/// A run with its results: one S3 object, one `show --format json` answer.
public struct RunDocument: Sendable, Hashable, Codable {
    /// The document's format version.
    public var version = 1
    public var run: RecordedRun
    public var results: [RecordedResult]

    /// Makes a document.
    public init(run: RecordedRun, results: [RecordedResult]) {
        self.run = run
        self.results = results
    }

    /// Per-host counts, as in Ansible's PLAY RECAP.
    public var recap: [String: RunSummary.HostCounts] {
        var summary = RunSummary()
        for result in results {
            summary.add(
                RunEvent(
                    event: "host_result", task: result.task, path: result.path, host: result.host,
                    status: result.status, changed: result.changed))
        }
        return summary.hosts
    }

    /// JSON with sorted keys and ISO dates.
    public func encoded(pretty: Bool = false) throws -> Data {
        try Self.encoder(pretty: pretty).encode(self)
    }

    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
