#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Picks the container engine: the one the `engine` setting names, else docker or podman, whichever
/// is on PATH (when both are, the first whose daemon answers). The engine resolver of every context.
///
/// Resolving an engine that was named costs no process: the first engine command that fails asks
/// `unavailable(_:)` whether the daemon is down, so a current `ensure` stays one `image inspect`.
public struct EngineDetector: Sendable {
    /// Runs the probes.
    public var runner: any ProcessRunning
    /// PATH, to find the CLIs.
    public var path: String

    /// Makes a detector.
    public init(runner: any ProcessRunning, path: String) {
        self.runner = runner
        self.path = path
    }

    /// Parses an engine name (`docker`, `podman`); throws `.usage` for others.
    public static func kind(_ text: String) throws -> EngineKind {
        guard let kind = EngineKind(rawValue: text.lowercased()) else {
            throw RunbookError.usage("engine '\(text)' is not one of: docker, podman")
        }
        return kind
    }

    /// Returns the engine to use, or throws `.unavailable` (exit 69) saying how to get one.
    public func resolve(kind: EngineKind?, network: String? = nil, extraOptions: [String] = []) async throws
        -> ContainerEngine
    {
        func engine(_ kind: EngineKind) -> ContainerEngine {
            ContainerEngine(kind: kind, network: network, extraOptions: extraOptions)
        }
        if let kind {
            guard onPath(kind.rawValue) else {
                throw RunbookError.unavailable("\(kind.rawValue) is not installed or not on PATH; \(kind.installHint)")
            }
            return engine(kind)
        }
        let installed = EngineKind.allCases.filter { onPath($0.rawValue) }
        switch installed.count {
        case 0:
            throw RunbookError.unavailable(
                "no container engine found: neither docker nor podman is on PATH; "
                    + "\(EngineKind.docker.installHint), or \(EngineKind.podman.installHint)")
        case 1:
            return engine(installed[0])
        default:
            var first: RunbookError?
            for kind in installed {
                guard let error = await unavailable(engine(kind)) else { return engine(kind) }
                first = first ?? error
            }
            throw first ?? RunbookError.unavailable("no container engine answers")
        }
    }

    /// Nil when the engine's daemon answers; else the `.unavailable` error saying how to start it.
    public func unavailable(_ engine: ContainerEngine) async -> RunbookError? {
        do {
            let output = try await runner.capture(engine.probe())
            if output.status == 0 { return nil }
            let reason = output.timedOut ? "no answer within 15 s" : output.standardError.split(separator: "\n").last
            return RunbookError.unavailable(
                "the \(engine.kind.rawValue) daemon does not answer; \(engine.kind.startHint)",
                cause: reason.map { String($0) })
        } catch {
            return RunbookError.unavailable(
                "\(engine.executable) is not installed or not on PATH; \(engine.kind.installHint)", cause: "\(error)")
        }
    }

    private func onPath(_ name: String) -> Bool { Self.onPath(name, path: path) }

    /// Whether the executable `name` (or the path it is) is on `path` (a PATH value).
    static func onPath(_ name: String, path: String) -> Bool {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) }
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }
}
