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

/// Number and error text without `String(format:)` or localized descriptions (neither is in
/// FoundationEssentials).
public enum Formatting {
    /// `value` with exactly `digits` decimals, rounded half away from zero ("%.3f").
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        let whole = UInt64(scaled / scale)
        let fraction = UInt64(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else { return sign + "\(whole)" }
        return sign + "\(whole)." + zeroPadded(Int(fraction), width: digits)
    }

    /// `value` in decimal with leading zeros up to `width` digits ("%02d").
    public static func zeroPadded(_ value: Int, width: Int) -> String {
        let text = String(abs(value))
        let padded = text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        return value < 0 ? "-" + padded : padded
    }

    /// Calendar parts as `YYYY·MM·DD·hh·mm·ss`, each zero-padded, with `date` between the date's
    /// fields, `middle` between date and time, `time` between the time's fields and `suffix` last:
    /// `("-", "T", ":", "Z")` gives `2026-12-04T17:30:00Z`.
    public static func timestamp(
        _ parts: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int),
        date: String, middle: String, time: String, suffix: String = ""
    ) -> String {
        let two = { zeroPadded($0, width: 2) }
        return zeroPadded(parts.year, width: 4) + date + two(parts.month) + date + two(parts.day) + middle
            + two(parts.hour) + time + two(parts.minute) + time + two(parts.second) + suffix
    }

    /// `2026-12-04 17:30:00` in the machine's local time (as `ls -l` and `ps` show times).
    public static func localTimestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return "\(date)" }
        let local = (
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
            Int(parts.tm_min), Int(parts.tm_sec)
        )
        return timestamp(local, date: "-", middle: " ", time: ":")
    }

    /// One line saying why `error` happened: the system's reason for file errors (as strerror
    /// words it), the error's own description otherwise.
    public static func reason(_ error: any Error) -> String {
        if let error = error as? RunbookError { return error.message }
        if let error = error as? CocoaError {
            if let underlying = error.userInfo["NSUnderlyingError"] as? POSIXError {
                return String(cString: strerror(underlying.code.rawValue))
            }
            switch error.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "No such file or directory"
            case .fileWriteFileExists: return "File exists"
            case .fileReadNoPermission, .fileWriteNoPermission: return "Permission denied"
            case .fileWriteOutOfSpace: return "No space left on device"
            case .fileReadInapplicableStringEncoding: return "not UTF-8 text"
            default: return "file error \(error.code.rawValue)"
            }
        }
        if let error = error as? POSIXError { return String(cString: strerror(error.code.rawValue)) }
        return String(describing: error)
    }
}
