import ArgumentParser
import Foundation
import RunbookCore

/// `runbook image status`: name, content hash, id, size, labels, and whether the image is current.
struct ImageStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the image's name, content hash, id, size and labels, and whether it is current.",
        discussion: "Exits 0 when the image is current, 1 when it is missing or stale.")

    @OptionGroup var options: ImageOptions

    func run() async throws {
        var current = false
        try await runReportingErrors {
            let status = try await options.manager().status()
            current = status.current
            var lines = [
                "name:     \(status.reference)",
                "content:  \(status.contentHash)",
                "current:  \(status.current ? "yes" : status.image == nil ? "no (missing)" : "no (stale)")",
            ]
            if let image = status.image {
                lines.append("id:       \(image.id)")
                lines.append("size:     \(String(format: "%.1f", Double(image.size) / 1_000_000)) MB")
                lines.append("created:  \(image.created)")
                lines.append("labels:")
                for key in image.labels.keys.sorted() { lines.append("  \(key)=\(image.labels[key] ?? "")") }
            }
            print(lines.joined(separator: "\n"))
        }
        if !current { throw ExitCode.failure }
    }
}
