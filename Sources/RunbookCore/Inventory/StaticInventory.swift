/// A group in a static inventory: its own hosts and child groups, in the order written.
public struct InventoryGroup: Sendable {
    /// The group's name.
    public var name: String
    /// Hosts listed directly in the group.
    public var hosts: [String] = []
    /// Names of child groups.
    public var children: [String] = []

    /// Makes an empty group.
    public init(name: String) {
        self.name = name
    }
}

/// The hosts and groups of static inventory sources (INI and YAML), merged as Ansible merges them.
///
/// It always has the implicit groups `all` and `ungrouped`.
public struct StaticInventory: Sendable {
    /// Groups by name.
    public private(set) var groups: [String: InventoryGroup] = [
        "all": InventoryGroup(name: "all"), "ungrouped": InventoryGroup(name: "ungrouped"),
    ]
    /// Every host, in the order first seen.
    public private(set) var hosts: [String] = []
    private var hostSet: Set<String> = []
    private var grouped: Set<String> = []

    /// Makes an inventory with only the implicit groups.
    public init() {}

    /// Whether a group of this name exists.
    public func hasGroup(_ name: String) -> Bool { groups[name] != nil }

    /// Whether a host of this name exists.
    public func hasHost(_ name: String) -> Bool { hostSet.contains(name) }

    /// Adds a group if it is not there yet.
    public mutating func addGroup(_ name: String) {
        if groups[name] == nil { groups[name] = InventoryGroup(name: name) }
    }

    /// Adds a host to a group (creating both when needed); `all` and `ungrouped` leave it ungrouped.
    public mutating func addHost(_ host: String, to group: String = "ungrouped") {
        if hostSet.insert(host).inserted { hosts.append(host) }
        addGroup(group)
        if group != "all", group != "ungrouped" { grouped.insert(host) }
        if groups[group]?.hosts.contains(host) == false { groups[group]?.hosts.append(host) }
    }

    /// Makes `child` a child group of `parent`.
    public mutating func addChild(_ child: String, to parent: String) {
        addGroup(parent)
        addGroup(child)
        if groups[parent]?.children.contains(child) == false { groups[parent]?.children.append(child) }
    }

    /// The hosts of a group and of all its descendants, each once, in order; `all` is every host and
    /// `ungrouped` those in no other group.
    public func hosts(in group: String) -> [String] {
        if group == "all" { return hosts }
        if group == "ungrouped" { return hosts.filter { !grouped.contains($0) } }
        var result: [String] = []
        var seenHosts: Set<String> = []
        var seenGroups: Set<String> = [group]
        var queue = [group]
        var index = 0
        while index < queue.count {
            let name = queue[index]
            index += 1
            guard let entry = groups[name] else { continue }
            for host in entry.hosts where seenHosts.insert(host).inserted { result.append(host) }
            for child in entry.children where seenGroups.insert(child).inserted { queue.append(child) }
        }
        return result
    }
}
