import Crypto
import Foundation

/// The files runbook builds its image from (a multi-stage Dockerfile and its inputs), embedded into the binary.
public struct ImageDefinition: Sendable, Hashable {
    /// File name → content.
    public var files: [String: String]

    /// Makes a definition from its files.
    public init(files: [String: String]) {
        self.files = files
    }

    /// The definition this runbook carries (the files under Resources/image/ at build time).
    public static let embedded = ImageDefinition(files: embeddedFiles)

    /// A definition read from a folder holding the same files (a customised copy of Resources/image/).
    public static func load(from directory: String) throws -> ImageDefinition {
        var files: [String: String] = [:]
        for name in embeddedFiles.keys {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RunbookError.noInput("image definition folder \(directory) has no readable \(name)")
            }
            files[name] = text
        }
        return ImageDefinition(files: files)
    }

    /// The label keys runbook writes.
    public enum Label {
        /// The content hash the image was built from.
        public static let contentHash = "dev.runbook.content-hash"
        /// runbook's version.
        public static let runbookVersion = "dev.runbook.version"
        /// The base image.
        public static let baseImage = "dev.runbook.base-image"
        /// ansible-core's version.
        public static let ansibleCore = "dev.runbook.ansible-core"
        /// Where the collections came from.
        public static let collectionsSource = "dev.runbook.collections-source"
        /// The collections and their versions: `amazon.aws=10.1.2 community.aws=10.0.0`.
        public static let collections = "dev.runbook.collections"
    }

    /// Where the image keeps its collections' versions as JSON.
    public static let collectionVersionsPath = "/opt/runbook/collections/collections.json"

    /// The ansible-core version pinned in requirements.txt, when pinned with `==`.
    public var ansibleCoreVersion: String? {
        for line in (files["requirements.txt"] ?? "").split(separator: "\n") {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let text = code.filter { !$0.isWhitespace }
            if text.hasPrefix("ansible-core==") { return String(text.dropFirst("ansible-core==".count)) }
        }
        return nil
    }

    /// The hash that names the image's content: the definition files, base image, collections,
    /// collections source and runbook's version (not the CA bundle, network or engine, which do not
    /// change what ends up in the image).
    public func contentHash(_ settings: ImageSettings, runbookVersion: String = RunbookVersion.current) -> String {
        var hasher = SHA256()
        func add(_ field: String, _ value: String) {
            hasher.update(data: Data("\(field)\u{0}\(value.utf8.count)\u{0}\(value)\u{0}".utf8))
        }
        // 2: apply runs `runbook exec-playbook` in the container, which older runbooks in an image lack;
        // 3: and passes it `--slice`.
        add("format", "runbook-image/3")
        for name in files.keys.sorted() { add("file:\(name)", files[name] ?? "") }
        add("base-image", settings.baseImage)
        add("collections", settings.collections.sorted().joined(separator: " "))
        add("collections-source", settings.collectionsSource.rawValue)
        add("runbook-version", runbookVersion)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The tag an image with this content hash carries beside the user's: `content-` and 16 hex digits.
    public static func contentTag(_ hash: String) -> String { "content-" + hash.prefix(16) }

    /// The build arguments for these settings.
    public func buildArguments(_ settings: ImageSettings) -> [String: String] {
        [
            "BASE_IMAGE": settings.baseImage,
            "COLLECTIONS": settings.collections.joined(separator: " "),
            "COLLECTIONS_SOURCE": settings.collectionsSource.rawValue,
        ]
    }

    /// The labels known before the build (collection versions are stamped on after it).
    public func labels(_ settings: ImageSettings, hash: String) -> [String: String] {
        var labels = [
            Label.contentHash: hash,
            Label.runbookVersion: RunbookVersion.current,
            Label.baseImage: settings.baseImage,
            Label.collectionsSource: settings.collectionsSource.rawValue,
            "org.opencontainers.image.title": "runbook ansible-aws",
        ]
        if let core = ansibleCoreVersion { labels[Label.ansibleCore] = core }
        return labels
    }

    /// Writes the build context into `directory`: the definition files, the CA bundle (an empty file
    /// when none is given) and the runbook binary.
    public func writeContext(to directory: URL, caBundle: String?, runbookBinary: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, content) in files {
            try Data(content.utf8).write(to: directory.appendingPathComponent(name))
        }
        let bundle = directory.appendingPathComponent("ca-bundle.crt")
        if let caBundle {
            try Data(contentsOf: URL(fileURLWithPath: caBundle)).write(to: bundle)
        } else {
            try Data().write(to: bundle)
        }
        let binary = directory.appendingPathComponent("runbook")
        try? manager.removeItem(at: binary)
        // A hard link when on the same file system; a copy otherwise.
        do {
            try manager.linkItem(atPath: runbookBinary, toPath: binary.path)
        } catch {
            try manager.copyItem(atPath: runbookBinary, toPath: binary.path)
        }
    }
}
