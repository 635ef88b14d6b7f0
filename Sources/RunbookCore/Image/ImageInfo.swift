import Foundation

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
            let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]],
            let object = array.first, let id = object["Id"] as? String
        else { return nil }
        let config = object["Config"] as? [String: Any]
        let labels = (config?["Labels"] as? [String: String]) ?? (object["Labels"] as? [String: String]) ?? [:]
        self.init(
            id: id.hasPrefix("sha256:") ? id : "sha256:" + id,
            size: (object["Size"] as? NSNumber)?.int64Value ?? 0,
            labels: labels,
            tags: (object["RepoTags"] as? [String]) ?? [],
            repoDigests: (object["RepoDigests"] as? [String]) ?? [],
            created: (object["Created"] as? String) ?? "")
    }

    /// The content hash runbook stamped on it, if any.
    public var contentHash: String? { labels[ImageDefinition.Label.contentHash] }
}
