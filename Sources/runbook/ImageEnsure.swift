import ArgumentParser
import RunbookCore

/// `runbook image ensure`: nothing when the image is current; else retag, pull or build.
struct ImageEnsure: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ensure", abstract: "Make sure the image is present and current; build it when it is not.")

    @OptionGroup var options: ImageOptions

    func run() async throws {
        try await runReportingErrors {
            let manager = try await options.manager()
            let result = try await manager.ensure()
            print("\(result.outcome.rawValue) \(manager.settings.reference) \(result.image.id)")
        }
    }
}
