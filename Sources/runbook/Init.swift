import ArgumentParser
import Foundation
import RunbookCore

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a workspace: runbook.yml, Playbooks/, Inventory/, .gitignore and a pipeline file.",
        discussion: "Existing files are never overwritten.")

    @Argument(help: "The folder to set up (default: the current directory).")
    var directory: String = "."

    @Option(help: "Pipeline file to write: \(PipelineKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var ci: PipelineKind = .bitbucket

    func run() async throws {
        do {
            for outcome in try Scaffold(directory: directory, pipeline: ci).write() {
                switch outcome {
                case .created(let path): print("created  \(path)")
                case .kept(let path): print("kept     \(path) (exists)")
                }
            }
            print("next: runbook validate && runbook apply Playbooks/site.yml")
        } catch let error as RunbookError {
            throw runbook.exit(with: error)
        }
    }
}

extension PipelineKind: ExpressibleByArgument {}
