/// A task's arguments, however written: a mapping under the module, `key=value` free form, or `args:`.
struct TaskArguments {
    /// The value under the module key.
    let value: YAMLNode
    /// The task's `args:` mapping, if any.
    let args: YAMLNode?
    /// The document, for resolving aliases.
    let document: YAMLDocument
    init(value: YAMLNode, args: YAMLNode?, document: YAMLDocument) {
        self.value = value
        self.args = args
        self.document = document
    }

    /// The words of a string value (`key=value` pairs or free form). Split when asked: most string
    /// values are shell commands no rule reads as `key=value`.
    var words: [Substring] { value.string.map(whitespaceWords) ?? [] }

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
        if value.string != nil {
            let prefix = key + "="
            for token in words where token.hasPrefix(prefix) {
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

/// The words of `text` between whitespace (as `Character.isWhitespace` splits them), byte by byte
/// when the text is ASCII, as module arguments almost always are.
func whitespaceWords(_ text: String) -> [Substring] {
    // The word boundaries as byte offsets, found in place; nil when the text is not ASCII.
    let bounds = text.utf8.withContiguousStorageIfAvailable { bytes -> [Range<Int>]? in
        var ranges: [Range<Int>] = []
        var start = -1
        for (offset, byte) in bytes.enumerated() {
            if byte >= 0x80 { return nil }
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                if start >= 0 {
                    ranges.append(start..<offset)
                    start = -1
                }
            } else if start < 0 {
                start = offset
            }
        }
        if start >= 0 { ranges.append(start..<bytes.count) }
        return ranges
    }
    guard let bounds, let ranges = bounds else { return text.split(whereSeparator: \.isWhitespace) }
    let utf8 = text.utf8
    return ranges.map { range in
        text[
            utf8.index(
                utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(
                    utf8.startIndex, offsetBy: range.upperBound)]
    }
}
