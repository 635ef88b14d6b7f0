import ArgumentParser
import Foundation
import RunbookCore

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate, check credentials, ensure the image, and run the playbook in it.",
        discussion: """
            ansible-playbook's exit status is passed through unchanged. runbook's own failures: 64 usage, \
            65 invalid playbook, 66 input not found, 69 engine or endpoint unavailable, 70 build failure, \
            73 a results file cannot be written, 75 --timeout reached, 77 credentials; 130/143 on \
            SIGINT/SIGTERM.
            """)

    @OptionGroup var options: ApplyOptions

    @Flag(help: "Report what would change without changing it (ansible --check).")
    var check = false

    @Flag(help: "Show the differences in changed files (ansible --diff).")
    var diff = false

    func run() async throws {
        var request = try reportingErrors { try options.makeRequest() }
        request.selection.check = check
        request.selection.diff = diff
        try await ApplyCommand.run(request, options: options)
    }
}

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dry run: apply with --check --diff, then a summary of what would change per host.")

    @OptionGroup var options: ApplyOptions

    func run() async throws {
        var request = try reportingErrors { try options.makeRequest() }
        request.selection.check = true
        request.selection.diff = true
        try await ApplyCommand.run(request, options: options)
    }
}

/// What `apply` and `plan` share: build the pipeline, run it, turn its outcome into the exit status.
enum ApplyCommand {
    static func run(_ request: ApplyRequest, options: ApplyOptions) async throws {
        let settingsEnvironment = try reportingErrors {
            try Settings(workspace: request.workspace).layeredEnvironment
        }
        let runner = SubprocessRunner()
        let pipeline = ApplyPipeline(
            runner: runner, environment: settingsEnvironment,
            credentials: CredentialResolver(environment: CredentialEnvironment(variables: settingsEnvironment)),
            log: { FileHandle.standardError.write(Data($0.utf8)) }, output: PlaybookRunner.printLine)
        let outcome: RunOutcome
        do {
            outcome = try await pipeline.run(request) {
                let manager = try await ImageOptions.manager(
                    ImageSettings.Flags(tag: options.image), engine: options.engine, environment: settingsEnvironment)
                let result = try await manager.ensure()
                if result.outcome != .current {
                    FileHandle.standardError.write(
                        Data("runbook: image \(manager.settings.reference): \(result.outcome.rawValue)\n".utf8))
                }
                return (manager.settings.reference.description, manager.engine)
            }
        } catch let error as RunbookError {
            throw runbook.exit(with: error)
        }
        if outcome.status != 0 { throw ExitCode(outcome.status) }
    }
}

extension ApplyOptions {
    func makeRequest() throws -> ApplyRequest {
        let settings = try Settings(workspace: global.workspaceURL.path)
        return request(settings: settings, environment: settings.layeredEnvironment)
    }
}

/// Runs `body`, turning a RunbookError into its exit status and message.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as RunbookError {
        throw runbook.exit(with: error)
    }
}
