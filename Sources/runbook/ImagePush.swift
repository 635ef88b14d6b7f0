import ArgumentParser
import RunbookCore

/// `runbook image push`: ensure, then push the name:tag and its content tag to the registry.
struct ImagePush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Ensure the image, push it to its registry and print the digest.")

    @OptionGroup var options: ImageOptions

    func run() async throws {
        try await runReportingErrors {
            let manager = try await options.manager()
            let (_, digest) = try await manager.push()
            print("pushed \(manager.settings.reference) \(digest)")
        }
    }
}
