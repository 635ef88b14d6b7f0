/// A word of a shell-style line and the 1-based column it starts at.
struct ShellWord: Sendable, Hashable {
    var text: String
    var column: Int
}

/// Why a line could not be split.
struct ShellSplitError: Error, Sendable {
    /// What is wrong.
    var message: String
}

/// Splits a line into words as Python's `shlex.split(line, comments:)` does (POSIX rules): quotes
/// group, a backslash escapes, and with `comments` a `#` starts a comment. INI inventories are
/// split with comments (as Ansible does); `credential_process` and profile names without (as the
/// AWS CLI does).
func shellWords(_ line: String, comments: Bool) throws(ShellSplitError) -> [ShellWord] {
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
        case "#" where comments:
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
    if quote != nil { throw ShellSplitError(message: "no closing quotation") }
    if escaped { throw ShellSplitError(message: "no escaped character after the final backslash") }
    if let begin = start { words.append(ShellWord(text: current, column: begin)) }
    return words
}

/// The words of a line split without comments, or nil when a quote is not closed or the line ends
/// in a lone backslash.
func shellWords(_ line: String) -> [String]? {
    (try? shellWords(line, comments: false))?.map(\.text)
}
