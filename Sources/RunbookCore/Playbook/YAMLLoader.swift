import CYAML
import Foundation

/// A loaded YAML file: its documents, or why it could not be read, plus findings made while loading.
public struct YAMLFile: Sendable {
    /// The path as given.
    public var path: String
    /// The documents; empty when the file is empty, vault-encrypted or could not be parsed.
    public var documents: [YAMLDocument]
    /// Problems found while reading and parsing (syntax errors, duplicate keys, limits).
    public var diagnostics: [Diagnostic]
    /// Whether the file is Ansible Vault ciphertext (`$ANSIBLE_VAULT;` header), which is not parsed.
    public var isVault: Bool
    /// Whether the file holds nothing but whitespace and comments.
    public var isEmpty: Bool

    /// Whether loading stopped at an error, so the documents are incomplete.
    public var failed: Bool { diagnostics.contains { $0.severity == .error } }

    /// The first document, if any.
    public var document: YAMLDocument? { documents.first }
}

/// Limits that keep hostile input from using unbounded time or memory.
public struct YAMLLimits: Sendable {
    /// The largest file read, in bytes.
    public var maxFileSize: Int
    /// The deepest nesting of sequences and mappings.
    public var maxDepth: Int
    /// The most nodes (scalars, sequences, mappings, aliases) in one file.
    public var maxNodes: Int

    /// Makes limits.
    public init(maxFileSize: Int = 16 * 1024 * 1024, maxDepth: Int = 200, maxNodes: Int = 2_000_000) {
        self.maxFileSize = maxFileSize
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    /// The limits runbook uses.
    public static let standard = YAMLLimits()
}

/// Loads YAML through a libyaml event loop, keeping 1-based positions, never expanding aliases, and
/// reporting every duplicate key.
public struct YAMLLoader: Sendable {
    /// The limits applied.
    public var limits: YAMLLimits

    /// Makes a loader.
    public init(limits: YAMLLimits = .standard) {
        self.limits = limits
    }

    /// Reads and parses the file at `path` (reported as `displayPath`).
    public func load(path: String, displayPath: String? = nil) -> YAMLFile {
        let shown = displayPath ?? path
        let start = SourceLocation(file: shown, line: 1, column: 1)
        func failure(_ rule: String, _ message: String) -> YAMLFile {
            YAMLFile(
                path: shown, documents: [], diagnostics: [Diagnostic(.error, rule, message, at: start)],
                isVault: false, isEmpty: false)
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            return failure("file-unreadable", "cannot read file: \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return failure("file-unreadable", "expected a file, found a directory")
        }
        if Int(info.st_size) > limits.maxFileSize {
            return failure(
                "file-too-large",
                "file is \(Int(info.st_size) / (1024 * 1024)) MB, over the \(limits.maxFileSize / (1024 * 1024)) MB "
                    + "limit for YAML files; split it or check it is the file you meant")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return failure("file-unreadable", "cannot read file: permission denied or not a regular file")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: limits.maxFileSize + 1) ?? Data()
        } catch {
            return failure("file-unreadable", "cannot read file: \(error.localizedDescription)")
        }
        if data.count > limits.maxFileSize {
            return failure(
                "file-too-large", "file is over the \(limits.maxFileSize / (1024 * 1024)) MB limit for YAML files")
        }
        return parse([UInt8](data), path: shown)
    }

    /// Parses YAML bytes, reporting positions against `path`.
    public func parse(_ bytes: [UInt8], path: String) -> YAMLFile {
        if let problem = checkEncoding(bytes, path: path) {
            return YAMLFile(path: path, documents: [], diagnostics: [problem], isVault: false, isEmpty: false)
        }
        if startsWithVaultHeader(bytes) {
            return YAMLFile(path: path, documents: [], diagnostics: [], isVault: true, isEmpty: false)
        }
        var builder = TreeBuilder(path: path, bytes: bytes, limits: limits)
        builder.run()
        let empty = builder.documents.allSatisfy { $0.root == nil }
        return YAMLFile(
            path: path, documents: builder.documents, diagnostics: builder.diagnostics, isVault: false,
            isEmpty: empty && !builder.diagnostics.contains { $0.severity == .error })
    }

    private func startsWithVaultHeader(_ bytes: [UInt8]) -> Bool {
        let header = Array("$ANSIBLE_VAULT;".utf8)
        var index = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D {
            index += 1
        }
        return bytes[index...].starts(with: header)
    }

    private func checkEncoding(_ bytes: [UInt8], path: String) -> Diagnostic? {
        var line = 1
        var column = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 {
                return Diagnostic(
                    .error, "file-binary", "binary file (NUL byte at offset \(index)); expected YAML text",
                    at: SourceLocation(file: path, line: line, column: column))
            }
            let length = utf8SequenceLength(bytes, at: index)
            if length == 0 {
                return Diagnostic(
                    .error, "file-encoding",
                    "file is not valid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)) at offset \(index)); "
                        + "save it as UTF-8",
                    at: SourceLocation(file: path, line: line, column: column))
            }
            if byte == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += length
        }
        return nil
    }
}

/// The length of the valid UTF-8 sequence at `index`, or 0 when it is not valid.
private func utf8SequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
    let lead = bytes[index]
    let length: Int
    var minimum: UInt32
    switch lead {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: (length, minimum) = (2, 0x80)
    case 0xE0...0xEF: (length, minimum) = (3, 0x800)
    case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
    default: return 0
    }
    guard index + length <= bytes.count else { return 0 }
    var scalar = UInt32(lead) & (0xFF >> UInt32(length + 1))
    for offset in 1..<length {
        let next = bytes[index + offset]
        guard next & 0xC0 == 0x80 else { return 0 }
        scalar = (scalar << 6) | UInt32(next & 0x3F)
    }
    minimum = max(minimum, 0)
    guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return 0 }
    return length
}

/// Builds node trees from libyaml's events.
private struct TreeBuilder {
    private enum Frame {
        case sequence(YAMLNode, anchor: String?, items: [YAMLNode])
        case mapping(YAMLNode, anchor: String?, pairs: [YAMLPair], key: YAMLNode?, seen: [String: Int])
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
            return push(.sequence(node, anchor: optionalString(start.anchor), items: []), line: line, column: column)
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            let node = YAMLNode(
                .mapping([]), line: line, column: column, tag: tag(start.tag, implicit: start.implicit == 1),
                isFlow: start.style == YAML_FLOW_MAPPING_STYLE)
            return push(
                .mapping(node, anchor: optionalString(start.anchor), pairs: [], key: nil, seen: [:]),
                line: line, column: column)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return true }
            switch frame {
            case .sequence(var node, let anchor, let items):
                node.kind = .sequence(items)
                return complete(node, anchor: anchor)
            case .mapping(var node, let anchor, let pairs, _, _):
                node.kind = .mapping(pairs)
                checkUnquotedTemplate(node)
                return complete(node, anchor: anchor)
            }
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
                    "nesting is deeper than \(limits.maxDepth) levels, the limit for YAML files", at: location(line, column)
                ))
            return false
        }
        stack.append(frame)
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

    private mutating func complete(_ node: YAMLNode, anchor: String?) -> Bool {
        if case .scalar = node.kind, !countNode(line: node.line, column: node.column) { return false }
        if case .alias = node.kind, !countNode(line: node.line, column: node.column) { return false }
        if let anchor { anchors[anchor] = node }
        guard let top = stack.popLast() else {
            root = node
            return true
        }
        switch top {
        case .sequence(let parent, let parentAnchor, var items):
            items.append(node)
            stack.append(.sequence(parent, anchor: parentAnchor, items: items))
        case .mapping(let parent, let parentAnchor, var pairs, let key, var seen):
            if let key {
                if let name = key.string, name != "<<" {
                    if let first = seen[name] {
                        diagnostics.append(
                            Diagnostic(
                                .warning, "yaml-duplicate-key",
                                "duplicate key '\(name)' (first at line \(first)); the last value wins",
                                at: location(key.line, key.column)))
                    } else {
                        seen[name] = key.line
                    }
                }
                pairs.append(YAMLPair(key: key, value: node))
                stack.append(.mapping(parent, anchor: parentAnchor, pairs: pairs, key: nil, seen: seen))
            } else {
                stack.append(.mapping(parent, anchor: parentAnchor, pairs: pairs, key: node, seen: seen))
            }
        }
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
        }
        diagnostics.append(Diagnostic(.error, rule, message, at: location(line, column)))
    }

    private func startsUnquotedTemplate(_ line: String) -> Bool {
        line.range(of: #"(:|^\s*-)\s+\{\{"#, options: .regularExpression) != nil
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
