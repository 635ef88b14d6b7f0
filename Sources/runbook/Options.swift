import ArgumentParser
import RunbookCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The workspace folder (default: the current directory).", valueName: "dir"))
    var workspace: String?
}

/// The engine settings, for commands that drive a container engine (`image …`, `apply`, `plan`).
struct EngineOptions: ParsableArguments {
    @Option(help: .setting(.engine, valueName: "name"))
    var engine: String?

    @Option(help: .setting(.network, valueName: "name"))
    var network: String?

    @Option(name: .customLong("engine-option"), help: .setting(.engineOptions, valueName: "option", repeatable: true))
    var engineOptions: [String] = []

    func add(to flags: inout SettingFlags) {
        flags.setEngine(engine, network: network, options: engineOptions)
    }
}

extension SettingFlags {
    /// The engine flags' values (`--engine`, `--network`, `--engine-option`).
    mutating func setEngine(_ engine: String?, network: String?, options: [String]) {
        set(.engine, engine, flag: "--engine")
        set(.network, network, flag: "--network")
        set(.engineOptions, options, flag: "--engine-option")
    }
}

extension ArgumentHelp {
    /// Help for a setting's flag from the settings table: what it does, its variable and its key.
    static func setting(_ key: SettingKey, valueName: String, repeatable: Bool = false) -> ArgumentHelp {
        let setting = key.setting
        let text = setting.help.prefix(1).uppercased() + setting.help.dropFirst()
        return ArgumentHelp(
            "\(text)\(repeatable ? " (repeatable)" : "") [\(setting.variable); runbook.yml: \(setting.name)]",
            valueName: valueName)
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}
extension PipelineKind: ExpressibleByArgument {}
