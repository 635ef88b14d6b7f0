#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a command takes from the outside world: environment, current directory, processes, HTTP,
/// output and the clock. `live()` is this process's; tests make one with fakes.
public struct RunbookSystem: Sendable {
    /// The environment variables.
    public var environment: [String: String]
    /// The current directory.
    public var currentDirectory: String
    /// Starts every external process.
    public var runner: any ProcessRunning
    /// Sends STS and SSO requests.
    public var transport: any HTTPTransport
    /// Standard output and standard error.
    public var console: Console
    /// The clock.
    public var now: @Sendable () -> Date
    /// Whether runs catch SIGINT/SIGTERM to stop their child (off in unit tests).
    public var trapSignals: Bool

    /// Makes a system.
    public init(
        environment: [String: String], currentDirectory: String, runner: any ProcessRunning,
        transport: any HTTPTransport = CurlTransport(), console: Console,
        now: @escaping @Sendable () -> Date = { Date() }, trapSignals: Bool = false
    ) {
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.runner = runner
        self.transport = transport
        self.console = console
        self.now = now
        self.trapSignals = trapSignals
    }

    /// This process's environment, directory, streams and clock, with real processes and HTTP.
    public static func live() -> RunbookSystem {
        RunbookSystem(
            environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath, runner: SubprocessRunner(),
            transport: CurlTransport(), console: .standard, trapSignals: true)
    }
}

/// Everything one command runs with: the outside world, the workspace and its resolved settings.
/// Made once per command; nothing in Core reads the process's environment or settings otherwise.
public struct RunbookContext: Sendable {
    /// The outside world.
    public var system: RunbookSystem
    /// The effective settings.
    public var settings: Settings
    /// Picks the container engine.
    public var engines: EngineDetector

    /// Resolves the workspace (`--workspace`, else the current directory) and the settings.
    public init(system: RunbookSystem, workspace: String?, flags: SettingFlags = SettingFlags()) throws {
        let folder = Paths.absolute(workspace ?? ".", relativeTo: system.currentDirectory)
        self.system = system
        self.settings = try Settings(
            workspace: folder, currentDirectory: system.currentDirectory, environment: system.environment,
            flags: flags)
        self.engines = EngineDetector(runner: system.runner, path: system.environment["PATH"] ?? "")
    }

    /// This context for one target: its settings layered in, and output lines prefixed when `prefix` is given.
    public func selecting(_ target: Target, prefix: String? = nil) throws -> RunbookContext {
        var context = self
        context.settings = try settings.selecting(target)
        if let prefix { context.system.console = console.prefixed(prefix) }
        return context
    }

    /// The workspace's absolute path.
    public var workspace: String { settings.workspace }
    /// The environment variables.
    public var environment: [String: String] { system.environment }
    /// The process runner.
    public var runner: any ProcessRunning { system.runner }
    /// Standard output and standard error.
    public var console: Console { system.console }
    /// The current directory.
    public var currentDirectory: String { system.currentDirectory }
    /// The home folder (`HOME`, else the account's).
    public var home: String {
        environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path
    }
    /// The folder for temporary files: `TMPDIR`, else /tmp.
    public var temporaryDirectory: String {
        environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }
    /// Whether this run is in a CI job (`CI` set), where progress is shown as plain lines.
    public var inCI: Bool { environment["CI"].map { !$0.isEmpty } ?? false }

    /// The engine the `engine`, `network` and `engine_options` settings name, or the detected one.
    public func engine() async throws -> ContainerEngine {
        try await engines.resolve(
            kind: settings.string(.engine).flatMap(EngineKind.init), network: settings.string(.network),
            extraOptions: settings.list(.engineOptions))
    }

    /// Resolves AWS credentials with this context's environment, processes, HTTP and clock.
    public var credentials: CredentialResolver {
        CredentialResolver(
            environment: CredentialEnvironment(variables: environment, homeDirectory: home),
            processRunner: runner, transport: system.transport, now: system.now)
    }
}
