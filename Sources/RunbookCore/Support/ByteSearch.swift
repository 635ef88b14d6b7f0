#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension String {
    /// Whether the text contains `needle`, compared as UTF-8 bytes. Foundation's `contains(_:)` on
    /// strings goes through CFString on Linux, which costs more than the rule asking it.
    func containsBytes(_ needle: String) -> Bool {
        var needle = needle
        return needle.withUTF8 { pattern in
            guard let first = pattern.first else { return true }
            var text = self
            return text.withUTF8 { bytes in
                guard bytes.count >= pattern.count else { return false }
                var index = 0
                let last = bytes.count - pattern.count
                while index <= last {
                    if bytes[index] == first {
                        var offset = 1
                        while offset < pattern.count, bytes[index + offset] == pattern[offset] { offset += 1 }
                        if offset == pattern.count { return true }
                    }
                    index += 1
                }
                return false
            }
        }
    }

    /// Whether the text's UTF-8 bytes begin with `prefix`'s. The generic `utf8.starts(with:)` walks
    /// both views element by element (hundreds of instructions for a path); this compares in place.
    func hasBytePrefix(_ prefix: String) -> Bool {
        let count = prefix.utf8.count
        guard utf8.count >= count else { return false }
        if let answer = utf8.withContiguousStorageIfAvailable({ text in
            prefix.utf8.withContiguousStorageIfAvailable { start in
                guard count > 0, let text = text.baseAddress, let start = start.baseAddress else { return true }
                return memcmp(text, start, count) == 0
            }
        }), let answer {
            return answer
        }
        return utf8.starts(with: prefix.utf8)
    }

    /// `split(separator:maxSplits:omittingEmptySubsequences:)` on the bytes, for an ASCII separator
    /// in ASCII text (names, FQCNs, paths): the Character split walks grapheme clusters and costs
    /// thousands of instructions for a short name. Other text goes to the Character split, so the
    /// answer is always the same.
    func splitBytes(
        _ separator: Character, maxSplits: Int = .max, omittingEmptySubsequences: Bool = true
    ) -> [Substring] {
        let bytes = utf8
        guard let mark = separator.asciiValue, isContiguousASCII, maxSplits > 0 else {
            return split(
                separator: separator, maxSplits: maxSplits, omittingEmptySubsequences: omittingEmptySubsequences)
        }
        var parts: [Substring] = []
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            guard bytes[index] == mark else {
                index = bytes.index(after: index)
                continue
            }
            let appended = !(omittingEmptySubsequences && start == index)
            if appended { parts.append(self[start..<index]) }
            index = bytes.index(after: index)
            start = index
            if appended && parts.count == maxSplits { break }
        }
        if start != bytes.endIndex || !omittingEmptySubsequences { parts.append(self[start..<bytes.endIndex]) }
        return parts
    }

    /// Whether the text is ASCII, as far as can be told in place (false when its bytes are not
    /// contiguous): the byte-level helpers answer as the Character-level ones only for ASCII.
    var isContiguousASCII: Bool {
        utf8.withContiguousStorageIfAvailable { $0.allSatisfy { $0 < 0x80 } } ?? false
    }

    /// Whether the text's UTF-8 holds `byte`: memchr over the contiguous bytes (the generic
    /// `utf8.contains` walks the view element by element).
    func containsByte(_ byte: UInt8) -> Bool {
        utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
            return memchr(base, Int32(byte), bytes.count) != nil
        } ?? utf8.contains(byte)
    }
}

extension Array where Element == String {
    /// The elements without repeats, in order, found by comparing: for the handful of folders of a
    /// search path that is cheaper than hashing each (long) path into a set.
    func withoutRepeats() -> [String] {
        var result: [String] = []
        result.reserveCapacity(count)
        for item in self where !result.contains(item) { result.append(item) }
        return result
    }
}
