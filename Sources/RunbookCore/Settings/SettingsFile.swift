#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads runbook.yml: a mapping of setting keys, each checked against the settings table, and `targets:`.
enum SettingsFile {
    /// What runbook.yml holds.
    struct Contents: Sendable {
        /// The values the file sets, each with the location of its key.
        var values: [SettingKey: SettingValue] = [:]
        /// The named targets, in the order written.
        var targets: [Target] = []
    }

    /// The key of the targets mapping.
    static let targetsKey = "targets"

    /// The file's settings and targets; empty when there is no file.
    ///
    /// Throws a usage error (64) with file:line:col for bad YAML, unknown keys (with a did-you-mean),
    /// wrong types and bad values.
    static func read(_ path: String) throws -> Contents {
        guard FileManager.default.fileExists(atPath: path) else { return Contents() }
        let loaded = YAMLLoader().load(path: path)
        if let error = loaded.diagnostics.first(where: { $0.severity == .error }) {
            throw RunbookError.usage("\(path):\(error.location.line):\(error.location.column): \(error.message)")
        }
        guard let document = loaded.document, let root = document.root else { return Contents() }
        guard root.pairs != nil else {
            throw RunbookError.usage("\(path):\(root.line):\(root.column): runbook.yml must be a mapping of settings")
        }
        let known = SettingKey.allCases.filter(\.setting.inFile).map(\.rawValue) + [targetsKey]
        var contents = Contents()
        for pair in document.mergedPairs(root) {
            let name = pair.key.string ?? ""
            let at = SourceLocation(file: path, line: pair.key.line, column: pair.key.column)
            if name == targetsKey {
                contents.targets = try targets(pair.value, document: document, path: path)
                continue
            }
            guard let key = SettingKey(rawValue: name), key.setting.inFile else {
                throw RunbookError.usage(
                    "\(path):\(at.line):\(at.column): unknown setting '\(name)'\(didYouMean(name, in: known)) (known: "
                        + known.joined(separator: ", ") + ")")
            }
            guard let texts = try settingTexts(pair.value, key.setting, document: document, path: path) else {
                continue
            }
            contents.values[key] = SettingValue(values: texts, source: .file(at))
        }
        return contents
    }

    /// A setting's values as written at `node`, checked against its kind; nil for a null value.
    static func settingTexts(_ node: YAMLNode, _ setting: Setting, document: YAMLDocument, path: String) throws
        -> [String]?
    {
        let value = document.resolve(node)
        if value.isNull { return nil }
        let place = "\(path):\(value.line):\(value.column)"
        var texts: [String]
        if let text = value.string {
            texts = setting.isList ? Settings.split(text, setting.kind, fromVariable: true) : [text]
        } else if setting.isList, let items = value.items {
            texts = []
            for item in items.map(document.resolve) {
                guard let text = item.string else {
                    throw RunbookError.usage(
                        "\(path):\(item.line):\(item.column): items of '\(setting.name)' must be strings, not "
                            + item.typeDescription)
                }
                texts.append(text)
            }
        } else {
            let wanted = setting.isList ? "a list" : setting.kind == .bool ? "true or false" : "a string"
            throw RunbookError.usage(
                "\(place): setting '\(setting.name)' must be \(wanted), not " + value.typeDescription)
        }
        return try Settings.check(texts, setting, at: place)
    }
}
