import ArgumentParser
import RunbookCore

struct CI: RunbookCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Print a pipeline definition whose step runs `runbook apply` in the image.",
        discussion: "Redirect it to the file your CI reads, e.g. `runbook ci github > .github/workflows/runbook.yml`.")

    @Argument(help: "The CI system: \(PipelineKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var system: PipelineKind

    @Option(help: "The playbook the step applies.")
    var playbook = "Playbooks/configure-ec2.yml"

    @Option(
        help: ArgumentHelp(
            "Fan the apply job out over the CI's parallel jobs: targets runs one job per target of runbook.yml "
                + "(--target NAME), slices=N runs N jobs, each on one --slice of the hosts; then a job merges their "
                + "JUnit files.", valueName: "targets|slices=N"))
    var fanOut: String?

    @Option(help: .setting(.image, valueName: "name:tag"))
    var image: String?

    @OptionGroup var global: GlobalOptions

    var settingFlags: SettingFlags {
        var flags = SettingFlags()
        flags.set(.image, image, flag: "--image")
        return flags
    }

    func run(_ context: RunbookContext) async throws -> Int32 {
        try PipelineCommand(kind: system, playbook: playbook, fanOut: fanOut).run(context)
    }
}
