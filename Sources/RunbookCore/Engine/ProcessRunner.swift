import Subprocess

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// A child process to run, as a plain value that tests can compare.
///
/// Secrets never go into `arguments`; pass them in `environment` (by name where the child
/// supports it) so they stay out of `ps` output.
public struct ProcessSpec: Sendable, Hashable {
    /// An executable name looked up on PATH, or an absolute path.
    public var executable: String
    /// The arguments, without the executable.
    public var arguments: [String]
    /// Variables set or replaced on top of the inherited environment (or the whole environment
    /// when `inheritEnvironment` is false).
    public var environment: [String: String]
    /// Whether the child starts from runbook's own environment.
    public var inheritEnvironment: Bool
    /// The child's working directory; runbook's own when nil.
    public var workingDirectory: String?
    /// Bytes written to the child's standard input, which is then closed; no input when nil.
    public var input: Data?
    /// How long the child may run before it is stopped (SIGTERM, then SIGKILL).
    public var timeout: Duration?
    /// For `stream`: after `input`, keep the child's standard input open until it exits, so that it
    /// reads end-of-file only when runbook is gone (however runbook ends, SIGKILL included).
    public var holdsInputOpen = false
    /// For `stream`: more input written while the child runs (after `input`), until the feed or the
    /// child's output ends.
    public var inputFeed: InputFeed?

    /// Makes a process spec.
    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String] = [:],
        inheritEnvironment: Bool = true, workingDirectory: String? = nil, input: Data? = nil,
        timeout: Duration? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.inheritEnvironment = inheritEnvironment
        self.workingDirectory = workingDirectory
        self.input = input
        self.timeout = timeout
    }

    /// The command line as a user would type it (for logs; never carries secrets).
    public var commandLine: String { ([executable] + arguments).joined(separator: " ") }
}

/// Input written to a streamed child while it runs (runbook's entry gets refreshed credentials so).
public final class InputFeed: Sendable, Hashable {
    let chunks: AsyncStream<Data>
    private let continuation: AsyncStream<Data>.Continuation

    /// Makes an empty feed.
    public init() {
        (chunks, continuation) = AsyncStream.makeStream(of: Data.self)
    }

    /// Writes `data` to the child's standard input (in order, after what was sent before).
    public func send(_ data: Data) { continuation.yield(data) }

    /// Ends the feed; later `send`s are dropped.
    public func finish() { continuation.finish() }

    public static func == (lhs: InputFeed, rhs: InputFeed) -> Bool { lhs === rhs }

    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// What a captured process produced.
public struct ProcessOutput: Sendable, Hashable {
    /// The exit status, or 128 + signal number when a signal ended it.
    public var status: Int32
    /// Standard output as UTF-8 text.
    public var standardOutput: String
    /// Standard error as UTF-8 text.
    public var standardError: String
    /// Whether runbook stopped the process because its timeout ran out.
    public var timedOut: Bool

    /// Makes a process output.
    public init(status: Int32, standardOutput: String = "", standardError: String = "", timedOut: Bool = false) {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.timedOut = timedOut
    }
}

/// One line of a streamed child's output.
public struct OutputLine: Sendable, Hashable {
    /// Which stream a line came from.
    public enum Stream: Sendable, Hashable {
        case standardOutput
        case standardError
    }
    /// The stream.
    public var stream: Stream
    /// The line, without its newline.
    public var text: String

    /// Makes an output line.
    public init(_ stream: Stream, _ text: String) {
        self.stream = stream
        self.text = text
    }
}

/// The seam through which runbook starts every external process (engine CLIs, credential processes).
public protocol ProcessRunning: Sendable {
    /// Runs a process to completion and collects its output.
    func capture(_ spec: ProcessSpec) async throws -> ProcessOutput
    /// Runs a process in its own process group (its id is the group's), calling `onStart` with its
    /// process id once it runs and handing each output line to `onLine` as it arrives; returns the exit
    /// status (128 + signal when a signal ended it).
    func stream(
        _ spec: ProcessSpec, onStart: @escaping @Sendable (Int32) -> Void,
        onLine: @escaping @Sendable (OutputLine) -> Void
    ) async throws -> Int32
}

extension ProcessRunning {
    /// Runs a process in its own process group, handing each output line to `onLine` as it arrives.
    public func stream(_ spec: ProcessSpec, onLine: @escaping @Sendable (OutputLine) -> Void) async throws -> Int32 {
        try await stream(spec, onStart: { _ in }, onLine: onLine)
    }
}

/// The real process runner, on swift-subprocess.
public struct SubprocessRunner: ProcessRunning {
    /// The most output `capture` keeps per stream.
    public var captureLimit: Int

    /// Makes a runner.
    public init(captureLimit: Int = 64 * 1024 * 1024) {
        self.captureLimit = captureLimit
    }

    public func capture(_ spec: ProcessSpec) async throws -> ProcessOutput {
        let limit = captureLimit
        return try await withTimeout(spec.timeout) {
            let result = try await Subprocess.run(
                executable(spec), arguments: Arguments(spec.arguments), environment: environment(spec),
                workingDirectory: spec.workingDirectory.map { FilePath($0) },
                platformOptions: platformOptions(),
                input: .data(spec.input ?? Data()),
                output: .data(limit: limit), error: .data(limit: limit))
            return ProcessOutput(
                status: status(result.terminationStatus),
                standardOutput: String(decoding: result.standardOutput, as: UTF8.self),
                standardError: String(decoding: result.standardError, as: UTF8.self))
        } onTimeout: {
            ProcessOutput(status: 124, standardError: "timed out", timedOut: true)
        }
    }

    public func stream(
        _ spec: ProcessSpec, onStart: @escaping @Sendable (Int32) -> Void,
        onLine: @escaping @Sendable (OutputLine) -> Void
    ) async throws -> Int32 {
        let options = {
            var options = platformOptions()
            options.processGroupID = 0
            return options
        }()
        let input = [UInt8](spec.input ?? Data())
        let result = try await withTimeout(spec.timeout) {
            try await Subprocess.run(
                executable(spec), arguments: Arguments(spec.arguments), environment: environment(spec),
                workingDirectory: spec.workingDirectory.map { FilePath($0) },
                platformOptions: options, input: .inputWriter, output: .sequence, error: .sequence
            ) { execution in
                onStart(Int32(execution.processIdentifier.value))
                let writer = execution.standardInputWriter
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // The input, beside the output readers (a child may write before it reads), then
                    // end-of-file: at once, or (holdsInputOpen) only once the output has ended.
                    group.addTask {
                        if !input.isEmpty { _ = try? await writer.write(input) }
                        if let feed = spec.inputFeed {
                            for await chunk in feed.chunks { _ = try? await writer.write([UInt8](chunk)) }
                        }
                        if !spec.holdsInputOpen { try? await writer.finish() }
                    }
                    group.addTask {
                        // The feed ends with the output: the child is done reading.
                        defer { spec.inputFeed?.finish() }
                        try await withThrowingTaskGroup(of: Void.self) { readers in
                            readers.addTask {
                                for try await line in execution.standardOutput.strings() {
                                    onLine(OutputLine(.standardOutput, trimNewline(line)))
                                }
                            }
                            readers.addTask {
                                for try await line in execution.standardError.strings() {
                                    onLine(OutputLine(.standardError, trimNewline(line)))
                                }
                            }
                            try await readers.waitForAll()
                        }
                    }
                    try await group.waitForAll()
                }
                if spec.holdsInputOpen { try? await writer.finish() }
            }.terminationStatus
        } onTimeout: {
            TerminationStatus.exited(124)
        }
        return status(result)
    }

    private func executable(_ spec: ProcessSpec) -> Executable {
        spec.executable.contains("/") ? .path(FilePath(spec.executable)) : .name(spec.executable)
    }

    private func environment(_ spec: ProcessSpec) -> Environment {
        var values: [Environment.Key: String?] = [:]
        for (key, value) in spec.environment { values[Environment.Key(stringLiteral: key)] = value }
        return spec.inheritEnvironment ? .inherit.updating(values) : .custom(values.compactMapValues { $0 })
    }

    private func platformOptions() -> PlatformOptions {
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(5))]
        return options
    }
}

private func trimNewline(_ line: String) -> String {
    var line = line
    while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
    return line
}

private func status(_ termination: TerminationStatus) -> Int32 {
    switch termination {
    case .exited(let code): return Int32(code)
    case .signaled(let signal): return 128 + Int32(signal)
    }
}

/// Runs `body`; when `timeout` runs out first, cancels it (which tears the child down) and returns `fallback()`.
private func withTimeout<T: Sendable>(
    _ timeout: Duration?, _ body: @escaping @Sendable () async throws -> T,
    onTimeout fallback: @escaping @Sendable () -> T
) async throws -> T {
    guard let timeout else { return try await body() }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        while let next = try await group.next() {
            if let value = next { return value }
            return fallback()
        }
        return fallback()
    }
}
