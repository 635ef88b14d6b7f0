#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one error type runbook's own failures are reported with: a status, a message, an optional cause.
///
/// Messages start lowercase, say what is wrong and what to do about it.
public struct RunbookError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The exit status the CLI ends with when this error reaches it.
    public var status: ExitStatus
    /// A sentence saying what is wrong and what to do.
    public var message: String
    /// A lower-level description of what caused it, when known.
    public var cause: String?

    /// Makes an error with a status, a message and an optional cause.
    public init(_ status: ExitStatus, _ message: String, cause: String? = nil) {
        self.status = status
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message) (\(cause))"
    }

    public var errorDescription: String? { description }

    /// Bad command-line usage or a bad setting (exit 64).
    public static func usage(_ message: String) -> RunbookError { RunbookError(.usage, message) }
    /// An input file whose content is wrong (exit 65).
    public static func dataError(_ message: String) -> RunbookError { RunbookError(.dataError, message) }
    /// An input file or directory that does not exist (exit 66).
    public static func noInput(_ message: String) -> RunbookError { RunbookError(.noInput, message) }
    /// An engine or endpoint that does not answer (exit 69).
    public static func unavailable(_ message: String, cause: String? = nil) -> RunbookError {
        RunbookError(.unavailable, message, cause: cause)
    }
    /// An internal or build failure (exit 70).
    public static func software(_ message: String, cause: String? = nil) -> RunbookError {
        RunbookError(.software, message, cause: cause)
    }
    /// Missing, invalid or wrong credentials (exit 77).
    public static func credentials(_ message: String, cause: String? = nil) -> RunbookError {
        RunbookError(.noPermission, message, cause: cause)
    }
}
