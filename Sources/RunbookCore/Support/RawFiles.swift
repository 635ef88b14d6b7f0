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

/// Reading and writing through file descriptors, where Foundation would use a FileHandle (which
/// FoundationEssentials does not have).
public enum RawFiles {
    /// Writes all of `data` to the descriptor (standard output and error among them), retrying short
    /// writes and interruptions; false when the descriptor refuses it.
    @discardableResult
    public static func writeAll(_ data: some Collection<UInt8>, to descriptor: Int32) -> Bool {
        let bytes = Array(data)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                raw.baseAddress.map { write(descriptor, $0 + written, raw.count - written) } ?? 0
            }
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += result
        }
        return true
    }

    /// Writes `text` to standard error.
    public static func standardError(_ text: String) { writeAll(Array(text.utf8), to: STDERR_FILENO) }

    /// At most `limit` bytes of the file at `path` from `offset` on; nil when it cannot be opened
    /// (missing, unreadable) or read.
    public static func contents(_ path: String, from offset: UInt64 = 0, limit: Int = Int.max) -> Data? {
        bytes(path, from: offset, limit: limit).map { Data($0) }
    }

    /// The names in a folder (not `.` and `..`), in the order the system lists them; nil when it
    /// cannot be read. One opendir and readdir loop: FileManager's listing costs several times more.
    public static func listing(_ folder: String) -> [String]? {
        guard let directory = opendir(folder) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { field in
                field.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: field.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The same as bytes, read straight into one array sized from the file's length.
    public static func bytes(_ path: String, from offset: UInt64 = 0, limit: Int = Int.max) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if offset > 0, lseek(descriptor, off_t(offset), SEEK_SET) < 0 { return nil }
        var info = stat()
        let expected = fstat(descriptor, &info) == 0 ? max(0, Int(info.st_size) - Int(offset)) : 0
        return bytes(descriptor: descriptor, expected: expected, stopAtExpected: false, limit: limit)
    }

    /// At most `limit` bytes of the regular file open on `descriptor` whose fstat gave `size`: read up to
    /// that size, which saves the read that would only find the end (the file as it was when stat'ed).
    public static func bytes(descriptor: Int32, size: Int, limit: Int = Int.max) -> [UInt8]? {
        bytes(descriptor: descriptor, expected: size, stopAtExpected: size > 0, limit: limit)
    }

    private static func bytes(descriptor: Int32, expected: Int, stopAtExpected: Bool, limit: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: min(limit, max(expected + 1, 4096)))
        var filled = 0
        while filled < limit {
            if filled == buffer.count {
                buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, limit - filled)))
            }
            let wanted = min(buffer.count, limit) - filled
            let count = buffer.withUnsafeMutableBytes { raw in
                raw.baseAddress.map { read(descriptor, $0 + filled, wanted) } ?? -1
            }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            filled += count
            if stopAtExpected && filled == expected { break }
        }
        buffer.removeSubrange(filled...)
        return buffer
    }
}

/// A file opened for appending, written line by line (a build log).
public final class AppendingFile: Sendable {
    private let descriptor: Int32

    /// Opens (creating it 0644 if needed) the file at `path`; nil when that fails.
    public init?(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    /// Appends `data`.
    public func append(_ data: some Collection<UInt8>) { RawFiles.writeAll(data, to: descriptor) }

    deinit { close(descriptor) }
}
