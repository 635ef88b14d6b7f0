import ArgumentParser
import RunbookCore

struct Config: RunbookCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every setting, its effective value and where it came from.",
        discussion:
            "Precedence: flags > the target (--target) > RUNBOOK_* environment > runbook.yml > built-in defaults.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Option(help: ArgumentHelp("Show the settings as this target of runbook.yml makes them.", valueName: "name"))
    var target: String?

    func run(_ context: RunbookContext) async throws -> Int32 {
        try ConfigCommand(json: format == .json, target: target).run(context)
    }
}
