/// A word of an INI inventory line and the 1-based column it starts at.
struct ShellWord: Sendable {
    var text: String
    var column: Int
}

/// Splits a line into words as Python's `shlex.split(line, comments=True)` does (POSIX rules): quotes
/// group, a backslash escapes, `#` starts a comment.
func shellWords(_ line: String) throws(InventoryProblem) -> [ShellWord] {
    var words: [ShellWord] = []
    var current = ""
    var start: Int?
    var quote: Character?
    var escaped = false
    var column = 0
    for character in line {
        column += 1
        if escaped {
            if quote == "\"", !["\\", "\"", "$", "`", "\n"].contains(character) { current.append("\\") }
            current.append(character)
            escaped = false
            continue
        }
        if let open = quote {
            if character == open {
                quote = nil
            } else if character == "\\", open == "\"" {
                escaped = true
            } else {
                current.append(character)
            }
            continue
        }
        switch character {
        case " ", "\t", "\r", "\n":
            if let begin = start { words.append(ShellWord(text: current, column: begin)) }
            current = ""
            start = nil
        case "#":
            if let begin = start { words.append(ShellWord(text: current, column: begin)) }
            return words
        case "\\":
            if start == nil { start = column }
            escaped = true
        case "'", "\"":
            if start == nil { start = column }
            quote = character
        default:
            if start == nil { start = column }
            current.append(character)
        }
    }
    if quote != nil { throw InventoryProblem("no closing quotation") }
    if escaped { throw InventoryProblem("no escaped character after the final backslash") }
    if let begin = start { words.append(ShellWord(text: current, column: begin)) }
    return words
}
