import ArgumentParser
import RunbookCore

struct Apply: RunbookCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate, check credentials, ensure the image, and run the playbook in it.",
        discussion: """
            ansible-playbook's exit status is passed through unchanged. runbook's own failures: 64 usage, \
            65 invalid playbook, 66 input not found, 69 engine or endpoint unavailable, 70 build or internal \
            failure, 73 a results file cannot be written, 75 --timeout reached, 77 credentials, 80 \
            --idempotence: the second run changed something; 130/143 on SIGINT/SIGTERM. Every run is recorded \
            in the history (`runbook runs`).
            """)

    @OptionGroup var options: ApplyOptions

    @Flag(help: "Report what would change without changing it (ansible --check).")
    var check = false

    @Flag(help: "Show the differences in changed files (ansible --diff).")
    var diff = false

    @Flag(
        help: ArgumentHelp(
            "Run the playbook a second time; exit 80 naming each host and task that changed again.",
            discussion: "The second run is recorded as its own run (kind idempotence) in the history."))
    var idempotence = false

    var global: GlobalOptions { options.global }
    var settingFlags: SettingFlags { options.settingFlags }

    func validate() throws {
        if idempotence && check {
            throw ValidationError("--idempotence runs the playbook twice for real; it cannot be combined with --check")
        }
    }

    func run(_ context: RunbookContext) async throws -> Int32 {
        var request = options.request
        request.selection.check = check
        request.selection.diff = diff
        request.idempotence = idempotence
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
        request.kind = "plan"
        request.selection.check = true
        request.selection.diff = true
        return try await options.run(request, context)
    }
}
