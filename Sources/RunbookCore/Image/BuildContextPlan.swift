#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the build stage's install-content.py installs, as `workspace/plan.json` in the build context:
/// the collections setting's names and every requirements entry (local artifacts copied next to it
/// under `files/`), each with the place it was declared, so a failed install names its file:line.
struct BuildContextPlan: Encodable {
    struct Collection: Encodable {
        var name: String?
        var version: String
        var type: String
        var source: String?
        var origin: String
    }

    struct Role: Encodable {
        var name: String
        var src: String
        var version: String
        var scm: String?
        var origin: String
    }

    var collections: [Collection] = []
    var roles: [Role] = []
    /// Local artifact path → its name under `files/`.
    private var copies: [(source: String, name: String)] = []

    private enum CodingKeys: String, CodingKey {
        case collections, roles
    }

    init(settings: ImageSettings) {
        let inputs = settings.inputs
        let requested = Set(inputs.collections.compactMap(\.name))
        for name in settings.collections where !requested.contains(name) {
            collections.append(Collection(name: name, version: "*", type: "galaxy", origin: "the collections setting"))
        }
        for item in inputs.collections {
            var source = item.source
            if item.isLocal, let path = item.source { source = copy(path) }
            collections.append(
                Collection(
                    name: item.name, version: item.version, type: item.kind.rawValue, source: source,
                    origin: "\(item.location.file):\(item.location.line):\(item.location.column)"))
        }
        for role in inputs.roles {
            let source = role.isLocalFile ? copy(role.source) : role.source
            roles.append(
                Role(
                    name: role.name, src: source, version: role.version, scm: role.scm,
                    origin: "\(role.location.file):\(role.location.line):\(role.location.column)"))
        }
    }

    private mutating func copy(_ path: String) -> String {
        if let known = copies.first(where: { $0.source == path }) { return known.name }
        let name = "files/\(copies.count + 1)-\(Paths.lastComponent(path))"
        copies.append((path, name))
        return name
    }

    /// Writes plan.json and the copies into `folder`.
    func write(to folder: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: folder.appendingPathComponent("files"), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: folder.appendingPathComponent("plan.json"))
        for (source, name) in copies {
            let target = folder.appendingPathComponent(name)
            if Paths.isFile(source) {
                do {
                    try manager.linkItem(atPath: source, toPath: target.path)
                } catch {
                    try manager.copyItem(atPath: source, toPath: target.path)
                }
            } else {
                try copyFolder(source, to: target.path)
            }
        }
    }

    /// Copies a folder without its `.git`.
    private func copyFolder(_ source: String, to target: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: target, withIntermediateDirectories: true)
        for entry in try manager.contentsOfDirectory(atPath: source) where entry != ".git" {
            let from = source + "/" + entry
            if Paths.isFolder(from) {
                try copyFolder(from, to: target + "/" + entry)
            } else {
                try manager.copyItem(atPath: from, toPath: target + "/" + entry)
            }
        }
    }
}
