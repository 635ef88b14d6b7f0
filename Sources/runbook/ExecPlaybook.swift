import ArgumentParser
import RunbookCore

/// `runbook exec-playbook`: what `apply` runs in the container (and in-image) around ansible-playbook.
struct ExecPlaybook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-playbook",
        abstract: "Run ansible-playbook for apply: passwords from standard input, stopped when it closes.",
        shouldDisplay: false)

    @Option(help: ArgumentHelp("The folder the password files are written into.", valueName: "dir"))
    var secrets: String

    @Option(help: ArgumentHelp("Run only this slice of the hosts the command selects.", valueName: "I/N"))
    var slice: String?

    @Argument(parsing: .postTerminator, help: "The command (ansible-playbook …).")
    var command: [String] = []

    func run() async throws {
        let status = try await PlaybookEntry(
            command: command, secretsFolder: secrets, slice: try slice.map(HostSlice.init(parsing:))
        ).run()
        if status != 0 { throw ExitCode(status) }
    }
}
