/// The image `apply` runs in, ready: its reference and the engine that has it.
public struct PreparedImage: Sendable, Hashable {
    /// The name:tag.
    public var reference: String
    /// The engine holding it.
    public var engine: ContainerEngine
    /// The image id (`sha256:…`), for the run history.
    public var id: String?
    /// runbook's content hash of the image (its label), for the run history.
    public var contentHash: String?

    /// Makes a prepared image.
    public init(reference: String, engine: ContainerEngine, id: String? = nil, contentHash: String? = nil) {
        self.reference = reference
        self.engine = engine
        self.id = id
        self.contentHash = contentHash
    }
}

/// What `apply` needs of the image step (tests give a fake that returns a fixed image).
public protocol ImageProviding: Sendable {
    /// Makes sure the image is present and current and returns it.
    func prepare() async throws -> PreparedImage
}

/// The real image step: `image ensure` for the context's settings on its engine.
public struct EnsuredImage: ImageProviding {
    /// The context the image settings and engine come from.
    public var context: RunbookContext

    /// Makes the step.
    public init(_ context: RunbookContext) {
        self.context = context
    }

    public func prepare() async throws -> PreparedImage {
        let manager = try await ImageManager(context)
        let result = try await manager.ensure()
        if result.outcome != .current {
            context.console.err("runbook: image \(manager.settings.reference): \(result.outcome.rawValue)\n")
        }
        return PreparedImage(
            reference: manager.settings.reference.description, engine: manager.engine, id: result.image.id,
            contentHash: result.image.contentHash)
    }
}

extension ImageManager {
    /// The image settings and definition of the context (no engine is asked).
    static func describe(_ context: RunbookContext) throws -> (ImageSettings, ImageDefinition) {
        let definition = try context.settings.path(.imageDefinition, home: context.home).map {
            try ImageDefinition.load(from: $0)
        }
        let settings = try ImageSettings(
            context.settings, home: context.home, environment: context.environment,
            ansibleCore: (definition ?? .embedded).ansibleCoreVersion)
        return (settings, definition ?? .embedded)
    }

    /// A manager for the context's image settings on the engine its settings name (or detect), with
    /// build progress compact on a terminal and plain in CI or a pipe.
    public init(_ context: RunbookContext) async throws {
        let (settings, definition) = try Self.describe(context)
        let engine = try await context.engine()
        self.init(
            engine: engine, runner: context.runner, settings: settings, definition: definition,
            cacheDirectory: runbookCacheDirectory(environment: context.environment),
            progressStyle: context.console.errorIsTerminal && !context.inCI ? .compact : .plain,
            write: { [console = context.console] in console.err($0) })
    }
}
