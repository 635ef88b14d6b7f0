import ArgumentParser
import RunbookCore

/// `runbook image build`: build now, even when the image is current (the layer cache keeps it quick).
struct ImageBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build the image now, even when it is current.")

    @OptionGroup var options: ImageOptions

    func run() async throws {
        try await runReportingErrors {
            let manager = try await options.manager()
            let result = try await manager.build()
            print("\(result.outcome.rawValue) \(manager.settings.reference) \(result.image.id)")
        }
    }
}
