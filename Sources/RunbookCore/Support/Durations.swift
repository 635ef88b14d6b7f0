/// Durations as runbook's flags take them: `90s`, `15m`, `2h`, or a plain number of seconds.
public enum Durations {
    /// The duration `text` names, or nil when it is not a positive duration.
    public static func parse(_ text: String) -> Duration? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600]
        if let unit = text.last, let factor = units[unit], let value = Int64(text.dropLast()), value > 0,
            value <= Int64.max / factor
        {
            return .seconds(value * factor)
        }
        if let value = Int64(text), value > 0 { return .seconds(value) }
        return nil
    }

    /// `duration` in whole milliseconds (rounded down).
    public static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
