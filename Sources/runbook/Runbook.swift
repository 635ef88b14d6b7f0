import ArgumentParser
import RunbookCore

@main
struct Runbook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "Validate, check credentials for, and run Ansible playbooks against AWS in a container.",
        version: RunbookVersion.description,
        subcommands: [
            Apply.self,
            Plan.self,
            Validate.self,
            Creds.self,
            Config.self,
            Init.self,
            CI.self,
            ImageCommand.self,
        ]
    )
}
