import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Shows a build's streamed output and keeps all of it in a log file.
///
/// `compact` (a terminal): one line rewritten in place, `[step n/m, 42s] INSTRUCTION`.
/// `plain` (CI, pipes): every line as it comes. `quiet`: nothing but the log file.
public final class BuildProgress: Sendable {
    /// How output is shown.
    public enum Style: Sendable, Hashable {
        case compact
        case plain
        case quiet
    }

    private struct State {
        var log: AppendingFile?
        var tail: [String] = []
        var step = ""
        var lastDraw = ContinuousClock.now - .seconds(1)
        var drew = false
    }

    /// The full log.
    public let logPath: String
    private let style: Style
    private let write: @Sendable (String) -> Void
    private let started = ContinuousClock.now
    private let state: Mutex<State>
    private let tailLimit: Int
    private let secrets: [String]

    /// Makes a reporter writing the log to `logPath` and showing progress through `write` (standard error);
    /// each of `secrets` is replaced by `***` before a line is shown or logged.
    public init(
        logPath: String, style: Style, tailLimit: Int = 25, secrets: [String] = [],
        write: @escaping @Sendable (String) -> Void
    ) {
        self.logPath = logPath
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        self.style = style
        self.write = write
        self.tailLimit = tailLimit
        let directory = Paths.parent(logPath)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        state = Mutex(State(log: AppendingFile(logPath)))
    }

    /// Takes one line of build output.
    public func line(_ raw: String) {
        var text = raw
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        let elapsed = Int((ContinuousClock.now - started).components.seconds)
        let draw: String? = state.withLock { state in
            state.log?.append(Array((text + "\n").utf8))
            state.tail.append(text)
            if state.tail.count > tailLimit { state.tail.removeFirst(state.tail.count - tailLimit) }
            switch style {
            case .quiet:
                return nil
            case .plain:
                return text + "\n"
            case .compact:
                if let step = BuildProgress.step(text) { state.step = step }
                let now = ContinuousClock.now
                guard now - state.lastDraw >= .milliseconds(100) else { return nil }
                state.lastDraw = now
                state.drew = true
                let shown = state.step.isEmpty ? text : state.step
                return "\r\u{1B}[K" + String("[\(elapsed)s] \(shown)".prefix(100))
            }
        }
        if let draw { write(draw) }
    }

    /// Ends the progress line and closes the log; returns the last lines kept.
    @discardableResult
    public func finish() -> [String] {
        let (tail, drew) = state.withLock { state in
            state.log = nil
            return (state.tail, state.drew)
        }
        if drew { write("\r\u{1B}[K") }
        return tail
    }

    /// The seconds since the reporter was made.
    public var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Compiled once: `step` reads every line a build prints.
    private static let stepPatterns = [
        #"^Step (\d+)/(\d+) : (.*)$"#, #"^STEP (\d+)/(\d+): (.*)$"#, #"^#\d+ \[[^\]]*?(\d+)/(\d+)\] (.*)$"#,
    ].compactMap { TextPattern($0) }

    /// `step n/m: INSTRUCTION` from a classic-builder (`Step 3/19 : RUN …`), podman (`STEP 3/19: RUN …`)
    /// or BuildKit plain (`#7 [build 3/9] RUN …`) line; nil for other lines.
    static func step(_ line: String) -> String? {
        for pattern in stepPatterns {
            guard let groups = pattern.groups(in: line), groups.count == 3,
                let n = groups[0], let m = groups[1], let rest = groups[2]
            else { continue }
            return "step \(n)/\(m): \(rest)"
        }
        return nil
    }
}
