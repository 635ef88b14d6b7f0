import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `--slice I/N`: the I-th of N deterministic partitions of the hosts a run selects, so N CI jobs
/// split one fleet (as AWX job slicing does).
///
/// A host's slice is chosen by rendezvous (highest-random-weight) hashing: each of the N slices
/// scores the host with SHA-256 of its name and the slice number, and the highest score wins. So a
/// host is in exactly one slice, its slice depends only on its name and N (adding or removing other
/// hosts moves no host), and going from N to N+1 slices moves only the hosts the new slice wins.
public struct HostSlice: Sendable, Hashable, CustomStringConvertible {
    /// The slice, from 1.
    public var index: Int
    /// How many slices.
    public var count: Int

    /// The most slices a run may be cut into.
    public static let maximumCount = 1000

    /// Makes a slice; `index` in 1...count.
    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= Self.maximumCount else {
            throw RunbookError.usage(
                "--slice \(index)/\(count): the number of slices must be 1 to \(Self.maximumCount)")
        }
        guard index >= 1, index <= count else {
            throw RunbookError.usage("--slice \(index)/\(count): the slice must be 1 to \(count)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`, such as `2/3`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) })
        else {
            throw RunbookError.usage("--slice '\(text)' is not I/N, such as 2/3 (the 2nd of 3 slices)")
        }
        try self.init(index: index, count: count)
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    /// The slice (1...count) `host` belongs to.
    public static func slice(of host: String, count: Int) -> Int {
        var best = 1
        var bestScore: UInt64 = 0
        for candidate in 1...max(count, 1) {
            let digest = SHA256.hash(data: Data("\(candidate)\u{0}\(host)".utf8))
            let score = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if candidate == 1 || score > bestScore {
                best = candidate
                bestScore = score
            }
        }
        return best
    }

    /// Whether `host` is in this slice.
    public func contains(_ host: String) -> Bool { Self.slice(of: host, count: count) == index }

    /// The hosts of `hosts` in this slice, in their order.
    public func select(_ hosts: [String]) -> [String] { hosts.filter(contains) }
}
