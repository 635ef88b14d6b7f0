#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `runbook validate`: static checks of playbooks and of the inventories the `inventory` setting names.
public struct ValidateCommand: Sendable {
    /// Playbook files or folders (empty: Playbooks/ of the workspace).
    public var paths: [String]
    /// text, json or github.
    public var format: DiagnosticFormat
    /// Fail on warnings too.
    public var strict: Bool
    /// Check modules and their arguments against the image's plugin index (`--no-image` turns it off).
    public var useImage = true

    /// Makes the command.
    public init(paths: [String], format: DiagnosticFormat, strict: Bool) {
        self.paths = paths
        self.format = format
        self.strict = strict
    }

    /// Validates, prints every finding, and returns 0, 65 (errors, or warnings with `strict`).
    public func run(_ context: RunbookContext) async throws -> Int32 {
        let (values, base) = context.settings.pathValues(.inventory)
        let inventories = values.map {
            InventoryArgument(Paths.expandingTilde($0, home: context.home), relativeTo: base)
        }
        var request = ValidationRequest(
            paths: paths, inventories: inventories.map(\.value), workspace: context.workspace,
            currentDirectory: context.currentDirectory, environment: context.environment)
        request.requirementFiles = context.settings.paths(.requirements, home: context.home)
        request.keepUntilExit = true  // the command's process exits right after
        if useImage {
            // The playbooks are parsed on another core while the index is looked up.
            let prefetch = PlaybookValidator().prefetch(request)
            let (index, note) = await ImageIndexLookup.find(context)
            prefetch.stop()
            request.prefetched = prefetch
            request.index = index
            context.console.err("runbook: \(note)\n")
        } else {
            context.console.err("runbook: module checks skipped (--no-image)\n")
        }
        let report = try PlaybookValidator().validate(request)
        let colour = format == .text && context.console.outputIsTerminal && context.environment["NO_COLOR"] == nil
        context.console.out(
            DiagnosticRenderer(format: format, colour: colour).render(report.diagnostics, files: report.files))
        if format == .text {
            context.console.err(
                "\(report.files.count) files, \(report.errorCount) errors, \(report.warningCount) warnings\n")
        }
        return report.exitStatus(strict: strict).rawValue
    }
}
