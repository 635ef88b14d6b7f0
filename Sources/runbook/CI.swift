import ArgumentParser
import Foundation
import RunbookCore

struct CI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Print a pipeline definition whose step runs `runbook apply` in the image.",
        discussion: "Redirect it to the file your CI reads, e.g. `runbook ci github > .github/workflows/runbook.yml`.")

    @Argument(help: "The CI system: \(PipelineKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var system: PipelineKind

    @Option(help: "The playbook the step applies.")
    var playbook = "Playbooks/configure-ec2.yml"

    @Option(name: .customLong("image"), help: "The image the step runs in (default: the image setting).")
    var image: String?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        do {
            let settings = try Settings(workspace: global.workspaceURL.path)
            let name = settings.string("image", flag: image) ?? "runbook/ansible-aws:release"
            print(PipelineTemplate(kind: system, image: name, playbook: playbook).text, terminator: "")
        } catch let error as RunbookError {
            throw runbook.exit(with: error)
        }
    }
}
