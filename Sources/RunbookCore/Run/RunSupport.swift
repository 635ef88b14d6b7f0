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

/// A run's own folder on the host (mode 0700, removed at the end): the callback plugin, the events
/// file it writes, and for containers the passwd and group files of the user the container runs as.
public struct RunSupport: Sendable {
    /// The folder's absolute path.
    public var directory: String

    /// Uses an existing folder.
    public init(directory: String) {
        self.directory = directory
    }

    /// Makes `runbook-RUNID` under `temporaryDirectory` with the run's record in it (what `runbook ps`
    /// lists, and how a later run tells the folder is left over); a failure is an internal error (70)
    /// naming the folder, as a run cannot start without it.
    public static func create(in temporaryDirectory: String, record: RunRecord) throws -> RunSupport {
        let directory = Self.directory(in: temporaryDirectory, runID: record.runID)
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            // Foundation's error says little on Linux; mkdir(2) again says why (ENOTDIR, EACCES, …).
            let reason = mkdir(directory, 0o700) == 0 ? Self.reason(error) : String(cString: strerror(errno))
            throw RunbookError.software(
                "cannot create the run's folder \(directory); check TMPDIR (\(temporaryDirectory)) is a writable folder",
                cause: reason.lowercased())
        }
        do {
            try RunRecord.encoder.encode(record).write(to: URL(fileURLWithPath: directory + "/" + RunRecord.fileName))
        } catch {
            throw RunbookError.software("cannot write the run's record into \(directory)", cause: Self.reason(error))
        }
        return RunSupport(directory: directory)
    }

    /// The folder of run `runID` under `temporaryDirectory`.
    public static func directory(in temporaryDirectory: String, runID: String) -> String {
        Paths.absolute("runbook-\(runID)", relativeTo: temporaryDirectory)
    }

    /// The events file the callback plugin writes.
    public var eventsFile: String { directory + "/events.jsonl" }

    /// Writes the callback plugin and an empty events file, and the passwd and group files for `user`.
    public func write(user: ContainerUser?) throws {
        do {
            let manager = FileManager.default
            try manager.createDirectory(atPath: directory + "/callback", withIntermediateDirectories: true)
            try Data(CallbackPlugin.source.utf8).write(
                to: URL(fileURLWithPath: directory + "/callback/" + CallbackPlugin.fileName))
            try Data().write(to: URL(fileURLWithPath: eventsFile))
            if let user {
                try Data(user.passwd.utf8).write(to: URL(fileURLWithPath: directory + "/passwd"))
                try Data(user.group.utf8).write(to: URL(fileURLWithPath: directory + "/group"))
            }
        } catch {
            throw RunbookError.software("cannot write the run's files into \(directory)", cause: Self.reason(error))
        }
    }

    /// Removes the folder.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The variables that enable the callback plugin found under `supportPath`, next to the normal
    /// stdout callback, with output unbuffered (and coloured when there is a terminal).
    ///
    /// These variables take precedence over ansible.cfg, so the user's own `callbacks_enabled` and
    /// `callback_plugins` are repeated in them: setting only runbook's would switch the user's off.
    public static func callbackEnvironment(
        supportPath: String, tty: Bool, userCallbacks: [String] = [], userCallbackPaths: [String] = []
    ) -> [String: String] {
        var env = [
            "ANSIBLE_CALLBACK_PLUGINS": ([supportPath + "/callback"] + userCallbackPaths).joined(separator: ":"),
            "ANSIBLE_CALLBACKS_ENABLED": (userCallbacks.filter { $0 != CallbackPlugin.name } + [CallbackPlugin.name])
                .joined(separator: ","),
            "RUNBOOK_EVENTS_FILE": supportPath + "/events.jsonl",
            "PYTHONUNBUFFERED": "1",
        ]
        if tty { env["ANSIBLE_FORCE_COLOR"] = "1" }
        return env
    }

    private static func reason(_ error: any Error) -> String {
        Formatting.reason(error)
    }
}
