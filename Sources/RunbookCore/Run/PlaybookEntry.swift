import Foundation
import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// `runbook exec-playbook -- ansible-playbook …`: the command apply runs inside the container (and
/// in-image), between runbook and ansible-playbook.
///
/// It reads one JSON line from standard input: the passwords runbook got on the host (become,
/// vault), which it writes as 0600 files into a 0700 folder (on the container's tmpfs HOME), so no
/// password is ever in an argv, a variable, `docker inspect` or an image layer. It then runs the
/// command in its own process group with this process's standard output and error, and keeps
/// reading standard input: runbook holds it open for the whole run, so end-of-file means runbook
/// is gone (SIGKILL, a crash, a lost CI agent). Then the command's group gets SIGTERM, and SIGKILL
/// 5 s later, and the container ends by itself. The files are removed at the end.
public struct PlaybookEntry: Sendable {
    /// The handshake line: passwords by file name.
    public struct Handshake: Codable, Sendable, Hashable {
        /// File name → content, written into the secrets folder.
        public var files: [String: String]

        /// Makes a handshake.
        public init(files: [String: String] = [:]) {
            self.files = files
        }

        /// The line written to the entry's standard input.
        public var line: Data {
            var data = (try? JSONEncoder().encode(self)) ?? Data("{\"files\":{}}".utf8)
            data.append(0x0A)
            return data
        }
    }

    /// The folder (in the container: on the tmpfs HOME) the password files go into.
    public static func secretsFolder(home: String) -> String { home + "/.runbook-secrets" }

    /// The command to run (`ansible-playbook …`).
    public var command: [String]
    /// The folder password files are written into.
    public var secretsFolder: String

    /// Makes an entry.
    public init(command: [String], secretsFolder: String) {
        self.command = command
        self.secretsFolder = secretsFolder
    }

    /// Runs the command and returns its exit status (128 + signal when a signal ended it).
    public func run() async throws -> Int32 {
        guard let executable = command.first else { throw RunbookError.usage("exec-playbook needs a command") }
        let handshake = try Self.readHandshake()
        try write(handshake)
        defer { try? FileManager.default.removeItem(atPath: secretsFolder) }
        var options = PlatformOptions()
        options.processGroupID = 0
        let child = Mutex<Int32?>(nil)
        // End of standard input: runbook is gone; stop the command's whole group.
        DispatchQueue.global().async {
            var byte: UInt8 = 0
            while read(STDIN_FILENO, &byte, 1) > 0 {}
            guard let pid = child.withLock({ $0 }) else { return }
            kill(-pid, SIGTERM)
            Thread.sleep(forTimeInterval: 5)
            kill(-pid, SIGKILL)
        }
        let result = try await Subprocess.run(
            executable.contains("/") ? .path(FilePath(executable)) : .name(executable),
            arguments: Arguments(Array(command.dropFirst())), platformOptions: options, input: .none,
            output: .currentStandardOutput, error: .currentStandardError
        ) { execution in
            child.withLock { $0 = Int32(execution.processIdentifier.value) }
        }
        switch result.terminationStatus {
        case .exited(let code): return Int32(code)
        case .signaled(let signal): return 128 + Int32(signal)
        }
    }

    /// Reads the handshake line (an empty line or end-of-file: no passwords).
    static func readHandshake() throws -> Handshake {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(STDIN_FILENO, &byte, 1) == 1, byte != 0x0A { bytes.append(byte) }
        guard !bytes.isEmpty else { return Handshake() }
        do {
            return try JSONDecoder().decode(Handshake.self, from: Data(bytes))
        } catch {
            throw RunbookError.usage("exec-playbook reads a JSON line of files on standard input; it is run by apply")
        }
    }

    private func write(_ handshake: Handshake) throws {
        guard !handshake.files.isEmpty else { return }
        let manager = FileManager.default
        do {
            try manager.createDirectory(
                atPath: secretsFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for (name, content) in handshake.files where !name.contains("/") {
                let path = secretsFolder + "/" + name
                guard manager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw RunbookError.software("cannot create \(path)")
                }
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.write(contentsOf: Data(content.utf8))
                try handle.close()
            }
        } catch let error as RunbookError {
            throw error
        } catch {
            throw RunbookError.software(
                "cannot write the run's password files into \(secretsFolder)", cause: "\(error)")
        }
    }
}
