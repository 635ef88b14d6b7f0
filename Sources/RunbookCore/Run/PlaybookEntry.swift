import Subprocess
import Synchronization

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

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// `runbook exec-playbook -- ansible-playbook …`: the command apply runs inside the container (and
/// in-image), between runbook and ansible-playbook.
///
/// It reads one JSON line from standard input: the passwords runbook got on the host (become,
/// vault), which it writes as 0600 files into a 0700 folder (on the container's tmpfs HOME), and the
/// AWS credentials, which it serves to the command on a loopback credentials endpoint
/// (`CredentialsServer`), so no password or key is ever in an argv, a variable, `docker inspect` or
/// an image layer. It then runs the command in its own process group with this process's standard
/// output and error, and keeps reading standard input: further lines carry refreshed credentials,
/// and since runbook holds it open for the whole run, end-of-file means runbook is gone (SIGKILL, a
/// crash, a lost CI agent). Then the command's group gets SIGTERM, and SIGKILL 5 s later, and the
/// container ends by itself. The files are removed at the end.
public struct PlaybookEntry: Sendable {
    /// The handshake line: passwords by file name.
    public struct Handshake: Codable, Sendable, Hashable {
        /// File name → content, written into the secrets folder.
        public var files: [String: String]
        /// AWS credentials to serve on the loopback endpoint; nil: no endpoint.
        public var credentials: ServedCredentials?

        /// Makes a handshake.
        public init(files: [String: String] = [:], credentials: ServedCredentials? = nil) {
            self.files = files
            self.credentials = credentials
        }

        /// The line written to the entry's standard input.
        public var line: Data {
            var data = (try? JSONEncoder().encode(self)) ?? Data("{\"files\":{}}".utf8)
            data.append(0x0A)
            return data
        }
    }

    /// A later line: refreshed credentials.
    public struct Update: Codable, Sendable, Hashable {
        /// The credentials to serve from now on.
        public var credentials: ServedCredentials

        /// Makes an update.
        public init(credentials: ServedCredentials) {
            self.credentials = credentials
        }

        /// The line written to the entry's standard input.
        public var line: Data {
            var data = (try? JSONEncoder().encode(self)) ?? Data()
            data.append(0x0A)
            return data
        }
    }

    /// The name of the endpoint's token file in the secrets folder.
    public static let endpointTokenFile = "aws-endpoint-token"

    /// Variables the command gets when credentials are served: the endpoint; every variable botocore
    /// would look at before it, removed; the shared files pointed at /dev/null. So the endpoint is
    /// the only credential source ansible sees (`--credentials env` hands over keys instead).
    public static func endpointEnvironment(url: String, tokenFile: String) -> [String: String?] {
        var variables: [String: String?] = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        ]
        for name in [
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        ] {
            variables[name] = .some(nil)
        }
        return variables
    }

    /// The folder (in the container: on the tmpfs HOME) the password files go into.
    public static func secretsFolder(home: String) -> String { home + "/.runbook-secrets" }

    /// The command to run (`ansible-playbook …`).
    public var command: [String]
    /// The folder password files are written into.
    public var secretsFolder: String
    /// `--slice I/N`: run only that slice of the hosts the command selects.
    public var slice: HostSlice?

    /// Makes an entry.
    public init(command: [String], secretsFolder: String, slice: HostSlice? = nil) {
        self.command = command
        self.secretsFolder = secretsFolder
        self.slice = slice
    }

    /// Runs the command and returns its exit status (128 + signal when a signal ended it).
    public func run() async throws -> Int32 {
        guard var executable = command.first else { throw RunbookError.usage("exec-playbook needs a command") }
        let handshake = try Self.readHandshake()
        var files = handshake.files
        var server: CredentialsServer?
        var variables: [Environment.Key: String?] = [:]
        if let credentials = handshake.credentials {
            let started = try CredentialsServer(credentials: credentials)
            files[Self.endpointTokenFile] = started.token
            let environment = Self.endpointEnvironment(
                url: started.url, tokenFile: secretsFolder + "/" + Self.endpointTokenFile)
            for (name, value) in environment { variables[Environment.Key(stringLiteral: name)] = value }
            server = started
        }
        defer { server?.close() }
        try write(files, always: slice != nil)
        defer { try? FileManager.default.removeItem(atPath: secretsFolder) }
        var command = self.command
        if let slice {
            let sliced = try await slicedCommand(slice, environment: variables) { message in
                RawFiles.standardError(message)
            }
            guard let limited = sliced.command else { return sliced.status }
            command = limited
            executable = command[0]
        }
        var options = PlatformOptions()
        options.processGroupID = 0
        let child = Mutex<Int32?>(nil)
        // Refreshed credentials line by line; end of standard input: runbook is gone, so stop the
        // command's whole group.
        BlockingThread.start { [server] in
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while read(STDIN_FILENO, &byte, 1) > 0 {
                guard byte == 0x0A else {
                    line.append(byte)
                    continue
                }
                if let update = try? JSONDecoder().decode(Update.self, from: Data(line)) {
                    server?.update(update.credentials)
                }
                line.removeAll(keepingCapacity: true)
            }
            guard let pid = child.withLock({ $0 }) else { return }
            kill(-pid, SIGTERM)
            sleep(5)
            kill(-pid, SIGKILL)
        }
        let result = try await Subprocess.run(
            executable.contains("/") ? .path(FilePath(executable)) : .name(executable),
            arguments: Arguments(Array(command.dropFirst())), environment: .inherit.updating(variables),
            platformOptions: options, input: .none,
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

    private func write(_ files: [String: String], always: Bool = false) throws {
        guard !files.isEmpty || always else { return }
        let manager = FileManager.default
        do {
            try manager.createDirectory(
                atPath: secretsFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for (name, content) in files where !name.contains("/") {
                let path = secretsFolder + "/" + name
                guard manager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw RunbookError.software("cannot create \(path)")
                }
                try Data(content.utf8).write(to: URL(fileURLWithPath: path))
            }
        } catch let error as RunbookError {
            throw error
        } catch {
            throw RunbookError.software(
                "cannot write the run's password files into \(secretsFolder)", cause: "\(error)")
        }
    }
}
