import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ImageDefinition {
    /// A short hash of the definition files alone, shown by `runbook --version`.
    public var definitionHash: String {
        var hasher = SHA256()
        for name in files.keys.sorted() {
            let content = files[name] ?? ""
            hasher.update(data: Data("\(name)\u{0}\(content.utf8.count)\u{0}\(content)".utf8))
        }
        return hexString(hasher.finalize().prefix(8))
    }
}

extension RunbookVersion {
    /// The version line: runbook's version and the hash of the image definition it carries.
    public static var description: String {
        "\(current) (image definition \(ImageDefinition.embedded.definitionHash))"
    }
}
