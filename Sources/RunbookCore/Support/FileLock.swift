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

/// An exclusive advisory lock (`flock`) on a file, held until `unlock()` or process exit.
///
/// Two runbook processes that ensure the same image take the same lock, so only one builds.
public final class FileLock: Sendable {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Takes the lock, polling without blocking a thread; calls `onWait` once if another process holds it.
    public static func acquire(
        _ path: String, poll: Duration = .milliseconds(200), onWait: @Sendable () -> Void = {}
    ) async throws -> FileLock {
        let directory = Paths.parent(path)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RunbookError.software("cannot open lock file \(path)", cause: String(cString: strerror(errno)))
        }
        var waited = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw RunbookError.software("cannot lock \(path)", cause: reason)
            }
            if !waited {
                waited = true
                onWait()
            }
            do {
                try await Task.sleep(for: poll)
            } catch {
                close(descriptor)
                throw error
            }
        }
        return FileLock(descriptor: descriptor, path: path)
    }

    /// Releases the lock.
    public func unlock() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// runbook's cache folder: `$XDG_CACHE_HOME/runbook`, else `~/.cache/runbook`.
public func runbookCacheDirectory(environment: [String: String]) -> URL {
    if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
        return URL(fileURLWithPath: xdg).appendingPathComponent("runbook")
    }
    let home =
        environment["HOME"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.homeDirectoryForCurrentUser
    return home.appendingPathComponent(".cache/runbook")
}
