#if canImport(FoundationEssentials)
    import FoundationEssentials

    // RunbookCore builds on FoundationEssentials alone (no ICU, no FoundationNetworking), which keeps
    // the binary that goes into the image small and quick to start. These are the few string
    // operations of full Foundation the code uses, with the same names and meaning, for the cases it
    // uses them in (literal search, the whitespace classes).

    /// A set of Unicode scalars, as far as runbook uses Foundation's: whitespace, newlines,
    /// alphanumerics and literal characters.
    struct CharacterSet: Sendable, ExpressibleByArrayLiteral {
        private let test: @Sendable (Unicode.Scalar) -> Bool

        private init(_ test: @escaping @Sendable (Unicode.Scalar) -> Bool) { self.test = test }

        /// The given characters.
        init(charactersIn string: String) {
            let scalars = Set(string.unicodeScalars)
            test = { scalars.contains($0) }
        }

        /// The given scalars, as a literal: `["[", "]"]`.
        init(arrayLiteral scalars: Unicode.Scalar...) {
            let set = Set(scalars)
            test = { set.contains($0) }
        }

        /// Spaces and tabs (Unicode's space separators and the tab).
        static let whitespaces = CharacterSet { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        /// Line and paragraph separators.
        static let newlines = CharacterSet { "\n\u{0B}\u{0C}\r\u{85}\u{2028}\u{2029}".unicodeScalars.contains($0) }
        /// Both of the above.
        static let whitespacesAndNewlines = CharacterSet { whitespaces.contains($0) || newlines.contains($0) }
        /// Letters, marks and numbers.
        static let alphanumerics = CharacterSet { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
                return true
            default: return false
            }
        }

        /// Whether `scalar` is in the set.
        func contains(_ scalar: Unicode.Scalar) -> Bool { test(scalar) }

        /// The scalars in either set.
        func union(_ other: CharacterSet) -> CharacterSet {
            let test = self.test
            return CharacterSet { test($0) || other.contains($0) }
        }
    }

    /// How `range(of:options:)` searches.
    struct StringSearchOptions: OptionSet, Sendable {
        let rawValue: Int
        /// From the end.
        static let backwards = StringSearchOptions(rawValue: 1)
    }

    extension StringProtocol where SubSequence == Substring {
        /// The first range of the literal `target` within `range` (the whole text by default), or with
        /// `.backwards` the last. (Regular expressions go through `TextPattern`.)
        func range(
            of target: String, options: StringSearchOptions = [], range: Range<Index>? = nil
        ) -> Range<Index>? {
            guard !target.isEmpty else { return nil }
            let slice = self[range ?? startIndex..<endIndex]
            return options.contains(.backwards) ? slice.ranges(of: target).last : slice.firstRange(of: target)
        }
    }

    extension StringProtocol {
        /// The text without the leading and trailing scalars in `set`.
        func trimmingCharacters(in set: CharacterSet) -> String {
            let text = String(self)
            let scalars = text.unicodeScalars
            guard let first = scalars.firstIndex(where: { !set.contains($0) }),
                let last = scalars.lastIndex(where: { !set.contains($0) })
            else { return "" }
            return String(Substring(scalars[first...last]))
        }

        /// Every occurrence of `target` replaced (literal text).
        func replacingOccurrences(of target: String, with replacement: String) -> String {
            guard !target.isEmpty else { return String(self) }
            return String(self).replacing(target, with: replacement)
        }

        /// The text padded with `pad` (or cut) to `length` characters.
        func padding(toLength length: Int, withPad pad: String, startingAt _: Int) -> String {
            if count >= length { return String(prefix(length)) }
            return String(self) + String(repeating: pad, count: length - count)
        }

        /// The pieces between occurrences of `separator`.
        func components(separatedBy separator: String) -> [String] {
            String(self).split(separator: separator, omittingEmptySubsequences: false).map(String.init)
        }
    }
#endif
