import Foundation

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

/// What runbook's image is made of and how it is built: every flag and `RUNBOOK_*` variable of `runbook image`.
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
    /// The runbook binary copied into the image; the running executable when nil.
    public var runbookBinary: String?

    /// The default name:tag.
    public static let defaultReference = "runbook/ansible-aws:release"
    /// The default base image.
    public static let defaultBaseImage = "python:3.11-slim-bookworm"
    /// The default collections.
    public static let defaultCollections = ["amazon.aws", "community.aws", "community.general"]

    /// Makes settings.
    public init(
        reference: ImageReference, baseImage: String = ImageSettings.defaultBaseImage,
        collections: [String] = ImageSettings.defaultCollections, collectionsSource: CollectionsSource = .wheel,
        caBundle: String? = nil, pullPolicy: PullPolicy = .missing, runbookBinary: String? = nil
    ) {
        self.reference = reference
        self.baseImage = baseImage
        self.collections = collections
        self.collectionsSource = collectionsSource
        self.caBundle = caBundle
        self.pullPolicy = pullPolicy
        self.runbookBinary = runbookBinary
    }

    /// The values as given on the command line (nil: not given).
    public struct Flags: Sendable, Hashable {
        public var tag: String?
        public var baseImage: String?
        public var collections: String?
        public var collectionsSource: String?
        public var caBundle: String?
        public var pullPolicy: String?
        public var runbookBinary: String?

        /// Makes flags.
        public init(
            tag: String? = nil, baseImage: String? = nil, collections: String? = nil,
            collectionsSource: String? = nil, caBundle: String? = nil, pullPolicy: String? = nil,
            runbookBinary: String? = nil
        ) {
            self.tag = tag
            self.baseImage = baseImage
            self.collections = collections
            self.collectionsSource = collectionsSource
            self.caBundle = caBundle
            self.pullPolicy = pullPolicy
            self.runbookBinary = runbookBinary
        }
    }

    /// Resolves each setting from its flag, else its `RUNBOOK_*` variable, else the default; throws `.usage` for bad values.
    public static func resolve(_ flags: Flags, environment: [String: String]) throws -> ImageSettings {
        func value(_ flag: String?, _ name: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let env = environment[name], !env.isEmpty { return env }
            return nil
        }
        let tagText = value(flags.tag, "RUNBOOK_IMAGE") ?? defaultReference
        guard let reference = ImageReference(tagText) else {
            throw RunbookError.usage("'\(tagText)' is not an image name:tag (e.g. \(defaultReference))")
        }
        let collections =
            try value(flags.collections, "RUNBOOK_COLLECTIONS").map(parseCollections)
            ?? defaultCollections
        let sourceText = value(flags.collectionsSource, "RUNBOOK_COLLECTIONS_SOURCE") ?? "wheel"
        guard let source = CollectionsSource(rawValue: sourceText) else {
            throw RunbookError.usage("collections source '\(sourceText)' is not one of: galaxy, wheel")
        }
        let policyText = value(flags.pullPolicy, "RUNBOOK_PULL_POLICY") ?? "missing"
        guard let policy = PullPolicy(rawValue: policyText) else {
            throw RunbookError.usage("pull policy '\(policyText)' is not one of: always, missing, never")
        }
        var caBundle = value(flags.caBundle, "RUNBOOK_CA_BUNDLE")
        if let caBundle, !FileManager.default.isReadableFile(atPath: caBundle) {
            throw RunbookError.noInput("CA bundle '\(caBundle)' does not exist or cannot be read")
        }
        if caBundle == nil { caBundle = hostCABundle(environment) }
        let binary = value(flags.runbookBinary, "RUNBOOK_IMAGE_BINARY")
        if let binary, !FileManager.default.isExecutableFile(atPath: binary) {
            throw RunbookError.noInput("runbook binary '\(binary)' does not exist or is not executable")
        }
        return ImageSettings(
            reference: reference, baseImage: value(flags.baseImage, "RUNBOOK_BASE_IMAGE") ?? defaultBaseImage,
            collections: collections, collectionsSource: source, caBundle: caBundle, pullPolicy: policy,
            runbookBinary: binary)
    }

    /// Variables naming the CA bundle the host's pip and Python trust, in the order pip reads them.
    public static let hostCABundleVariables = ["PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"]

    /// The system CA bundles looked for after the variables (Debian/Ubuntu, Fedora/RHEL, Alpine/macOS).
    public static let systemCABundles = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem",
    ]

    /// The CA bundle the host trusts: the first readable file named by `hostCABundleVariables` (what
    /// the host's pip uses), else the first readable system bundle. Behind a TLS-intercepting proxy the
    /// build stage then trusts what the host trusts, with nothing to set; it never reaches the final image.
    public static func hostCABundle(_ environment: [String: String], systemBundles: [String] = systemCABundles)
        -> String?
    {
        (hostCABundleVariables.compactMap { environment[$0] } + systemBundles)
            .first { !$0.isEmpty && FileManager.default.isReadableFile(atPath: $0) }
    }

    /// Splits a space- or comma-separated list of collection names, checking each is `namespace.name`.
    public static func parseCollections(_ text: String) throws -> [String] {
        var names: [String] = []
        for part in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            let name = String(part)
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
