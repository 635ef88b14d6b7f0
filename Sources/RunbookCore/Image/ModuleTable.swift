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

/// The cache's modules file (`NAME<tab>SPEC` lines, sorted by name): where each line starts, and the
/// lookup of a name's spec by binary search over them. Built with memchr, without a string or a hash
/// per module (a warm validate loads the index of thousands of modules to look up a hundred).
struct ModuleLines: Sendable {
    let data: Data
    private let starts: [Int]

    /// nil when a line has no tab or the names are not in byte order (then the file is not one
    /// `cacheForm` wrote).
    init?(_ data: Data) {
        var starts: [Int] = []
        starts.reserveCapacity(4096)  // a default image has about 3,000 modules
        let valid = data.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var previous: UnsafeBufferPointer<UInt8>.SubSequence?
            while start < raw.count {
                let end =
                    memchr(base + start, 0x0A, raw.count - start).map { base.distance(to: UnsafeRawPointer($0)) }
                    ?? raw.count
                guard let tab = memchr(base + start, 0x09, end - start).map({ base.distance(to: UnsafeRawPointer($0)) })
                else { return false }
                let name = bytes[start..<tab]
                if let previous, !previous.lexicographicallyPrecedes(name) { return false }
                previous = name
                starts.append(start)
                start = end + 1
            }
            return true
        }
        guard valid else { return nil }
        self.data = data
        self.starts = starts
    }

    /// How many modules.
    var count: Int { starts.count }

    /// Every name, in order.
    var names: [String] {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            return starts.map { start in
                var tab = start
                while bytes[tab] != 0x09 { tab += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<tab]), as: UTF8.self)
            }
        }
    }

    /// The byte range of `name`'s spec, if there is one.
    func range(of name: String) -> Range<Int>? {
        let target = Array(name.utf8)
        return data.withUnsafeBytes { raw -> Range<Int>? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var low = 0
            var high = starts.count
            while low < high {
                let middle = (low + high) / 2
                let start = starts[middle]
                // The line's name ends at its tab, which sorts before every character of a name.
                var offset = 0
                var order = 0
                while order == 0 {
                    let byte = bytes[start + offset]
                    let wanted: UInt8? = offset < target.count ? target[offset] : nil
                    switch (byte == 0x09, wanted) {
                    case (true, nil): order = 2  // equal
                    case (true, _): order = -1  // the line's name is a prefix: it sorts first
                    case (false, nil): order = 1
                    case (false, let wanted?): order = byte < wanted ? -1 : (byte > wanted ? 1 : 0)
                    }
                    offset += 1
                }
                if order == 2 {
                    let tab = start + target.count
                    let end = middle + 1 < starts.count ? starts[middle + 1] - 1 : raw.count
                    let last = end > tab + 1 && bytes[end - 1] == 0x0A ? end - 1 : end
                    return (tab + 1)..<last
                }
                if order < 0 { low = middle + 1 } else { high = middle }
            }
            return nil
        }
    }
}

/// The modules of an index by FQCN: decoded ones (from an index read whole), or each spec kept as its
/// JSON and decoded when looked up (from the cache), which spares a warm validation decoding the
/// specs of the hundreds of modules a playbook does not use.
public struct ModuleTable: Sendable, Encodable {
    private let decoded: [String: ImageIndex.Module]
    /// The cache's modules file, each spec found in it by name.
    private let lines: ModuleLines?
    /// Specs decoded from the lines so far (each is decoded once, whatever the number of tasks using
    /// it), and the names once asked for.
    private let memo = Memo()

    private final class Memo: Sendable {
        let modules = Locked<[String: ImageIndex.Module]>([:])
        let keys = Locked<[String]?>(nil)
    }

    /// A table of decoded modules.
    public init(_ modules: [String: ImageIndex.Module]) {
        decoded = modules
        lines = nil
    }

    /// A table of specs decoded on lookup, each from its line of the cache's modules file.
    init(lines: ModuleLines) {
        decoded = [:]
        self.lines = lines
    }

    /// Every module's FQCN (from the cache form: worked out when first asked, for a did-you-mean).
    public var keys: [String] {
        guard let lines else { return Array(decoded.keys) }
        if let known = memo.keys.withLock({ $0 }) { return known }
        let names = lines.names
        memo.keys.withLock { $0 = names }
        return names
    }

    /// How many modules.
    public var count: Int { lines?.count ?? decoded.count }

    /// The module `name`, or nil when the index has none (or its cached spec is unreadable).
    public subscript(name: String) -> ImageIndex.Module? {
        if let module = decoded[name] { return module }
        guard let lines else { return nil }
        if let module = memo.modules.withLock({ $0[name] }) { return module }
        guard let range = lines.range(of: name),
            let module = JSONValue.parse(lines.data, range: range).flatMap(ImageIndex.Module.init(json:))
        else { return nil }
        memo.modules.withLock { $0[name] = module }
        return module
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        var all = decoded
        for name in keys { all[name] = self[name] }
        try container.encode(all)
    }
}
