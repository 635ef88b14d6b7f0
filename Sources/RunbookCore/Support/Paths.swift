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

/// The one place paths are made absolute, normalized, resolved and tested, all as text where possible:
/// Foundation's `standardizingPath` does a `readlink` per component on Linux, which validation cannot afford.
public enum Paths {
    /// `path` made absolute against `folder` (unless it already is), then normalized like Python's
    /// `os.path.normpath` (`.`, `..` and doubled slashes removed) without touching the file system.
    public static func absolute(_ path: String, relativeTo folder: String) -> String {
        normalize(path.hasPrefix("/") ? path : folder + "/" + path)
    }

    /// Whether `path` is absolute.
    public static func isAbsolute(_ path: String) -> Bool { path.hasPrefix("/") }

    /// Python's `os.path.normpath`, for POSIX paths.
    public static func normalize(_ path: String) -> String {
        guard !path.isEmpty else { return "." }
        if isNormal(path) { return path }
        // Split on the bytes: splitting the String itself walks grapheme clusters, dozens of times slower.
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        let absolute = path.utf8.first == slash
        func isDots(_ part: Substring.UTF8View, _ count: Int) -> Bool {
            part.count == count && part.allSatisfy { $0 == dot }
        }
        var parts: [Substring.UTF8View] = []
        for part in path.utf8.split(separator: slash, omittingEmptySubsequences: true) {
            if isDots(part, 1) { continue }
            if isDots(part, 2), let last = parts.last, !isDots(last, 2) {
                parts.removeLast()
            } else if isDots(part, 2) && absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let body = parts.map { Substring($0) }.joined(separator: "/")
        if absolute { return "/" + body }
        return body.isEmpty ? "." : body
    }

    /// Whether `path` is already normalized: no empty, `.` or `..` component and no trailing slash
    /// (most joined paths are; checking the bytes is much cheaper than splitting them).
    private static func isNormal(_ path: String) -> Bool {
        // In place when the bytes are contiguous (a native string's are): iterating the UTF-8 view
        // itself costs several times more per byte.
        path.utf8.withContiguousStorageIfAvailable(isNormal) ?? isNormal(path.utf8)
    }

    private static func isNormal<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var length = 0
        var onlyDots = true
        var index = 0
        for byte in bytes {
            if byte == slash {
                if index > 0 && (length == 0 || (onlyDots && length <= 2)) { return false }
                length = 0
                onlyDots = true
            } else {
                length += 1
                if byte != dot { onlyDots = false }
            }
            index += 1
        }
        if length == 0 { return index == 1 }
        return !(onlyDots && length <= 2)
    }

    /// The folder holding `path` (NSString's `deletingLastPathComponent`): `/a/b` → `/a`, `/a` → `/`,
    /// `a` → ``.
    public static func parent(_ path: String) -> String {
        // On the bytes: a search by Character walks grapheme clusters, many times slower.
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        if slash == trimmed.utf8.startIndex { return "/" }
        return trimmingTrailingSlashes(String(trimmed[..<slash]))
    }

    /// The last component of `path` (NSString's `lastPathComponent`): `/a/b/` → `b`, `/` → `/`.
    public static func lastComponent(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.utf8.lastIndex(of: UInt8(ascii: "/")) else { return trimmed }
        let last = trimmed[trimmed.utf8.index(after: slash)...]
        return last.isEmpty ? trimmed : String(last)
    }

    /// The extension of the last component without its dot (`a.tar.gz` → `gz`); empty when there is
    /// none or the only dot starts the name (`.bashrc`).
    public static func pathExtension(_ path: String) -> String {
        let name = lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// `path` without the extension of its last component.
    public static func deletingExtension(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        let extensionText = pathExtension(trimmed)
        guard !extensionText.isEmpty else { return trimmed }
        return String(trimmed.dropLast(extensionText.count + 1))
    }

    /// `component` joined to `path` with one slash.
    public static func appending(_ component: String, to path: String) -> String {
        if path.isEmpty { return component }
        return path.hasSuffix("/") ? path + component : path + "/" + component
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        let utf8 = path.utf8
        guard utf8.count > 1, utf8.last == UInt8(ascii: "/") else { return path }
        var end = utf8.endIndex
        while utf8.distance(from: utf8.startIndex, to: end) > 1, utf8[utf8.index(before: end)] == UInt8(ascii: "/") {
            end = utf8.index(before: end)
        }
        return String(path[..<end])
    }

    /// The canonical path with every symlink resolved, or nil when it does not exist.
    public static func real(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether something (a file, folder or anything else, following symlinks) exists at `path`.
    public static func exists(_ path: String) -> Bool {
        kind(path) != .missing
    }

    /// The size in bytes of what is at `path` (following symlinks), or nil when nothing is.
    public static func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// What is at a path (following symlinks): nothing, a folder, or a file (anything else).
    public enum Kind: Sendable {
        case missing, file, folder
    }

    /// What is at `path`, in one stat call.
    public static func kind(_ path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        return (info.st_mode & S_IFMT) == S_IFDIR ? .folder : .file
    }

    /// Whether a regular file (or a symlink to one; anything but a folder) exists at `path`.
    public static func isFile(_ path: String) -> Bool {
        kind(path) == .file
    }

    /// Whether a folder (or a symlink to one) exists at `path`.
    public static func isFolder(_ path: String) -> Bool {
        kind(path) == .folder
    }

    /// `path` with a leading `~` or `~/` replaced by `home`.
    public static func expandingTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }

    /// `path` relative to `base` when inside it (for display), else `path` unchanged.
    public static func display(_ path: String, from base: String) -> String {
        // Byte by byte: paths compare as bytes, and counting characters costs more than the rest.
        let prefix = base.utf8.last == UInt8(ascii: "/") ? base : base + "/"
        guard path.hasBytePrefix(prefix) else { return path }
        return String(path[path.utf8.index(path.utf8.startIndex, offsetBy: prefix.utf8.count)...])
    }

    /// The folders above absolute `path`, nearest first, the root `/` left out: `/a/b/c` → `/a/b`, `/a`.
    public static func ancestors(of path: String) -> [String] {
        var folders: [String] = []
        var folder = parent(path)
        while folder.utf8.count > 1 {
            folders.append(folder)
            folder = parent(folder)
        }
        return folders
    }

    /// Whether `path` is `folder` or lies inside it (both absolute and normalized).
    public static func isInside(_ path: String, _ folder: String) -> Bool {
        path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
    }
}
