#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where the history commands read runs from: the local history, or (`--from s3://…`) the team
/// history in S3, copied into a local cache first.
public struct HistorySource: Sendable {
    /// `s3://bucket/prefix`, or nil for the local history.
    public var from: String?

    /// Makes a source.
    public init(from: String? = nil) {
        self.from = from
    }

    /// Opens the store to read; for S3, brings the cache up to date (new runs since `since` only).
    public func open(_ context: RunbookContext, since: Date? = nil) async throws -> HistoryStore {
        guard let from else { return try HistoryLocation.open(context) }
        let location = try S3Location(from)
        let resolved = try await context.credentials.resolve(CredentialOptions(settings: context.settings))
        let client = try S3Client(
            location: location, credentials: resolved.credentials, region: resolved.region?.name ?? "us-east-1",
            environment: context.environment, transport: context.system.transport)
        let cache = try HistoryStore(path: S3HistoryStore.cachePath(for: location, environment: context.environment))
        let added = try await S3HistoryStore(client: client).sync(into: cache, since: since) { context.console.err($0) }
        if added > 0 { context.console.err("runbook: \(added) new run(s) from \(location)\n") }
        return cache
    }
}

/// `runbook runs`: the recorded runs, newest first.
public struct RunsCommand: Sendable {
    /// What to list.
    public var filter: HistoryStore.Filter
    /// Where from.
    public var source: HistorySource
    /// JSON instead of a table.
    public var json: Bool

    /// Makes the command.
    public init(filter: HistoryStore.Filter, source: HistorySource, json: Bool) {
        self.filter = filter
        self.source = source
        self.json = json
    }

    /// Lists; 0 (an empty list too).
    public func run(_ context: RunbookContext) async throws -> Int32 {
        let store = try await source.open(context, since: filter.since)
        let runs = try store.runs(filter)
        if json {
            context.console.out(
                String(decoding: try RunDocument.encoder(pretty: true).encode(runs), as: UTF8.self) + "\n")
        } else {
            context.console.out(HistoryText.table(runs))
        }
        return 0
    }

    /// `--since`: a duration back from now (90m, 12h, 7d, 2w) or a date (2026-12-01, or ISO 8601 with a time).
    public static func since(_ text: String, now: Date) -> Date? {
        let units: [Character: Double] = ["d": 86_400, "w": 604_800]
        if let unit = text.last, let factor = units[unit], let value = Double(text.dropLast()), value > 0 {
            return now.addingTimeInterval(-value * factor)
        }
        if let duration = Durations.parse(text) { return now.addingTimeInterval(-Double(duration.components.seconds)) }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        guard text.count == 10 else { return nil }
        return try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day())
    }
}

/// `runbook show RUN`: one run's facts, recap, failures, changes with their diffs, and every host × task.
public struct ShowCommand: Sendable {
    /// The run: an id, a unique prefix, `last` or `last~N`.
    public var run: String
    /// Where from.
    public var source: HistorySource
    /// JSON (the run document) instead of text.
    public var json: Bool

    /// Makes the command.
    public init(run: String, source: HistorySource, json: Bool) {
        self.run = run
        self.source = source
        self.json = json
    }

    /// Shows; 0.
    public func run(_ context: RunbookContext) async throws -> Int32 {
        let document = try await source.open(context).document(run)
        if json {
            context.console.out(String(decoding: try document.encoded(pretty: true), as: UTF8.self) + "\n")
        } else {
            context.console.out(HistoryText.show(document))
        }
        return 0
    }
}

/// `runbook runs diff A B`: what changed between two runs.
public struct RunsDiffCommand: Sendable {
    /// The two runs.
    public var first: String
    public var second: String
    /// Where from.
    public var source: HistorySource
    /// JSON instead of text.
    public var json: Bool

    /// Makes the command.
    public init(first: String, second: String, source: HistorySource, json: Bool) {
        self.first = first
        self.second = second
        self.source = source
        self.json = json
    }

    /// Compares; 0 whether or not they differ (the output says).
    public func run(_ context: RunbookContext) async throws -> Int32 {
        let store = try await source.open(context)
        let diff = RunDiff(try store.document(first), try store.document(second))
        if json {
            let encoder = RunDocument.encoder(pretty: true)
            context.console.out(String(decoding: try encoder.encode(diff), as: UTF8.self) + "\n")
        } else {
            context.console.out(diff.rendered())
        }
        return 0
    }
}

/// `runbook report RUN --html FILE`: one self-contained HTML page.
public struct ReportCommand: Sendable {
    /// The run.
    public var run: String
    /// Where from.
    public var source: HistorySource
    /// The file to write.
    public var htmlFile: String

    /// Makes the command.
    public init(run: String, source: HistorySource, htmlFile: String) {
        self.run = run
        self.source = source
        self.htmlFile = htmlFile
    }

    /// Writes the page; 73 when it cannot be written.
    public func run(_ context: RunbookContext) async throws -> Int32 {
        let document = try await source.open(context).document(run)
        let path = Paths.absolute(htmlFile, relativeTo: context.currentDirectory)
        let html = HTMLReport(document).rendered()
        do {
            try FileManager.default.createDirectory(atPath: Paths.parent(path), withIntermediateDirectories: true)
            try Data(html.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw RunbookError(.cantCreate, "cannot write the report \(htmlFile): \(Formatting.reason(error))")
        }
        context.console.err(
            "runbook: report of run \(document.run.id) written to \(htmlFile) (\(html.utf8.count) bytes)\n")
        return 0
    }
}
