import ArgumentParser
import RunbookCore

/// `runbook validate`: static checks of playbooks (and hosts against inventories), every problem with file:line:col.
struct Validate: RunbookCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check playbooks statically: YAML, shape, tasks, references, handlers, Jinja, hosts.",
        discussion: """
            Exits 0 when there are no errors (with --strict, no warnings either), 65 when there are, \
            66 when a path does not exist, 64 on bad usage.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("Playbook files or folders (default: Playbooks/ of the workspace).", valueName: "path"))
    var paths: [String] = []

    @Option(
        name: [.short, .customLong("inventory")], help: .setting(.inventory, valueName: "inventory", repeatable: true))
    var inventories: [String] = []

    @Option(help: "Output format: text, json or github.")
    var format: DiagnosticFormat = .text

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Option(help: .setting(.image, valueName: "name:tag"))
    var image: String?

    @Flag(
        name: .customLong("no-image"),
        help: "Skip the module and argument checks against the image's plugin index (no engine needed).")
    var noImage = false

    @OptionGroup var engine: EngineOptions

    var settingFlags: SettingFlags { arguments.settingFlags }

    func run(_ context: RunbookContext) async throws -> Int32 {
        try await arguments.command.run(context)
    }

    /// What was given, as plain values (what `quickParse` reads too).
    var arguments: Arguments {
        Arguments(
            workspace: global.workspace, paths: paths, inventories: inventories, format: format, strict: strict,
            image: image, noImage: noImage, engine: engine.engine, network: engine.network,
            engineOptions: engine.engineOptions)
    }

    /// The values of a `validate` command line.
    struct Arguments: Equatable {
        var workspace: String?
        var paths: [String] = []
        var inventories: [String] = []
        var format: DiagnosticFormat = .text
        var strict = false
        var image: String?
        var noImage = false
        var engine: String?
        var network: String?
        var engineOptions: [String] = []

        var settingFlags: SettingFlags {
            var flags = SettingFlags()
            flags.set(.inventory, inventories, flag: "-i")
            flags.set(.image, image, flag: "--image")
            flags.setEngine(engine, network: network, options: engineOptions)
            return flags
        }

        var command: ValidateCommand {
            var command = ValidateCommand(paths: paths, format: format, strict: strict)
            command.useImage = !noImage
            return command
        }
    }
}

extension Validate {
    /// A plain `validate` command line read without ArgumentParser: its parsing costs about 3 ms of
    /// start-up (mostly the Swift runtime's first protocol-conformance lookups), plus some 50 µs per
    /// path, against the 20 ms a validation of a few hundred playbooks takes. Only the exact options of `validate` are read
    /// (`--name value`, `--name=value`, the flags, paths, `--`); anything else (help, an unknown or
    /// malformed option, a missing or bad value) gives nil, and ArgumentParser reads the line as
    /// usual and says what is wrong. A test checks both read the same lines the same way.
    static func quickParse(_ arguments: [String]) -> Arguments? {
        guard arguments.first == "validate" else { return nil }
        var parsed = Arguments()
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            if argument == "--" {
                parsed.paths += rest
                break
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                parsed.paths.append(argument)
                continue
            }
            switch argument {
            case "--strict": parsed.strict = true
            case "--no-image": parsed.noImage = true
            default:
                var name = argument
                var value: String?
                if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                    name = String(argument[..<equals])
                    value = String(argument[argument.index(after: equals)...])
                } else if let next = rest.first, !next.hasPrefix("-") {
                    value = next
                    rest = rest.dropFirst()
                }
                guard let value, !value.isEmpty else { return nil }
                switch name {
                case "-i", "--inventory": parsed.inventories.append(value)
                case "--format":
                    guard let format = DiagnosticFormat(rawValue: value) else { return nil }
                    parsed.format = format
                case "--workspace": parsed.workspace = value
                case "--image": parsed.image = value
                case "--engine": parsed.engine = value
                case "--network": parsed.network = value
                case "--engine-option": parsed.engineOptions.append(value)
                default: return nil
                }
            }
        }
        return parsed
    }
}
