#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where the image's collections come from.
public enum CollectionsSource: String, Sendable, CaseIterable, Hashable {
    /// `ansible-galaxy collection install` (needs Galaxy).
    case galaxy
    /// Taken out of the `ansible` wheel from PyPI (needs only PyPI).
    case wheel
}

/// When to pull the image from its registry.
public enum PullPolicy: String, Sendable, CaseIterable, Hashable {
    /// Pull the name:tag before every ensure; build only when the pulled image is not current.
    case always
    /// Pull the content tag when no current image is present locally, then build.
    case missing
    /// Never pull; build when missing or stale.
    case never
}

/// What runbook's image is made of and how it is built, checked and typed from the settings.
public struct ImageSettings: Sendable, Hashable {
    /// The image's name and tag.
    public var reference: ImageReference
    /// The base image of both stages.
    public var baseImage: String
    /// The collections to install (namespace.name), in the user's order, without duplicates.
    public var collections: [String]
    /// Where collections come from.
    public var collectionsSource: CollectionsSource
    /// A CA bundle handed to the build stage only.
    public var caBundle: String?
    /// When to pull.
    public var pullPolicy: PullPolicy
    /// The runbook binary copied into the image (the `image_binary` setting); the running executable when nil.
    public var runbookBinary: String?
    /// What the workspace declares (requirements, Python and Debian packages, an execution environment).
    public var inputs: ImageInputs

    /// Makes settings.
    public init(
        reference: ImageReference, baseImage: String = SettingKey.defaultBaseImage,
        collections: [String] = SettingKey.defaultCollections,
        collectionsSource: CollectionsSource = .wheel, caBundle: String? = nil, pullPolicy: PullPolicy = .missing,
        runbookBinary: String? = nil, inputs: ImageInputs = ImageInputs()
    ) {
        self.reference = reference
        self.baseImage = baseImage
        self.collections = collections
        self.collectionsSource = collectionsSource
        self.caBundle = caBundle
        self.pullPolicy = pullPolicy
        self.runbookBinary = runbookBinary
        self.inputs = inputs
    }

    /// The image settings of `settings`, checked: the name is a name:tag, collections are
    /// `namespace.name`, a CA bundle or binary that was set exists, and the workspace's declarations
    /// (requirements, packages, execution environment) read. Errors name where the value came from.
    /// `ansibleCore` is the definition's pinned ansible-core.
    public init(
        _ settings: Settings, home: String, environment: [String: String] = [:],
        ansibleCore: String? = ImageDefinition.embedded.ansibleCoreVersion
    ) throws {
        let image = settings[.image]
        let tagText = image.string ?? SettingKey.defaultImage
        guard let reference = ImageReference(tagText) else {
            throw RunbookError.usage(
                "\(image.source): '\(tagText)' is not an image name:tag (e.g. \(SettingKey.defaultImage))")
        }
        let collections = settings[.collections]
        do {
            self.collections = try Self.checkCollections(collections.values)
        } catch let error as RunbookError {
            throw RunbookError.usage("\(collections.source): \(error.message)")
        }
        self.reference = reference
        self.inputs = try ImageInputs.resolve(settings, home: home, environment: environment, ansibleCore: ansibleCore)
        let eeBase = settings[.baseImage].source.isDefault ? inputs.executionEnvironment?.baseImage : nil
        self.baseImage = eeBase ?? settings.string(.baseImage) ?? SettingKey.defaultBaseImage
        self.collectionsSource = settings.string(.collectionsSource).flatMap(CollectionsSource.init) ?? .wheel
        self.pullPolicy = settings.string(.pullPolicy).flatMap(PullPolicy.init) ?? .missing
        let caBundle = settings.path(.caBundle, home: home)
        if let caBundle, !settings[.caBundle].source.isDefault, !FileManager.default.isReadableFile(atPath: caBundle) {
            throw RunbookError.noInput(
                "CA bundle '\(caBundle)' (\(settings[.caBundle].source)) does not exist or cannot be read")
        }
        self.caBundle = caBundle
        let binary = settings.path(.imageBinary, home: home)
        if let binary, !settings[.imageBinary].source.isDefault, !FileManager.default.isExecutableFile(atPath: binary) {
            throw RunbookError.noInput(
                "runbook binary '\(binary)' (\(settings[.imageBinary].source)) does not exist or is not executable")
        }
        self.runbookBinary = binary
    }

    /// Checks each name is `namespace.name` and drops repeats, keeping the user's order.
    public static func checkCollections(_ given: [String]) throws -> [String] {
        var names: [String] = []
        for name in given {
            let pieces = name.split(separator: ".", omittingEmptySubsequences: false)
            let valid =
                pieces.count == 2
                && pieces.allSatisfy { piece in
                    !piece.isEmpty && piece.first?.isNumber == false
                        && piece.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
                }
            guard valid else {
                throw RunbookError.usage("'\(name)' is not a collection name (namespace.name, e.g. amazon.aws)")
            }
            if !names.contains(name) { names.append(name) }
        }
        guard !names.isEmpty else { throw RunbookError.usage("the collections list is empty") }
        return names
    }
}
