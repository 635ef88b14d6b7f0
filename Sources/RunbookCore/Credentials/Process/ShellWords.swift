/// Splits a command line into words the way POSIX `shlex.split` does, which is how the AWS CLI
/// splits `credential_process` on Linux and macOS: whitespace separates words, single quotes keep
/// everything literally, double quotes keep everything but `\\`, `\"`, `\$` and `` \` `` escapes,
/// and a backslash outside quotes escapes the next character. `#` starts a comment at a word start.
///
/// Returns nil when a quote is not closed or the line ends in a lone backslash.
public func shellWords(_ line: String) -> [String]? {
    var words: [String] = []
    var current = ""
    var inWord = false
    var iterator = Array(line).makeIterator()
    while let character = iterator.next() {
        switch character {
        case " ", "\t", "\n", "\r":
            if inWord {
                words.append(current)
                current = ""
                inWord = false
            }
        case "#" where !inWord:
            return words
        case "'":
            inWord = true
            var closed = false
            while let next = iterator.next() {
                if next == "'" {
                    closed = true
                    break
                }
                current.append(next)
            }
            if !closed { return nil }
        case "\"":
            inWord = true
            var closed = false
            while let next = iterator.next() {
                if next == "\"" {
                    closed = true
                    break
                }
                if next == "\\" {
                    guard let escaped = iterator.next() else { return nil }
                    if !"\\\"$`".contains(escaped) { current.append("\\") }
                    current.append(escaped)
                    continue
                }
                current.append(next)
            }
            if !closed { return nil }
        case "\\":
            guard let escaped = iterator.next() else { return nil }
            inWord = true
            if escaped != "\n" { current.append(escaped) }
        default:
            inWord = true
            current.append(character)
        }
    }
    if inWord { words.append(current) }
    return words
}
