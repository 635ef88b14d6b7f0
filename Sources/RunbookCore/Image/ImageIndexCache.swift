#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The index of each image runbook has read, copied out once per image id into
/// `$XDG_CACHE_HOME/runbook/index/<id>.json` and read from there afterwards.
public struct ImageIndexCache: Sendable {
    /// The cache folder.
    public var directory: String

    /// The cache of `environment`.
    public init(environment: [String: String]) {
        directory = runbookCacheDirectory(environment: environment).appendingPathComponent("index").path
    }

    /// The cached index of image `id` (`sha256:…`): everything but the modules and their routing.
    /// (`v2`: the form with the routing apart; a runbook that keeps it inside reads its own files.)
    public func path(for id: String) -> String {
        directory + "/" + id.replacingOccurrences(of: "sha256:", with: "") + ".v2.index.json"
    }

    /// The cached modules of image `id`, one per line.
    func modulesPath(for id: String) -> String {
        directory + "/" + id.replacingOccurrences(of: "sha256:", with: "") + ".v2.modules"
    }

    /// The cached module routing of image `id`, one route per line.
    func routingPath(for id: String) -> String {
        directory + "/" + id.replacingOccurrences(of: "sha256:", with: "") + ".v2.routing"
    }

    /// Whether image `id`'s index is cached.
    public func isCached(_ id: String) -> Bool {
        [path(for: id), modulesPath(for: id), routingPath(for: id)].allSatisfy(Paths.isFile)
    }

    /// The cached index of image `id`, if the cache holds a readable one.
    func cached(_ id: String) -> ImageIndex? {
        guard let data = RawFiles.contents(path(for: id)), let modules = RawFiles.contents(modulesPath(for: id)),
            let routing = RawFiles.contents(routingPath(for: id))
        else { return nil }
        return ImageIndex.fromCacheForm(index: data, modules: modules, routing: routing)
    }

    /// How an index was found.
    public enum Origin: String, Sendable {
        case cached
        case copied
    }

    /// The index of `image` (id `id`): the cached copy, or copied out of the image (one short-lived
    /// container) and cached. nil when the image has none (built by an older runbook).
    public func index(
        image: String, id: String, engine: ContainerEngine, runner: any ProcessRunning
    ) async throws -> (index: ImageIndex, origin: Origin)? {
        let file = path(for: id)
        let modulesFile = modulesPath(for: id)
        if let index = cached(id) { return (index, .cached) }
        let output = try await runner.capture(engine.readFile(ImageIndex.pathInImage, image: id))
        guard output.status == 0, let data = output.standardOutput.data(using: .utf8),
            let index = ImageIndex.decode(data)
        else { return nil }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let parts = try index.cacheForm()
            // The modules and routing first: the index file is what says the cache is there.
            for (target, content) in [
                (modulesFile, parts.modules), (routingPath(for: id), parts.routing), (file, parts.index),
            ] {
                let temporary = target + ".\(getpid()).tmp"
                try content.write(to: URL(fileURLWithPath: temporary))
                _ = rename(temporary, target)
            }
        } catch {
            // A cache that cannot be written only costs the next run another copy.
        }
        return (index, .copied)
    }
}

/// Finds the index validation checks modules against: the image's own (in-image), else the one of
/// the settings' image on the engine, from the cache or copied out once.
public enum ImageIndexLookup {
    /// The index, or nil with the one-line note saying why module checks are skipped.
    public static func find(_ context: RunbookContext) async -> (index: ImageIndex?, note: String) {
        if context.settings.bool(.inImage) {
            guard let data = FileManager.default.contents(atPath: ImageIndex.pathInImage),
                let index = ImageIndex.decode(data)
            else { return (nil, "module checks skipped: this image has no \(ImageIndex.pathInImage)") }
            return (
                index,
                "modules checked against this image (ansible-core \(index.ansibleCore), \(index.collections.count) collections)"
            )
        }
        let started = ContinuousClock.now
        if let warm = warmFromSocket(context, started: started) { return warm }
        do {
            let manager = try await ImageManager(context)
            let reference = manager.settings.reference.description
            guard let image = try await manager.inspect(reference) else {
                return (
                    nil, "module checks skipped: image \(reference) is not built yet (`runbook image ensure` builds it)"
                )
            }
            let cache = ImageIndexCache(environment: context.environment)
            guard
                let found = try await cache.index(
                    image: reference, id: image.id, engine: manager.engine, runner: context.runner)
            else {
                return (
                    nil,
                    "module checks skipped: image \(reference) has no plugin index (built by an older runbook; `runbook image build` adds it)"
                )
            }
            return (
                found.index,
                note(
                    reference, found.index, found.origin, stale: image.contentHash != manager.contentHash,
                    since: started)
            )
        } catch let error as RunbookError {
            return (nil, "module checks skipped: \(error.message)")
        } catch {
            return (nil, "module checks skipped: \(error)")
        }
    }

    /// The warm case without the docker CLI: the image asked of the daemon's socket, its index read
    /// from the cache. nil whenever that is not certain (then the engine is asked the usual way).
    private static func warmFromSocket(
        _ context: RunbookContext, started: ContinuousClock.Instant
    ) -> (index: ImageIndex?, note: String)? {
        guard let socket = DockerSocket.forContext(context),
            let (settings, definition) = try? ImageManager.describe(context),
            case .image(let image) = socket.inspectImage(settings.reference.description)
        else { return nil }
        let cache = ImageIndexCache(environment: context.environment)
        guard let index = cache.cached(image.id) else { return nil }
        let stale = image.contentHash != definition.contentHash(settings)
        return (index, note(settings.reference.description, index, .cached, stale: stale, since: started))
    }

    private static func note(
        _ reference: String, _ index: ImageIndex, _ origin: ImageIndexCache.Origin, stale: Bool,
        since started: ContinuousClock.Instant
    ) -> String {
        let milliseconds = Durations.milliseconds(ContinuousClock.now - started)
        return "modules checked against image \(reference) (ansible-core \(index.ansibleCore), "
            + "\(index.collections.count) collections; index \(origin.rawValue) in \(milliseconds) ms"
            + (stale ? "; it is stale, the next apply rebuilds it)" : ")")
    }
}
