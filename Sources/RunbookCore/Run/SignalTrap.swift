import Dispatch
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

/// Catches SIGINT and SIGTERM while a child runs so runbook can stop the child itself
/// (the child sits in its own process group, so a terminal's Ctrl-C reaches only runbook). Several
/// traps may be active at once (targets run in parallel): each sees every signal, and the default
/// handlers come back only when the last one is cancelled.
public final class SignalTrap: Sendable {
    /// The signals runbook forwards.
    public static let signals: [Int32] = [SIGINT, SIGTERM]

    private let sources: Mutex<[any DispatchSourceSignal]>
    private let stream: AsyncStream<Int32>
    /// How many traps are active.
    private static let active = Mutex(0)

    /// Starts catching SIGINT and SIGTERM; call `cancel()` to restore the default handlers.
    public init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        var sources: [any DispatchSourceSignal] = []
        Self.active.withLock { $0 += 1 }
        for number in Self.signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        self.sources = Mutex(sources)
    }

    /// Waits for the first caught signal.
    public func next() async -> Int32? {
        var iterator = stream.makeAsyncIterator()
        return await iterator.next()
    }

    /// Stops catching and restores the default handlers.
    public func cancel() {
        let wasActive = sources.withLock { sources in
            for source in sources { source.cancel() }
            defer { sources = [] }
            return !sources.isEmpty
        }
        guard wasActive else { return }
        let last = Self.active.withLock { count in
            count -= 1
            return count == 0
        }
        if last {
            for number in Self.signals { signal(number, SIG_DFL) }
        }
    }

    /// The exit status for a signal: 130 for SIGINT, 143 for SIGTERM, else 128 + number.
    public static func exitStatus(for number: Int32) -> Int32 { 128 + number }
}
