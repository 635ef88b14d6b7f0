/// Replaces secret values with `****` in everything runbook prints or writes.
public struct SecretMasker: Sendable, Hashable {
    /// Values shorter than this are not masked: masking them would garble ordinary text.
    public static let minimumLength = 4

    /// The replacement text.
    public static let mask = "****"

    private let secrets: [String]

    /// Makes a masker for `secrets`, longest first so a secret that contains another is masked whole.
    public init(secrets: some Sequence<String>) {
        self.secrets = Set(secrets.filter { $0.count >= Self.minimumLength }).sorted { $0.count > $1.count }
    }

    /// Whether there is nothing to mask.
    public var isEmpty: Bool { secrets.isEmpty }

    /// The text with every secret value replaced.
    public func callAsFunction(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        return result
    }
}
