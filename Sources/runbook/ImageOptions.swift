import ArgumentParser
import Foundation
import RunbookCore

/// The settings of runbook's image; each also a `RUNBOOK_*` variable.
struct ImageOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The image name:tag (RUNBOOK_IMAGE; default runbook/ansible-aws:release).", valueName: "name:tag"))
    var tag: String?

    @Option(help: ArgumentHelp("The base image of both build stages (RUNBOOK_BASE_IMAGE).", valueName: "image"))
    var baseImage: String?

    @Option(
        help: ArgumentHelp(
            "Collections to install, space- or comma-separated (RUNBOOK_COLLECTIONS).", valueName: "names"))
    var collections: String?

    @Option(
        help: ArgumentHelp(
            "Where collections come from: galaxy or wheel (RUNBOOK_COLLECTIONS_SOURCE; default wheel).",
            valueName: "source"))
    var collectionsSource: String?

    @Option(
        help: ArgumentHelp(
            "A CA bundle for pip and ansible-galaxy in the build stage only (RUNBOOK_CA_BUNDLE).", valueName: "file"))
    var caBundle: String?

    @Option(help: ArgumentHelp("always, missing or never (RUNBOOK_PULL_POLICY; default missing).", valueName: "policy"))
    var pullPolicy: String?

    @Option(
        help: ArgumentHelp(
            "The runbook binary to put into the image (RUNBOOK_IMAGE_BINARY; default this one).", valueName: "path"))
    var runbookBinary: String?

    @Option(
        help: ArgumentHelp(
            "A folder with a customised copy of the image definition (RUNBOOK_IMAGE_DEFINITION; default the built-in one).",
            valueName: "dir"))
    var definition: String?

    @OptionGroup var engine: EngineOptions

    @OptionGroup var global: GlobalOptions

    /// An image manager for these settings on the resolved engine.
    func manager() async throws -> ImageManager {
        // RUNBOOK_* variables over the workspace's runbook.yml; the flags go on top.
        let flags = ImageSettings.Flags(
            tag: tag, baseImage: baseImage, collections: collections, collectionsSource: collectionsSource,
            caBundle: caBundle, pullPolicy: pullPolicy, runbookBinary: runbookBinary)
        return try await Self.manager(
            flags, definition: definition, engine: engine,
            environment: try Settings(workspace: global.workspaceURL.path).layeredEnvironment)
    }

    /// An image manager for `flags` over `environment` (RUNBOOK_* variables over runbook.yml), on the
    /// engine `engine` names or detects. `apply` calls it with only the image name as a flag.
    static func manager(
        _ flags: ImageSettings.Flags, definition: String? = nil, engine: EngineOptions, environment: [String: String]
    ) async throws -> ImageManager {
        let settings = try ImageSettings.resolve(flags, environment: environment)
        let runner = SubprocessRunner()
        let resolved = try await engine.resolve(runner: runner, environment: environment)
        let compact = isatty(STDERR_FILENO) == 1 && environment["CI"] == nil
        let folder = definition ?? environment["RUNBOOK_IMAGE_DEFINITION"].flatMap { $0.isEmpty ? nil : $0 }
        return ImageManager(
            engine: resolved, runner: runner, settings: settings,
            definition: try folder.map(ImageDefinition.load) ?? .embedded, progressStyle: compact ? .compact : .plain,
            write: { FileHandle.standardError.write(Data($0.utf8)) })
    }
}

/// Runs `body`, turning a RunbookError into its exit status and message.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as RunbookError {
        throw exit(with: error)
    }
}
