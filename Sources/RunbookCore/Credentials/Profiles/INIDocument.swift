#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One `key = value` line of an INI file, with its position and any nested `key =` block under it.
public struct INIEntry: Sendable, Hashable {
    /// The key, lowercased as the AWS CLI does.
    public var key: String
    /// The value with surrounding whitespace removed; continuation lines are joined with newlines.
    public var value: String
    /// The 1-based line of the key.
    public var line: Int
    /// For a nested block such as `s3 =` followed by indented lines, the inner keys and values.
    public var nested: [String: String]?

    /// Makes an entry.
    public init(key: String, value: String, line: Int, nested: [String: String]? = nil) {
        self.key = key
        self.value = value
        self.line = line
        self.nested = nested
    }
}

/// One `[name]` section of an INI file.
public struct INISection: Sendable, Hashable {
    /// The text between the brackets, not trimmed (the AWS CLI does not trim it either).
    public var name: String
    /// The 1-based line of the header.
    public var line: Int
    /// The entries in file order.
    public var entries: [INIEntry]

    /// The entry for `key` (lowercase), if present.
    public subscript(key: String) -> INIEntry? { entries.first { $0.key == key } }
}

/// A parsed AWS-style INI file (the shared credentials or config file).
///
/// The rules follow Python's `configparser.RawConfigParser` as botocore uses it: whole-line comments
/// start with `#` or `;` (no inline comments), `=` or `:` separates key and value, keys are
/// lowercased, more-indented lines continue the previous value, a value that starts on the next
/// line is a nested block of `key = value` lines, and a repeated section or key is an error.
public struct INIDocument: Sendable, Hashable {
    /// The path the document was read from, used in messages.
    public var path: String
    /// The sections in file order.
    public var sections: [INISection]
    /// Problems that make the AWS CLI reject the file, each with its line.
    public var errors: [CredentialFinding]

    /// Parses `text` read from `path`.
    public init(parsing text: String, path: String) {
        self.path = path
        var parser = INIParser(path: path)
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, line) in lines.enumerated() {
            parser.consume(line, number: index + 1)
        }
        parser.finish()
        sections = parser.sections
        errors = parser.errors
    }
}

private struct INIParser {
    let path: String
    var sections: [INISection] = []
    var errors: [CredentialFinding] = []
    /// Raw value lines of the current entry and the indent of its key line.
    var pending: (lines: [Substring], indent: Int)?

    init(path: String) { self.path = path }

    mutating func consume(_ line: Substring, number: Int) {

        let trimmed = line.trimmingWhitespace()
        if trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { return }
        let indent = line.prefix { $0 == " " || $0 == "\t" }.count
        if trimmed.isEmpty {
            if pending != nil { pending?.lines.append("") }
            return
        }
        if let current = pending, indent > current.indent {
            pending?.lines.append(trimmed)
            return
        }
        finishEntry()
        if trimmed.hasPrefix("["), let close = trimmed.lastIndex(of: "]"),
            trimmed.index(after: trimmed.startIndex) < close
        {
            let name = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            if let first = sections.first(where: { $0.name == name }) {
                error(
                    number,
                    "section [\(name)] appears again (first at line \(first.line)); the AWS CLI rejects the file; merge the two sections"
                )
            }
            sections.append(INISection(name: name, line: number, entries: []))
            return
        }
        guard !sections.isEmpty else {
            error(
                number,
                "a line before the first [section] header; the AWS CLI rejects the file; add a [default] or [profile NAME] header above it"
            )
            return
        }
        guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
            error(number, "expected 'key = value' but found '\(trimmed.prefix(40))'; the AWS CLI rejects the file")
            return
        }
        let key = trimmed[..<separator].trimmingWhitespace().lowercased()
        let value = trimmed[trimmed.index(after: separator)...].trimmingWhitespace()
        let last = sections.count - 1
        if let first = sections[last][key] {
            error(
                number,
                "key '\(key)' appears again in [\(sections[last].name)] (first at line \(first.line)); the AWS CLI rejects the file; keep one"
            )
        }
        sections[last].entries.append(INIEntry(key: key, value: "", line: number))
        pending = ([value], indent)
    }

    mutating func finish() { finishEntry() }

    private mutating func finishEntry() {
        guard let current = pending, let last = sections.indices.last,
            let entryIndex = sections[last].entries.indices.last
        else {
            pending = nil
            return
        }
        pending = nil
        var lines = current.lines
        while let tail = lines.last, tail.isEmpty, lines.count > 1 { lines.removeLast() }
        let value = lines.joined(separator: "\n")
        let entryLine = sections[last].entries[entryIndex].line
        sections[last].entries[entryIndex].value = value
        guard lines.count > 1, lines[0].isEmpty else { return }
        var nested: [String: String] = [:]
        for (offset, inner) in lines.dropFirst().enumerated() where !inner.isEmpty {
            guard let equals = inner.firstIndex(of: "=") else {
                error(
                    entryLine + offset + 1,
                    "expected 'key = value' inside the nested '\(sections[last].entries[entryIndex].key) =' block")
                continue
            }
            nested[String(inner[..<equals].trimmingWhitespace())] = String(
                inner[inner.index(after: equals)...].trimmingWhitespace())
        }
        sections[last].entries[entryIndex].nested = nested
    }

    private mutating func error(_ line: Int, _ message: String) {
        errors.append(
            CredentialFinding(.error, "ini-syntax", message, at: SourceLocation(file: path, line: line, column: 1)))
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    var trimmed: String {
        String(Substring(self).trimmingWhitespace()).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
