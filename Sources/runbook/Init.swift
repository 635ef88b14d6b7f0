import ArgumentParser
import RunbookCore

struct Init: RunbookCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a workspace: runbook.yml, Playbooks/, Inventory/, .gitignore and a pipeline file.",
        discussion: "Existing files are never overwritten.")

    @Argument(help: "The folder to set up (default: the current directory).")
    var directory: String = "."

    @Option(help: "Pipeline file to write: \(PipelineKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var ci: PipelineKind = .bitbucket

    @OptionGroup var global: GlobalOptions

    func run(_ context: RunbookContext) async throws -> Int32 {
        try InitCommand(directory: directory, pipeline: ci).run(context)
    }
}
