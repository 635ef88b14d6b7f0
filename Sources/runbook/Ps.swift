import ArgumentParser
import RunbookCore

/// `runbook ps`: the runs in progress on this machine, and what gone runs left behind.
struct Ps: RunbookCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the runs in progress on this machine.",
        discussion: """
            Lists every apply or plan whose runbook process still runs: its run id, start, process id, \
            container and playbook (runs of other hosts sharing the engine show their host). Folders and \
            containers left by runs whose runbook is gone (kill -9, a crash, a lost CI agent) are named on \
            standard error; --clean removes them now, as every apply does at its start.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var engineOptions: EngineOptions

    @Flag(help: "Remove the folders and containers of runs whose runbook is gone.")
    var clean = false

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    var settingFlags: SettingFlags {
        var flags = SettingFlags()
        engineOptions.add(to: &flags)
        return flags
    }

    func run(_ context: RunbookContext) async throws -> Int32 {
        try await PsCommand(clean: clean, json: format == .json).run(context)
    }
}
