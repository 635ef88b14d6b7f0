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

    var settingFlags: SettingFlags {
        var flags = SettingFlags()
        flags.set(.inventory, inventories, flag: "-i")
        flags.set(.image, image, flag: "--image")
        engine.add(to: &flags)
        return flags
    }

    func run(_ context: RunbookContext) async throws -> Int32 {
        var command = ValidateCommand(paths: paths, format: format, strict: strict)
        command.useImage = !noImage
        return try await command.run(context)
    }
}

extension Validate {
    /// The options of `validate` that take a value (the next argument, unless written `--name=value`).
    static let valueOptions: Set<String> = [
        "-i", "--inventory", "--format", "--workspace", "--image", "--engine", "--network", "--engine-option",
    ]

    /// ArgumentParser spends about 50 µs on each positional argument, which for a `validate` of a
    /// whole repository (hundreds of paths) costs more than validating them. So the paths are set
    /// aside, the rest is parsed as usual, and the paths are put back; nil for other commands.
    static func parseSettingPathsAside(_ arguments: [String]) throws -> Validate? {
        guard arguments.first == "validate" else { return nil }
        var options = ["validate"]
        var paths: [String] = []
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            if argument == "--" {
                paths += rest
                break
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                paths.append(argument)
                continue
            }
            options.append(argument)
            if valueOptions.contains(argument), let value = rest.popFirst() { options.append(value) }
        }
        guard var command = try Runbook.parseAsRoot(options) as? Validate else { return nil }
        command.paths = paths
        return command
    }
}
