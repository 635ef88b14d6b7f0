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
        // In byte order, which ModuleLines searches by.
        for name in modules.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let module = modules[name] else { continue }
            lines.append(contentsOf: Array(name.utf8) + [0x09])
            lines.append(try encoder.encode(module))
            lines.append(0x0A)
        }
        return (try encoder.encode(rest), lines, try RoutingTable.lines(of: routing.all))
    }

    /// Reads the cache form back; nil when a part is not what `cacheForm` writes.
    static func fromCacheForm(index: Data, modules: Data, routing: Data) -> ImageIndex? {
        // Each line's spec stays where it is in `modules`; the lines are in name order, so only where
        // each one starts is kept, and a name is found by binary search.
        guard let lines = ModuleLines(modules), let table = RoutingTable(lines: routing),
            let json = JSONValue.parse(index)
        else { return nil }
        return ImageIndex(json: json, modules: ModuleTable(lines: lines), routing: table)
    }
}
