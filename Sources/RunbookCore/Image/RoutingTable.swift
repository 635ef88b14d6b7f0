#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The module routing of an index (`meta/runtime.yml` of ansible-core and each collection): by
/// collection, then short name. Either decoded (an index read whole), or the cache's routing lines
/// (`collection<TAB>name<TAB>route JSON`, sorted), looked up by binary search and each route decoded
/// when asked for: ansible-core alone has about 3,800 entries, and decoding them all took most of a
/// warm deep validation's start.
public struct RoutingTable: Sendable, Encodable, Equatable {
    private let decoded: [String: [String: ImageIndex.Route]]
    /// The cache's routing lines and where each line starts.
    private let lines: Data
    private let starts: [Int]

    /// A table of decoded routes.
    public init(_ routes: [String: [String: ImageIndex.Route]]) {
        decoded = routes
        lines = Data()
        starts = []
    }

    /// A table read from routing lines; nil when they are not what `lines(of:)` writes.
    init?(lines: Data) {
        var starts: [Int] = []
        starts.reserveCapacity(8192)
        let complete = lines.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            var start = 0
            while start < raw.count {
                // memchr (vectorised): the table is a few hundred kilobytes a warm validate loads.
                guard let hit = memchr(base + start, 0x0A, raw.count - start) else { return false }
                starts.append(start)
                start = base.distance(to: UnsafeRawPointer(hit)) + 1
            }
            return true
        }
        guard complete else { return nil }
        decoded = [:]
        self.lines = lines
        self.starts = starts
    }

    /// The routing lines of `routes`, sorted by collection and name (the order lookups search in).
    static func lines(of routes: [String: [String: ImageIndex.Route]]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var entries: [(key: [UInt8], route: ImageIndex.Route)] = []
        for (collection, names) in routes {
            for (name, route) in names { entries.append((Array("\(collection)\t\(name)\t".utf8), route)) }
        }
        entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
        var data = Data()
        for entry in entries {
            data.append(contentsOf: entry.key)
            data.append(try encoder.encode(entry.route))
            data.append(0x0A)
        }
        return data
    }

    /// The route of `name` in `collection`, if the collection's runtime.yml has one.
    public func route(_ collection: String, _ name: String) -> ImageIndex.Route? {
        if starts.isEmpty { return decoded[collection]?[name] }
        let key = Array("\(collection)\t\(name)\t".utf8)
        return lines.withUnsafeBytes { raw -> ImageIndex.Route? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var low = 0
            var high = starts.count
            while low < high {
                let middle = (low + high) / 2
                let start = starts[middle]
                let end = middle + 1 < starts.count ? starts[middle + 1] - 1 : bytes.count - 1
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if line.starts(with: key) {
                    return JSONValue.parse(lines, range: (start + key.count)..<end).map(Self.route)
                }
                if line.lexicographicallyPrecedes(key) { low = middle + 1 } else { high = middle }
            }
            return nil
        }
    }

    /// Every route, decoded (for encoding and comparing).
    public var all: [String: [String: ImageIndex.Route]] {
        if starts.isEmpty { return decoded }
        var all: [String: [String: ImageIndex.Route]] = [:]
        for (index, start) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1] - 1 : lines.count - 1
            let line = lines[start..<end]
            let fields = line.split(separator: 0x09, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let value = JSONValue.parse(lines, range: fields[2].startIndex..<end) else {
                continue
            }
            all[String(decoding: fields[0], as: UTF8.self), default: [:]][String(decoding: fields[1], as: UTF8.self)] =
                Self.route(value)
        }
        return all
    }

    static func route(_ json: JSONValue) -> ImageIndex.Route {
        ImageIndex.Route(
            redirect: json["redirect"]?.string, deprecation: json["deprecation"]?.string,
            tombstone: json["tombstone"]?.string)
    }

    /// The same routes (a collection without any is the same as one not listed).
    public static func == (lhs: RoutingTable, rhs: RoutingTable) -> Bool {
        lhs.all.filter { !$0.value.isEmpty } == rhs.all.filter { !$0.value.isEmpty }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(all)
    }
}
