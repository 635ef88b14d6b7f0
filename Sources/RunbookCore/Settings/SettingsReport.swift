#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `runbook config`: every setting with its effective value and where it came from.
public struct SettingsReport: Sendable {
    /// The settings shown.
    public var settings: Settings

    /// Makes a report.
    public init(_ settings: Settings) {
        self.settings = settings
    }

    /// One line per setting: key, value (or `<what happens without one>`), (source).
    public var text: String {
        let width = SettingKey.allCases.map(\.rawValue.count).max() ?? 0
        var lines: [String] = []
        for key in SettingKey.allCases {
            let setting = key.setting
            let value = settings[key]
            let name = key.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            let shown =
                setting.isList || value.string != nil
                ? Self.shown(value.values, setting) : "<\(value.note ?? "none")>"
            lines.append("\(name)  \(shown)  (\(value.source))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A value as the text report writes it: a list in brackets, else the value.
    private static func shown(_ values: [String], _ setting: Setting) -> String {
        setting.isList ? "[" + values.joined(separator: ", ") + "]" : values.first ?? ""
    }

    /// The targets of runbook.yml, each with what it sets and where (empty when there are none).
    public var targetsText: String {
        guard !settings.targets.isEmpty else { return "" }
        var lines = ["", "targets (runbook apply --target NAME; all for every one):"]
        for target in settings.targets {
            let picked = settings.target?.name == target.name ? "  (shown above)" : ""
            lines.append("  \(target.name)  (\(target.location.file):\(target.location.line))\(picked)")
            var fields: [(String, String)] = Target.settingKeys.compactMap { key in
                target.settings[key].map { (key.rawValue, Self.shown($0.values, key.setting)) }
            }
            if let limit = target.limit { fields.append(("limit", limit)) }
            for extra in target.extraVars { fields.append(("extra_vars", extra)) }
            if fields.isEmpty { lines.append("    (no settings of its own)") }
            let width = fields.map(\.0.count).max() ?? 0
            for (name, value) in fields {
                lines.append("    " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A JSON array: one object per setting with key, variable, flags, value, source, note and help.
    public var json: String {
        struct Entry: Encodable {
            var key: String
            var variable: String
            var flags: [String]
            var value: Value
            var source: String
            var isDefault: Bool
            var note: String?
            var help: String
        }
        enum Value: Encodable {
            case none
            case one(String)
            case list([String])
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .none: try container.encodeNil()
                case .one(let text): try container.encode(text)
                case .list(let items): try container.encode(items)
                }
            }
        }
        let entries = SettingKey.allCases.map { key in
            let setting = key.setting
            let value = settings[key]
            return Entry(
                key: key.rawValue, variable: setting.variable, flags: setting.flags,
                value: setting.isList ? .list(value.values) : value.string.map(Value.one) ?? .none,
                source: value.source.description, isDefault: value.source.isDefault, note: value.note,
                help: setting.help)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(entries)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
