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

/// Where a command's output goes: standard output and standard error, and whether each is a terminal.
public struct Console: Sendable {
    /// Writes text to a stream as given (callers end lines with a newline).
    public var write: @Sendable (OutputLine.Stream, String) -> Void
    /// Whether standard output is a terminal.
    public var outputIsTerminal: Bool
    /// Whether standard error is a terminal.
    public var errorIsTerminal: Bool

    /// Makes a console.
    public init(
        outputIsTerminal: Bool = false, errorIsTerminal: Bool = false,
        write: @escaping @Sendable (OutputLine.Stream, String) -> Void
    ) {
        self.write = write
        self.outputIsTerminal = outputIsTerminal
        self.errorIsTerminal = errorIsTerminal
    }

    /// This process's standard output and standard error.
    public static var standard: Console {
        Console(outputIsTerminal: isatty(STDOUT_FILENO) == 1, errorIsTerminal: isatty(STDERR_FILENO) == 1) {
            stream, text in
            RawFiles.writeAll(Array(text.utf8), to: stream == .standardOutput ? STDOUT_FILENO : STDERR_FILENO)
        }
    }

    /// The same streams with `prefix` before every line (the output of one of several targets).
    public func prefixed(_ prefix: String) -> Console {
        let write = self.write
        return Console(outputIsTerminal: outputIsTerminal, errorIsTerminal: errorIsTerminal) { stream, text in
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let ended = lines.last?.isEmpty ?? false
            if ended { lines.removeLast() }
            write(stream, lines.map { prefix + $0 }.joined(separator: "\n") + (ended ? "\n" : ""))
        }
    }

    /// Writes to standard output.
    public func out(_ text: String) { write(.standardOutput, text) }

    /// Writes to standard error.
    public func err(_ text: String) { write(.standardError, text) }

    /// Writes one line of a child's output to the stream it came from.
    public func line(_ line: OutputLine) { write(line.stream, line.text + "\n") }
}
