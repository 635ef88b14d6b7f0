import ArgumentParser
import Foundation
import RunbookCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The workspace folder (default: the current directory).", valueName: "dir"))
    var workspace: String?

    /// The workspace as an absolute, standardized path.
    var workspaceURL: URL {
        let cwd = FileManager.default.currentDirectoryPath
        let path = workspace.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 } ?? cwd
        return URL(fileURLWithPath: path).standardizedFileURL
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}

/// Ends the command with a RunbookError's status, printing its message to standard error.
func exit(with error: RunbookError) -> ExitCode {
    FileHandle.standardError.write(Data("runbook: error: \(error.description)\n".utf8))
    return ExitCode(error.status.rawValue)
}
