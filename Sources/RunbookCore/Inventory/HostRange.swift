/// Expands Ansible host ranges (`web[01:10]`, `db-[a:f]`, `node[0:10:2]`, several per name) the way
/// Ansible's inventory plugins do.
enum HostRange {
    /// The most host names one pattern may expand to.
    static let maxHosts = 100_000

    /// Whether `name` contains a range to expand (Ansible looks only for `[`).
    static func hasRange(_ name: String) -> Bool { name.contains("[") }

    /// The host names `pattern` stands for; throws a message saying what is wrong with a range.
    static func expand(_ pattern: String) throws(InventoryProblem) -> [String] {
        var results: [String] = []
        try expand(pattern, into: &results)
        return results
    }

    private static func expand(_ pattern: String, into results: inout [String]) throws(InventoryProblem) {
        guard let open = pattern.firstIndex(of: "[") else {
            results.append(pattern)
            return
        }
        let head = pattern[..<open]
        if head.contains("]") {
            throw InventoryProblem("host range '\(pattern)' has a ']' before its '['; write it as name[begin:end]")
        }
        let afterOpen = pattern[pattern.index(after: open)...]
        guard let close = afterOpen.firstIndex(of: "]") else {
            throw InventoryProblem("host range '\(pattern)' has no closing ']'; write it as name[begin:end]")
        }
        let body = afterOpen[..<close]
        let tail = afterOpen[afterOpen.index(after: close)...]
        if body.contains("[") {
            throw InventoryProblem("host range '\(pattern)' has unbalanced brackets; write it as name[begin:end]")
        }
        for value in try sequence(String(body), in: pattern) {
            try expand(head + value + tail, into: &results)
            if results.count > maxHosts {
                throw InventoryProblem(
                    "host range '\(pattern)' expands to more than \(maxHosts) hosts, the limit; narrow the range")
            }
        }
    }

    private static func sequence(_ body: String, in pattern: String) throws(InventoryProblem) -> [String] {
        let bounds = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard bounds.count == 2 || bounds.count == 3 else {
            throw InventoryProblem("host range '[\(body)]' in '\(pattern)' must be begin:end or begin:end:step")
        }
        let begin = bounds[0].isEmpty ? "0" : bounds[0]
        let end = bounds[1]
        guard !end.isEmpty else { throw InventoryProblem("host range '[\(body)]' in '\(pattern)' must specify an end") }
        var step = 1
        if bounds.count == 3 {
            guard let value = Int(bounds[2]), value > 0 else {
                throw InventoryProblem(
                    "host range '[\(body)]' in '\(pattern)' has step '\(bounds[2])'; use a positive number")
            }
            step = value
        }
        var width = 0
        if begin.first == "0", begin.count > 1 {
            guard begin.count == end.count else {
                throw InventoryProblem(
                    "host range '[\(body)]' in '\(pattern)' must give begin and end with the same number of digits")
            }
            width = begin.count
        }
        if let letters = letterRange(begin, end, step: step) {
            guard let letters else {
                throw InventoryProblem("host range '[\(body)]' in '\(pattern)' must have begin <= end")
            }
            return letters
        }
        guard let low = Int(begin), let high = Int(end) else {
            throw InventoryProblem(
                "host range '[\(body)]' in '\(pattern)' must be numbers (01:10) or single letters (a:f)")
        }
        guard low <= high else { return [] }
        guard (high - low) / step < maxHosts else {
            throw InventoryProblem(
                "host range '[\(body)]' in '\(pattern)' expands to more than \(maxHosts) hosts, the limit; narrow it")
        }
        return stride(from: low, through: high, by: step).map { number in
            let text = String(number)
            return width > text.count ? String(repeating: "0", count: width - text.count) + text : text
        }
    }

    /// A letter range as Python slices `string.ascii_letters` (a–z then A–Z); nil when `begin`/`end`
    /// are not letters, `.some(nil)` when begin comes after end.
    private static func letterRange(_ begin: String, _ end: String, step: Int) -> [String]?? {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ").map(String.init)
        guard let low = letters.firstIndex(of: begin), let high = letters.firstIndex(of: end) else { return nil }
        guard low <= high else { return .some(nil) }
        return stride(from: low, through: high, by: step).map { letters[$0] }
    }
}

/// A problem found in an inventory, before it is given a position.
struct InventoryProblem: Error, Sendable {
    /// What is wrong, and what to do.
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
