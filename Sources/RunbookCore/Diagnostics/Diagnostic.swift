/// How serious a finding is.
public enum Severity: String, Sendable, Codable, Comparable {
    case note
    case warning
    case error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A 1-based position in a file.
public struct SourceLocation: Sendable, Hashable, Codable, Comparable {
    /// The file's path as the user named it (or as found under a directory they named).
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// Makes a location; line and column are 1-based.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// One finding about a user's file, with a stable rule id.
public struct Diagnostic: Sendable, Hashable, Codable {
    /// Where the problem is.
    public var location: SourceLocation
    /// How serious it is.
    public var severity: Severity
    /// A stable, kebab-case rule id such as `yaml-syntax` or `unknown-play-keyword`.
    public var rule: String
    /// What is wrong, and where useful what to do.
    public var message: String

    /// Makes a diagnostic.
    public init(_ severity: Severity, _ rule: String, _ message: String, at location: SourceLocation) {
        self.location = location
        self.severity = severity
        self.rule = rule
        self.message = message
    }

    /// Hashes where and which rule, not the message: findings are deduplicated by the thousand in a
    /// large run, and their messages (the longest part) rarely differ at the same place and rule.
    /// Equality still compares every field, so distinct findings stay distinct.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(location)
        hasher.combine(rule)
    }

    /// What makes two findings the same finding: the place, the rule, the severity and the message,
    /// except for rules whose message names the context a shared file was checked in. A report holds
    /// one per key, the first met: a role's task file checked within several plays gives one
    /// `notify-no-handler` naming the first play, not one per play.
    public struct Key: Hashable, Sendable {
        var location: SourceLocation
        var rule: String
        var severity: Severity
        var message: String

        /// As Diagnostic's: where and which rule (messages are the longest part, and rarely differ).
        public func hash(into hasher: inout Hasher) {
            hasher.combine(location)
            hasher.combine(rule)
        }
    }

    /// The rules whose message names the play (or other context) a shared file was checked in.
    static let onePerPlace: Set<String> = ["notify-no-handler"]

    /// This finding's key.
    public var key: Key {
        Key(location: location, rule: rule, severity: severity, message: Self.onePerPlace.contains(rule) ? "" : message)
    }
}
