import ArgumentParser
import RunbookCore

struct Apply: RunbookCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate, check credentials, ensure the image, and run the playbook in it.",
        discussion: """
            ansible-playbook's exit status is passed through unchanged. runbook's own failures: 64 usage, \
            65 invalid playbook, 66 input not found, 69 engine or endpoint unavailable, 70 build or internal \
            failure, 73 a results file cannot be written, 75 --timeout reached, 77 credentials; 130/143 on \
            SIGINT/SIGTERM.
            """)

    @OptionGroup var options: ApplyOptions

    @Flag(help: "Report what would change without changing it (ansible --check).")
    var check = false

    @Flag(help: "Show the differences in changed files (ansible --diff).")
    var diff = false

    var global: GlobalOptions { options.global }
    var settingFlags: SettingFlags { options.settingFlags }

    func run(_ context: RunbookContext) async throws -> Int32 {
        var request = options.request
        request.selection.check = check
        request.selection.diff = diff
        return try await options.run(request, context)
    }
}

struct Plan: RunbookCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dry run: apply with --check --diff, then a summary of what would change per host.")

    @OptionGroup var options: ApplyOptions

    var global: GlobalOptions { options.global }
    var settingFlags: SettingFlags { options.settingFlags }

    func run(_ context: RunbookContext) async throws -> Int32 {
        var request = options.request
        request.selection.check = true
        request.selection.diff = true
        return try await options.run(request, context)
    }
}
