#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a setting's effective value came from.
public indirect enum SettingSource: Sendable, Hashable, CustomStringConvertible {
    /// A command-line flag.
    case flag(String)
    /// A `RUNBOOK_*` variable.
    case environment(String)
    /// runbook.yml, at the key.
    case file(SourceLocation)
    /// A target of runbook.yml (`--target NAME`), at the key.
    case target(name: String, location: SourceLocation)
    /// A flag's values added to another layer's (`--env` over the `env` setting).
    case added(flag: String, to: SettingSource)
    /// The built-in default.
    case builtIn
    /// A default worked out from the workspace or environment, and how.
    case computed(String)

    public var description: String {
        switch self {
        case .flag(let name): "flag \(name)"
        case .environment(let name): "environment \(name)"
        case .file(let location): "\(location.file):\(location.line)"
        case .target(let name, let location): "target \(name), \(location.file):\(location.line)"
        case .added(let flag, let lower): "flag \(flag) + \(lower)"
        case .builtIn: "default"
        case .computed(let how): "default: \(how)"
        }
    }

    /// Whether the value is a default (nothing set it).
    public var isDefault: Bool {
        switch self {
        case .builtIn, .computed: true
        case .flag, .environment, .file, .target, .added: false
        }
    }

    /// Paths in values from here are relative to the workspace (runbook.yml) or the current directory.
    fileprivate var relativeToWorkspace: Bool {
        switch self {
        case .file, .target, .builtIn, .computed: true
        case .flag, .environment: false
        case .added(_, let lower): lower.relativeToWorkspace
        }
    }
}

/// A setting's effective value and its source.
public struct SettingValue: Sendable, Hashable {
    /// The value: one element for single-valued kinds, none when nothing is set.
    public var values: [String]
    /// Where it came from.
    public var source: SettingSource
    /// For a computed default without a value: what happens instead.
    public var note: String?

    /// Makes a value.
    public init(values: [String], source: SettingSource, note: String? = nil) {
        self.values = values
        self.source = source
        self.note = note
    }

    /// The first value, for single-valued settings.
    public var string: String? { values.first }
}

/// The values given on the command line, by setting (a flag not given is simply absent).
public struct SettingFlags: Sendable {
    fileprivate var given: [SettingKey: (values: [String], flag: String)] = [:]

    /// No flags.
    public init() {}

    /// Records a single-valued flag; nil or empty means not given.
    public mutating func set(_ key: SettingKey, _ value: String?, flag: String) {
        guard let value, !value.isEmpty else { return }
        given[key] = ([value], flag)
    }

    /// Records a repeatable flag's values; none means not given.
    public mutating func set(_ key: SettingKey, _ values: [String], flag: String) {
        guard !values.isEmpty else { return }
        given[key] = (values, flag)
    }
}

/// The effective settings of one command: flags > the target (`--target`) > `RUNBOOK_*` environment >
/// runbook.yml > defaults. A target's `env` adds to the lower layers' names, as `--env` does.
///
/// Every value is checked when resolved (choices, booleans, list items), so a bad value fails every
/// command at once with the place that set it. Nothing else in runbook reads `RUNBOOK_*` variables.
public struct Settings: Sendable {
    /// The file name at the workspace root.
    public static let fileName = "runbook.yml"

    /// The workspace's absolute path.
    public let workspace: String
    /// The directory relative flag and variable paths are resolved against.
    public let currentDirectory: String
    /// The targets runbook.yml defines, in the order written.
    public let targets: [Target]
    /// The target these settings are for, when one was picked.
    public let target: Target?
    private let resolved: [SettingKey: SettingValue]
    private let environment: [String: String]
    private let file: [SettingKey: SettingValue]
    private let flags: SettingFlags

    /// Resolves every setting from `flags`, `environment`, the workspace's runbook.yml and the defaults.
    ///
    /// Throws a usage error (64) naming the flag, variable or runbook.yml:line:col of a bad value.
    public init(
        workspace: String, currentDirectory: String? = nil, environment: [String: String],
        flags: SettingFlags = SettingFlags()
    ) throws {
        let contents = try SettingsFile.read(workspace + "/" + Self.fileName)
        try self.init(
            workspace: workspace, currentDirectory: currentDirectory, environment: environment, file: contents.values,
            targets: contents.targets, flags: flags)
    }

    /// Resolves from already-read runbook.yml values (for tests).
    public init(
        workspace: String, currentDirectory: String? = nil, environment: [String: String],
        file: [SettingKey: SettingValue], targets: [Target] = [], target: Target? = nil,
        flags: SettingFlags = SettingFlags()
    ) throws {
        self.workspace = workspace
        self.currentDirectory = currentDirectory ?? workspace
        self.targets = targets
        self.target = target
        self.environment = environment
        self.file = file
        self.flags = flags
        let inputs = SettingInputs(workspace: workspace, environment: environment)
        var resolved: [SettingKey: SettingValue] = [:]
        for key in SettingKey.allCases {
            let setting = key.setting
            var lower: SettingValue?
            if let text = environment[setting.variable], !text.isEmpty {
                lower = SettingValue(
                    values: try Self.check(
                        Self.split(text, setting.kind, fromVariable: true), setting,
                        at: "\(setting.variable)=\(text)"),
                    source: .environment(setting.variable))
            } else if let value = file[key] {
                lower = value
            }
            if let value = target?.settings[key] {
                if setting.flagsAdd, let below = lower {
                    lower = SettingValue(values: Self.adding(value.values, to: below.values), source: value.source)
                } else {
                    lower = value
                }
            }
            var value = lower ?? Self.defaultValue(setting, inputs)
            if let (values, flag) = flags.given[key] {
                let split = try Self.check(
                    values.flatMap { Self.split($0, setting.kind, fromVariable: false) }, setting, at: flag)
                if setting.flagsAdd, let lower {
                    value = SettingValue(
                        values: Self.adding(split, to: lower.values), source: .added(flag: flag, to: lower.source))
                } else {
                    value = SettingValue(values: split, source: .flag(flag))
                }
            }
            resolved[key] = value
        }
        self.resolved = resolved
    }

    /// runbook.yml's path in the workspace.
    public var filePath: String { workspace + "/" + Self.fileName }

    /// `lower` and then those of `added` it does not have yet (a list setting whose upper layers add).
    private static func adding(_ added: [String], to lower: [String]) -> [String] {
        lower + added.filter { !lower.contains($0) }
    }

    /// The same settings with `target`'s layered in (between the flags and the environment).
    public func selecting(_ target: Target) throws -> Settings {
        try Settings(
            workspace: workspace, currentDirectory: currentDirectory, environment: environment, file: file,
            targets: targets, target: target, flags: flags)
    }

    /// The effective value of `key`, with its source.
    public subscript(key: SettingKey) -> SettingValue {
        resolved[key] ?? SettingValue(values: [], source: .builtIn)
    }

    /// The value of a single-valued setting, nil when nothing sets it.
    public func string(_ key: SettingKey) -> String? { self[key].string }

    /// The value of a list setting (empty when nothing sets it).
    public func list(_ key: SettingKey) -> [String] { self[key].values }

    /// The value of a duration setting (checked when resolved).
    public func duration(_ key: SettingKey) -> Duration? { string(key).flatMap(Durations.parse) }

    /// The value of a boolean setting.
    public func bool(_ key: SettingKey) -> Bool { self[key].string.map(Self.isTrue) ?? false }

    /// The value of a path setting made absolute: runbook.yml paths against the workspace, flag and
    /// variable paths against the current directory; `~/` is the home folder.
    public func path(_ key: SettingKey, home: String) -> String? {
        paths(key, home: home).first
    }

    /// The values of a path-list setting made absolute as `path` does.
    public func paths(_ key: SettingKey, home: String) -> [String] {
        let value = self[key]
        let base = value.source.relativeToWorkspace ? workspace : currentDirectory
        return value.values.map { Paths.absolute(Paths.expandingTilde($0, home: home), relativeTo: base) }
    }

    /// The raw values of a path-list setting and the folder relative ones are relative to.
    public func pathValues(_ key: SettingKey) -> (values: [String], base: String) {
        let value = self[key]
        return (value.values, value.source.relativeToWorkspace ? workspace : currentDirectory)
    }

    // MARK: - Parsing

    static func isTrue(_ text: String) -> Bool {
        ["1", "true", "yes", "on"].contains(text.lowercased())
    }

    private static let booleans: Set<String> = ["1", "true", "yes", "on", "0", "false", "no", "off"]

    /// Splits a flag's or variable's text into the kind's values.
    static func split(_ text: String, _ kind: Setting.Kind, fromVariable: Bool) -> [String] {
        switch kind {
        case .string, .choice, .path, .bool, .duration:
            return [text.trimmingCharacters(in: .whitespaces)]
        case .names:
            return text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        case .words:
            guard fromVariable else { return [text] }
            return ((try? shellWords(text, comments: false)) ?? []).map(\.text)
        case .pathList:
            guard fromVariable else { return [text] }
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    /// Checks values against the kind (choices, booleans, shell quoting), normalizing choices and booleans.
    static func check(_ values: [String], _ setting: Setting, at place: String) throws -> [String] {
        switch setting.kind {
        case .choice(let choices):
            return try values.map { value in
                guard let match = choices.first(where: { $0.lowercased() == value.lowercased() }) else {
                    throw RunbookError.usage(
                        "\(place): \(setting.name) '\(value)' is not one of: \(choices.joined(separator: ", "))"
                            + didYouMean(value.lowercased(), in: choices))
                }
                return match
            }
        case .bool:
            return try values.map { value in
                guard booleans.contains(value.lowercased()) else {
                    throw RunbookError.usage("\(place): \(setting.name) '\(value)' is not true or false")
                }
                return isTrue(value) ? "true" : "false"
            }
        case .duration:
            for value in values where Durations.parse(value) == nil {
                throw RunbookError.usage(
                    "\(place): \(setting.name) '\(value)' is not a duration such as 90s, 15m or 2h")
            }
            return values
        case .string, .path:
            if values.first?.isEmpty ?? true {
                throw RunbookError.usage("\(place): \(setting.name) is empty")
            }
            return values
        case .names, .words, .pathList:
            return values
        }
    }

    private static func defaultValue(_ setting: Setting, _ inputs: SettingInputs) -> SettingValue {
        switch setting.defaultValue {
        case .value(let values):
            return SettingValue(values: values, source: .builtIn)
        case .computed(let compute):
            let computed = compute(inputs)
            guard let values = computed.values else {
                return SettingValue(values: [], source: .builtIn, note: computed.note)
            }
            return SettingValue(values: values, source: .computed(computed.note))
        }
    }
}
