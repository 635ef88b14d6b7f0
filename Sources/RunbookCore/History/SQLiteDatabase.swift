import CSQLite

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One value of a SQLite column or parameter.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// The value as text (nil for NULL; numbers written out).
    public var text: String? {
        switch self {
        case .null: nil
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): value
        }
    }

    /// The value as an integer (nil for NULL or text that is not one).
    public var integer: Int64? {
        switch self {
        case .null: nil
        case .integer(let value): value
        case .real(let value): Int64(value)
        case .text(let value): Int64(value)
        }
    }

    /// The value as a double (nil for NULL or text that is not one).
    public var real: Double? {
        switch self {
        case .null: nil
        case .integer(let value): Double(value)
        case .real(let value): value
        case .text(let value): Double(value)
        }
    }
}

extension SQLValue {
    /// Text, or NULL for nil.
    static func of(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }
    /// An integer, or NULL for nil.
    static func of(_ value: Int?) -> SQLValue { value.map { .integer(Int64($0)) } ?? .null }
    /// A double, or NULL for nil.
    static func of(_ value: Double?) -> SQLValue { value.map { .real($0) } ?? .null }
    /// 1 or 0, or NULL for nil.
    static func of(_ value: Bool?) -> SQLValue { value.map { .integer($0 ? 1 : 0) } ?? .null }
}

/// Why a database call failed: SQLite's message and the statement.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// SQLite's result code.
    public var code: Int32
    /// SQLite's message.
    public var message: String

    public var description: String { message }

    /// Whether the database was locked by another writer for longer than the busy timeout.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
}

/// A connection to one SQLite database file (the system libsqlite3), opened without SQLite's own
/// mutex: its owner serialises every call (HistoryStore holds it in a Mutex), which is what makes the
/// unchecked Sendable true.
public final class SQLiteDatabase: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// The file's path.
    public let path: String

    /// Opens (creating when missing) the database at `path`, waiting up to `busyTimeout` for other
    /// writers' locks.
    public init(path: String, readOnly: Bool = false, busyTimeout: Duration = .seconds(10)) throws {
        self.path = path
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        var opened: OpaquePointer?
        let status = sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close(opened)
            throw SQLiteError(code: status, message: message)
        }
        handle = opened
        sqlite3_busy_timeout(opened, Int32(busyTimeout.components.seconds * 1000))
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements without parameters or results.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &error)
        if status != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw SQLiteError(code: status, message: message)
        }
    }

    /// Runs one statement with `parameters` bound in order.
    public func run(_ sql: String, _ parameters: [SQLValue] = []) throws {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        while try statement.step() {}
    }

    /// Runs one query with `parameters` bound in order; every row's columns.
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        var rows: [[SQLValue]] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// Prepares a statement to run many times.
    public func prepare(_ sql: String) throws -> Statement {
        var prepared: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &prepared, nil)
        guard status == SQLITE_OK, let prepared else { throw SQLiteError(code: status, message: lastMessage) }
        return Statement(prepared, database: self)
    }

    /// Runs `body` in one transaction (BEGIN IMMEDIATE: the write lock is taken, or waited for, at once).
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    fileprivate var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// A prepared statement.
    public final class Statement {
        private let statement: OpaquePointer
        private let database: SQLiteDatabase

        fileprivate init(_ statement: OpaquePointer, database: SQLiteDatabase) {
            self.statement = statement
            self.database = database
        }

        deinit {
            sqlite3_finalize(statement)
        }

        /// Resets the statement and binds `parameters` in order.
        public func bind(_ parameters: [SQLValue]) throws {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            for (offset, value) in parameters.enumerated() {
                let index = Int32(offset + 1)
                let status: Int32
                switch value {
                case .null: status = sqlite3_bind_null(statement, index)
                case .integer(let number): status = sqlite3_bind_int64(statement, index, number)
                case .real(let number): status = sqlite3_bind_double(statement, index, number)
                case .text(let text): status = sqlite3_bind_text(statement, index, text, -1, transientDestructor)
                }
                guard status == SQLITE_OK else { throw SQLiteError(code: status, message: database.lastMessage) }
            }
        }

        /// Steps once: true when a row is ready, false when the statement is done.
        public func step() throws -> Bool {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            case let status: throw SQLiteError(code: status, message: database.lastMessage)
            }
        }

        /// The current row's columns.
        public func row() -> [SQLValue] {
            (0..<sqlite3_column_count(statement)).map { column in
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: .integer(sqlite3_column_int64(statement, column))
                case SQLITE_FLOAT: .real(sqlite3_column_double(statement, column))
                case SQLITE_NULL: .null
                default: .text(sqlite3_column_text(statement, column).map { String(cString: $0) } ?? "")
                }
            }
        }

        /// Binds `parameters` and runs the statement to its end.
        public func run(_ parameters: [SQLValue]) throws {
            try bind(parameters)
            while try step() {}
        }
    }
}

/// SQLITE_TRANSIENT: SQLite copies bound text before the call returns.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
