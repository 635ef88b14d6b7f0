/// Objects a command keeps alive until the process ends. `runbook validate` parses every file of a
/// repository into trees and memo tables; freeing them one by one just before the process exits
/// costs a few milliseconds (a tenth of a large validation's CPU time) and gives nothing back, as the
/// kernel reclaims the whole heap at exit. Only the one-shot commands use it, never the library API.
enum UntilExit {
    private static let kept = Locked<[AnyObject]>([])

    /// Keeps `object` (and all it holds) until exit.
    static func keep(_ object: AnyObject) {
        kept.withLock { $0.append(object) }
    }
}
