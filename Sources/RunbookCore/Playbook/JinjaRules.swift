/// Jinja checks: balanced delimiters in every string, and templates that render to a string
/// where a list is expected.
extension PlaybookChecker {
    /// checkJinja of a task's value, remembered in `scanned` (this file's values by position) so that a
    /// task checked again (a role in another play) is not scanned again. A scalar without a delimiter
    /// character is answered without the table.
    func checkJinjaOnce(_ node: YAMLNode, document: YAMLDocument, file: String, _ scanned: JinjaMemo) -> Bool {
        if case .scalar(let text, _) = node.kind, !mayHoldJinja(text) { return false }
        let position = node.line << 24 | node.column
        if let known = scanned.holds[position] {
            // Reported again (a repeat is dropped): a role expansion being recorded logs every finding.
            if scanned.problems.contains(position) { checkJinja(node, document: document, file: file) }
            return known
        }
        let before = diagnostics.count
        let holds = checkJinja(node, document: document, file: file)
        scanned.holds[position] = holds
        // (Its findings are at nodes under this position, which no other position reports.)
        if diagnostics.count != before { scanned.problems.insert(position) }
        return holds
    }

    /// The file's table for checkJinjaOnce; consecutive tasks are mostly in the same file, which is
    /// then found without hashing its path.
    func jinjaMemo(_ file: String) -> JinjaMemo {
        if let last = lastJinjaMemo, last.file == file { return last.memo }
        let memo: JinjaMemo
        if let known = jinjaScanned[file] {
            memo = known
        } else {
            memo = JinjaMemo()
            jinjaScanned[file] = memo
        }
        lastJinjaMemo = (file, memo)
        return memo
    }

    /// Reports unbalanced `{{ }}` / `{% %}` in every string value under `node` (keys and `!unsafe` aside).
    /// Returns whether the value may hold a template (a text with a Jinja delimiter character, or an
    /// alias, which is not followed here), so that the index checks can skip those that do not.
    @discardableResult
    func checkJinja(_ node: YAMLNode, document: YAMLDocument, file: String) -> Bool {
        switch node.kind {
        case .scalar(let text, let plain):
            let holds = mayHoldJinja(text)
            guard node.tag == nil, holds, let problem = scanJinja(text).problem else { return holds }
            // Point at the delimiter itself when the text maps onto the line one to one.
            var at = node
            if !text.containsBytes("\n"), !text.containsBytes("\\"), !text.containsBytes("'") {
                at.column += (plain ? 0 : 1) + problem.offset
            }
            report(
                .error, "jinja-unbalanced", "\(problem.message); balance the template's delimiters", file: file, at: at)
            return true
        case .sequence(let items):
            var holds = false
            for item in items where checkJinja(item, document: document, file: file) { holds = true }
            return holds
        case .mapping(let pairs):
            var holds = false
            for pair in pairs where checkJinja(pair.value, document: document, file: file) { holds = true }
            return holds
        case .alias:
            return true
        }
    }
}

/// Whether a string has any character a Jinja delimiter starts or ends with.
private func mayHoldJinja(_ text: String) -> Bool {
    // memchr (vectorised) three times beats one byte-by-byte pass for all but tiny strings.
    text.containsByte(UInt8(ascii: "{")) || text.containsByte(UInt8(ascii: "}"))
        || text.containsByte(UInt8(ascii: "%"))
}

/// Facts set from templates that render to strings, and the loops that use them as lists.
struct FactTracker {
    private var stringFacts: [String: SourceLocation] = [:]
    private var uses: [(name: String, keyword: String, location: SourceLocation)] = []
    /// Every change, in order, so that a role expansion checked once can be replayed (RoleExpansion).
    private(set) var log: [Change] = []

    /// One change: a fact set from a template that renders to a string, or a loop over a bare variable.
    enum Change {
        case stringFact(String, SourceLocation)
        case use(name: String, keyword: String, location: SourceLocation)
    }

    /// Makes a change and logs it.
    mutating func apply(_ change: Change) {
        switch change {
        case .stringFact(let name, let location): stringFacts[name] = location
        case .use(let name, let keyword, let location): uses.append((name, keyword, location))
        }
        log.append(change)
    }

    /// Checks a value where a list is expected; a bare `{{ fact }}` is remembered for later.
    mutating func checkListValue(_ node: YAMLNode, keyword: String, file: String, checker: PlaybookChecker) {
        guard node.tag == nil, let text = node.string, text.containsBytes("{{") else { return }
        let scan = scanJinja(text)
        if scan.problem == nil, scan.rendersToString {
            checker.report(
                .warning, "jinja-string-not-list",
                "'\(keyword)' expects a list, but \(describeExtraText(scan)) so it renders to a string; "
                    + "remove the text around the expression",
                file: file, at: node)
        } else if let name = scan.bareVariable {
            apply(.use(name: name, keyword: keyword, location: checker.location(file, node)))
        }
    }

    /// Remembers `set_fact` values that render to strings.
    mutating func recordSetFact(_ node: YAMLNode, document: YAMLDocument, file: String) {
        for pair in node.pairs ?? [] {
            let value = document.resolve(pair.value)
            guard let name = pair.key.string, name != "cacheable", value.tag == nil, let text = value.string,
                text.containsBytes("{{"), scanJinja(text).problem == nil, scanJinja(text).rendersToString
            else { continue }
            apply(.stringFact(name, SourceLocation(file: file, line: value.line, column: value.column)))
        }
    }

    /// Reports each loop over a fact that `set_fact` made a string.
    func reportStringsUsedAsLists(to checker: PlaybookChecker) {
        for use in uses {
            guard let set = stringFacts[use.name] else { continue }
            let place =
                checker.display(set.file) == use.location.file
                ? "line \(set.line)" : "\(checker.display(set.file)):\(set.line)"
            checker.report(
                Diagnostic(
                    .warning, "jinja-string-not-list",
                    "'\(use.keyword)' expects a list, but '\(use.name)' is set at \(place) from a template with text "
                        + "outside '{{ }}', so it is a string; remove the text around the expression at \(place)",
                    at: use.location))
        }
    }
}

/// "this value has a trailing space outside '{{ }}'" and the like.
private func describeExtraText(_ scan: JinjaScan) -> String {
    if scan.literal.isEmpty { return "this value joins \(scan.expressions) expressions" }
    if scan.literal.allSatisfy(\.isWhitespace) {
        let what = scan.literal == " " ? "a space" : "whitespace"
        return "this value has \(what) outside '{{ }}'"
    }
    return "this value has text ('\(scan.literal)') outside '{{ }}'"
}

/// Whether each task value of one file, by position, holds templates (see checkJinjaOnce).
final class JinjaMemo {
    var holds: [Int: Bool] = [:]
    /// Positions whose value had an unbalanced template.
    var problems: Set<Int> = []
    /// The plugins each value's templates name (see checkTemplatePlugins).
    var plugins: [Int: [(PlaybookChecker.TemplatePlugin, YAMLNode)]] = [:]
}
