#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The filters, tests and lookups a task's templates use (`{{ x | ns.coll.filter }}`, `| ipaddr`,
/// `is match`, `lookup('file', …)`), resolved against the image's index as Ansible resolves them:
/// bare names are ansible.builtin's (with the routing of ansible_builtin_runtime.yml), FQCNs their
/// collection's. Not judged: templated names, names when the workspace has its own `filter_plugins`,
/// `test_plugins` or `lookup_plugins`, and names passed as strings (`map('upper')`, `select('x')`).
extension PlaybookChecker {
    /// One plugin a template refers to.
    struct TemplatePlugin: Hashable {
        enum Kind: String {
            case filter, test, lookup
        }
        var kind: Kind
        var name: String
    }

    /// Checks the templates in `node` (a task's value); `expression` when the value is a bare
    /// conditional (`when`, `changed_when`, `failed_when`, `until`). With `memo` (the file's, see
    /// checkJinjaOnce), the plugins a value names are found once per position: a role's task checked
    /// again in another play is not scanned, nor its text hashed, again.
    func checkTemplatePlugins(_ node: YAMLNode, expression: Bool, scope: TaskScope, memo: JinjaMemo? = nil) {
        guard let index = settings.index else { return }
        let position = node.line << 25 | node.column << 1 | (expression ? 1 : 0)
        let uses: [(TemplatePlugin, YAMLNode)]
        if let known = memo?.plugins[position] {
            uses = known
        } else {
            var found: [(TemplatePlugin, YAMLNode)] = []
            collectTemplatePlugins(node, expression: expression, document: scope.document, into: &found)
            memo?.plugins[position] = found
            uses = found
        }
        for (plugin, at) in uses {
            checkTemplatePlugin(plugin, index: index, at: at, scope: scope)
        }
    }

    /// The plugins the templates under `node` name, each with the scalar that names it, in order.
    private func collectTemplatePlugins(
        _ node: YAMLNode, expression: Bool, document: YAMLDocument, into found: inout [(TemplatePlugin, YAMLNode)]
    ) {
        switch document.resolve(node).kind {
        case .scalar(let text, _):
            // Outside a bare expression, plugins are named only inside `{{ }}` or `{% %}`; and always by
            // `|` (filters), `is` (tests), `(` (lookups) or a `filter` statement.
            if !expression && !text.containsByte(UInt8(ascii: "{")) { return }
            if !Self.mayNamePlugins(text) { return }
            // Found anew for each text (the position memo above spares a value checked again): finding
            // them costs about what hashing the text into a table of texts seen did, and keeps no table.
            for plugin in pluginsNamed(in: text, expression: expression) { found.append((plugin, node)) }
        case .sequence(let items):
            for item in items {
                collectTemplatePlugins(item, expression: expression, document: document, into: &found)
            }
        case .mapping(let pairs):
            for pair in pairs {
                collectTemplatePlugins(pair.value, expression: false, document: document, into: &found)
            }
        case .alias:
            break
        }
    }

    /// Whether a text has a `|`, a `(`, or the words `is` or `filter`: without them no plugin is named.
    static func mayNamePlugins(_ text: String) -> Bool {
        func scan(_ bytes: some Sequence<UInt8>) -> Bool {
            var previous: UInt8 = 0
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "|"), UInt8(ascii: "("): return true
                case UInt8(ascii: "s") where previous == UInt8(ascii: "i"): return true
                case UInt8(ascii: "r") where previous == UInt8(ascii: "e"): return true  // filter
                default: previous = byte
                }
            }
            return false
        }
        // Over the contiguous bytes when there are (a native string's): walking the UTF-8 view costs more.
        return text.utf8.withContiguousStorageIfAvailable { scan($0) } ?? scan(text.utf8)
    }

    /// The plugins a value's templates name, each once, in the order named.
    private func pluginsNamed(in text: String, expression: Bool) -> [TemplatePlugin] {
        let bodies = expression && !text.containsBytes("{{") ? [text] : scanJinja(text).bodies
        var seen: Set<TemplatePlugin> = []
        return bodies.flatMap(templatePlugins(in:)).filter { seen.insert($0).inserted }
    }

    func checkTemplatePlugin(_ plugin: TemplatePlugin, index: ImageIndex, at node: YAMLNode, scope: TaskScope) {
        // Most uses name a plugin the index has (`default`, `bool`, `to_json`): nothing to report,
        // whatever the task's context, so the answer is kept.
        if deep.knownPlugins.contains(plugin) { return }
        let listed: [String]
        switch plugin.kind {
        case .filter: listed = index.filters
        case .test: listed = index.tests
        case .lookup: listed = index.lookups
        }
        let known: Set<String>
        if let names = deep.pluginNames[plugin.kind] {
            known = names
        } else {
            known = Set(listed)
            deep.pluginNames[plugin.kind] = known
        }
        let parts = plugin.name.splitBytes(".").map(String.init)
        let bare = parts.count == 1
        if bare, hasLocalJinjaPlugins(plugin, scope: scope) { return }
        var fqcn = bare ? "ansible.builtin." + plugin.name : plugin.name
        guard bare || parts.count >= 3 else { return }
        for _ in 0..<8 {
            if known.contains(fqcn) {
                deep.knownPlugins.insert(plugin)
                return
            }
            let collection = fqcn.splitBytes(".").prefix(2).joined(separator: ".")
            let short = fqcn.splitBytes(".").dropFirst(2).joined(separator: ".")
            let route = index.pluginRouting?[collection]?[plugin.kind.rawValue]?[short]
            if let tombstone = route?.tombstone {
                report(
                    .error, "removed-\(plugin.kind.rawValue)",
                    "the \(plugin.kind.rawValue) '\(plugin.name)' was removed from \(collection) (\(tombstone))",
                    file: scope.file, at: node)
                return
            }
            if let redirect = route?.redirect {
                fqcn = redirect
                continue
            }
            if collection != "ansible.builtin" && index.collections[collection] == nil {
                if collectionFolder(collection, roots: collectionRoots(for: scope.playbookFolder)) != nil { return }
                let via = fqcn == plugin.name ? "" : " (as \(fqcn))"
                report(
                    .error, "collection-not-in-image",
                    "collection \(collection) is not in the image, so the \(plugin.kind.rawValue) '\(plugin.name)'\(via) "
                        + "cannot be found; " + collectionAdvice(collection, playbookFolder: scope.playbookFolder),
                    file: scope.file, at: node)
                return
            }
            break
        }
        // A bare name under a play's collections: Ansible may not look there, but do not guess.
        if bare && !scope.collections.filter({ $0 != "ansible.builtin" && $0 != "ansible.legacy" }).isEmpty { return }
        let names = listed.map { $0.hasPrefix("ansible.builtin.") ? String($0.dropFirst(16)) : $0 }
        report(
            .error, "unknown-\(plugin.kind.rawValue)",
            "no \(plugin.kind.rawValue) named '\(plugin.name)' in ansible-core \(index.ansibleCore) or the image's "
                + "collections" + didYouMean(plugin.name, in: names),
            file: scope.file, at: node)
    }

    /// Whether the workspace may define the plugin itself: a lookup of that file name, or any filter or
    /// test file (one file defines many, by names in its code).
    private func hasLocalJinjaPlugins(_ plugin: TemplatePlugin, scope: TaskScope) -> Bool {
        if settings.environment["ANSIBLE_\(plugin.kind.rawValue.uppercased())_PLUGINS"] != nil { return true }
        let local = localPlugins(scope)
        if local.anyJinja { return true }
        switch plugin.kind {
        case .lookup: return local.lookups.contains(plugin.name)
        case .filter: return local.filters
        case .test: return local.tests
        }
    }

    /// The filters (`| name`, `{% filter name %}`), tests (`is [not] name`) and lookups
    /// (`lookup('name'`, `query(`, `q(`) named in one Jinja expression or statement.
    func templatePlugins(in body: String) -> [TemplatePlugin] {
        var body = body
        return body.withUTF8 { bytes in
            let lexemes = jinjaLexemes(bytes)
            // Whitespace control of a statement (`{%- filter upper %}`) is not part of it.
            var first = 0
            if let lead = lexemes.first,
                lead.isSymbol(UInt8(ascii: "-"), in: bytes) || lead.isSymbol(UInt8(ascii: "+"), in: bytes)
            {
                first = 1
            }
            var found: [TemplatePlugin] = []
            var position = first
            while position < lexemes.count {
                defer { position += 1 }
                let lexeme = lexemes[position]
                let next = position + 1 < lexemes.count ? lexemes[position + 1] : nil
                let after = position + 2 < lexemes.count ? lexemes[position + 2] : nil
                switch lexeme.kind {
                case .symbol where lexeme.isSymbol(UInt8(ascii: "|"), in: bytes):
                    if let next, next.kind == .name {
                        found.append(TemplatePlugin(kind: .filter, name: next.text(bytes)))
                    }
                case .name where position == first && lexeme.isName("filter", in: bytes):
                    if let next, next.kind == .name {
                        found.append(TemplatePlugin(kind: .filter, name: next.text(bytes)))
                    }
                case .name where lexeme.isName("is", in: bytes):
                    guard let next, next.kind == .name else { continue }
                    if next.isName("not", in: bytes) {
                        if let after, after.kind == .name {
                            found.append(TemplatePlugin(kind: .test, name: after.text(bytes)))
                        }
                    } else {
                        found.append(TemplatePlugin(kind: .test, name: next.text(bytes)))
                    }
                case .name
                where lexeme.isName("lookup", in: bytes) || lexeme.isName("query", in: bytes)
                    || lexeme.isName("q", in: bytes):
                    if position > first, lexemes[position - 1].isSymbol(UInt8(ascii: "."), in: bytes) { continue }
                    guard let next, next.isSymbol(UInt8(ascii: "("), in: bytes), let after, after.kind == .string else {
                        continue
                    }
                    let plugin = after.text(bytes)
                    if isTemplated(plugin) { continue }
                    found.append(TemplatePlugin(kind: .lookup, name: plugin))
                default:
                    continue
                }
            }
            return found
        }
    }
}

/// A token of a Jinja expression, as far as plugin names need (a dotted name, a string literal, a
/// symbol), as a range of its UTF-8 bytes (see jinjaLexemes): text is made only for the tokens that
/// name a plugin.
struct JinjaLexeme {
    enum Kind { case name, string, symbol }
    var kind: Kind
    /// The token's bytes; a string literal's without its quotes (escapes still in).
    var start: Int
    var end: Int

    func isSymbol(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        kind == .symbol && end == start + 1 && bytes[start] == byte
    }

    func isName(_ name: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard kind == .name, end - start == name.utf8CodeUnitCount else { return false }
        let wanted = name.utf8Start
        for offset in 0..<(end - start) where bytes[start + offset] != wanted[offset] { return false }
        return true
    }

    /// The token's text; a string literal's with each backslash escape reduced to its character.
    func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard kind == .string else {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
        var text: [UInt8] = []
        var index = start
        while index < end {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < end { index += 1 }
            text.append(bytes[index])
            index += 1
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Splits a Jinja expression into names (dots joining identifiers: `ns.coll.name`), string literals
/// and one-character symbols, as byte ranges; numbers and whitespace are dropped.
func jinjaLexemes(_ bytes: UnsafeBufferPointer<UInt8>) -> [JinjaLexeme] {
    // Over UTF-8 bytes: every delimiter, name and quote is ASCII; other text is kept as it is.
    var lexemes: [JinjaLexeme] = []
    var index = 0
    func isStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    while index < bytes.count {
        let byte = bytes[index]
        if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != byte {
                if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                index += 1
            }
            lexemes.append(JinjaLexeme(kind: .string, start: start, end: min(index, bytes.count)))
            index += 1
        } else if isStart(byte) {
            let start = index
            var dots = 0
            let afterBar = lexemes.last?.isSymbol(UInt8(ascii: "|"), in: bytes) ?? false
            index += 1
            while index < bytes.count {
                if isStart(bytes[index]) || isDigit(bytes[index]) {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "."), index + 1 < bytes.count, isStart(bytes[index + 1]),
                    dots < 2 || afterBar
                {
                    dots += 1
                    index += 1
                } else {
                    break
                }
            }
            lexemes.append(JinjaLexeme(kind: .name, start: start, end: index))
        } else if byte < 0x80 {
            if !isDigit(byte) && byte != 0x20 && !(0x09...0x0D).contains(byte) {
                lexemes.append(JinjaLexeme(kind: .symbol, start: index, end: index + 1))
            }
            index += 1
        } else {
            // A non-ASCII character: skipped when it is whitespace, else a symbol of its own.
            var end = index + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            let character = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
            if !(character.first?.isWhitespace ?? false) {
                lexemes.append(JinjaLexeme(kind: .symbol, start: index, end: end))
            }
            index = end
        }
    }
    return lexemes
}
