/// Process exit statuses runbook uses for its own failures (BSD sysexits), plus signal exits.
///
/// ansible-playbook's own exit status is passed through unchanged and never mapped to these.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    case failure = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unavailable = 69
    case software = 70
    case cantCreate = 73
    case tempFailure = 75
    case noPermission = 77
    case interrupted = 130
    case terminated = 143
}
