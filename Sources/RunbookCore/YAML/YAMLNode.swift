/// A YAML node with its 1-based position. Aliases stay aliases: they are never expanded into copies.
public struct YAMLNode: Sendable {
    /// What the node holds.
    public enum Kind: Sendable {
        /// A scalar's text and whether it was written plain (unquoted, so YAML 1.1 types apply).
        case scalar(String, plain: Bool)
        /// A sequence's items.
        case sequence([YAMLNode])
        /// A mapping's pairs, in the order written (duplicates kept; the last one wins, as in Ansible).
        case mapping([YAMLPair])
        /// A reference to an anchor, by name.
        case alias(String)
    }

    /// The node's content.
    public var kind: Kind
    /// 1-based line of the node's first character.
    public var line: Int
    /// 1-based column of the node's first character.
    public var column: Int
    /// The explicit tag (`!vault`, `!unsafe`, …), if one was written.
    public var tag: String?
    /// Whether a sequence or mapping was written in flow style (`[…]`, `{…}`).
    public var isFlow: Bool

    /// Makes a node.
    public init(_ kind: Kind, line: Int, column: Int, tag: String? = nil, isFlow: Bool = false) {
        self.kind = kind
        self.line = line
        self.column = column
        self.tag = tag
        self.isFlow = isFlow
    }

    /// The scalar text, when the node is a scalar.
    public var string: String? {
        if case .scalar(let value, _) = kind { return value }
        return nil
    }

    /// The items, when the node is a sequence.
    public var items: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The pairs, when the node is a mapping.
    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// Whether the node is a YAML 1.1 null (`~`, `null`, empty, unquoted).
    public var isNull: Bool {
        guard case .scalar(let value, let plain) = kind, plain, tag == nil else { return false }
        return value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL"
    }

    /// The YAML 1.1 boolean value of a plain scalar (`yes`, `True`, `off`, …), else nil.
    public var bool: Bool? {
        guard case .scalar(let value, let plain) = kind, plain else { return nil }
        switch value {
        case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// A short name for the node's type, for messages ("a mapping", "a list", "a string").
    public var typeDescription: String {
        switch kind {
        case .scalar: return isNull ? "null" : "a string"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    /// The value for a scalar key in a mapping (the last one when the key is repeated), or nil.
    public subscript(key: String) -> YAMLNode? {
        guard let pairs else { return nil }
        return pairs.last { $0.key.string == key }?.value
    }
}

/// A key and its value in a mapping.
public struct YAMLPair: Sendable {
    /// The key node (usually a scalar).
    public var key: YAMLNode
    /// The value node.
    public var value: YAMLNode

    /// Makes a pair.
    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// One YAML document: its root and the anchors defined in it.
public struct YAMLDocument: Sendable {
    /// The root node; nil for an empty document.
    public var root: YAMLNode?
    /// Anchored nodes by name, for resolving aliases without copying them.
    public var anchors: [String: YAMLNode]

    /// Makes a document.
    public init(root: YAMLNode?, anchors: [String: YAMLNode] = [:]) {
        self.root = root
        self.anchors = anchors
    }

    /// The node an alias refers to (following alias chains, bounded), or the node itself.
    public func resolve(_ node: YAMLNode) -> YAMLNode {
        var current = node
        var hops = 0
        while case .alias(let name) = current.kind, let target = anchors[name], hops < 64 {
            current = target
            hops += 1
        }
        return current
    }

    /// A mapping's pairs with YAML merge keys (`<<: *anchor`) applied: merged pairs first, the
    /// mapping's own pairs after them (so they win, as in Ansible), aliases resolved one level.
    public func mergedPairs(_ mapping: YAMLNode) -> [YAMLPair] {
        guard let pairs = resolve(mapping).pairs else { return [] }
        guard pairs.contains(where: { $0.key.string == "<<" && $0.key.tag == nil }) else { return pairs }
        var merged: [YAMLPair] = []
        var own: [YAMLPair] = []
        for pair in pairs {
            guard pair.key.string == "<<" else {
                own.append(pair)
                continue
            }
            let value = resolve(pair.value)
            let sources = value.items ?? [value]
            for source in sources {
                merged.append(contentsOf: resolve(source).pairs ?? [])
            }
        }
        return merged + own
    }
}
