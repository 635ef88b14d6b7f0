/// Reads a YAML static inventory (groups with `hosts`, `children`, `vars`) the way Ansible's `yaml`
/// plugin does: wrong types for those sections are errors, other oddities warnings.
struct YAMLInventoryParser {
    /// The path diagnostics name.
    let path: String
    /// The document read.
    let document: YAMLDocument
    /// Problems found so far.
    private(set) var diagnostics: [Diagnostic] = []

    init(path: String, document: YAMLDocument) {
        self.path = path
        self.document = document
    }

    /// Adds the groups and hosts of the document's root mapping to `inventory`.
    mutating func parse(_ root: YAMLNode, into inventory: inout StaticInventory) {
        for pair in document.mergedPairs(root) {
            group(pair.key, document.resolve(pair.value), &inventory, depth: 0)
        }
    }

    @discardableResult
    private mutating func group(
        _ key: YAMLNode, _ value: YAMLNode, _ inventory: inout StaticInventory, depth: Int
    ) -> String? {
        guard let name = key.string else {
            report(.error, "group names must be strings, found \(key.typeDescription)", at: key)
            return nil
        }
        guard value.pairs != nil || value.isNull else {
            report(
                .warning, "group '\(name)' is \(value.typeDescription), not a mapping; Ansible skips it", at: value,
                rule: "inventory-ignored")
            return name
        }
        inventory.addGroup(name)
        guard depth < 200 else { return name }
        for pair in document.mergedPairs(value) {
            let section = document.resolve(pair.value)
            guard let sectionName = pair.key.string, ["hosts", "children", "vars"].contains(sectionName) else {
                report(
                    .warning,
                    "unexpected key '\(pair.key.string ?? "?")' in group '\(name)'; Ansible skips it: only hosts, "
                        + "children and vars are read", at: pair.key, rule: "inventory-ignored")
                continue
            }
            if section.isNull { continue }
            if section.string != nil {
                let none = YAMLNode(.scalar("", plain: true), line: section.line, column: section.column)
                entries(sectionName, [(section, none)], group: name, &inventory, depth: depth)
                continue
            }
            guard section.pairs != nil else {
                report(
                    .error,
                    "'\(sectionName)' of group '\(name)' must be a mapping, found \(section.typeDescription)",
                    at: section, rule: "inventory-structure")
                continue
            }
            let pairs = document.mergedPairs(section).map { ($0.key, document.resolve($0.value)) }
            entries(sectionName, pairs, group: name, &inventory, depth: depth)
        }
        return name
    }

    private mutating func entries(
        _ section: String, _ pairs: [(YAMLNode, YAMLNode)], group name: String, _ inventory: inout StaticInventory,
        depth: Int
    ) {
        switch section {
        case "children":
            for (key, value) in pairs {
                guard let child = group(key, value, &inventory, depth: depth + 1) else { continue }
                if inventory.hasGroup(child) {
                    inventory.addChild(child, to: name)
                } else {
                    report(.error, "'\(child)' is not a known host nor group", at: key, rule: "inventory-structure")
                }
            }
        case "hosts":
            for (key, value) in pairs { host(key, value, group: name, &inventory) }
        default:
            break
        }
    }

    private mutating func host(_ key: YAMLNode, _ value: YAMLNode, group: String, _ inventory: inout StaticInventory) {
        guard let entry = key.string, key.pairs == nil, key.items == nil else {
            report(.error, "host names must be strings, found \(key.typeDescription)", at: key)
            return
        }
        if case .scalar(_, let plain) = key.kind, plain,
            Int(entry) != nil || Double(entry) != nil || key.bool != nil || key.isNull
        {
            report(
                .error, "host '\(entry)' must be a string: enclose numbers in quotation marks", at: key,
                rule: "inventory-structure")
            return
        }
        let isEmpty = value.isNull || value.bool == false || value.string == "" || value.string == "0"
        if value.pairs == nil, !isEmpty {
            report(
                .error, "variables of host '\(entry)' must be a mapping, found \(value.typeDescription)", at: value,
                rule: "inventory-structure")
        }
        do {
            for host in try HostAddress.hostNames(entry) { inventory.addHost(host, to: group) }
        } catch {
            report(.error, error.message, at: key, rule: "inventory-host")
        }
    }

    private mutating func report(
        _ severity: Severity, _ message: String, at node: YAMLNode, rule: String = "inventory-structure"
    ) {
        diagnostics.append(
            Diagnostic(severity, rule, message, at: SourceLocation(file: path, line: node.line, column: node.column)))
    }
}
