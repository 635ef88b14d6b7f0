/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
func closestMatch(to word: String, in candidates: some Sequence<String>) -> String? {
    closestMatch(to: word, in: CandidateNames(candidates))
}

/// Names to suggest from, with their lengths worked out once (for a list asked about many times).
struct CandidateNames: Sendable {
    let names: [String]
    let lengths: [Int]

    init(_ names: some Sequence<String>) {
        self.names = Array(names)
        lengths = self.names.map(\.unicodeScalars.count)
    }
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
func closestMatch(to word: String, in candidates: CandidateNames) -> String? {
    let limit = max(1, min(3, word.count / 3))
    let length = word.unicodeScalars.count
    var best: (String, Int)?
    // The distance is at least the difference in length: most candidates are ruled out by it alone.
    for (candidate, candidateLength) in zip(candidates.names, candidates.lengths)
    where abs(candidateLength - length) <= limit {
        let distance = editDistance(word, candidate)
        if distance <= limit, distance < (best?.1 ?? .max) || (distance == best?.1 && candidate < (best?.0 ?? "")) {
            best = (candidate, distance)
        }
    }
    return best?.0
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
