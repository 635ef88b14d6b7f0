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
public struct ImageIndex: Sendable, Encodable {
    /// One option of a module (or a suboption).
    public struct Option: Sendable, Encodable, Hashable {
        public var type: String?
        public var elements: String?
        public var required: Bool?
        public var choices: [String]?
        public var aliases: [String]?
        public var suboptions: [String: Option]?
    }

    /// One module.
    public struct Module: Sendable, Encodable, Hashable {
        public var options: [String: Option]
        /// Whether the module takes a free-form string (command, shell, raw, …).
        public var freeForm: Bool
        /// Whether an action plugin takes the arguments first (one of the module's name, one
        /// meta/runtime.yml routes it to, or its network family's): it may rewrite them.
        public var action: Bool?
        /// The cross-argument rules of the module's code (nil: none, or an index from before they were kept).
        public var rules: ArgumentRules?

        enum CodingKeys: String, CodingKey {
            case options, action, rules
            case freeForm = "free_form"
        }
    }

    /// A literal of a module's code (a default, a `required_if` value): a string, boolean or integer;
    /// all nil for any other value (a list, a float), which is never compared.
    public struct Literal: Sendable, Encodable, Hashable {
        public var str: String?
        public var bool: Bool?
        public var int: Int?
    }

    /// The cross-argument rules of one spec level (a module's, or a suboption's) as the module's
    /// AnsibleModule call declares them, with the defaults, fallbacks and aliases of the options they name.
    public struct ArgumentRules: Sendable, Encodable, Hashable {
        /// One `required_if` entry: when `key` equals `value`, all (or, with `any`, one) of `requires`.
        public struct RequiredIf: Sendable, Encodable, Hashable {
            public var key: String
            public var value: Literal
            public var requires: [String]
            public var any: Bool
            /// The type of `key`'s option in the module's code (what its value is converted to).
            public var type: String
        }

        public var mutuallyExclusive: [[String]]?
        public var requiredTogether: [[String]]?
        public var requiredOneOf: [[String]]?
        public var requiredIf: [RequiredIf]?
        public var requiredBy: [String: [String]]?
        /// Options with a default other than None (set before all but `mutually_exclusive` are checked).
        public var defaults: [String: Literal]?
        /// Options that may be filled from the environment (never certainly absent).
        public var fallbacks: [String]?
        /// Alias → option name.
        public var aliases: [String: String]?
        /// The rules of suboptions, by option name.
        public var options: [String: ArgumentRules]?

        enum CodingKeys: String, CodingKey {
            case mutuallyExclusive = "mutually_exclusive"
            case requiredTogether = "required_together"
            case requiredOneOf = "required_one_of"
            case requiredIf = "required_if"
            case requiredBy = "required_by"
            case defaults, fallbacks, aliases, options
        }
    }

    /// A routing entry of meta/runtime.yml.
    public struct Route: Sendable, Encodable, Hashable {
        public var redirect: String?
        public var deprecation: String?
        public var tombstone: String?
    }

    /// The fields, in one shared box: the checks bind the index task after task, and a copy of a
    /// struct of thirteen collections is thirteen retains; a copy of this is one (copied on write).
    private final class Storage: @unchecked Sendable {
        var version: Int = 0
        var ansibleCore: String = ""
        var collections: [String: String] = [:]
        var available: [String] = []
        var modules: ModuleTable = ModuleTable([:])
        var routing: RoutingTable = RoutingTable([:])
        var lookups: [String] = []
        var filters: [String] = []
        var tests: [String] = []
        var pluginRouting: [String: [String: [String: Route]]]? = nil
        var roles: [String: [String]]? = nil
        var playbooks: [String: [String]]? = nil
        var imageRoles: [String]? = nil

        func copy() -> Storage {
            let other = Storage()
            other.version = version
            other.ansibleCore = ansibleCore
            other.collections = collections
            other.available = available
            other.modules = modules
            other.routing = routing
            other.lookups = lookups
            other.filters = filters
            other.tests = tests
            other.pluginRouting = pluginRouting
            other.roles = roles
            other.playbooks = playbooks
            other.imageRoles = imageRoles
            return other
        }
    }

    private var storage = Storage()

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    public var version: Int {
        get { storage.version }
        set { unique().version = newValue }
    }
    /// ansible-core's version in the image.
    public var ansibleCore: String {
        get { storage.ansibleCore }
        set { unique().ansibleCore = newValue }
    }
    /// Installed collections and their versions.
    public var collections: [String: String] {
        get { storage.collections }
        set { unique().collections = newValue }
    }
    /// Collections the `ansible` wheel holds that the image leaves out.
    public var available: [String] {
        get { storage.available }
        set { unique().available = newValue }
    }
    /// Modules by FQCN.
    public var modules: ModuleTable {
        get { storage.modules }
        set { unique().modules = newValue }
    }
    /// Routing by collection, then short name.
    public var routing: RoutingTable {
        get { storage.routing }
        set { unique().routing = newValue }
    }
    /// FQCNs of lookups.
    public var lookups: [String] {
        get { storage.lookups }
        set { unique().lookups = newValue }
    }
    /// FQCNs of filters.
    public var filters: [String] {
        get { storage.filters }
        set { unique().filters = newValue }
    }
    /// FQCNs of tests.
    public var tests: [String] {
        get { storage.tests }
        set { unique().tests = newValue }
    }
    /// Redirects and tombstones of filters, tests and lookups: by collection, plugin type, then name.
    public var pluginRouting: [String: [String: [String: Route]]]? {
        get { storage.pluginRouting }
        set { unique().pluginRouting = newValue }
    }
    /// Each installed collection's roles (names).
    public var roles: [String: [String]]? {
        get { storage.roles }
        set { unique().roles = newValue }
    }
    /// Each installed collection's playbooks (names).
    public var playbooks: [String: [String]]? {
        get { storage.playbooks }
        set { unique().playbooks = newValue }
    }
    /// The roles installed from the workspace's requirements (in the image's default roles path).
    public var imageRoles: [String]? {
        get { storage.imageRoles }
        set { unique().imageRoles = newValue }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(ansibleCore, forKey: .ansibleCore)
        try container.encode(collections, forKey: .collections)
        try container.encode(available, forKey: .available)
        try container.encode(modules, forKey: .modules)
        try container.encode(routing, forKey: .routing)
        try container.encode(lookups, forKey: .lookups)
        try container.encode(filters, forKey: .filters)
        try container.encode(tests, forKey: .tests)
        try container.encodeIfPresent(pluginRouting, forKey: .pluginRouting)
        try container.encodeIfPresent(roles, forKey: .roles)
        try container.encodeIfPresent(playbooks, forKey: .playbooks)
        try container.encodeIfPresent(imageRoles, forKey: .imageRoles)
    }

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
        JSONValue.parse(data).flatMap { ImageIndex(json: $0) }
    }

    /// The index as the cache keeps it: everything but the modules and the module routing as JSON,
    /// the modules one per line (`FQCN<TAB>spec JSON`) and the routing one route per line (see
    /// RoutingTable), so a warm read decodes only the specs and routes a playbook's modules need.
    func cacheForm() throws -> (index: Data, modules: Data, routing: Data) {
        var rest = self
        rest.modules = ModuleTable([:])
        rest.routing = RoutingTable([:])
        let encoder = JSONEncoder()
        var lines = Data()
        for name in modules.keys.sorted() {
            guard let module = modules[name] else { continue }
            lines.append(contentsOf: Array(name.utf8) + [0x09])
            lines.append(try encoder.encode(module))
            lines.append(0x0A)
        }
        return (try encoder.encode(rest), lines, try RoutingTable.lines(of: routing.all))
    }

    /// Reads the cache form back; nil when a part is not what `cacheForm` writes.
    static func fromCacheForm(index: Data, modules: Data, routing: Data) -> ImageIndex? {
        // Each line's spec stays where it is in `modules`: only its byte range is kept.
        var ranges: [String: Range<Int>] = [:]
        ranges.reserveCapacity(4096)  // a default image has about 3,000 modules
        let complete = modules.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            let count = raw.count
            // Line ends and tabs found with memchr (vectorised): the specs are a megabyte of text.
            func find(_ byte: UInt8, from start: Int, before end: Int) -> Int {
                guard start < end, let hit = memchr(base + start, Int32(byte), end - start) else { return end }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < count {
                let end = find(0x0A, from: start, before: count)
                let tab = find(0x09, from: start, before: end)
                guard tab < end else { return false }
                ranges[String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<tab]), as: UTF8.self)] =
                    (tab + 1)..<end
                start = end + 1
            }
            return true
        }
        guard complete, let table = RoutingTable(lines: routing), let json = JSONValue.parse(index) else { return nil }
        return ImageIndex(json: json, modules: ModuleTable(specs: modules, ranges: ranges), routing: table)
    }
}

/// The modules of an index by FQCN: decoded ones (from an index read whole), or each spec kept as its
/// JSON and decoded when looked up (from the cache), which spares a warm validation decoding the
/// specs of the hundreds of modules a playbook does not use.
public struct ModuleTable: Sendable, Encodable {
    private let decoded: [String: ImageIndex.Module]
    /// The cache's modules file, and where in it each module's spec lies.
    private let specs: Data
    private let ranges: [String: Range<Int>]
    /// Specs decoded from `specs` so far: each is decoded once, whatever the number of tasks using it.
    private let memo = Memo()
    /// Every module's FQCN.
    public let keys: [String]

    private final class Memo: Sendable {
        let modules = Locked<[String: ImageIndex.Module]>([:])
    }

    /// A table of decoded modules.
    public init(_ modules: [String: ImageIndex.Module]) {
        decoded = modules
        specs = Data()
        ranges = [:]
        keys = Array(modules.keys)
    }

    /// A table of specs decoded on lookup, each from its range of `specs`.
    init(specs: Data, ranges: [String: Range<Int>]) {
        decoded = [:]
        self.specs = specs
        self.ranges = ranges
        keys = Array(ranges.keys)
    }

    /// How many modules.
    public var count: Int { keys.count }

    /// The module `name`, or nil when the index has none (or its cached spec is unreadable).
    public subscript(name: String) -> ImageIndex.Module? {
        if let module = decoded[name] { return module }
        guard let range = ranges[name] else { return nil }
        if let module = memo.modules.withLock({ $0[name] }) { return module }
        guard let module = JSONValue.parse(specs, range: range).flatMap(ImageIndex.Module.init(json:)) else {
            return nil
        }
        memo.modules.withLock { $0[name] = module }
        return module
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        var all = decoded
        for name in ranges.keys { all[name] = self[name] }
        try container.encode(all)
    }
}
