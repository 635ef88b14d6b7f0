/// A task's arguments, however written: a mapping under the module, `key=value` free form, or `args:`.
struct TaskArguments {
    /// The value under the module key.
    var value: YAMLNode
    /// The task's `args:` mapping, if any.
    var args: YAMLNode?
    /// The document, for resolving aliases.
    var document: YAMLDocument

    /// The module's value when it is a plain string without `key=value` pairs (a path for includes).
    var freeForm: (String, YAMLNode)? {
        guard let text = value.string, !value.isNull, !text.containsBytes("=") || isTemplated(text) else { return nil }
        return (text.trimmingCharacters(in: .whitespaces), value)
    }

    /// The strings of argument `key`: a YAML list, or a comma-separated string; nil when absent.
    func list(_ key: String) -> [String]? {
        let node = value[key] ?? args.flatMap { document.resolve($0)[key] }
        if let items = node.map(document.resolve)?.items {
            return items.map(document.resolve).compactMap(\.string)
        }
        guard let (text, _) = self[key] else { return nil }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The string value of argument `key` and the node it was written in.
    subscript(key: String) -> (String, YAMLNode)? {
        if let node = value[key].map(document.resolve), let text = node.string, !node.isNull { return (text, node) }
        if let text = value.string {
            for token in text.split(whereSeparator: \.isWhitespace) where token.hasPrefix(key + "=") {
                return (String(token.dropFirst(key.count + 1)).trimmingCharacters(in: ["'", "\""]), value)
            }
        }
        if let args, let node = document.resolve(args)[key].map(document.resolve), let text = node.string, !node.isNull
        {
            return (text, node)
        }
        return nil
    }
}

/// Whether a YAML 1.1 / Ansible boolean string is true (`yes`, `true`, `on`, `1`).
func isTrue(_ text: String) -> Bool {
    ["yes", "true", "on", "1", "y"].contains(text.lowercased())
}
