import Foundation

/// Reads runbook.yml: a mapping of setting keys, each checked against the settings table.
enum SettingsFile {
    /// The values the file sets, each with the location of its key; empty when there is no file.
    ///
    /// Throws a usage error (64) with file:line:col for bad YAML, unknown keys (with a did-you-mean),
    /// wrong types and bad values.
    static func read(_ path: String) throws -> [SettingKey: SettingValue] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let loaded = YAMLLoader().load(path: path)
        if let error = loaded.diagnostics.first(where: { $0.severity == .error }) {
            throw RunbookError.usage("\(path):\(error.location.line):\(error.location.column): \(error.message)")
        }
        guard let document = loaded.document, let root = document.root else { return [:] }
        guard let pairs = root.pairs else {
            throw RunbookError.usage("\(path):\(root.line):\(root.column): runbook.yml must be a mapping of settings")
        }
        let known = SettingKey.allCases.filter(\.setting.inFile).map(\.rawValue)
        var values: [SettingKey: SettingValue] = [:]
        for pair in pairs {
            let name = pair.key.string ?? ""
            let at = SourceLocation(file: path, line: pair.key.line, column: pair.key.column)
            guard let key = SettingKey(rawValue: name), key.setting.inFile else {
                throw RunbookError.usage(
                    "\(path):\(at.line):\(at.column): unknown setting '\(name)'\(didYouMean(name, in: known)) (known: "
                        + known.joined(separator: ", ") + ")")
            }
            let setting = key.setting
            let value = document.resolve(pair.value)
            if value.isNull { continue }
            let place = "\(path):\(value.line):\(value.column)"
            var texts: [String]
            if let text = scalarText(value) {
                texts = setting.isList ? Settings.split(text, setting.kind, fromVariable: true) : [text]
            } else if setting.isList, let items = value.items {
                texts = []
                for item in items.map(document.resolve) {
                    guard let text = scalarText(item) else {
                        throw RunbookError.usage(
                            "\(path):\(item.line):\(item.column): items of '\(name)' must be strings, not "
                                + item.typeDescription)
                    }
                    texts.append(text)
                }
            } else {
                let wanted = setting.isList ? "a list" : setting.kind == .bool ? "true or false" : "a string"
                throw RunbookError.usage("\(place): setting '\(name)' must be \(wanted), not " + value.typeDescription)
            }
            texts = try Settings.check(texts, setting, at: place)
            values[key] = SettingValue(values: texts, source: .file(at))
        }
        return values
    }

    /// A scalar's text (YAML booleans and numbers as written).
    private static func scalarText(_ node: YAMLNode) -> String? {
        node.string
    }
}
