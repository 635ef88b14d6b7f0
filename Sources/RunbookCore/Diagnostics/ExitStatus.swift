/// Process exit statuses runbook uses for its own failures (BSD sysexits).
///
/// ansible-playbook's own exit status is passed through unchanged and never mapped to these; a run
/// stopped by a signal ends with 128 + the signal (130, 143: `SignalTrap.exitStatus`).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    /// `image status` only: the image is missing or stale (an answer, like test(1)'s, not an error).
    case notCurrent = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unavailable = 69
    case software = 70
    case cantCreate = 73
    case tempFailure = 75
    case noPermission = 77
}
