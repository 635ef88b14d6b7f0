import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
            let path = Paths.appending(name, to: directory)
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
        /// The roles installed from requirements and their versions.
        public static let roles = "dev.runbook.roles"
        /// Each input's digest, so `image status` can say which input changed.
        public static let inputs = "dev.runbook.inputs"
    }

    /// Where the image keeps its collections' versions as JSON.
    public static let collectionVersionsPath = "/opt/runbook/collections/collections.json"
    /// Where the image keeps the versions of the roles installed from requirements, as JSON.
    public static let roleVersionsPath = "/opt/runbook/roles.json"

    /// The ansible-core version pinned in requirements.txt, when pinned with `==`.
    public var ansibleCoreVersion: String? {
        for line in (files["requirements.txt"] ?? "").split(separator: "\n") {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let text = code.filter { !$0.isWhitespace }
            if text.hasPrefix("ansible-core==") { return String(text.dropFirst("ansible-core==".count)) }
        }
        return nil
    }

    /// The inputs that make the image's content, each with a digest (12 hex digits): the definition
    /// files, base image, collections and their source, the workspace's requirements, Python, system and
    /// build packages, and runbook's version — not the CA bundle, Galaxy tokens, network or engine, which
    /// do not change what ends up in the image. Named by the settings that set them.
    public func inputDigests(_ settings: ImageSettings, runbookVersion: String = RunbookVersion.current)
        -> [(name: String, digest: String)]
    {
        func digest(_ parts: [String]) -> String {
            var hasher = SHA256()
            for part in parts { hasher.update(data: Data("\(part.utf8.count)\u{0}\(part)\u{0}".utf8)) }
            return hexString(hasher.finalize().prefix(6))
        }
        let inputs = settings.inputs
        return [
            ("image_definition", digest(files.keys.sorted().flatMap { [$0, files[$0] ?? ""] })),
            ("base_image", digest([settings.baseImage])),
            ("collections", digest(settings.collections.sorted())),
            ("collections_source", digest([settings.collectionsSource.rawValue])),
            ("requirements", digest([inputs.requirementsDigestText])),
            ("python_packages", digest([inputs.pythonDigestText])),
            ("system_packages", digest(inputs.systemPackageNames)),
            ("build_packages", digest(inputs.buildPackageNames)),
            ("runbook_version", digest([runbookVersion])),
        ]
    }

    /// The hash that names the image's content: SHA-256 over the format and every input's digest.
    public func contentHash(_ settings: ImageSettings, runbookVersion: String = RunbookVersion.current) -> String {
        var hasher = SHA256()
        func add(_ field: String, _ value: String) {
            hasher.update(data: Data("\(field)\u{0}\(value.utf8.count)\u{0}\(value)\u{0}".utf8))
        }
        // 2: apply runs `runbook exec-playbook` in the container, which older runbooks in an image lack;
        // 3: and passes it `--slice`; 4: workspace declarations (requirements, packages) and per-input digests.
        add("format", "runbook-image/4")
        for (name, digest) in inputDigests(settings, runbookVersion: runbookVersion) { add(name, digest) }
        return hexString(hasher.finalize())
    }

    /// The `dev.runbook.inputs` label's text: `name=digest` for each input.
    public func inputsLabel(_ settings: ImageSettings) -> String {
        inputDigests(settings).map { "\($0.name)=\($0.digest)" }.joined(separator: " ")
    }

    /// The inputs whose digest differs from those an image's `dev.runbook.inputs` label recorded; nil
    /// when the image has no such label (built by an older runbook or not by runbook).
    public func changedInputs(_ settings: ImageSettings, label: String?) -> [String]? {
        guard let label, !label.isEmpty else { return nil }
        var recorded: [String: String] = [:]
        for pair in label.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { recorded[parts[0]] = parts[1] }
        }
        return inputDigests(settings).filter { recorded[$0.name] != $0.digest }.map(\.name)
    }

    /// The tag an image with this content hash carries beside the user's: `content-` and 16 hex digits.
    public static func contentTag(_ hash: String) -> String { "content-" + hash.prefix(16) }

    /// The build arguments for these settings.
    public func buildArguments(_ settings: ImageSettings) -> [String: String] {
        [
            "BASE_IMAGE": settings.baseImage,
            "COLLECTIONS_SOURCE": settings.collectionsSource.rawValue,
            "SYSTEM_PACKAGES": settings.inputs.systemPackageNames.joined(separator: " "),
            "BUILD_PACKAGES": settings.inputs.buildPackageNames.joined(separator: " "),
        ]
    }

    /// The labels known before the build (collection versions are stamped on after it).
    public func labels(_ settings: ImageSettings, hash: String) -> [String: String] {
        var labels = [
            Label.contentHash: hash,
            Label.runbookVersion: RunbookVersion.current,
            Label.baseImage: settings.baseImage,
            Label.collectionsSource: settings.collectionsSource.rawValue,
            Label.inputs: inputsLabel(settings),
            "org.opencontainers.image.title": "runbook ansible-aws",
        ]
        if let core = ansibleCoreVersion { labels[Label.ansibleCore] = core }
        return labels
    }

    /// Writes the build context into `directory`: the definition files, the CA bundle (an empty file
    /// when none is given), the workspace's declarations (`workspace/plan.json`, the local artifacts it
    /// names under `workspace/files/`, `python-packages.txt`), the build stage's Galaxy variables
    /// (`build-secrets.env`, mode 0600, empty when none) and the runbook binary.
    public func writeContext(to directory: URL, settings: ImageSettings, runbookBinary: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, content) in files {
            try Data(content.utf8).write(to: directory.appendingPathComponent(name))
        }
        let bundle = directory.appendingPathComponent("ca-bundle.crt")
        if let caBundle = settings.caBundle {
            try Data(contentsOf: URL(fileURLWithPath: caBundle)).write(to: bundle)
        } else {
            try Data().write(to: bundle)
        }
        try BuildContextPlan(settings: settings).write(to: directory.appendingPathComponent("workspace"))
        let python = settings.inputs.pythonPackages.map { $0.text + "\n" }.joined()
        try Data(python.utf8).write(to: directory.appendingPathComponent("python-packages.txt"))
        let secrets = directory.appendingPathComponent("build-secrets.env")
        _ = manager.createFile(atPath: secrets.path, contents: nil, attributes: [.posixPermissions: 0o600])
        let exports = settings.inputs.buildEnvironment.keys.sorted().map { name in
            "export \(name)='\(settings.inputs.buildEnvironment[name, default: ""].replacingOccurrences(of: "'", with: "'\\''"))'\n"
        }
        try Data(exports.joined().utf8).write(to: secrets)
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
