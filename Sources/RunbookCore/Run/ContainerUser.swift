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

/// The invoking user as the container sees it: uid:gid, and passwd/group entries so tools that
/// look the user up (ssh does) find one.
public struct ContainerUser: Sendable, Hashable {
    /// The user id.
    public var uid: UInt32
    /// The group id.
    public var gid: UInt32
    /// HOME inside the container (a writable tmpfs; ~/.ssh is mounted under it).
    public var home: String

    /// Makes a container user. HOME defaults to the passwd entry's home: `/root` for root (the
    /// image's entry), else the `/tmp/runbook-home` of the passwd runbook writes. ssh finds
    /// `~/.ssh` (keys, known_hosts) through the passwd entry, not through `$HOME`.
    public init(uid: UInt32 = getuid(), gid: UInt32 = getgid(), home: String? = nil) {
        self.uid = uid
        self.gid = gid
        self.home = home ?? (uid == 0 ? "/root" : "/tmp/runbook-home")
    }

    /// The `--user` value.
    public var userArgument: String { "\(uid):\(gid)" }

    /// An /etc/passwd for the container: root plus this user (unless it is root).
    public var passwd: String {
        var text = "root:x:0:0:root:/root:/bin/sh\n"
        if uid != 0 { text += "runbook:x:\(uid):\(gid):runbook:\(home):/bin/sh\n" }
        return text
    }

    /// An /etc/group for the container.
    public var group: String {
        var text = "root:x:0:\n"
        if gid != 0 { text += "runbook:x:\(gid):\n" }
        return text
    }
}
