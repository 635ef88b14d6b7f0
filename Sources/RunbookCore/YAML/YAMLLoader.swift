import CYAML

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

/// A loaded YAML file: its documents, or why it could not be read, plus findings made while loading.
public struct YAMLFile: Sendable {
    /// The path as given.
    public var path: String
    /// The documents; empty when the file is empty, vault-encrypted or could not be parsed.
    public var documents: [YAMLDocument]
    /// Problems found while reading and parsing (syntax errors, duplicate keys, limits).
    public var diagnostics: [Diagnostic]
    /// Whether the file is Ansible Vault ciphertext (`$ANSIBLE_VAULT;` header), which is not parsed.
    public var isVault: Bool
    /// Whether the file holds nothing but whitespace and comments.
    public var isEmpty: Bool

    /// Whether loading stopped at an error, so the documents are incomplete.
    public var failed: Bool { diagnostics.contains { $0.severity == .error } }

    /// The first document, if any.
    public var document: YAMLDocument? { documents.first }
}

/// Limits that keep hostile input from using unbounded time or memory.
public struct YAMLLimits: Sendable {
    /// The largest file read, in bytes.
    public var maxFileSize: Int
    /// The deepest nesting of sequences and mappings.
    public var maxDepth: Int
    /// The most nodes (scalars, sequences, mappings, aliases) in one file.
    public var maxNodes: Int

    /// Makes limits.
    public init(maxFileSize: Int = 16 * 1024 * 1024, maxDepth: Int = 200, maxNodes: Int = 2_000_000) {
        self.maxFileSize = maxFileSize
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    /// The limits runbook uses.
    public static let standard = YAMLLimits()
}

/// Loads YAML through a libyaml event loop, keeping 1-based positions, never expanding aliases, and
/// reporting every duplicate key.
public struct YAMLLoader: Sendable {
    /// The limits applied.
    public var limits: YAMLLimits

    /// Makes a loader.
    public init(limits: YAMLLimits = .standard) {
        self.limits = limits
    }

    /// Reads and parses the file at `path` (reported as `displayPath`).
    public func load(path: String, displayPath: String? = nil) -> YAMLFile {
        let shown = displayPath ?? path
        let start = SourceLocation(file: shown, line: 1, column: 1)
        func failure(_ rule: String, _ message: String) -> YAMLFile {
            YAMLFile(
                path: shown, documents: [], diagnostics: [Diagnostic(.error, rule, message, at: start)],
                isVault: false, isEmpty: false)
        }
        if path == "/dev/null" {
            return YAMLFile(path: shown, documents: [], diagnostics: [], isVault: false, isEmpty: true)
        }
        // One open and one fstat (not a stat first): O_NONBLOCK so that a FIFO given by mistake is
        // refused below instead of blocking the open.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            return failure("file-unreadable", "cannot read file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            return failure("file-unreadable", "cannot read file: \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return failure("file-unreadable", "expected a file, found a directory")
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            return failure("file-unreadable", "cannot read file: not a regular file (a device, FIFO or socket)")
        }
        if Int(info.st_size) > limits.maxFileSize {
            return failure(
                "file-too-large",
                "file is \(Int(info.st_size) / (1024 * 1024)) MB, over the \(limits.maxFileSize / (1024 * 1024)) MB "
                    + "limit for YAML files; split it or check it is the file you meant")
        }
        guard
            let data = RawFiles.bytes(
                descriptor: descriptor, size: Int(info.st_size), limit: limits.maxFileSize + 1)
        else {
            return failure("file-unreadable", "cannot read file: \(String(cString: strerror(errno)))")
        }
        if data.count > limits.maxFileSize {
            return failure(
                "file-too-large", "file is over the \(limits.maxFileSize / (1024 * 1024)) MB limit for YAML files")
        }
        return parse(data, path: shown)
    }

    /// Parses YAML bytes, reporting positions against `path`.
    public func parse(_ bytes: [UInt8], path: String) -> YAMLFile {
        if let problem = checkEncoding(bytes, path: path) {
            return YAMLFile(path: path, documents: [], diagnostics: [problem], isVault: false, isEmpty: false)
        }
        if startsWithVaultHeader(bytes) {
            return YAMLFile(path: path, documents: [], diagnostics: [], isVault: true, isEmpty: false)
        }
        var builder = TreeBuilder(path: path, bytes: bytes, limits: limits)
        builder.run()
        let empty = builder.documents.allSatisfy { $0.root == nil }
        return YAMLFile(
            path: path, documents: builder.documents, diagnostics: builder.diagnostics, isVault: false,
            isEmpty: empty && !builder.diagnostics.contains { $0.severity == .error })
    }

    private func startsWithVaultHeader(_ bytes: [UInt8]) -> Bool {
        let header = Array("$ANSIBLE_VAULT;".utf8)
        var index = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D {
            index += 1
        }
        return bytes[index...].starts(with: header)
    }

    /// Whether every byte is ASCII and none is NUL, eight bytes at a time: a word has a byte with its
    /// high bit set when `word & 0x80…80` is not zero, and a zero byte when `(word - 0x01…01) & ~word
    /// & 0x80…80` is not (the classic test; exact once high bytes are ruled out).
    static func isPlainASCII(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        var index = 0
        if let base = UnsafeRawPointer(buffer.baseAddress) {
            while index + 8 <= buffer.count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if word & high != 0 || (word &- ones) & ~word & high != 0 { return false }
                index += 8
            }
        }
        while index < buffer.count {
            if buffer[index] == 0 || buffer[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    private func checkEncoding(_ bytes: [UInt8], path: String) -> Diagnostic? {
        // Most files are ASCII without NUL: one tight pass says so; positions are only worked out
        // when there is something to report or multi-byte text to check.
        let plainASCII = bytes.withUnsafeBufferPointer(Self.isPlainASCII)
        if plainASCII { return nil }
        var line = 1
        var column = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 {
                return Diagnostic(
                    .error, "file-binary", "binary file (NUL byte at offset \(index)); expected YAML text",
                    at: SourceLocation(file: path, line: line, column: column))
            }
            let length = utf8SequenceLength(bytes, at: index)
            if length == 0 {
                return Diagnostic(
                    .error, "file-encoding",
                    "file is not valid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)) at offset \(index)); "
                        + "save it as UTF-8",
                    at: SourceLocation(file: path, line: line, column: column))
            }
            if byte == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += length
        }
        return nil
    }
}

/// The length of the valid UTF-8 sequence at `index`, or 0 when it is not valid.
private func utf8SequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
    let lead = bytes[index]
    let length: Int
    var minimum: UInt32
    switch lead {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: (length, minimum) = (2, 0x80)
    case 0xE0...0xEF: (length, minimum) = (3, 0x800)
    case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
    default: return 0
    }
    guard index + length <= bytes.count else { return 0 }
    var scalar = UInt32(lead) & (0xFF >> UInt32(length + 1))
    for offset in 1..<length {
        let next = bytes[index + offset]
        guard next & 0xC0 == 0x80 else { return 0 }
        scalar = (scalar << 6) | UInt32(next & 0x3F)
    }
    minimum = max(minimum, 0)
    guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return 0 }
    return length
}
