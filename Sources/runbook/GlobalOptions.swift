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

/// Options for commands that drive a container engine (`image …`, later `apply`).
struct EngineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("docker or podman (default: RUNBOOK_ENGINE, else detected).", valueName: "name"))
    var engine: String?

    @Option(
        help: ArgumentHelp("The network for builds and containers, e.g. host (RUNBOOK_NETWORK).", valueName: "name"))
    var network: String?

    @Option(
        name: .customLong("engine-option"),
        help: ArgumentHelp(
            "An option passed through to the engine's build and run commands, e.g. --engine-option=--ulimit=nofile=4096 "
                + "(repeatable; RUNBOOK_ENGINE_OPTIONS, space-separated).", valueName: "option"))
    var engineOptions: [String] = []

    /// The engine these options and the RUNBOOK_* variables name, or the detected one.
    func resolve(runner: any ProcessRunning, environment: [String: String]) async throws -> ContainerEngine {
        let name = engine ?? environment["RUNBOOK_ENGINE"].flatMap { $0.isEmpty ? nil : $0 }
        let kind = try name.map(EngineDetector.kind)
        let network = network ?? environment["RUNBOOK_NETWORK"].flatMap { $0.isEmpty ? nil : $0 }
        let options =
            engineOptions.isEmpty
            ? (environment["RUNBOOK_ENGINE_OPTIONS"] ?? "").split(separator: " ").map(String.init) : engineOptions
        return try await EngineDetector(runner: runner, path: environment["PATH"] ?? "")
            .resolve(kind: kind, network: network, extraOptions: options)
    }
}
