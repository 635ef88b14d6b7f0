import ArgumentParser
import RunbookCore

/// `runbook image`: the ansible-aws image runbook runs playbooks in.
struct Image: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Build, check and push the ansible-aws image runbook runs playbooks in.",
        subcommands: [ImageEnsure.self, ImageBuild.self, ImageStatus.self, ImagePush.self]
    )
}

/// The image settings' flags, shared by the `image` subcommands.
struct ImageOptions: ParsableArguments {
    @Option(help: .setting(.image, valueName: "name:tag"))
    var tag: String?

    @Option(help: .setting(.baseImage, valueName: "image"))
    var baseImage: String?

    @Option(help: .setting(.collections, valueName: "names"))
    var collections: String?

    @Option(help: .setting(.collectionsSource, valueName: "source"))
    var collectionsSource: String?

    @Option(help: .setting(.caBundle, valueName: "file"))
    var caBundle: String?

    @Option(help: .setting(.pullPolicy, valueName: "policy"))
    var pullPolicy: String?

    @Option(help: .setting(.imageBinary, valueName: "path"))
    var runbookBinary: String?

    @Option(help: .setting(.imageDefinition, valueName: "dir"))
    var definition: String?

    @Option(help: .setting(.requirements, valueName: "file"))
    var requirements: [String] = []

    @Option(name: .customLong("python-package"), help: .setting(.pythonPackages, valueName: "requirement"))
    var pythonPackages: [String] = []

    @Option(name: .customLong("system-package"), help: .setting(.systemPackages, valueName: "name"))
    var systemPackages: [String] = []

    @Option(help: .setting(.executionEnvironment, valueName: "file"))
    var executionEnvironment: String?

    @OptionGroup var engine: EngineOptions

    @OptionGroup var global: GlobalOptions

    var settingFlags: SettingFlags {
        var flags = SettingFlags()
        flags.set(.image, tag, flag: "--tag")
        flags.set(.baseImage, baseImage, flag: "--base-image")
        flags.set(.collections, collections, flag: "--collections")
        flags.set(.collectionsSource, collectionsSource, flag: "--collections-source")
        flags.set(.caBundle, caBundle, flag: "--ca-bundle")
        flags.set(.pullPolicy, pullPolicy, flag: "--pull-policy")
        flags.set(.imageBinary, runbookBinary, flag: "--runbook-binary")
        flags.set(.imageDefinition, definition, flag: "--definition")
        flags.set(.requirements, requirements, flag: "--requirements")
        flags.set(.pythonPackages, pythonPackages, flag: "--python-package")
        flags.set(.systemPackages, systemPackages, flag: "--system-package")
        flags.set(.executionEnvironment, executionEnvironment, flag: "--execution-environment")
        engine.add(to: &flags)
        return flags
    }
}

/// What the four `image` subcommands share: the options and one Core action.
protocol ImageSubcommand: RunbookCommand {
    static var action: ImageCommand.Action { get }
    var options: ImageOptions { get }
}

extension ImageSubcommand {
    var global: GlobalOptions { options.global }
    var settingFlags: SettingFlags { options.settingFlags }
    func run(_ context: RunbookContext) async throws -> Int32 { try await ImageCommand(Self.action).run(context) }
}

struct ImageEnsure: ImageSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "ensure", abstract: "Make sure the image is present and current; build it when it is not.")
    static let action = ImageCommand.Action.ensure
    @OptionGroup var options: ImageOptions
}

struct ImageBuild: ImageSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build the image now, even when it is current.")
    static let action = ImageCommand.Action.build
    @OptionGroup var options: ImageOptions
}

struct ImageStatus: ImageSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the image's name, content hash, id, size and labels, and whether it is current.",
        discussion: "Exits 0 when the image is current, 1 when it is missing or stale.")
    static let action = ImageCommand.Action.status
    @OptionGroup var options: ImageOptions
}

struct ImagePush: ImageSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Ensure the image, push it to its registry and print the digest.")
    static let action = ImageCommand.Action.push
    @OptionGroup var options: ImageOptions
}
