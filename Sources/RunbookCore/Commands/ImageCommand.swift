#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `runbook image ensure|build|status|push`.
public struct ImageCommand: Sendable {
    /// Which of the four.
    public enum Action: String, Sendable, CaseIterable {
        case ensure
        case build
        case status
        case push
    }

    /// What to do.
    public var action: Action

    /// Makes the command.
    public init(_ action: Action) {
        self.action = action
    }

    /// Does it and prints the result; `status` returns 1 when the image is missing or stale.
    public func run(_ context: RunbookContext) async throws -> Int32 {
        let manager = try await ImageManager(context)
        let console = context.console
        switch action {
        case .ensure:
            let result = try await manager.ensure()
            console.out("\(result.outcome.rawValue) \(manager.settings.reference) \(result.image.id)\n")
        case .build:
            let result = try await manager.build()
            console.out("\(result.outcome.rawValue) \(manager.settings.reference) \(result.image.id)\n")
        case .push:
            let (_, digest) = try await manager.push()
            console.out("pushed \(manager.settings.reference) \(digest)\n")
        case .status:
            let status = try await manager.status()
            let cache = ImageIndexCache(environment: context.environment)
            console.out(Self.describe(status, indexCache: cache))
            return status.current ? 0 : ExitStatus.notCurrent.rawValue
        }
        return 0
    }

    /// The lines `image status` prints.
    static func describe(_ status: ImageManager.Status, indexCache: ImageIndexCache? = nil) -> String {
        var lines = [
            "name:     \(status.reference)",
            "content:  \(status.contentHash)",
            "current:  \(status.current ? "yes" : status.image == nil ? "no (missing)" : "no (stale)")",
        ]
        if !status.current, status.image != nil {
            switch status.changedInputs {
            case .some(let names) where !names.isEmpty:
                lines.append("changed:  \(names.joined(separator: ", "))")
            case .some:
                lines.append("changed:  the image's content format (built by another runbook version)")
            case .none:
                lines.append("changed:  unknown (the image records no input digests: built by an older runbook)")
            }
        }
        if let image = status.image {
            lines.append("id:       \(image.id)")
            lines.append("size:     \(Formatting.fixed(Double(image.size) / 1_000_000, digits: 1)) MB")
            lines.append("created:  \(image.created)")
            if let indexCache {
                lines.append(
                    "index:    "
                        + (indexCache.isCached(image.id)
                            ? "cached (\(indexCache.path(for: image.id)))"
                            : "not cached (the next validate or apply copies it out of the image)"))
            }
            lines.append("labels:")
            for key in image.labels.keys.sorted() { lines.append("  \(key)=\(image.labels[key] ?? "")") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
