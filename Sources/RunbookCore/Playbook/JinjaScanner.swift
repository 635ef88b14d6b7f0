import Foundation

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
func scanJinja(_ text: String) -> JinjaScan {
    var scan = JinjaScan()
    let chars = Array(text)
    var index = 0
    func at(_ i: Int, _ pair: String) -> Bool {
        let p = Array(pair)
        return i + 1 < chars.count && chars[i] == p[0] && chars[i + 1] == p[1]
    }
    while index < chars.count {
        if at(index, "{{") || at(index, "{%") || at(index, "{#") {
            let opener = String(chars[index...index + 1])
            let closer = opener == "{{" ? "}}" : opener == "{%" ? "%}" : "#}"
            let start = index
            var cursor = index + 2
            var quote: Character?
            // Inside an expression, '}}' only closes it when every bracket opened in it is closed (as Jinja's lexer).
            var depth = 0
            var found = false
            var body = ""
            while cursor < chars.count {
                let char = chars[cursor]
                if let open = quote {
                    if char == "\\" {
                        body.append(char)
                        cursor += 1
                        if cursor < chars.count { body.append(chars[cursor]) }
                    } else if char == open {
                        quote = nil
                        body.append(char)
                    } else {
                        body.append(char)
                    }
                    cursor += 1
                    continue
                }
                if opener != "{#", char == "'" || char == "\"" {
                    quote = char
                } else if depth == 0, at(cursor, closer) {
                    found = true
                    break
                } else if opener != "{#", "{[(".contains(char) {
                    depth += 1
                } else if opener != "{#", "}])".contains(char), depth > 0 {
                    depth -= 1
                }
                body.append(char)
                cursor += 1
            }
            guard found else {
                let name = opener == "{{" ? "expression" : opener == "{%" ? "statement" : "comment"
                scan.problem = JinjaScan.Problem(
                    message: "'\(opener)' opens a Jinja \(name) that is never closed with '\(closer)'",
                    offset: start)
                return scan
            }
            index = cursor + 2
            switch opener {
            case "{{":
                scan.expressions += 1
                scan.expressionBody = body
            case "{%":
                scan.statements += 1
                if body.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["-", "+"])
                    .trimmingCharacters(in: .whitespaces) == "raw"
                {
                    // Everything up to {% endraw %} is literal text.
                    let rest = String(chars[index...])
                    guard let end = rest.range(of: #"\{%[-+]?\s*endraw\s*[-+]?%\}"#, options: .regularExpression) else {
                        scan.problem = JinjaScan.Problem(
                            message: "'{% raw %}' is never closed with '{% endraw %}'", offset: start)
                        return scan
                    }
                    index += rest.distance(from: rest.startIndex, to: end.upperBound)
                }
            default:
                break
            }
            continue
        }
        scan.literal.append(chars[index])
        index += 1
    }
    return scan
}
