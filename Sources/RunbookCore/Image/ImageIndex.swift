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

/// The plugin index an image carries (`/opt/runbook/index.json`, written by build-index.py at build
/// time): its modules with their argument specs, lookup/filter/test names, routing, collections.
public struct ImageIndex: Sendable, Codable {
    /// One option of a module (or a suboption).
    public struct Option: Sendable, Codable, Hashable {
        public var type: String?
        public var elements: String?
        public var required: Bool?
        public var choices: [String]?
        public var aliases: [String]?
        public var suboptions: [String: Option]?
    }

    /// One module.
    public struct Module: Sendable, Codable, Hashable {
        public var options: [String: Option]
        /// Whether the module takes a free-form string (command, shell, raw, …).
        public var freeForm: Bool

        enum CodingKeys: String, CodingKey {
            case options
            case freeForm = "free_form"
        }
    }

    /// A routing entry of meta/runtime.yml.
    public struct Route: Sendable, Codable, Hashable {
        public var redirect: String?
        public var deprecation: String?
        public var tombstone: String?
    }

    public var version: Int
    /// ansible-core's version in the image.
    public var ansibleCore: String
    /// Installed collections and their versions.
    public var collections: [String: String]
    /// Collections the `ansible` wheel holds that the image leaves out.
    public var available: [String]
    /// Modules by FQCN.
    public var modules: [String: Module]
    /// Routing by collection, then short name.
    public var routing: [String: [String: Route]]
    /// FQCNs of lookups, filters and tests.
    public var lookups: [String]
    public var filters: [String]
    public var tests: [String]
    /// Redirects and tombstones of filters, tests and lookups: by collection, plugin type, then name.
    public var pluginRouting: [String: [String: [String: Route]]]?
    /// Each installed collection's roles and playbooks (names).
    public var roles: [String: [String]]?
    public var playbooks: [String: [String]]?
    /// The roles installed from the workspace's requirements (in the image's default roles path).
    public var imageRoles: [String]?

    enum CodingKeys: String, CodingKey {
        case version, collections, available, modules, routing, lookups, filters, tests
        case ansibleCore = "ansible_core"
        case pluginRouting = "plugin_routing"
        case roles, playbooks
        case imageRoles = "image_roles"
    }

    /// The index's path inside the image.
    public static let pathInImage = "/opt/runbook/index.json"

    /// Decodes an index; nil when the data is not one.
    public static func decode(_ data: Data) -> ImageIndex? {
        try? JSONDecoder().decode(ImageIndex.self, from: data)
    }
}

/// The index of each image runbook has read, copied out once per image id into
/// `$XDG_CACHE_HOME/runbook/index/<id>.json` and read from there afterwards.
public struct ImageIndexCache: Sendable {
    /// The cache folder.
    public var directory: String

    /// The cache of `environment`.
    public init(environment: [String: String]) {
        directory = runbookCacheDirectory(environment: environment).appendingPathComponent("index").path
    }

    /// The cached file of image `id` (`sha256:…`).
    public func path(for id: String) -> String {
        directory + "/" + id.replacingOccurrences(of: "sha256:", with: "") + ".json"
    }

    /// Whether image `id`'s index is cached.
    public func isCached(_ id: String) -> Bool { Paths.isFile(path(for: id)) }

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
        if let data = FileManager.default.contents(atPath: file), let index = ImageIndex.decode(data) {
            return (index, .cached)
        }
        let output = try await runner.capture(engine.readFile(ImageIndex.pathInImage, image: id))
        guard output.status == 0, let data = output.standardOutput.data(using: .utf8),
            let index = ImageIndex.decode(data)
        else { return nil }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temporary = file + ".\(getpid()).tmp"
            try data.write(to: URL(fileURLWithPath: temporary))
            _ = rename(temporary, file)
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
        do {
            let started = ContinuousClock.now
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
            let elapsed = ContinuousClock.now - started
            let milliseconds = Int(
                elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            let stale = image.contentHash == manager.contentHash ? "" : "; it is stale, the next apply rebuilds it"
            return (
                found.index,
                "modules checked against image \(reference) (ansible-core \(found.index.ansibleCore), "
                    + "\(found.index.collections.count) collections; index \(found.origin.rawValue) in \(milliseconds) ms\(stale))"
            )
        } catch let error as RunbookError {
            return (nil, "module checks skipped: \(error.message)")
        } catch {
            return (nil, "module checks skipped: \(error)")
        }
    }
}
