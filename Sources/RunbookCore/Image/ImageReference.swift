/// An image name with its tag, e.g. `registry.example.com:5000/team/ansible-aws:release`.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// Everything before the tag: `[registry/][namespace/]name`.
    public var repository: String
    /// The tag.
    public var tag: String

    /// Parses `repository[:tag]` (tag `latest` when left out); nil when it is not a valid reference.
    public init?(_ text: String) {
        guard !text.isEmpty, !text.contains("@"), !text.contains(where: \.isWhitespace) else { return nil }
        let lastSlash = text.lastIndex(of: "/")
        let tail = lastSlash.map { text[text.index(after: $0)...] } ?? text[...]
        if let colon = tail.lastIndex(of: ":") {
            repository = String(text[..<colon])
            tag = String(tail[tail.index(after: colon)...])
        } else {
            repository = text
            tag = "latest"
        }
        let tagCharacters = tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
        guard !repository.isEmpty, !tag.isEmpty, tag.count <= 128, tagCharacters,
            !repository.hasPrefix("/"), !repository.hasSuffix("/"), !repository.contains("//"),
            repository.split(separator: "/").dropFirst().allSatisfy({ $0 == $0.lowercased() })
        else { return nil }
        if lastSlash == nil, repository != repository.lowercased() { return nil }
    }

    /// Makes a reference from its parts.
    public init(repository: String, tag: String) {
        self.repository = repository
        self.tag = tag
    }

    public var description: String { "\(repository):\(tag)" }

    /// The registry host when the first path component names one (has a `.` or `:`, or is `localhost`).
    public var registry: String? {
        let parts = repository.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let first = parts[0]
        return first.contains(".") || first.contains(":") || first == "localhost" ? String(first) : nil
    }

    /// Whether the name has a registry or namespace part (`registry/name` or `namespace/name`).
    public var hasRegistryOrNamespace: Bool { repository.contains("/") }

    /// The same repository with another tag.
    public func with(tag: String) -> ImageReference { ImageReference(repository: repository, tag: tag) }
}
