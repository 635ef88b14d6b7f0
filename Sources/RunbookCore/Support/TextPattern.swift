/// A regular expression in the ICU/Python syntax runbook's patterns are written in, on Swift's Regex
/// (FoundationEssentials has no NSRegularExpression).
///
/// `@unchecked Sendable`: a compiled Regex is an immutable value; its `AnyRegexOutput` output type is
/// what lacks `Sendable`, and no output is stored here.
struct TextPattern: @unchecked Sendable {
    private let regex: Regex<AnyRegexOutput>

    /// Compiles `pattern`; nil when it is not a valid expression.
    init?(_ pattern: String, ignoringCase: Bool = false) {
        guard let regex = try? Regex(pattern) else { return nil }
        self.regex = ignoringCase ? regex.ignoresCase() : regex
    }

    /// The capture groups of the first match anywhere in `text` (nil for a group that took no part),
    /// or nil when nothing matches.
    func groups(in text: String) -> [String?]? {
        guard let match = text.firstMatch(of: regex) else { return nil }
        return (1..<match.output.count).map { match.output[$0].substring.map(String.init) }
    }

    /// The range of the first match in `text`, or nil.
    func firstRange(in text: String) -> Range<String.Index>? { text.firstMatch(of: regex)?.range }

    /// `text` with every match replaced by `replacement` (literal text).
    func replacingMatches(in text: String, with replacement: String) -> String {
        text.replacing(regex, with: replacement)
    }

    /// Whether the expression matches at the start of `text` (Python's `re.match`).
    func matchesStart(of text: String) -> Bool { text.prefixMatch(of: regex) != nil }

    /// `text` with every character that has a meaning in a pattern escaped.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) {
                out.append("\\")
            }
            out.append(character)
        }
        return out
    }
}
