#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `image inspect` says about one image (docker's and podman's JSON alike).
public struct ImageInfo: Sendable, Hashable {
    /// The image id (`sha256:…`).
    public var id: String
    /// The size in bytes.
    public var size: Int64
    /// The labels.
    public var labels: [String: String]
    /// The tags it carries.
    public var tags: [String]
    /// `repository@sha256:…` for each registry it was pushed to or pulled from.
    public var repoDigests: [String]
    /// When it was built (RFC 3339).
    public var created: String

    /// Makes an image info.
    public init(
        id: String, size: Int64 = 0, labels: [String: String] = [:], tags: [String] = [],
        repoDigests: [String] = [], created: String = ""
    ) {
        self.id = id
        self.size = size
        self.labels = labels
        self.tags = tags
        self.repoDigests = repoDigests
        self.created = created
    }

    /// Parses the first image of `image inspect` output; nil when it is not that JSON.
    public init?(inspectJSON text: String) {
        guard let data = text.data(using: .utf8),
            let object = JSONValue.parse(data)?.array?.first, let id = object["Id"]?.string
        else { return nil }
        let labels = object["Config"]?["Labels"]?.stringMap ?? object["Labels"]?.stringMap ?? [:]
        self.init(
            id: id.hasPrefix("sha256:") ? id : "sha256:" + id,
            size: object["Size"]?.number.map { Int64($0) } ?? 0,
            labels: labels,
            tags: object["RepoTags"]?.strings ?? [],
            repoDigests: object["RepoDigests"]?.strings ?? [],
            created: object["Created"]?.string ?? "")
    }

    /// The content hash runbook stamped on it, if any.
    public var contentHash: String? { labels[ImageDefinition.Label.contentHash] }
}
