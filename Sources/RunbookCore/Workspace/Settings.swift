import Foundation

/// One runbook setting: its runbook.yml key, its `RUNBOOK_*` variable, its type and default.
public struct SettingKey: Sendable, Hashable {
    /// The value's shape.
    public enum Kind: Sendable, Hashable {
        case string
        /// A list: a YAML sequence in runbook.yml, space- or comma-separated in a variable or flag.
        case list
    }

    /// The key in runbook.yml.
    public var key: String
    /// The environment variable.
    public var variable: String
    /// The value's shape.
    public var kind: Kind
    /// The built-in default, if any.
    public var defaultValue: [String]?
    /// What the setting does.
    public var help: String

    /// Every setting runbook knows.
    public static let all: [SettingKey] = [
        SettingKey(
            key: "image", variable: "RUNBOOK_IMAGE", kind: .string, defaultValue: ["runbook/ansible-aws:release"],
            help: "image name:tag to build, run and push"),
        SettingKey(
            key: "base_image", variable: "RUNBOOK_BASE_IMAGE", kind: .string, defaultValue: nil,
            help: "base image of the build (a Debian-based Python image)"),
        SettingKey(
            key: "collections", variable: "RUNBOOK_COLLECTIONS", kind: .list,
            defaultValue: ["amazon.aws", "community.aws", "community.general"],
            help: "Ansible collections installed in the image"),
        SettingKey(
            key: "collections_source", variable: "RUNBOOK_COLLECTIONS_SOURCE", kind: .string, defaultValue: nil,
            help: "where collections come from: galaxy or wheel"),
        SettingKey(
            key: "engine", variable: "RUNBOOK_ENGINE", kind: .string, defaultValue: nil,
            help: "container engine: docker or podman (default: the first whose daemon answers)"),
        SettingKey(
            key: "engine_options", variable: "RUNBOOK_ENGINE_OPTIONS", kind: .list, defaultValue: [],
            help: "extra options for the engine's build and run (e.g. --ulimit nofile=20000:20000)"),
        SettingKey(
            key: "network", variable: "RUNBOOK_NETWORK", kind: .string, defaultValue: nil,
            help: "network mode for builds and runs (e.g. host)"),
        SettingKey(
            key: "ca_bundle", variable: "RUNBOOK_CA_BUNDLE", kind: .string, defaultValue: nil,
            help: "CA bundle handed to the image build stage (for TLS-intercepting proxies)"),
        SettingKey(
            key: "env", variable: "RUNBOOK_ENV", kind: .list, defaultValue: [],
            help: "names of environment variables passed through to the container"),
        SettingKey(
            key: "inventory", variable: "RUNBOOK_INVENTORY", kind: .list, defaultValue: nil,
            help: "default inventory (default: Inventory/ when present)"),
        SettingKey(
            key: "expect_account", variable: "RUNBOOK_EXPECT_ACCOUNT", kind: .string, defaultValue: nil,
            help: "AWS account id the credentials must belong to"),
        SettingKey(
            key: "profile", variable: "RUNBOOK_PROFILE", kind: .string, defaultValue: nil,
            help: "AWS profile to use (AWS_PROFILE also works)"),
        SettingKey(
            key: "pull_policy", variable: "RUNBOOK_PULL_POLICY", kind: .string, defaultValue: nil,
            help: "when to pull the image: always, missing or never"),
    ]

    /// The setting with a runbook.yml key.
    public static func named(_ key: String) -> SettingKey? { all.first { $0.key == key } }
}

/// Where a setting's effective value came from.
public enum SettingSource: Sendable, Hashable, CustomStringConvertible {
    case flag(String)
    case environment(String)
    case file(SourceLocation)
    case builtIn

    public var description: String {
        switch self {
        case .flag(let name): return "flag \(name)"
        case .environment(let name): return "environment \(name)"
        case .file(let location): return "\(location.file):\(location.line)"
        case .builtIn: return "default"
        }
    }
}

/// A setting's effective value and its source.
public struct SettingValue: Sendable, Hashable {
    /// The value; a single element for string settings.
    public var values: [String]
    /// Where it came from.
    public var source: SettingSource

    /// The first value, for string settings.
    public var string: String? { values.first }
}

/// The effective settings: flags > `RUNBOOK_*` environment > runbook.yml > built-in defaults.
public struct Settings: Sendable {
    /// The file name at the workspace root.
    public static let fileName = "runbook.yml"

    private var file: [String: SettingValue]
    private var environment: [String: String]

    /// Reads `runbook.yml` from the workspace (when present) and takes `environment` for `RUNBOOK_*`.
    ///
    /// Throws a usage error (64) naming file:line for unknown keys, wrong types and bad YAML.
    public init(workspace: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        self.file = try Self.readFile(workspace + "/" + Self.fileName)
    }

    /// Makes settings from already-known file values (for tests).
    public init(fileValues: [String: SettingValue] = [:], environment: [String: String] = [:]) {
        self.file = fileValues
        self.environment = environment
    }

    /// The effective value of `key`, given a flag's value when one was passed.
    public func value(_ key: String, flag: String? = nil, flagName: String? = nil) -> SettingValue? {
        guard let setting = SettingKey.named(key) else { return nil }
        if let flag {
            return SettingValue(values: split(flag, setting.kind), source: .flag(flagName ?? "--" + key))
        }
        if let variable = environment[setting.variable], !variable.isEmpty {
            return SettingValue(values: split(variable, setting.kind), source: .environment(setting.variable))
        }
        if let value = file[key] { return value }
        return setting.defaultValue.map { SettingValue(values: $0, source: .builtIn) }
    }

    /// The environment with runbook.yml's values added as their `RUNBOOK_*` variables where the
    /// environment does not set them, so code that reads variables sees flags > env > file > defaults
    /// (flags are applied by the caller on top).
    public var layeredEnvironment: [String: String] {
        var layered = environment
        for setting in SettingKey.all where (layered[setting.variable] ?? "").isEmpty {
            if let value = file[setting.key] {
                layered[setting.variable] = value.values.joined(separator: setting.kind == .list ? " " : "")
            }
        }
        return layered
    }

    /// The effective string value of `key`.
    public func string(_ key: String, flag: String? = nil) -> String? { value(key, flag: flag)?.string }

    /// The effective list value of `key` (empty when unset).
    public func list(_ key: String, flag: String? = nil) -> [String] { value(key, flag: flag)?.values ?? [] }

    private func split(_ text: String, _ kind: SettingKey.Kind) -> [String] {
        switch kind {
        case .string: return [text]
        case .list:
            return text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
        }
    }

    private static func readFile(_ path: String) throws -> [String: SettingValue] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let loaded = YAMLLoader().load(path: path)
        if let error = loaded.diagnostics.first(where: { $0.severity == .error }) {
            throw RunbookError.usage("\(path):\(error.location.line):\(error.location.column): \(error.message)")
        }
        guard let document = loaded.document, let root = document.root else { return [:] }
        guard let pairs = root.pairs else {
            throw RunbookError.usage("\(path):\(root.line):\(root.column): runbook.yml must be a mapping of settings")
        }
        var values: [String: SettingValue] = [:]
        for pair in pairs {
            let key = pair.key.string ?? ""
            let at = SourceLocation(file: path, line: pair.key.line, column: pair.key.column)
            guard let setting = SettingKey.named(key) else {
                let known = SettingKey.all.map(\.key)
                let hint = didYouMean(key, in: known)
                throw RunbookError.usage(
                    "\(path):\(at.line):\(at.column): unknown setting '\(key)'\(hint) (known: "
                        + known.joined(separator: ", ") + ")")
            }
            let value = document.resolve(pair.value)
            if value.isNull { continue }
            switch setting.kind {
            case .string:
                guard let text = value.string else {
                    throw RunbookError.usage(
                        "\(path):\(value.line):\(value.column): setting '\(key)' must be a string, not "
                            + value.typeDescription)
                }
                values[key] = SettingValue(values: [text], source: .file(at))
            case .list:
                if let text = value.string {
                    values[key] = SettingValue(values: [text], source: .file(at))
                    continue
                }
                guard let items = value.items else {
                    throw RunbookError.usage(
                        "\(path):\(value.line):\(value.column): setting '\(key)' must be a list, not "
                            + value.typeDescription)
                }
                var list: [String] = []
                for item in items.map(document.resolve) {
                    guard let text = item.string else {
                        throw RunbookError.usage(
                            "\(path):\(item.line):\(item.column): items of '\(key)' must be strings, not "
                                + item.typeDescription)
                    }
                    list.append(text)
                }
                values[key] = SettingValue(values: list, source: .file(at))
            }
        }
        return values
    }
}
