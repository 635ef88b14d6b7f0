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

/// How a run ended, with the results gathered from the callback plugin's events.
public struct RunOutcome: Sendable {
    /// ansible-playbook's exit status (passed through), or 130/143 when a signal stopped the run.
    public var status: Int32
    /// The signal that stopped the run, if one did.
    public var signal: Int32?
    /// Whether the run was stopped because its time limit ran out.
    public var timedOut: Bool
    /// Per-host counts and per-task results.
    public var summary: RunSummary
    /// The events in the order they arrived.
    public var events: [RunEvent]
    /// The AWS account STS named for the run's credentials (nil offline or without credentials).
    public var account: String? = nil
    /// The run's id in the history (and `runbook ps`).
    public var runID: String? = nil
}

/// Runs ansible-playbook (in a container, or directly inside the image), streams its output line by
/// line with secrets masked, follows the callback plugin's events, and stops the run on SIGINT/SIGTERM
/// or when its time limit runs out.
public struct PlaybookRunner: Sendable {
    /// Starts processes.
    public var runner: any ProcessRunning
    /// Masks secret values in every line shown.
    public var masker: SecretMasker
    /// Receives each output line (already masked).
    public var output: @Sendable (OutputLine) -> Void
    /// Whether to catch SIGINT/SIGTERM (off in unit tests).
    public var trapSignals: Bool
    /// Receives each event as it arrives (the run history records it at once).
    public var onEvent: @Sendable (RunEvent) -> Void = { _ in }

    /// Makes a runner.
    public init(
        runner: any ProcessRunning, masker: SecretMasker, trapSignals: Bool,
        output: @escaping @Sendable (OutputLine) -> Void
    ) {
        self.runner = runner
        self.masker = masker
        self.trapSignals = trapSignals
        self.output = output
    }

    /// Runs `process` to the end. `stop` is called (once) when a signal or the time limit ends the run
    /// early, to stop what `process` started (e.g. `docker stop`); the process itself is then torn down.
    public func run(
        _ process: ProcessSpec, eventsFile: String, timeout: Duration? = nil,
        stop: @escaping @Sendable () async -> Void = {}
    ) async throws -> RunOutcome {
        let collected = Mutex<(RunSummary, [RunEvent])>((RunSummary(), []))
        let onEvent = self.onEvent
        let tailer = Task {
            await EventTailer(path: eventsFile).follow { event in
                onEvent(event)
                collected.withLock { state in
                    state.0.add(event)
                    state.1.append(event)
                }
            }
        }
        let trap = trapSignals ? SignalTrap() : nil
        defer { trap?.cancel() }

        enum Ending: Sendable {
            case exited(Int32)
            case signal(Int32)
            case timeout
        }
        let masker = self.masker
        let output = self.output
        let runner = self.runner
        // The child's pid (its process group's id), and whether the run is being stopped: a child that
        // starts after a signal or the time limit is stopped as soon as it starts.
        let child = ChildProcess()
        let ending: Ending = try await withThrowingTaskGroup(of: Ending?.self) { group in
            group.addTask {
                let status = try await runner.stream(
                    process,
                    onStart: { child.started($0) },
                    onLine: { line in output(OutputLine(line.stream, masker(line.text))) })
                return .exited(status)
            }
            if let trap {
                group.addTask { await trap.next().map { .signal($0) } }
            }
            if let timeout {
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .timeout
                }
            }
            while let next = try await group.next() {
                guard let ending = next else { continue }
                if case .exited = ending {
                    group.cancelAll()
                    return ending
                }
                // A signal or the time limit: stop the run properly (e.g. `docker stop`), then end the
                // child's process group ourselves (SIGTERM, SIGKILL 10 s later) and wait for it to exit.
                await stop()
                child.stop()
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    child.signal(SIGKILL)
                    return nil
                }
                while let rest = try await group.next() {
                    if case .exited? = rest { break }
                }
                group.cancelAll()
                return ending
            }
            return .exited(70)
        }
        tailer.cancel()
        await tailer.value
        let (summary, events) = collected.withLock { $0 }
        switch ending {
        case .exited(let status):
            return RunOutcome(status: status, signal: nil, timedOut: false, summary: summary, events: events)
        case .signal(let number):
            return RunOutcome(
                status: SignalTrap.exitStatus(for: number), signal: number, timedOut: false, summary: summary,
                events: events)
        case .timeout:
            return RunOutcome(
                status: ExitStatus.tempFailure.rawValue, signal: nil, timedOut: true, summary: summary, events: events)
        }
    }
}

/// The streamed child's pid (its process group's id, as it runs in its own group) and whether the run
/// is being stopped: a child that starts after the stop began is stopped as soon as it starts.
private final class ChildProcess: Sendable {
    private let state = Mutex<(pid: Int32?, stopping: Bool)>((nil, false))

    /// Records the child's pid; stops it at once when the run is already being stopped.
    func started(_ pid: Int32) {
        let stopping = state.withLock { state in
            state.pid = pid
            return state.stopping
        }
        if stopping { kill(-pid, SIGTERM) }
    }

    /// Marks the run as stopping and sends SIGTERM to the child's process group.
    func stop() {
        state.withLock { $0.stopping = true }
        signal(SIGTERM)
    }

    /// Sends `number` to the child's process group, when the child has started.
    func signal(_ number: Int32) {
        if let pid = state.withLock({ $0.pid }) { kill(-pid, number) }
    }
}
