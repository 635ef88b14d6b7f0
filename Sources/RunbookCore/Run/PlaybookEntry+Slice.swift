import Subprocess

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// `exec-playbook --slice I/N`: the entry asks ansible-inventory which hosts the run selects (same
/// inventories, limit, vault passwords and environment as the playbook, so dynamic inventories count),
/// keeps the slice's hosts and runs ansible-playbook with `--limit @FILE` naming exactly them.
extension PlaybookEntry {
    /// An ansible-playbook command line taken apart for slicing.
    struct SliceInputs: Sendable, Hashable {
        /// What ansible-inventory needs of it: `-i`, `--vault-id`, `--vault-password-file` and their values.
        var inventoryArguments: [String] = []
        /// The `--limit` in effect (ansible takes the last one).
        var limit: String?
        /// The command without its `--limit`s.
        var command: [String] = []
        /// The playbook (the last positional argument), for `--playbook-dir`.
        var playbook: String?
    }

    /// ansible-playbook's options that take a value (ansible-core 2.19), short and long spellings.
    static let valueOptions: Set<String> = [
        "--private-key", "--key-file", "-u", "--user", "-c", "--connection", "-T", "--timeout",
        "--ssh-common-args", "--sftp-extra-args", "--scp-extra-args", "--ssh-extra-args",
        "--connection-password-file", "--conn-pass-file", "--become-method", "--become-user",
        "--become-password-file", "--become-pass-file", "-t", "--tags", "--skip-tags", "-i", "--inventory",
        "--inventory-file", "-l", "--limit", "-e", "--extra-vars", "--vault-id", "--vault-password-file",
        "--vault-pass-file", "-f", "--forks", "-M", "--module-path", "--start-at-task",
    ]
    private static let inventoryOptions: Set<String> = ["-i", "--inventory", "--inventory-file"]
    private static let vaultOptions: Set<String> = ["--vault-id", "--vault-password-file", "--vault-pass-file"]
    private static let limitOptions: Set<String> = ["-l", "--limit"]

    /// Takes `command` apart: each option with its value (`-x V`, `-xV`, `--long V`, `--long=V`).
    static func sliceInputs(_ command: [String]) -> SliceInputs {
        var inputs = SliceInputs()
        var arguments = command[...]
        if let executable = arguments.popFirst() { inputs.command.append(executable) }
        var positional = false
        while let argument = arguments.popFirst() {
            if positional || argument == "-" || !argument.hasPrefix("-") {
                if argument == "--" {
                    positional = true
                } else {
                    inputs.playbook = argument
                }
                inputs.command.append(argument)
                continue
            }
            if argument == "--" {
                positional = true
                inputs.command.append(argument)
                continue
            }
            let name: String
            let value: String?
            var spelled = [argument]
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            } else if !argument.hasPrefix("--"), argument.count > 2, valueOptions.contains(String(argument.prefix(2))) {
                name = String(argument.prefix(2))
                value = String(argument.dropFirst(2))
            } else if valueOptions.contains(argument) {
                name = argument
                value = arguments.popFirst()
                if let value { spelled.append(value) }
            } else {
                inputs.command.append(argument)
                continue
            }
            if limitOptions.contains(name) {
                inputs.limit = value
                continue
            }
            if let value, inventoryOptions.contains(name) || vaultOptions.contains(name) {
                inputs.inventoryArguments += [name, value]
            }
            inputs.command += spelled
        }
        return inputs
    }

    /// The hosts of an `ansible-inventory --list` answer: every group's `hosts`, each once, sorted.
    static func inventoryHosts(_ json: Data) throws -> [String] {
        guard let document = JSONValue.parse(json)?.object else {
            throw RunbookError.software("ansible-inventory --list did not print a JSON object")
        }
        var hosts = Set<String>()
        for (name, value) in document where name != "_meta" {
            if let members = value["hosts"]?.strings {
                hosts.formUnion(members)
            }
        }
        return hosts.sorted()
    }

    /// Runs ansible-inventory for `command` and returns the command limited to `slice`'s hosts, or
    /// nil when the slice has none (the run is then a success with nothing to do). `log` gets one line.
    func slicedCommand(
        _ slice: HostSlice, environment: [Environment.Key: String?], log: (String) -> Void
    ) async throws -> (command: [String]?, status: Int32) {
        let inputs = Self.sliceInputs(command)
        var arguments = inputs.inventoryArguments + ["--list", "--export"]
        if let limit = inputs.limit { arguments += ["--limit", limit] }
        if let playbook = inputs.playbook {
            arguments += ["--playbook-dir", URL(fileURLWithPath: playbook).deletingLastPathComponent().path]
        }
        let result = try await Subprocess.run(
            .name("ansible-inventory"), arguments: Arguments(arguments), environment: .inherit.updating(environment),
            input: .none, output: .data(limit: 256 << 20), error: .currentStandardError)
        guard case .exited(let code) = result.terminationStatus, code == 0 else {
            let status: Int32 =
                switch result.terminationStatus {
                case .exited(let code): Int32(code)
                case .signaled(let signal): 128 + Int32(signal)
                }
            log("runbook: --slice \(slice): ansible-inventory failed (status \(status)); see above\n")
            return (nil, status)
        }
        let hosts = try Self.inventoryHosts(result.standardOutput)
        let chosen = slice.select(hosts)
        let selected =
            inputs.limit.map { "the \(hosts.count) hosts that --limit \($0) selects" } ?? "\(hosts.count) hosts"
        guard !chosen.isEmpty else {
            log("runbook: slice \(slice): no host of \(selected) falls in this slice; nothing to run\n")
            return (nil, 0)
        }
        let shown = chosen.prefix(10).joined(separator: ", ") + (chosen.count > 10 ? ", …" : "")
        log("runbook: slice \(slice): \(chosen.count) of \(selected): \(shown)\n")
        let file = secretsFolder + "/slice-hosts"
        guard
            FileManager.default.createFile(
                atPath: file, contents: Data((chosen.joined(separator: "\n") + "\n").utf8),
                attributes: [.posixPermissions: 0o600])
        else {
            throw RunbookError.software("cannot write the slice's host list \(file)")
        }
        var sliced = inputs.command
        sliced.insert(contentsOf: ["--limit", "@" + file], at: min(1, sliced.count))
        return (sliced, 0)
    }
}
