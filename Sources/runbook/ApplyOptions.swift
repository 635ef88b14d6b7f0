import ArgumentParser
import Foundation
import RunbookCore

/// The options `apply` and `plan` share.
struct ApplyOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The playbook: a path, or a name under Playbooks/.", valueName: "playbook"))
    var playbook: String

    @Option(name: [.short, .customLong("inventory")], help: "Inventory file, folder or host list (repeatable).")
    var inventories: [String] = []

    @Option(name: [.short, .customLong("limit")], help: "Limit the run to hosts matching this pattern.")
    var limit: String?

    @Option(name: [.short, .customLong("tags")], help: "Run only tasks with these tags (comma-separated).")
    var tags: [String] = []

    @Option(name: .customLong("skip-tags"), help: "Skip tasks with these tags.")
    var skipTags: [String] = []

    @Option(
        name: [.short, .customLong("extra-vars")], help: "Extra variables: key=value, JSON, or @file (repeatable).")
    var extraVars: [String] = []

    @Flag(name: [.short, .customLong("verbose")], help: "More ansible output (repeat for more: -vvv).")
    var verbosity: Int

    @Option(help: "How many hosts ansible works on at once.")
    var forks: Int?

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp(
            "Pass this variable from runbook's environment to the container, by name (repeatable; the env setting).",
            valueName: "name"))
    var passthrough: [String] = []

    @Option(help: ArgumentHelp("The image name:tag (RUNBOOK_IMAGE).", valueName: "name:tag"))
    var image: String?

    @OptionGroup var engine: EngineOptions

    @Flag(help: "Check credentials offline only (no STS call); role and SSO profiles need the online check.")
    var offline = false

    @Flag(name: .customLong("no-credentials"), help: "Pass no AWS credentials (playbooks that do not use AWS).")
    var noCredentials = false

    @Option(help: "The AWS profile (AWS_PROFILE; the profile setting).")
    var profile: String?

    @Option(help: ArgumentHelp("Fail unless the credentials belong to this AWS account.", valueName: "id"))
    var expectAccount: String?

    @Flag(name: .customLong("no-validate"), help: "Skip static validation.")
    var noValidate = false

    @Flag(name: .customLong("no-ssh-dir"), help: "Do not mount ~/.ssh read-only into the container.")
    var noSSHDirectory = false

    @Option(help: ArgumentHelp("Write the summary and events as JSON to this file.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write JUnit XML (one test case per host and task) to this file.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Stop the run after this long: 90s, 15m, 2h.", valueName: "duration"))
    var timeout: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let timeout, parseDuration(timeout) == nil {
            throw ValidationError("--timeout '\(timeout)' is not a duration such as 90s, 15m or 2h")
        }
        if let forks, forks < 1 { throw ValidationError("--forks must be at least 1") }
    }

    /// The request these options describe, with settings from runbook.yml and the environment.
    func request(settings: Settings, environment: [String: String]) -> ApplyRequest {
        var request = ApplyRequest(workspace: global.workspaceURL.path, playbook: playbook)
        request.inventories = inventories.isEmpty ? settings.list("inventory").map { absolute($0) } : inventories
        request.selection.limit = limit
        request.selection.tags = tags.flatMap { $0.split(separator: ",").map(String.init) }
        request.selection.skipTags = skipTags.flatMap { $0.split(separator: ",").map(String.init) }
        request.selection.extraVars = extraVars
        request.selection.verbosity = verbosity
        request.selection.forks = forks
        request.passthroughNames = passthrough + settings.list("env")
        request.offline = offline
        request.skipCredentials = noCredentials
        request.skipValidation = noValidate
        request.credentialOptions = CredentialOptions(
            profile: settings.string("profile", flag: profile),
            endpointURL: nil, expectAccount: settings.string("expect_account", flag: expectAccount))
        request.jsonFile = json
        request.junitFile = junit
        request.timeout = timeout.flatMap(parseDuration)
        request.mountSSHDirectory = !noSSHDirectory
        request.inImage = ApplyRequest.runningInImage(environment)
        request.tty = isatty(STDOUT_FILENO) == 1
        return request
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : global.workspaceURL.path + "/" + path
    }
}

/// Parses `90s`, `15m`, `2h` or plain seconds.
func parseDuration(_ text: String) -> Duration? {
    let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600]
    if let unit = text.last, let factor = units[unit], let value = Int64(text.dropLast()), value > 0 {
        return .seconds(value * factor)
    }
    if let value = Int64(text), value > 0 { return .seconds(value) }
    return nil
}
