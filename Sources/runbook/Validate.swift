import ArgumentParser
import Foundation
import RunbookCore

/// `runbook validate`: static checks of playbooks (and hosts against inventories), every problem with file:line:col.
struct Validate: AsyncParsableCommand {
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
        name: [.short, .customLong("inventory")],
        help: ArgumentHelp(
            "A static inventory file or folder (default: Inventory/ when present); repeatable.", valueName: "inventory")
    )
    var inventories: [String] = []

    @Option(help: "Output format: text, json or github.")
    var format: DiagnosticFormat = .text

    @Flag(help: "Fail on warnings too.")
    var strict = false

    func run() async throws {
        let request = ValidationRequest(
            paths: paths, inventories: inventories, workspace: global.workspaceURL.path,
            currentDirectory: FileManager.default.currentDirectoryPath)
        let report: ValidationReport
        do {
            report = try PlaybookValidator().validate(request)
        } catch {
            throw runbook.exit(with: error)
        }
        let colour = format == .text && isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let output = DiagnosticRenderer(format: format, colour: colour).render(report.diagnostics, files: report.files)
        FileHandle.standardOutput.write(Data(output.utf8))
        if format == .text {
            let summary = "\(report.files.count) files, \(report.errorCount) errors, \(report.warningCount) warnings\n"
            FileHandle.standardError.write(Data(summary.utf8))
        }
        let status = report.exitStatus(strict: strict)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
