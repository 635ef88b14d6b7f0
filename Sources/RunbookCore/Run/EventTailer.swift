#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads the callback plugin's JSON-lines file while it grows, handing over each complete line.
public struct EventTailer: Sendable {
    /// The events file.
    public var path: String
    /// How often to look for new lines.
    public var interval: Duration

    /// Makes a tailer.
    public init(path: String, interval: Duration = .milliseconds(100)) {
        self.path = path
        self.interval = interval
    }

    /// Reads lines until the task is cancelled, then once more to collect what was left.
    public func follow(_ onEvent: @Sendable (RunEvent) -> Void) async {
        var offset: UInt64 = 0
        var pending = Data()
        while !Task.isCancelled {
            read(from: &offset, pending: &pending, onEvent)
            try? await Task.sleep(for: interval)
        }
        read(from: &offset, pending: &pending, onEvent)
    }

    /// Reads whatever is new since `offset`; a trailing partial line waits in `pending`.
    public func read(from offset: inout UInt64, pending: inout Data, _ onEvent: (RunEvent) -> Void) {
        guard let data = RawFiles.contents(path, from: offset), !data.isEmpty else {
            return
        }
        offset += UInt64(data.count)
        pending.append(data)
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = pending[pending.startIndex..<newline]
            pending = Data(pending[pending.index(after: newline)...])
            if let event = RunEvent.decode(line: String(decoding: line, as: UTF8.self)) { onEvent(event) }
        }
    }
}
