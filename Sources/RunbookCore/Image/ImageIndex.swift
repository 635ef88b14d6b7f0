import Synchronization

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
    public var modules: ModuleTable
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

    /// The index as the cache keeps it: everything but the modules as JSON, and the modules one per
    /// line (`FQCN<TAB>spec JSON`), so a warm read decodes only the specs of the modules a playbook uses.
    func cacheForm() throws -> (index: Data, modules: Data) {
        var rest = self
        rest.modules = ModuleTable([:])
        let encoder = JSONEncoder()
        var lines = Data()
        for name in modules.keys.sorted() {
            guard let module = modules[name] else { continue }
            lines.append(contentsOf: Array(name.utf8) + [0x09])
            lines.append(try encoder.encode(module))
            lines.append(0x0A)
        }
        return (try encoder.encode(rest), lines)
    }

    /// Reads the cache form back; nil when either part is not what `cacheForm` writes.
    static func fromCacheForm(index: Data, modules: Data) -> ImageIndex? {
        guard var decoded = decode(index) else { return nil }
        var raw: [String: Data] = [:]
        for line in modules.split(separator: 0x0A) {
            guard let tab = line.firstIndex(of: 0x09) else { return nil }
            raw[String(decoding: line[line.startIndex..<tab], as: UTF8.self)] = Data(line[(tab + 1)...])
        }
        decoded.modules = ModuleTable(raw: raw)
        return decoded
    }
}

/// The modules of an index by FQCN: decoded ones (from an index read whole), or each spec kept as its
/// JSON and decoded when looked up (from the cache), which spares a warm validation decoding the
/// specs of the hundreds of modules a playbook does not use.
public struct ModuleTable: Sendable, Codable {
    private let decoded: [String: ImageIndex.Module]
    private let raw: [String: Data]
    /// Specs decoded from `raw` so far: each is decoded once, whatever the number of tasks using it.
    private let memo = Memo()
    /// Every module's FQCN.
    public let keys: [String]

    private final class Memo: Sendable {
        let modules = Mutex<[String: ImageIndex.Module]>([:])
    }

    /// A table of decoded modules.
    public init(_ modules: [String: ImageIndex.Module]) {
        decoded = modules
        raw = [:]
        keys = Array(modules.keys)
    }

    /// A table of specs decoded on lookup.
    init(raw: [String: Data]) {
        decoded = [:]
        self.raw = raw
        keys = Array(raw.keys)
    }

    /// How many modules.
    public var count: Int { keys.count }

    /// The module `name`, or nil when the index has none (or its cached spec is unreadable).
    public subscript(name: String) -> ImageIndex.Module? {
        if let module = decoded[name] { return module }
        guard let spec = raw[name] else { return nil }
        if let module = memo.modules.withLock({ $0[name] }) { return module }
        guard let module = try? JSONDecoder().decode(ImageIndex.Module.self, from: spec) else { return nil }
        memo.modules.withLock { $0[name] = module }
        return module
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([String: ImageIndex.Module].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        var all = decoded
        for name in raw.keys { all[name] = self[name] }
        try container.encode(all)
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

    /// The cached index of image `id` (`sha256:…`): everything but the modules.
    public func path(for id: String) -> String {
        directory + "/" + id.replacingOccurrences(of: "sha256:", with: "") + ".index.json"
    }

    /// The cached modules of image `id`, one per line.
    func modulesPath(for id: String) -> String {
        directory + "/" + id.replacingOccurrences(of: "sha256:", with: "") + ".modules"
    }

    /// Whether image `id`'s index is cached.
    public func isCached(_ id: String) -> Bool { Paths.isFile(path(for: id)) && Paths.isFile(modulesPath(for: id)) }

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
        if let data = FileManager.default.contents(atPath: file),
            let modules = FileManager.default.contents(atPath: modulesFile),
            let index = ImageIndex.fromCacheForm(index: data, modules: modules)
        {
            return (index, .cached)
        }
        let output = try await runner.capture(engine.readFile(ImageIndex.pathInImage, image: id))
        guard output.status == 0, let data = output.standardOutput.data(using: .utf8),
            let index = ImageIndex.decode(data)
        else { return nil }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let parts = try index.cacheForm()
            // The modules first: the index file is what says the cache is there.
            for (target, content) in [(modulesFile, parts.modules), (file, parts.index)] {
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
            let milliseconds = Durations.milliseconds(ContinuousClock.now - started)
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
