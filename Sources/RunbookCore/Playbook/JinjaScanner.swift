#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a string holds in Jinja terms: its `{{ }}` expressions, `{% %}` statements and literal text,
/// and the first opening delimiter that is never closed. A stray '}}' is literal text to Jinja, so it is not one.
struct JinjaScan: Equatable {
    /// A delimiter problem: what was found and its 0-based offset (in characters) in the string.
    struct Problem: Equatable {
        var message: String
        var offset: Int
    }

    /// The number of `{{ … }}` expressions.
    var expressions = 0
    /// The number of `{% … %}` statements.
    var statements = 0
    /// The literal text outside every delimiter (comments dropped).
    var literal = ""
    /// The text inside the only expression, when there is exactly one.
    var expressionBody = ""
    /// The first unbalanced delimiter, if any.
    var problem: Problem?
    /// The text inside every `{{ }}` and `{% %}` (not comments, not raw sections), in order.
    var bodies: [String] = []

    /// Whether the string is one expression or more mixed with literal text, so it renders to a string.
    var rendersToString: Bool {
        expressions >= 1 && statements == 0 && (!literal.isEmpty || expressions > 1)
    }

    /// The variable name when the string is exactly `{{ name }}`, else nil.
    var bareVariable: String? {
        guard expressions == 1, statements == 0, literal.isEmpty else { return nil }
        let name = expressionBody.trimmingCharacters(in: .whitespaces)
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
            name.unicodeScalars.allSatisfy({ $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        else { return nil }
        return name
    }
}

/// Scans `text` for Jinja delimiters, skipping quoted strings inside them and `{% raw %}` sections.
///
/// Works on the UTF-8 bytes (every delimiter is ASCII, and a multi-byte character never contains an
/// ASCII byte), so it costs one pass and no per-character allocation.
func scanJinja(_ text: String) -> JinjaScan {
    var scan = JinjaScan()
    let bytes = Array(text.utf8)
    let count = bytes.count
    let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}"), percent = UInt8(ascii: "%")
    let hash = UInt8(ascii: "#"), backslash = UInt8(ascii: "\\")
    let singleQuote = UInt8(ascii: "'"), doubleQuote = UInt8(ascii: "\"")
    var literal: [UInt8] = []
    var index = 0
    while index < count {
        let byte = bytes[index]
        guard byte == openBrace, index + 1 < count,
            case let kind = bytes[index + 1], kind == openBrace || kind == percent || kind == hash
        else {
            literal.append(byte)
            index += 1
            continue
        }
        // '}}', '%}' or '#}' closes it; inside an expression only once every bracket opened in it is
        // closed (as Jinja's lexer), and never inside a quoted string.
        let closeFirst = kind == openBrace ? closeBrace : kind
        let start = index
        var cursor = index + 2
        var quote: UInt8?
        var depth = 0
        var found = false
        while cursor < count {
            let char = bytes[cursor]
            if let open = quote {
                if char == backslash {
                    cursor += 2
                    continue
                }
                if char == open { quote = nil }
                cursor += 1
                continue
            }
            if kind != hash, char == singleQuote || char == doubleQuote {
                quote = char
            } else if depth == 0, char == closeFirst, cursor + 1 < count, bytes[cursor + 1] == closeBrace {
                found = true
                break
            } else if kind != hash, char == openBrace || char == UInt8(ascii: "[") || char == UInt8(ascii: "(") {
                depth += 1
            } else if kind != hash, depth > 0,
                char == closeBrace || char == UInt8(ascii: "]") || char == UInt8(ascii: ")")
            {
                depth -= 1
            }
            cursor += 1
        }
        let opener = kind == openBrace ? "{{" : kind == percent ? "{%" : "{#"
        guard found else {
            let closer = kind == openBrace ? "}}" : kind == percent ? "%}" : "#}"
            let name = kind == openBrace ? "expression" : kind == percent ? "statement" : "comment"
            scan.problem = JinjaScan.Problem(
                message: "'\(opener)' opens a Jinja \(name) that is never closed with '\(closer)'",
                offset: characterCount(bytes[..<start]))
            scan.literal = String(decoding: literal, as: UTF8.self)
            return scan
        }
        let body = bytes[(index + 2)..<cursor]
        index = cursor + 2
        if kind == openBrace {
            scan.expressions += 1
            scan.expressionBody = String(decoding: body, as: UTF8.self)
            scan.bodies.append(scan.expressionBody)
        } else if kind == percent {
            scan.statements += 1
            scan.bodies.append(String(decoding: body, as: UTF8.self))
            let statement = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: ["-", "+"]).trimmingCharacters(in: .whitespaces)
            if statement == "raw" {
                // Everything up to {% endraw %} is literal text.
                let rest = String(decoding: bytes[index...], as: UTF8.self)
                guard let end = endRaw?.firstRange(in: rest) else {
                    scan.problem = JinjaScan.Problem(
                        message: "'{% raw %}' is never closed with '{% endraw %}'",
                        offset: characterCount(bytes[..<start]))
                    scan.literal = String(decoding: literal, as: UTF8.self)
                    return scan
                }
                index += rest.utf8.distance(from: rest.startIndex, to: end.upperBound)
            }
        }
    }
    scan.literal = String(decoding: literal, as: UTF8.self)
    return scan
}

/// The number of characters (Unicode scalars, as libyaml counts columns) in UTF-8 `bytes`.
/// `{% endraw %}`, with Jinja's whitespace controls.
private let endRaw = TextPattern(#"\{%[-+]?\s*endraw\s*[-+]?%\}"#)

private func characterCount(_ bytes: ArraySlice<UInt8>) -> Int {
    bytes.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
}
