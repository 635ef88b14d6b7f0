/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
func closestMatch(to word: String, in candidates: some Sequence<String>) -> String? {
    closestMatch(to: word, in: CandidateNames(candidates))
}

/// Names to suggest from, with their Unicode scalars worked out once (for a list asked about many times).
struct CandidateNames: Sendable {
    let names: [String]
    let scalars: [[UInt32]]

    init(_ names: some Sequence<String>) {
        self.names = Array(names)
        scalars = self.names.map(Self.scalars)
    }

    /// A name's Unicode scalar values; an ASCII name's are its bytes, taken without decoding (a
    /// collection's thousands of module names are converted at once for one did-you-mean).
    static func scalars(_ name: String) -> [UInt32] {
        name.isContiguousASCII ? name.utf8.map { UInt32($0) } : name.unicodeScalars.map(\.value)
    }
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
func closestMatch(to word: String, in candidates: CandidateNames) -> String? {
    let limit = max(1, min(3, word.count / 3))
    let target = CandidateNames.scalars(word)
    var best: (name: String, distance: Int)?
    var rows = ([Int](), [Int]())
    // The distance is at least the difference in length: most candidates are ruled out by it alone;
    // the others are measured only as far as the best so far (a tie is still measured: the first
    // name in order wins it).
    for (candidate, scalars) in zip(candidates.names, candidates.scalars)
    where abs(scalars.count - target.count) <= limit {
        let bound = min(limit, best?.distance ?? limit)
        let distance = boundedEditDistance(target, scalars, bound: bound, rows: &rows)
        if distance <= bound,
            distance < (best?.distance ?? .max) || (distance == best?.distance && candidate < (best?.name ?? ""))
        {
            best = (candidate, distance)
        }
    }
    return best?.name
}

/// The Levenshtein distance of `a` and `b`, or `bound + 1` as soon as it is sure to exceed `bound`.
/// `rows` are reused from call to call.
private func boundedEditDistance(_ a: [UInt32], _ b: [UInt32], bound: Int, rows: inout ([Int], [Int])) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    rows.0.removeAll(keepingCapacity: true)
    rows.0.append(contentsOf: 0...b.count)
    rows.1.removeAll(keepingCapacity: true)
    rows.1.append(contentsOf: repeatElement(0, count: b.count + 1))
    for i in 1...a.count {
        rows.1[0] = i
        var smallest = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            rows.1[j] = min(rows.0[j] + 1, rows.1[j - 1] + 1, rows.0[j - 1] + cost)
            smallest = min(smallest, rows.1[j])
        }
        if smallest > bound { return bound + 1 }
        swap(&rows.0, &rows.1)
    }
    return rows.0[b.count]
}

/// Levenshtein distance between two strings, over Unicode scalars.
func editDistance(_ lhs: String, _ rhs: String) -> Int {
    let a = Array(lhs.unicodeScalars)
    let b = Array(rhs.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// "; did you mean 'x'?" when a close match exists, else "".
func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String {
    closestMatch(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
}
