#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A named target of runbook.yml's `targets:`: an account, region and part of the fleet to apply to,
/// as settings that replace the lower layers' while the target runs, plus a limit and extra variables.
///
///     targets:
///       prod-eu:
///         role_arn: arn:aws:iam::111111111111:role/deploy
///         region: eu-west-1
///         expect_account: "111111111111"
///         inventory: inventories/prod
///         limit: web
///         extra_vars: {stage: prod}
///         env: [DATADOG_API_KEY]
public struct Target: Sendable, Hashable {
    /// The name: up to 40 letters, digits, `.`, `_` and `-`, starting with a letter or digit (used in file, job
    /// and role session names).
    public var name: String
    /// Where the target's name is written in runbook.yml.
    public var location: SourceLocation
    /// The settings the target sets, each with its runbook.yml location.
    public var settings: [SettingKey: SettingValue]
    /// The target's `--limit` pattern.
    public var limit: String?
    /// The target's `-e` values, in order: a mapping becomes one YAML flow mapping ansible parses itself.
    public var extraVars: [String]

    /// The settings a target may set.
    public static let settingKeys: [SettingKey] = [.profile, .roleArn, .region, .expectAccount, .inventory, .env]
    /// Every key a target may have.
    public static let keys = settingKeys.map(\.rawValue) + ["limit", "extra_vars"]
    /// What `--target` takes to mean every target.
    public static let all = "all"

    /// Whether `name` is a usable target name.
    public static func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name != all, name.count <= 40 else { return false }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
        return first.properties.isAlphabetic || ("0"..."9").contains(Character(first))
            ? name.unicodeScalars.allSatisfy { $0.isASCII && allowed.contains($0) } : false
    }

    /// The targets `--target` names pick, in the order named (`all` is every target, in runbook.yml's order);
    /// repeats are run once.
    ///
    /// Throws a usage error (64) for a name runbook.yml does not define, with a did-you-mean.
    public static func select(_ names: [String], from targets: [Target], file: String) throws -> [Target] {
        guard !names.isEmpty else { return [] }
        guard !targets.isEmpty else {
            throw RunbookError.usage("--target \(names[0]): \(file) defines no targets (add a targets: mapping)")
        }
        if names.contains(all) { return targets }
        for name in names where !targets.contains(where: { $0.name == name }) {
            let known = targets.map(\.name)
            throw RunbookError.usage(
                "--target \(name): no such target in \(file)\(didYouMean(name, in: known)) (targets: "
                    + known.joined(separator: ", ") + ", or all)")
        }
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }.compactMap { name in targets.first { $0.name == name } }
    }
}

extension SettingsFile {
    /// Reads the `targets:` mapping of runbook.yml.
    static func targets(_ node: YAMLNode, document: YAMLDocument, path: String) throws -> [Target] {
        let node = document.resolve(node)
        if node.isNull { return [] }
        guard node.pairs != nil else {
            throw RunbookError.usage(
                "\(path):\(node.line):\(node.column): targets must be a mapping of target names to their settings, "
                    + "not \(node.typeDescription)")
        }
        var targets: [Target] = []
        for pair in document.mergedPairs(node) {
            let name = pair.key.string ?? ""
            let at = SourceLocation(file: path, line: pair.key.line, column: pair.key.column)
            guard Target.isName(name) else {
                throw RunbookError.usage(
                    "\(path):\(at.line):\(at.column): target name '\(name)' must be up to 40 letters, digits, '.', '_' or '-', "
                        + "start with a letter or digit, and not be 'all'")
            }
            if let earlier = targets.first(where: { $0.name == name }) {
                throw RunbookError.usage(
                    "\(path):\(at.line):\(at.column): target '\(name)' is defined twice (also at line "
                        + "\(earlier.location.line))")
            }
            targets.append(try target(name, at: at, pair.value, document: document, path: path))
        }
        return targets
    }

    private static func target(
        _ name: String, at: SourceLocation, _ value: YAMLNode, document: YAMLDocument, path: String
    ) throws -> Target {
        var target = Target(name: name, location: at, settings: [:], limit: nil, extraVars: [])
        let value = document.resolve(value)
        if value.isNull { return target }
        guard value.pairs != nil else {
            throw RunbookError.usage(
                "\(path):\(value.line):\(value.column): target '\(name)' must be a mapping of its settings ("
                    + Target.keys.joined(separator: ", ") + "), not \(value.typeDescription)")
        }
        for pair in document.mergedPairs(value) {
            let key = pair.key.string ?? ""
            let keyAt = SourceLocation(file: path, line: pair.key.line, column: pair.key.column)
            let item = document.resolve(pair.value)
            if item.isNull { continue }
            switch key {
            case "limit":
                guard let text = item.string, !text.isEmpty else {
                    throw RunbookError.usage(
                        "\(path):\(item.line):\(item.column): limit of target '\(name)' must be a host pattern, not "
                            + item.typeDescription)
                }
                target.limit = text
            case "extra_vars":
                target.extraVars = try extraVars(item, document: document, path: path, target: name)
            default:
                guard let setting = SettingKey(rawValue: key), Target.settingKeys.contains(setting) else {
                    throw RunbookError.usage(
                        "\(path):\(keyAt.line):\(keyAt.column): target '\(name)' cannot set '\(key)'"
                            + didYouMean(key, in: Target.keys) + " (a target sets: "
                            + Target.keys.joined(separator: ", ")
                            + ")")
                }
                guard let texts = try settingTexts(item, setting.setting, document: document, path: path) else {
                    continue
                }
                target.settings[setting] = SettingValue(values: texts, source: .target(name: name, location: keyAt))
            }
        }
        return target
    }

    /// A target's `extra_vars`: a mapping (one `-e` with the mapping in YAML flow style, so ansible types the
    /// values exactly as it would in a vars file), a string, or a list of strings (`key=value`, `@file`, JSON).
    private static func extraVars(_ node: YAMLNode, document: YAMLDocument, path: String, target: String) throws
        -> [String]
    {
        if node.pairs != nil { return [try YAMLFlow.text(node, document: document)] }
        if let text = node.string { return [text] }
        if let items = node.items {
            return try items.map(document.resolve).map { item in
                if item.pairs != nil { return try YAMLFlow.text(item, document: document) }
                guard let text = item.string else {
                    throw RunbookError.usage(
                        "\(path):\(item.line):\(item.column): items of extra_vars of target '\(target)' must be "
                            + "strings or mappings, not \(item.typeDescription)")
                }
                return text
            }
        }
        throw RunbookError.usage(
            "\(path):\(node.line):\(node.column): extra_vars of target '\(target)' must be a mapping, a string or "
                + "a list, not \(node.typeDescription)")
    }
}

/// Writes a YAML node back as YAML flow text (`{a: 1, b: "x y"}`): plain scalars that could be a number,
/// boolean or null stay plain, so the reader types them as the original file would have; everything
/// else is double-quoted.
enum YAMLFlow {
    static func text(_ node: YAMLNode, document: YAMLDocument, depth: Int = 0) throws -> String {
        guard depth < 64 else { throw RunbookError.usage("extra_vars nest too deeply (an alias loop?)") }
        let node = document.resolve(node)
        switch node.kind {
        case .scalar(let value, let plain):
            if node.tag == "!vault" {
                throw RunbookError.usage(
                    "line \(node.line): a !vault value cannot be passed as an extra variable of a target")
            }
            if node.isNull { return "null" }
            if plain && node.tag == nil && isSafePlain(value) { return value }
            return quoted(value)
        case .sequence(let items):
            return "[" + (try items.map { try text($0, document: document, depth: depth + 1) }).joined(separator: ", ")
                + "]"
        case .mapping:
            let pairs = try document.mergedPairs(node).map { pair in
                try text(pair.key, document: document, depth: depth + 1) + ": "
                    + text(pair.value, document: document, depth: depth + 1)
            }
            return "{" + pairs.joined(separator: ", ") + "}"
        case .alias:
            return "null"
        }
    }

    /// Text that reads back as the same plain scalar inside a flow collection.
    private static func isSafePlain(_ value: String) -> Bool {
        guard !value.isEmpty, value != "-" else { return false }
        return value.allSatisfy { safePlain.contains($0) }
    }

    private static let safePlain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-")

    private static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hexByte(UInt8(scalar.value), uppercase: true)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
