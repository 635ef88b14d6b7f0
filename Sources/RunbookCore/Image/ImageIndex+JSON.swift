/// The index read from `JSONValue` (the byte parser) rather than through Codable: a warm deep
/// validation reads the index on every call, and Codable decoding of its routing and the specs a
/// playbook uses cost more than checking the playbook. The JSON is the one Codable writes (same keys).
extension ImageIndex {
    /// The index in `json`; nil when a required member is missing or of the wrong type.
    init?(json: JSONValue, modules: ModuleTable? = nil, routing: RoutingTable? = nil) {
        guard let version = json["version"]?.number, let core = json["ansible_core"]?.string,
            let collections = json["collections"]?.stringMap
        else { return nil }
        self.version = Int(version)
        ansibleCore = core
        self.collections = collections
        available = json["available"]?.strings ?? []
        if let modules {
            self.modules = modules
        } else {
            var table: [String: Module] = [:]
            for (name, spec) in json["modules"]?.object ?? [:] {
                guard let module = Module(json: spec) else { return nil }
                table[name] = module
            }
            self.modules = ModuleTable(table)
        }
        self.routing = routing ?? RoutingTable((json["routing"]?.object ?? [:]).mapValues { Self.routes($0) })
        lookups = json["lookups"]?.strings ?? []
        filters = json["filters"]?.strings ?? []
        tests = json["tests"]?.strings ?? []
        pluginRouting = json["plugin_routing"]?.object?.mapValues { kinds in
            (kinds.object ?? [:]).mapValues { Self.routes($0) }
        }
        roles = json["roles"]?.object?.compactMapValues(\.strings)
        playbooks = json["playbooks"]?.object?.compactMapValues(\.strings)
        imageRoles = json["image_roles"]?.strings
    }

    private static func routes(_ json: JSONValue) -> [String: Route] {
        (json.object ?? [:]).mapValues(RoutingTable.route)
    }
}

extension ImageIndex.Module {
    init?(json: JSONValue) {
        guard let options = json["options"]?.object else { return nil }
        self.options = options.compactMapValues(ImageIndex.Option.init(json:))
        freeForm = json["free_form"]?.bool ?? false
        action = json["action"]?.bool
        rules = json["rules"].flatMap(ImageIndex.ArgumentRules.init(json:))
    }
}

extension ImageIndex.Option {
    init?(json: JSONValue) {
        guard json.object != nil else { return nil }
        type = json["type"]?.string
        elements = json["elements"]?.string
        required = json["required"]?.bool
        choices = json["choices"]?.strings
        aliases = json["aliases"]?.strings
        suboptions = json["suboptions"]?.object?.compactMapValues(ImageIndex.Option.init(json:))
    }
}

extension ImageIndex.Literal {
    init(json: JSONValue) {
        str = json["str"]?.string
        bool = json["bool"]?.bool
        int = json["int"]?.number.flatMap { Int(exactly: $0) }
    }
}

extension ImageIndex.ArgumentRules {
    init?(json: JSONValue) {
        guard json.object != nil else { return nil }
        func groups(_ key: String) -> [[String]]? { json[key]?.array?.compactMap(\.strings) }
        mutuallyExclusive = groups("mutually_exclusive")
        requiredTogether = groups("required_together")
        requiredOneOf = groups("required_one_of")
        requiredIf = json["required_if"]?.array?.compactMap { entry in
            guard let key = entry["key"]?.string, let value = entry["value"], let requires = entry["requires"]?.strings
            else { return nil }
            return RequiredIf(
                key: key, value: ImageIndex.Literal(json: value), requires: requires, any: entry["any"]?.bool ?? false,
                type: entry["type"]?.string ?? "str")
        }
        requiredBy = json["required_by"]?.object?.compactMapValues(\.strings)
        defaults = json["defaults"]?.object?.mapValues(ImageIndex.Literal.init(json:))
        fallbacks = json["fallbacks"]?.strings
        aliases = json["aliases"]?.stringMap
        options = json["options"]?.object?.compactMapValues(ImageIndex.ArgumentRules.init(json:))
    }
}
