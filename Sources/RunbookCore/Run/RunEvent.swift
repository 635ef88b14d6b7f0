#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One event the callback plugin writes: a play or task starting, a host's result, the final stats.
public struct RunEvent: Sendable, Codable, Hashable {
    /// The event name: `playbook_start`, `play_start`, `task_start`, `host_result` or `stats`.
    public var event: String
    /// Seconds since the epoch when the event was written.
    public var time: Double?
    /// The play's name (play_start).
    public var play: String?
    /// The task's name (task_start, host_result).
    public var task: String?
    /// The task's module (task_start, host_result).
    public var action: String?
    /// The task's unique id within the run.
    public var taskID: String?
    /// `file:line` of the task.
    public var path: String?
    /// The host a result is for.
    public var host: String?
    /// ok, changed, failed, ignored, skipped or unreachable (host_result).
    public var status: String?
    /// Whether the task changed something (host_result).
    public var changed: Bool?
    /// Seconds from the task's start to this host's result.
    public var duration: Double?
    /// The result's message (failures' reasons).
    public var message: String?
    /// Whether the task is a handler (task_start).
    public var handler: Bool?
    /// The result's diff as unified text, with --diff (host_result).
    public var diff: String?

    enum CodingKeys: String, CodingKey {
        case event, time, play, task, action, path, host, status, changed, duration, message, handler, diff
        case taskID = "task_id"
    }

    /// Makes an event.
    public init(
        event: String, time: Double? = nil, play: String? = nil, task: String? = nil, action: String? = nil,
        taskID: String? = nil, path: String? = nil, host: String? = nil, status: String? = nil,
        changed: Bool? = nil, duration: Double? = nil, message: String? = nil, handler: Bool? = nil,
        diff: String? = nil
    ) {
        self.event = event
        self.time = time
        self.play = play
        self.task = task
        self.action = action
        self.taskID = taskID
        self.path = path
        self.host = host
        self.status = status
        self.changed = changed
        self.duration = duration
        self.message = message
        self.handler = handler
        self.diff = diff
    }

    /// Decodes one JSON line; nil for a line that is not an event (a torn write, a blank line).
    public static func decode(line: some StringProtocol) -> RunEvent? {
        guard let data = line.data(using: .utf8), !data.isEmpty else { return nil }
        return try? JSONDecoder().decode(RunEvent.self, from: data)
    }
}
