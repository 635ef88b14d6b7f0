import ArgumentParser

/// `runbook image`: the ansible-aws image runbook runs playbooks in.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Build, check and push the ansible-aws image runbook runs playbooks in.",
        subcommands: [ImageEnsure.self, ImageBuild.self, ImageStatus.self, ImagePush.self]
    )
}
