#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value behind a pthread mutex, for state the checkers of one validation share across threads.
/// (Synchronization's `Mutex` does the same, but on Linux ThreadSanitizer cannot see its futex-based
/// locking and reports every access it guards as a race; a pthread mutex it understands, so the
/// parallel validation can be checked with `--sanitize=thread`.)
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled by `withLockNotifying`, for threads waiting in `withLock(waitingUntil:)`.
    private let changed: UnsafeMutablePointer<pthread_cond_t>

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        changed = .allocate(capacity: 1)
        changed.initialize(to: pthread_cond_t())
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Runs `body` with the value once `ready` holds for it, holding the lock; until then waits (the
    /// lock released) for another thread's `withLockNotifying` to change it.
    func withLock<Result>(
        waitingUntil ready: (Value) -> Bool, _ body: (inout Value) throws -> Result
    ) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(value) { pthread_cond_wait(changed, mutex) }
        return try body(&value)
    }

    /// Runs `body` with the value, holding the lock, then wakes the threads waiting for a change.
    func withLockNotifying<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }
        return try body(&value)
    }
}

extension Locked {
    /// The table's entry for `key`, made by `make` (outside the lock) when it has none yet. Two threads
    /// asking at once may both make one; the first stored is the one every thread gets.
    func value<Key: Hashable, Entry>(for key: Key, orMake make: () -> Entry) -> Entry where Value == [Key: Entry] {
        if let known = withLock({ $0[key] }) { return known }
        let made = make()
        return withLock { table in
            if let stored = table[key] { return stored }
            table[key] = made
            return made
        }
    }
}
