#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension StaticInventory: HostPatternMatching {
    /// Whether an Ansible host pattern selects any host here, evaluated as Ansible's inventory manager
    /// does (unions, `&` intersections, `!` exclusions, globs, `~regex`, `[i]`/`[i:j]` subscripts);
    /// `all` and `localhost` always match, templates and invalid regexes cannot be judged (nil).
    public func matchesAnyHost(_ pattern: String) -> Bool? {
        let trimmed = pattern.trimmingCharacters(in: .whitespaces)
        if trimmed.containsBytes("{{") || trimmed.containsBytes("{%") { return nil }
        if ["all", "*"].contains(trimmed) || Self.localhostNames.contains(trimmed) { return true }
        guard let hosts = selectedHosts(trimmed) else { return nil }
        return !hosts.isEmpty
    }

    public func unmatchedNames(_ pattern: String) -> [String]? {
        let trimmed = pattern.trimmingCharacters(in: .whitespaces)
        if trimmed.containsBytes("{{") || trimmed.containsBytes("{%") { return nil }
        var names: [String] = []
        for part in Self.splitPattern(trimmed) {
            let bare = part.hasPrefix("!") || part.hasPrefix("&") ? String(part.dropFirst()) : part
            let (expression, _) = Self.splitSubscript(bare)
            if expression.isEmpty || ["all", "*"].contains(expression) || Self.localhostNames.contains(expression)
                || hasHost(expression) || groups[expression] != nil
            {
                continue
            }
            guard let regex = Self.compile(expression) else { return nil }
            if groups.keys.contains(where: { Self.matches(regex, $0) })
                || hosts.contains(where: { Self.matches(regex, $0) })
            {
                continue
            }
            names.append(bare)
        }
        return names
    }

    /// The hosts a pattern selects, in Ansible's order; nil when a part cannot be evaluated.
    func selectedHosts(_ pattern: String) -> [String]? {
        var regular: [String] = []
        var intersections: [String] = []
        var exclusions: [String] = []
        for part in Self.splitPattern(pattern) {
            if part.hasPrefix("!") {
                exclusions.append(part)
            } else if part.hasPrefix("&") {
                intersections.append(part)
            } else {
                regular.append(part)
            }
        }
        if regular.isEmpty { regular = ["all"] }
        var selected: [String] = []
        var selectedSet: Set<String> = []
        for part in regular + intersections + exclusions {
            if !part.hasPrefix("!"), !part.hasPrefix("&"), hasHost(part) {
                if selectedSet.insert(part).inserted { selected.append(part) }
                continue
            }
            guard let matched = matchOne(part) else { return nil }
            if part.hasPrefix("!") {
                let drop = Set(matched)
                selected.removeAll { drop.contains($0) }
            } else if part.hasPrefix("&") {
                let keep = Set(matched)
                selected.removeAll { !keep.contains($0) }
            } else {
                for host in matched where selectedSet.insert(host).inserted { selected.append(host) }
            }
            selectedSet = Set(selected)
        }
        return selected
    }

    private static let localhostNames: Set<String> = ["localhost", "127.0.0.1", "::1"]

    /// Splits on commas, or else (when the whole is not one address) on colons outside brackets.
    static func splitPattern(_ pattern: String) -> [String] {
        let parts: [String]
        if pattern.contains(",") {
            parts = pattern.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        } else if HostAddress.isAddress(pattern) {
            parts = [pattern]
        } else {
            var found: [String] = []
            var current = ""
            var inBracket = false
            for character in pattern {
                if inBracket {
                    current.append(character)
                    if character == "]" { inBracket = false }
                } else if character == "[" {
                    current.append(character)
                    inBracket = true
                } else if character == ":" || character == "]" || character.isWhitespace {
                    if !current.isEmpty { found.append(current) }
                    current = ""
                } else {
                    current.append(character)
                }
            }
            if !current.isEmpty { found.append(current) }
            parts = found
        }
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func matchOne(_ part: String) -> [String]? {
        let bare = part.hasPrefix("!") || part.hasPrefix("&") ? String(part.dropFirst()) : part
        guard !bare.isEmpty else { return [] }
        let (expression, slice) = Self.splitSubscript(bare)
        guard let hosts = enumerate(expression) else { return nil }
        guard let slice, !hosts.isEmpty else { return hosts }
        let start = slice.start < 0 ? hosts.count + slice.start : slice.start
        guard start >= 0, start < hosts.count else { return [] }
        guard let end = slice.end else { return [hosts[start]] }
        let last = end == -1 ? hosts.count - 1 : min(end, hosts.count - 1)
        return last >= start ? Array(hosts[start...last]) : []
    }

    private func enumerate(_ expression: String) -> [String]? {
        if expression == "all" { return hosts }
        guard let regex = Self.compile(expression) else { return nil }
        var results: [String] = []
        let groupNames = groups.keys.sorted().filter { Self.matches(regex, $0) }
        for name in groupNames { results.append(contentsOf: hosts(in: name)) }
        let special = expression.hasPrefix("~") || expression.contains { ".?*[".contains($0) }
        if groupNames.isEmpty || special {
            results.append(contentsOf: hosts.filter { Self.matches(regex, $0) })
        }
        if results.isEmpty, Self.localhostNames.contains(expression) { results.append(expression) }
        var seen: Set<String> = []
        return results.filter { seen.insert($0).inserted }
    }

    /// `pattern[3]`, `pattern[1:2]`, `pattern[1:]` (not for `~regex`): the pattern and the subscript.
    private static func splitSubscript(_ pattern: String) -> (String, (start: Int, end: Int?)?) {
        guard !pattern.hasPrefix("~"), pattern.hasSuffix("]"), let open = pattern.lastIndex(of: "["),
            open > pattern.startIndex
        else { return (pattern, nil) }
        let body = pattern[pattern.index(after: open)..<pattern.index(before: pattern.endIndex)]
        let base = String(pattern[..<open])
        if let index = Int(body) { return (base, (index, nil)) }
        guard let separator = body.firstIndex(where: { $0 == ":" || $0 == "-" }),
            let start = Int(body[..<separator]), start >= 0, !body[..<separator].hasPrefix("-")
        else { return (pattern, nil) }
        let endText = body[body.index(after: separator)...]
        if endText.isEmpty { return (base, (start, -1)) }
        guard let end = Int(endText), end >= 0, !endText.hasPrefix("-"), !endText.hasPrefix("+") else {
            return (pattern, nil)
        }
        return (base, (start, end == 0 ? nil : end))
    }

    /// A glob as Python's `fnmatch.translate` makes it (anchored), or a `~regex` matched from the start.
    private static func compile(_ expression: String) -> TextPattern? {
        if expression.hasPrefix("~") { return TextPattern(String(expression.dropFirst())) }
        var regex = ""
        var characters = Array(expression)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*": regex += ".*"
            case "?": regex += "."
            case "[":
                var index = characters.startIndex
                if index < characters.endIndex, characters[index] == "!" { index += 1 }
                if index < characters.endIndex, characters[index] == "]" { index += 1 }
                guard let close = characters[index...].firstIndex(of: "]") else {
                    regex += "\\["
                    continue
                }
                var set = String(characters[characters.startIndex..<close]).replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "[", with: "\\[")
                characters = characters[(close + 1)...]
                if set.hasPrefix("!") {
                    set = "^" + set.dropFirst()
                } else if set.hasPrefix("^") {
                    set = "\\" + set
                }
                regex += "[" + set + "]"
            default: regex += TextPattern.escaped(String(character))
            }
        }
        return TextPattern("(?s:" + regex + ")\\z")
    }

    private static func matches(_ regex: TextPattern, _ text: String) -> Bool {
        regex.matchesStart(of: text)
    }
}
