import ArgumentParser
import RunbookCore

/// `runbook merge-junit`: one JUnit file from the files of a fanned-out pipeline's jobs.
struct MergeJUnit: RunbookCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-junit",
        abstract: "Merge runbook's JUnit files (one per slice job) into one.",
        discussion: "Each job's test suite is kept; the totals are summed. Exit 66 for a missing file, 65 for one "
            + "runbook did not write, 73 when the output cannot be written.")

    @Option(name: [.short, .long], help: ArgumentHelp("The merged file.", valueName: "file"))
    var output: String

    @Argument(help: "runbook's JUnit files.")
    var files: [String] = []

    @OptionGroup var global: GlobalOptions

    func run(_ context: RunbookContext) async throws -> Int32 {
        let absolute = { (path: String) in path.hasPrefix("/") ? path : context.currentDirectory + "/" + path }
        let line = try JUnitMerge(inputs: files.map(absolute), output: absolute(output)).run()
        context.console.err("runbook: \(line)\n")
        return 0
    }
}
