import ArgumentParser
import RunbookCore

/// The options `apply` and `plan` share.
struct ApplyOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The playbook: a path, or a name under Playbooks/.", valueName: "playbook"))
    var playbook: String

    @Option(
        name: [.short, .customLong("inventory")], help: .setting(.inventory, valueName: "inventory", repeatable: true))
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

    @Option(name: .customLong("env"), help: .setting(.env, valueName: "name", repeatable: true))
    var passthrough: [String] = []

    @Option(help: .setting(.image, valueName: "name:tag"))
    var image: String?

    @OptionGroup var engine: EngineOptions

    @Flag(help: "Check credentials offline only (no STS call); role and SSO profiles need the online check.")
    var offline = false

    @Flag(name: .customLong("no-credentials"), help: "Pass no AWS credentials (playbooks that do not use AWS).")
    var noCredentials = false

    @Option(help: .setting(.profile, valueName: "name"))
    var profile: String?

    @Option(help: .setting(.expectAccount, valueName: "id"))
    var expectAccount: String?

    @Option(help: .setting(.region, valueName: "region"))
    var region: String?

    @Option(help: .setting(.roleArn, valueName: "arn"))
    var roleArn: String?

    @Option(
        name: .customLong("target"),
        help: ArgumentHelp(
            "Run for this target of runbook.yml's targets: (its credentials, region, inventory, limit, extra vars); "
                + "repeatable, or all.", valueName: "name"))
    var targets: [String] = []

    @Option(help: ArgumentHelp("Run this many targets at once (default 1: one after another).", valueName: "n"))
    var parallel: Int?

    @Flag(help: "Go on with the remaining targets after one fails (default: stop starting new ones).")
    var keepGoing = false

    @Option(
        help: ArgumentHelp(
            "Run on the I-th of N stable slices of the hosts the inventory and --limit select, for splitting "
                + "a fleet over N CI jobs (a host is in exactly one slice).", valueName: "I/N"))
    var slice: String?

    @Option(
        help: ArgumentHelp(
            "The code from the profile's MFA device (mfa_serial), when no cached session spares it; else asked "
                + "at the terminal.", valueName: "code"))
    var mfaCode: String?

    @Option(help: .setting(.credentials, valueName: "endpoint|env"))
    var credentials: String?

    @Flag(
        name: .customLong("no-fast"),
        help: "Ansible's own defaults: no SSH pipelining, forks 5 (the fast setting off for this run).")
    var noFast = false

    @Flag(help: "Run plays with mitogen's mitogen_linear strategy, shipped in the image (the mitogen setting).")
    var mitogen = false

    @Option(help: .setting(.history, valueName: "file|off"))
    var history: String?

    @Option(help: .setting(.historyStore, valueName: "s3://bucket/prefix"))
    var historyStore: String?

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

    @Flag(name: [.short, .customLong("become")], help: "Run operations with become (ansible -b).")
    var become = false

    @Option(help: "Become this user (ansible --become-user).")
    var becomeUser: String?

    @Option(help: "Privilege escalation method: sudo, su, … (ansible --become-method).")
    var becomeMethod: String?

    @Flag(
        name: [.customShort("K"), .customLong("ask-become-pass")],
        help: "Ask for the become password on the terminal; ansible gets it without a file on disk.")
    var askBecomePass = false

    @Option(name: [.short, .customLong("user")], help: "Connect as this user (ansible -u).")
    var user: String?

    @Option(
        help: ArgumentHelp(
            "SSH private key file, mounted read-only into the container (may be outside the workspace).",
            valueName: "file"))
    var privateKey: String?

    @Option(name: [.short, .customLong("connection")], help: "Connection type: ssh, local, … (ansible -c).")
    var connection: String?

    @Option(
        name: [.customShort("T"), .customLong("ssh-timeout")],
        help: ArgumentHelp(
            "Connection timeout in seconds (ansible's own -T/--timeout; runbook's --timeout limits the whole run).",
            valueName: "seconds"))
    var sshTimeout: Int?

    @Option(
        name: .customLong("vault-id"),
        help: ArgumentHelp(
            "A vault identity [label@]SOURCE: a password file, a script printing it (…-client scripts get --vault-id "
                + "label), or prompt; read on this machine (repeatable).", valueName: "id"))
    var vaultIDs: [String] = []

    @Option(
        name: .customLong("vault-password-file"),
        help: ArgumentHelp("A vault password file or script, read on this machine (repeatable).", valueName: "file"))
    var vaultPasswordFiles: [String] = []

    @Flag(
        name: [.customShort("J"), .customLong("ask-vault-pass")], help: "Ask for the vault password on the terminal.")
    var askVaultPass = false

    @Flag(help: "List the tasks that would run (ansible --list-tasks).")
    var listTasks = false

    @Flag(help: "List the hosts that would be targeted (ansible --list-hosts).")
    var listHosts = false

    @Flag(help: "List the tags (ansible --list-tags).")
    var listTags = false

    @Option(help: ArgumentHelp("Start at the task with this name (ansible --start-at-task).", valueName: "task"))
    var startAtTask: String?

    @Argument(
        parsing: .postTerminator,
        help: ArgumentHelp(
            "ansible-playbook options after --, passed through unchanged (e.g. -- --flush-cache).",
            valueName: "ansible-option"))
    var ansibleOptions: [String] = []

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let timeout, Durations.parse(timeout) == nil {
            throw ValidationError("--timeout '\(timeout)' is not a duration such as 90s, 15m or 2h")
        }
        if let forks, forks < 1 { throw ValidationError("--forks must be at least 1") }
        if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1") }
        if targets.isEmpty && (parallel != nil || keepGoing) {
            throw ValidationError("--parallel and --keep-going need --target (several targets)")
        }
        if let sshTimeout, sshTimeout < 1 { throw ValidationError("--ssh-timeout must be at least 1 second") }
        if let slice {
            do {
                _ = try HostSlice(parsing: slice)
            } catch let error as RunbookError {
                throw ValidationError(error.message)
            }
        }
        if let mfaCode, !MFASessionCache.isCode(mfaCode) {
            throw ValidationError("--mfa-code '\(mfaCode)' is not a 6-digit code")
        }
        if mfaCode != nil && (offline || noCredentials) {
            throw ValidationError("--mfa-code needs the online credential check (drop --offline / --no-credentials)")
        }
    }

    /// The settings these options set.
    var settingFlags: SettingFlags {
        var flags = SettingFlags()
        flags.set(.inventory, inventories, flag: "-i")
        flags.set(.env, passthrough, flag: "--env")
        flags.set(.image, image, flag: "--image")
        flags.set(.profile, profile, flag: "--profile")
        flags.set(.expectAccount, expectAccount, flag: "--expect-account")
        flags.set(.region, region, flag: "--region")
        flags.set(.roleArn, roleArn, flag: "--role-arn")
        flags.set(.credentials, credentials, flag: "--credentials")
        flags.set(.fast, noFast ? "false" : nil, flag: "--no-fast")
        flags.set(.mitogen, mitogen ? "true" : nil, flag: "--mitogen")
        flags.set(.history, history, flag: "--history")
        flags.set(.historyStore, historyStore, flag: "--history-store")
        engine.add(to: &flags)
        return flags
    }

    /// Runs the request, for the `--target`s when there are any.
    func run(_ request: ApplyRequest, _ context: RunbookContext) async throws -> Int32 {
        guard !targets.isEmpty else { return try await ApplyCommand(request).run(context) }
        return try await TargetRuns(request, targets: targets, parallel: parallel ?? 1, keepGoing: keepGoing).run(
            context)
    }

    /// The rest of what they ask for.
    var request: ApplyRequest {
        var request = ApplyRequest(playbook: playbook)
        request.selection.limit = limit
        request.selection.tags = tags.flatMap { $0.split(separator: ",").map(String.init) }
        request.selection.skipTags = skipTags.flatMap { $0.split(separator: ",").map(String.init) }
        request.selection.extraVars = extraVars
        request.selection.verbosity = verbosity
        request.selection.forks = forks
        request.offline = offline
        request.skipCredentials = noCredentials
        request.mfaCode = mfaCode
        request.selection.slice = slice.flatMap { try? HostSlice(parsing: $0) }
        request.skipValidation = noValidate
        request.jsonFile = json
        request.junitFile = junit
        request.timeout = timeout.flatMap(Durations.parse)
        request.mountSSHDirectory = !noSSHDirectory
        request.selection.become = become
        request.selection.becomeUser = becomeUser
        request.selection.becomeMethod = becomeMethod
        request.selection.remoteUser = user
        request.selection.connection = connection
        request.selection.connectionTimeout = sshTimeout
        request.selection.privateKey = privateKey
        request.selection.listTasks = listTasks
        request.selection.listHosts = listHosts
        request.selection.listTags = listTags
        request.selection.startAtTask = startAtTask
        request.selection.passthrough = ansibleOptions
        request.secrets.askBecomePassword = askBecomePass
        request.secrets.vaultSources =
            vaultIDs.map(VaultSource.init) + vaultPasswordFiles.map { VaultSource(label: "default", source: $0) }
            + (askVaultPass ? [VaultSource(label: "default", source: "prompt")] : [])
        return request
    }
}
