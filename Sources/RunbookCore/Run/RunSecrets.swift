#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a vault password comes from, as ansible-playbook's `--vault-id [label@]SOURCE` says it.
public struct VaultSource: Sendable, Hashable {
    /// The vault id label (`default` when none is written).
    public var label: String
    /// `prompt`, or a path: a file holding the password, or an executable printing it.
    public var source: String

    /// Reads `[label@]source`.
    public init(_ text: String) {
        if let at = text.firstIndex(of: "@") {
            label = String(text[..<at])
            source = String(text[text.index(after: at)...])
        } else {
            label = "default"
            source = text
        }
    }

    /// Makes a source.
    public init(label: String, source: String) {
        self.label = label
        self.source = source
    }
}

/// The passwords a run needs, got on the host: vault passwords (from files, scripts or a prompt)
/// and the become password (`-K`). They reach ansible-playbook only as files that
/// `runbook exec-playbook` writes from its standard input (see `PlaybookEntry`).
public struct RunSecrets: Sendable {
    /// The vault sources given on the command line (`--vault-id`, `--vault-password-file`, `-J`).
    public var vaultSources: [VaultSource] = []
    /// Whether to prompt for the become password (`-K`).
    public var askBecomePassword = false
    /// Passwords already typed at the terminal, by prompt (`vault:LABEL`, `become`), so several targets
    /// ask once.
    private var answers: [String: String] = [:]

    /// Makes an empty set of requests.
    public init() {}

    /// What was got: the handshake files, the ansible-playbook flags naming them, the values to mask.
    public struct Resolved: Sendable {
        /// File name → password.
        public var files: [String: String] = [:]
        /// `--vault-id label@FILE` and `--become-password-file FILE`, FILE under `folder`.
        public var arguments: [String] = []
        /// `ANSIBLE_VAULT_IDENTITY_LIST` / `ANSIBLE_VAULT_PASSWORD_FILE` naming the same files, which
        /// replace what ansible.cfg says (an empty value would be read as a path); none without vault.
        public var environment: [String: String] = [:]
        /// The passwords, for the output masker.
        public var values: [String] { files.values.filter { !$0.isEmpty } }
    }

    /// The vault sources Ansible would use: the command line's, then `ANSIBLE_VAULT_IDENTITY_LIST`
    /// (else `vault_identity_list` of the workspace's ansible.cfg), then `ANSIBLE_VAULT_PASSWORD_FILE`
    /// (else `vault_password_file`), without repeats. Paths in ansible.cfg are relative to its folder.
    public func allVaultSources(context: RunbookContext) -> [VaultSource] {
        let config = AnsibleConfig(path: context.workspace + "/ansible.cfg")
        // Paths in ansible.cfg: `~` is the home folder, relative ones are relative to the file's folder.
        func fromConfig(_ source: VaultSource) -> VaultSource {
            guard source.source != "prompt" else { return source }
            let path = Paths.absolute(
                Paths.expandingTilde(source.source, home: context.home), relativeTo: context.workspace)
            return VaultSource(label: source.label, source: path)
        }
        var sources = vaultSources
        if let list = context.environment["ANSIBLE_VAULT_IDENTITY_LIST"], !list.isEmpty {
            sources += AnsibleConfig.nameList(list).map(VaultSource.init)
        } else {
            sources += config.vaultIdentityList.map(VaultSource.init).map(fromConfig)
        }
        if let file = context.environment["ANSIBLE_VAULT_PASSWORD_FILE"], !file.isEmpty {
            sources.append(VaultSource(label: "default", source: file))
        } else if let file = config.vaultPasswordFile {
            sources.append(fromConfig(VaultSource(label: "default", source: file)))
        }
        var seen: Set<VaultSource> = []
        return sources.filter { seen.insert($0).inserted }
    }

    /// These requests with every terminal prompt answered now, for runs that reuse them.
    public func askingOnce(context: RunbookContext) throws -> RunSecrets {
        var secrets = self
        for vault in allVaultSources(context: context) where vault.source == "prompt" {
            secrets.answers["vault:\(vault.label)"] = try promptVault(vault)
        }
        if askBecomePassword { secrets.answers["become"] = try promptBecome() }
        return secrets
    }

    private func promptVault(_ vault: VaultSource) throws -> String {
        if let answer = answers["vault:\(vault.label)"] { return answer }
        let label = vault.label == "default" ? "" : " (\(vault.label))"
        return try TerminalPrompt.read(
            "Vault password\(label): ", flag: "--ask-vault-pass / --vault-id \(vault.label)@prompt")
    }

    private func promptBecome() throws -> String {
        try answers["become"] ?? TerminalPrompt.read("BECOME password: ", flag: "-K/--ask-become-pass")
    }

    /// Reads, runs or prompts for every password; `folder` is where the entry will write them.
    public func resolve(context: RunbookContext, folder: String) async throws -> Resolved {
        var resolved = Resolved()
        for (index, vault) in allVaultSources(context: context).enumerated() {
            let password = try await vaultPassword(vault, context: context)
            let name = "vault-\(index)"
            resolved.files[name] = password
            resolved.arguments += ["--vault-id", "\(vault.label)@\(folder)/\(name)"]
        }
        let ids = stride(from: 1, to: resolved.arguments.count, by: 2).map { resolved.arguments[$0] }
        if let first = ids.first {
            resolved.environment["ANSIBLE_VAULT_IDENTITY_LIST"] = ids.joined(separator: ",")
            let file = ids.first { $0.hasPrefix("default@") } ?? first
            resolved.environment["ANSIBLE_VAULT_PASSWORD_FILE"] = String(file.drop { $0 != "@" }.dropFirst())
        }
        if askBecomePassword {
            resolved.files["become"] = try promptBecome()
            resolved.arguments += ["--become-password-file", "\(folder)/become"]
        }
        return resolved
    }

    private func vaultPassword(_ vault: VaultSource, context: RunbookContext) async throws -> String {
        if vault.source == "prompt" { return try promptVault(vault) }
        let path = Paths.absolute(
            Paths.expandingTilde(vault.source, home: context.home), relativeTo: context.currentDirectory)
        guard Paths.isFile(path) else {
            throw RunbookError.noInput(
                "vault password file \(vault.source) (vault id '\(vault.label)') not found on this machine")
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RunbookError.credentials("cannot read the vault password file \(path)")
            }
            // As Ansible's FileVaultSecret: the file's content without surrounding whitespace.
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // A script prints the password; a `…-client` script is told which vault id is wanted.
        let stem = Paths.deletingExtension(Paths.lastComponent(path))
        let arguments = stem.hasSuffix("-client") ? ["--vault-id", vault.label] : []
        let output = try await context.runner.capture(ProcessSpec(path, arguments, timeout: .seconds(60)))
        guard output.status == 0 else {
            throw RunbookError.credentials(
                "vault password script \(vault.source) (vault id '\(vault.label)') failed with exit \(output.status)",
                cause: output.standardError.split(separator: "\n").last.map(String.init))
        }
        var password = output.standardOutput
        while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
        return password
    }
}

/// A password typed at the terminal (`/dev/tty`, without echo), never from a pipe.
enum TerminalPrompt {
    /// Prompts on /dev/tty; without a terminal, a usage error (64) naming the flag instead of a hang.
    static func read(_ prompt: String, flag: String) throws -> String {
        try read(
            prompt,
            withoutTerminal:
                "\(flag) asks for a password, but runbook has no terminal; give a password file or script instead")
    }

    /// Prompts on /dev/tty; without a terminal, a usage error (64) with `message`.
    static func read(_ prompt: String, withoutTerminal message: String) throws -> String {
        let descriptor = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard descriptor >= 0 else { throw RunbookError.usage(message) }
        defer { close(descriptor) }
        var saved = termios()
        let hasTerminal = tcgetattr(descriptor, &saved) == 0
        if hasTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(descriptor, TCSAFLUSH, &quiet)
        }
        defer {
            if hasTerminal { tcsetattr(descriptor, TCSAFLUSH, &saved) }
            _ = Glibc.write(descriptor, "\n", 1)
        }
        _ = prompt.withCString { Glibc.write(descriptor, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(descriptor, &byte, 1) == 1, byte != 0x0A { bytes.append(byte) }
        if bytes.last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
