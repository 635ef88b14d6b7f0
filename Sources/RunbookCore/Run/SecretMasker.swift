import Synchronization

/// Replaces secret values with `****` in everything runbook prints or writes.
///
/// Copies share one list: secrets added later (refreshed credentials) are masked by every copy.
public struct SecretMasker: Sendable, Hashable {
    /// Values shorter than this are not masked: masking them would garble ordinary text.
    public static let minimumLength = 4

    /// The replacement text.
    public static let mask = "****"

    private final class List: Sendable {
        let secrets: Mutex<[String]>
        init(_ secrets: [String]) { self.secrets = Mutex(secrets) }
    }

    private let list: List

    /// Makes a masker for `secrets`.
    public init(secrets: some Sequence<String>) {
        list = List(Self.ordered(secrets))
    }

    /// Masks `secrets` too from now on.
    public func add(_ secrets: some Sequence<String>) {
        let added = Array(secrets)
        list.secrets.withLock { $0 = Self.ordered($0 + added) }
    }

    /// Longest first, so a secret that contains another is masked whole.
    private static func ordered(_ secrets: some Sequence<String>) -> [String] {
        Set(secrets.filter { $0.count >= minimumLength }).sorted { $0.count > $1.count }
    }

    /// Whether there is nothing to mask.
    public var isEmpty: Bool { list.secrets.withLock { $0.isEmpty } }

    /// The text with every secret value replaced.
    public func callAsFunction(_ text: String) -> String {
        let secrets = list.secrets.withLock { $0 }
        guard !secrets.isEmpty else { return text }
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        return result
    }

    public static func == (lhs: SecretMasker, rhs: SecretMasker) -> Bool {
        lhs.list === rhs.list || lhs.list.secrets.withLock { $0 } == rhs.list.secrets.withLock { $0 }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(list.secrets.withLock { $0 }) }
}
