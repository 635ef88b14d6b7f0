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

/// Finds the YAML files under a folder that may be playbooks, following symlinks once each (a
/// visited set of device and inode numbers; a folder that is its own ancestor is reported as a
/// loop, a second way into one already walked is skipped quietly), and skipping role folders (those
/// with `meta/main.yml`), vars folders and inventory folders (checked as inventories with `-i`).
struct PlaybookWalker {
    /// Folder names never entered: roles, variables, templates, tools' caches.
    static let skippedFolders: Set<String> = [
        "roles", "group_vars", "host_vars", "tasks", "handlers", "vars", "defaults", "meta", "templates", "files",
        "library", "module_utils", "filter_plugins", "collections", "node_modules", "venv", "inventory",
        "inventories",
    ]

    /// How deep the walk goes.
    var maxDepth = 64

    /// The candidate files (absolute, sorted per folder) and findings about what could not be walked.
    func candidates(under folder: String, display: (String) -> String) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        var visited: Set<FileIdentity> = []
        var ancestors: Set<FileIdentity> = []
        func note(_ severity: Severity, _ rule: String, _ message: String, _ path: String) {
            diagnostics.append(
                Diagnostic(severity, rule, message, at: SourceLocation(file: display(path), line: 1, column: 1)))
        }
        func walk(_ path: String, depth: Int) {
            guard let identity = FileIdentity(path: path) else { return }
            if ancestors.contains(identity) {
                note(.warning, "walk-symlink-loop", "skipped: this folder contains itself (a symlink loop)", path)
                return
            }
            // Another way into a folder already walked (a sibling symlink): nothing new to read.
            guard visited.insert(identity).inserted else { return }
            ancestors.insert(identity)
            defer { ancestors.remove(identity) }
            guard depth < maxDepth else {
                note(.warning, "walk-too-deep", "skipped: folders nested deeper than \(maxDepth) levels", path)
                return
            }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                note(.error, "file-unreadable", "cannot read folder: permission denied", path)
                return
            }
            for name in names.sorted() where !name.hasPrefix(".") {
                let child = path + "/" + name
                let isYAML = name.hasSuffix(".yml") || name.hasSuffix(".yaml")
                var info = stat()
                guard stat(child, &info) == 0 else {
                    if isYAML {
                        let reason = String(cString: strerror(errno))
                        note(
                            .warning, "walk-broken-link", "skipped: cannot follow this path (\(reason.lowercased()))",
                            child)
                    }
                    continue
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    if Self.skippedFolders.contains(name.lowercased()) || isRole(child) { continue }
                    walk(child, depth: depth + 1)
                case S_IFREG where isYAML:
                    files.append(child)
                default:
                    if isYAML { note(.error, "file-unreadable", "cannot read file: not a regular file", child) }
                }
            }
        }
        walk(folder, depth: 0)
        return (files, diagnostics)
    }

    private func isRole(_ folder: String) -> Bool {
        ["meta/main.yml", "meta/main.yaml"].contains {
            FileManager.default.fileExists(atPath: folder + "/" + $0)
        }
    }
}

/// A file's device and inode numbers, which identify it whatever path leads to it.
private struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
