import Foundation
import RunbookCore

extension ImageOptions {
    /// An image manager for `apply`: only the image name comes from a flag; every other image setting
    /// from `environment` (RUNBOOK_* variables over runbook.yml).
    static func manager(tag: String?, engine: EngineOptions, environment: [String: String]) async throws
        -> ImageManager
    {
        let settings = try ImageSettings.resolve(ImageSettings.Flags(tag: tag), environment: environment)
        let runner = SubprocessRunner()
        let resolved = try await engine.resolve(runner: runner, environment: environment)
        let compact = isatty(STDERR_FILENO) == 1 && environment["CI"] == nil
        let folder = environment["RUNBOOK_IMAGE_DEFINITION"].flatMap { $0.isEmpty ? nil : $0 }
        return ImageManager(
            engine: resolved, runner: runner, settings: settings,
            definition: try folder.map(ImageDefinition.load) ?? .embedded, progressStyle: compact ? .compact : .plain,
            write: { FileHandle.standardError.write(Data($0.utf8)) })
    }
}
