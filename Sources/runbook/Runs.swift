import ArgumentParser
import RunbookCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The options every history command has: which history to read.
struct HistoryOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions

    @Option(help: .setting(.history, valueName: "file"))
    var history: String?

    @Option(
        help: ArgumentHelp(
            "Read the team history in S3 (the history_store setting's location) instead of the local one.",
            valueName: "s3://bucket/prefix"))
    var from: String?

    var source: HistorySource { HistorySource(from: from) }

    var settingFlags: SettingFlags {
        var flags = SettingFlags()
        flags.set(.history, history, flag: "--history")
        return flags
    }
}

/// `--format text|json` of the history commands.
enum HistoryFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// `runbook runs`: the recorded runs; `runbook runs diff A B`.
struct Runs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the recorded runs, newest first (every apply and plan is recorded).",
        discussion: """
            The history is a SQLite file (the history setting; default $XDG_DATA_HOME/runbook/history.sqlite, \
            else ~/.local/share/runbook/history.sqlite). Name a run by its id, a unique prefix of it, last, \
            or last~N (N runs before the newest).
            """,
        subcommands: [RunsList.self, RunsDiff.self],
        defaultSubcommand: RunsList.self)
}

struct RunsList: RunbookCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the recorded runs.")

    @OptionGroup var options: HistoryOptions

    @Option(help: "Only runs of this playbook (its path, or its file name).")
    var playbook: String?

    @Option(help: "Only runs that ended so: ok, failed, not-idempotent, interrupted, timeout, error, running.")
    var status: String?

    @Option(help: ArgumentHelp("Only runs started since: 90m, 12h, 7d, 2w, or a date (2026-12-01).", valueName: "when"))
    var since: String?

    @Option(help: "Only runs in this AWS account.")
    var account: String?

    @Option(name: .customLong("last"), help: "At most this many runs.")
    var count = 20

    @Option(help: "Output format: text or json.")
    var format: HistoryFormat = .text

    var global: GlobalOptions { options.global }
    var settingFlags: SettingFlags { options.settingFlags }

    func validate() throws {
        if let since, RunsCommand.since(since, now: Date()) == nil {
            throw ValidationError("--since '\(since)' is not a duration (90m, 12h, 7d, 2w) or a date (2026-12-01)")
        }
        if count < 1 { throw ValidationError("--last must be at least 1") }
        let statuses = ["ok", "failed", "not-idempotent", "interrupted", "timeout", "error", "running"]
        if let status, !statuses.contains(status) {
            throw ValidationError("--status '\(status)' is not one of \(statuses.joined(separator: ", "))")
        }
    }

    func run(_ context: RunbookContext) async throws -> Int32 {
        var filter = HistoryStore.Filter()
        filter.playbook = playbook
        filter.status = status
        filter.since = since.flatMap { RunsCommand.since($0, now: context.system.now()) }
        filter.account = account
        filter.limit = count
        return try await RunsCommand(filter: filter, source: options.source, json: format == .json).run(context)
    }
}

struct RunsDiff: RunbookCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what differs between two runs: new and vanished hosts, tasks whose result differs.")

    @OptionGroup var options: HistoryOptions

    @Argument(help: "The earlier run.")
    var first: String

    @Argument(help: "The later run.")
    var second: String

    @Option(help: "Output format: text or json.")
    var format: HistoryFormat = .text

    var global: GlobalOptions { options.global }
    var settingFlags: SettingFlags { options.settingFlags }

    func run(_ context: RunbookContext) async throws -> Int32 {
        try await RunsDiffCommand(first: first, second: second, source: options.source, json: format == .json).run(
            context)
    }
}

/// `runbook show RUN`.
struct Show: RunbookCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one recorded run: facts, recap, failures, changed tasks with their diffs, every host × task.")

    @OptionGroup var options: HistoryOptions

    @Argument(help: "The run: its id, a unique prefix, last or last~N.")
    var run: String = "last"

    @Option(help: "Output format: text or json (the run document).")
    var format: HistoryFormat = .text

    var global: GlobalOptions { options.global }
    var settingFlags: SettingFlags { options.settingFlags }

    func run(_ context: RunbookContext) async throws -> Int32 {
        try await ShowCommand(run: run, source: options.source, json: format == .json).run(context)
    }
}

/// `runbook report RUN --html FILE`.
struct Report: RunbookCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one recorded run as a self-contained HTML page with a per-host timeline.")

    @OptionGroup var options: HistoryOptions

    @Argument(help: "The run: its id, a unique prefix, last or last~N.")
    var run: String = "last"

    @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file"))
    var html: String

    var global: GlobalOptions { options.global }
    var settingFlags: SettingFlags { options.settingFlags }

    func run(_ context: RunbookContext) async throws -> Int32 {
        try await ReportCommand(run: run, source: options.source, htmlFile: html).run(context)
    }
}
