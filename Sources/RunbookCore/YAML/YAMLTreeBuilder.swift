import CYAML

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Builds node trees from libyaml's events.
struct TreeBuilder {
    /// An open sequence or mapping. A struct mutated in place on the stack, so appending a child
    /// never copies its siblings (time stays linear in the number of items).
    private struct Frame {
        var node: YAMLNode
        var anchor: String?
        var isMapping: Bool
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var key: YAMLNode?
        /// Keys by first line, kept only past `scanLimit` pairs: below it a scan of `pairs` is cheaper
        /// than a dictionary per mapping (most mappings have a handful of keys).
        var seen: [String: Int] = [:]

        static let scanLimit = 16

        /// The line `name` was first a key on in this mapping, if it was. Static, and given the parts
        /// it reads: a method called on `stack[top]` would copy the whole frame out of the stack first.
        static func firstLine(of name: String, seen: [String: Int], pairs: [YAMLPair]) -> Int? {
            if let line = seen[name] { return line }
            for pair in pairs.prefix(scanLimit) where pair.key.string == name { return pair.key.line }
            return nil
        }
    }

    let path: String
    let bytes: [UInt8]
    let limits: YAMLLimits
    var documents: [YAMLDocument] = []
    var diagnostics: [Diagnostic] = []
    private var stack: [Frame] = []
    private var root: YAMLNode?
    private var anchors: [String: YAMLNode] = [:]
    private var nodeCount = 0

    init(path: String, bytes: [UInt8], limits: YAMLLimits) {
        self.path = path
        self.bytes = bytes
        self.limits = limits
    }

    mutating func run() {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            diagnostics.append(Diagnostic(.error, "yaml-syntax", "cannot start the YAML parser", at: location(1, 1)))
            return
        }
        defer { yaml_parser_delete(&parser) }
        bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    reportParserError(parser)
                    return
                }
                let done = event.type == YAML_STREAM_END_EVENT
                let keepGoing = handle(&event)
                yaml_event_delete(&event)
                if done || !keepGoing { return }
            }
        }
    }

    // MARK: - Events

    private mutating func handle(_ event: inout yaml_event_t) -> Bool {
        let line = Int(event.start_mark.line) + 1
        let column = Int(event.start_mark.column) + 1
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            root = nil
            anchors = [:]
            stack = []
        case YAML_DOCUMENT_END_EVENT:
            documents.append(YAMLDocument(root: root, anchors: anchors))
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value = string(scalar.value, length: scalar.length)
            let node = YAMLNode(
                .scalar(value, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE && scalar.plain_implicit == 1),
                line: line, column: column, tag: tag(scalar.tag, implicit: scalar.plain_implicit == 1))
            return complete(node, anchor: optionalString(scalar.anchor))
        case YAML_ALIAS_EVENT:
            let name = optionalString(event.data.alias.anchor) ?? ""
            if anchors[name] == nil {
                diagnostics.append(
                    Diagnostic(.error, "yaml-syntax", "found undefined alias '\(name)'", at: location(line, column)))
                return false
            }
            return complete(YAMLNode(.alias(name), line: line, column: column), anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            let node = YAMLNode(
                .sequence([]), line: line, column: column, tag: tag(start.tag, implicit: start.implicit == 1),
                isFlow: start.style == YAML_FLOW_SEQUENCE_STYLE)
            return push(
                Frame(node: node, anchor: optionalString(start.anchor), isMapping: false), line: line, column: column)
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            let node = YAMLNode(
                .mapping([]), line: line, column: column, tag: tag(start.tag, implicit: start.implicit == 1),
                isFlow: start.style == YAML_FLOW_MAPPING_STYLE)
            return push(
                Frame(node: node, anchor: optionalString(start.anchor), isMapping: true), line: line, column: column)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard var frame = stack.popLast() else { return true }
            var node = frame.node
            if frame.isMapping {
                node.kind = .mapping(frame.pairs)
                frame.pairs = []
                checkUnquotedTemplate(node)
            } else {
                node.kind = .sequence(frame.items)
                frame.items = []
            }
            return complete(node, anchor: frame.anchor)
        default:
            break
        }
        return true
    }

    private mutating func push(_ frame: Frame, line: Int, column: Int) -> Bool {
        guard stack.count < limits.maxDepth else {
            diagnostics.append(
                Diagnostic(
                    .error, "yaml-too-deep",
                    "nesting is deeper than \(limits.maxDepth) levels, the limit for YAML files",
                    at: location(line, column)
                ))
            return false
        }
        stack.append(frame)
        // Room for a task's handful of keys (or a short list) at once, rather than growing 1, 2, 4.
        if frame.isMapping {
            stack[stack.count - 1].pairs.reserveCapacity(4)
        } else {
            stack[stack.count - 1].items.reserveCapacity(4)
        }
        return countNode(line: line, column: column)
    }

    private mutating func countNode(line: Int, column: Int) -> Bool {
        nodeCount += 1
        guard nodeCount <= limits.maxNodes else {
            diagnostics.append(
                Diagnostic(
                    .error, "yaml-too-large", "file has more than \(limits.maxNodes) YAML nodes, the limit per file",
                    at: location(line, column)))
            return false
        }
        return true
    }

    private mutating func complete(_ node: consuming YAMLNode, anchor: String?) -> Bool {
        if case .scalar = node.kind, !countNode(line: node.line, column: node.column) { return false }
        if case .alias = node.kind, !countNode(line: node.line, column: node.column) { return false }
        if let anchor { anchors[anchor] = node }
        guard !stack.isEmpty else {
            root = node
            return true
        }
        let top = stack.count - 1
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return true
        }
        guard stack[top].key != nil else {
            stack[top].key = node
            return true
        }
        // Moved out of the frame rather than copied (no retain and release of its contents).
        var taken: YAMLNode?
        swap(&taken, &stack[top].key)
        guard let key = taken else { return true }
        if let name = key.string, name != "<<" {
            if let first = Frame.firstLine(of: name, seen: stack[top].seen, pairs: stack[top].pairs) {
                diagnostics.append(
                    Diagnostic(
                        .warning, "yaml-duplicate-key",
                        "duplicate key '\(name)' (first at line \(first)); the last value wins",
                        at: location(key.line, key.column)))
            } else if stack[top].pairs.count >= Frame.scanLimit {
                stack[top].seen[name] = key.line
            }
        }
        stack[top].pairs.append(YAMLPair(key: key, value: node))
        return true
    }

    /// `key: {{ var }}` parses as a flow mapping whose only key is another flow mapping; Ansible
    /// rejects it. Say to quote the template.
    private mutating func checkUnquotedTemplate(_ node: YAMLNode) {
        guard node.isFlow, let first = node.pairs?.first, first.key.isFlow, first.key.pairs != nil else { return }
        diagnostics.append(
            Diagnostic(
                .error, "yaml-unquoted-template",
                "a value starting with '{{' must be quoted: YAML reads it as a mapping; quote the template, "
                    + "e.g. \"{{ var }}\"",
                at: location(node.line, node.column)))
    }

    // MARK: - Errors

    private mutating func reportParserError(_ parser: yaml_parser_t) {
        let mark = parser.problem_mark
        var line = Int(mark.line) + 1
        var column = Int(mark.column) + 1
        if parser.error == YAML_READER_ERROR {
            (line, column) = position(ofOffset: Int(parser.problem_offset))
        }
        var message = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if let context = parser.context.map({ String(cString: $0) }) {
            let contextLine = Int(parser.context_mark.line) + 1
            message = "\(message) \(context) at line \(contextLine)"
        }
        var rule = "yaml-syntax"
        let text = sourceLine(line)
        let previous = line > 1 ? sourceLine(line - 1) : ""
        if text.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") || message.contains("tab") {
            rule = "yaml-tab"
            message += "; tab characters are not allowed for indentation in YAML, use spaces"
        } else if startsUnquotedTemplate(text) || startsUnquotedTemplate(previous) {
            rule = "yaml-unquoted-template"
            message += "; a value starting with '{{' must be quoted: quote the template, e.g. \"{{ var }} text\""
            // The unquoted template was already reported where it starts; this error only follows from it.
            if diagnostics.contains(where: { $0.rule == rule && $0.location.line == line }) { return }
        }
        diagnostics.append(Diagnostic(.error, rule, message, at: location(line, column)))
    }

    private static let unquotedTemplate = TextPattern(#"(:|^\s*-)\s+\{\{"#)

    private func startsUnquotedTemplate(_ line: String) -> Bool {
        Self.unquotedTemplate?.firstRange(in: line) != nil
    }

    private func sourceLine(_ number: Int) -> String {
        var current = 1
        var start = 0
        var index = 0
        while index < bytes.count, current < number {
            if bytes[index] == 0x0A {
                current += 1
                start = index + 1
            }
            index += 1
        }
        guard current == number else { return "" }
        var end = start
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private func position(ofOffset offset: Int) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    private func location(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: path, line: line, column: column)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private func tag(_ pointer: UnsafeMutablePointer<yaml_char_t>?, implicit: Bool) -> String? {
        guard let pointer else { return nil }
        let value = String(cString: pointer)
        return value.isEmpty || value == "!" ? nil : value
    }
}
