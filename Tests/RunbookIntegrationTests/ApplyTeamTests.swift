import Foundation
import Testing

/// A team's repository as it really is: an encrypted group_vars file whose password lives outside the
/// workspace, become with a sudo password on the SSH host, a key outside the workspace, options runbook
/// does not know passed through, and runbook killed with SIGKILL mid-run.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct ApplyTeamTests {
    static let vaultPassword = "vault-pw-runbook-test-91b4e"
    static let dbPassword = "decrypted-db-value-27c3"

    /// `script` for runbook under a pseudo-terminal (python's pty module): runbook's prompts read its
    /// /dev/tty. `PTY_ANSWERS` (JSON pairs: text to wait for, line to type) is taken out of the
    /// environment before runbook starts; the terminal's output is copied to standard output as it comes.
    static let ptyScript = """
        import json, os, pty, select, sys, time
        answers = json.loads(os.environ.pop("PTY_ANSWERS", "[]"))
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(sys.argv[1], sys.argv[1:])
        seen, out, deadline = 0, b"", time.time() + 300
        while time.time() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
            if answers and answers[0][0].encode() in out[seen:]:
                seen = out.index(answers[0][0].encode(), seen) + len(answers[0][0])
                time.sleep(0.2)
                os.write(fd, (answers.pop(0)[1] + "\\n").encode())
        else:
            os.kill(pid, 9)
        if answers:
            sys.stderr.write("never asked: %r\\n" % [a[0] for a in answers])
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        sys.exit(128 - code if code < 0 else code)
        """

    /// The terminal's text without colours and carriage returns.
    static func plain(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*[A-Za-z]", with: "", options: .regularExpression)
            .replacingOccurrences(of: "\r", with: "")
    }

    /// Encrypts `text` with ansible-vault inside the test image (the host has no ansible).
    static func encrypt(_ text: String, password: String, label: String? = nil) throws -> String {
        let image = try ApplyEnvironment.requireImage()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(password.utf8).write(to: folder.appendingPathComponent("pw"))
        try Data(text.utf8).write(to: folder.appendingPathComponent("plain.yml"))
        let id = label.map { "\($0)@/v/pw" } ?? "/v/pw"
        let result = try ImageEnvironment.shell([
            "docker", "run", "--rm", "--network", "host", "--mount", "type=bind,source=\(folder.path),target=/v",
            "--env", "HOME=/tmp", image, "ansible-vault", "encrypt", "--vault-id", id, "--output", "/v/enc.yml",
            "/v/plain.yml",
        ])
        try #require(result.status == 0, "ansible-vault encrypt failed: \(result.output)")
        return try String(contentsOf: folder.appendingPathComponent("enc.yml"), encoding: .utf8)
    }

    static let vaultPlaybook = """
        - name: Uses a vaulted variable
          hosts: all
          gather_facts: false
          tasks:
            - name: Show the database password
              ansible.builtin.debug:
                msg: "db={{ vault_db_password }}"
        """
    static let localInventory = "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"

    /// A workspace with Inventory/group_vars/all/vault.yml encrypted (vault id `label`, when given).
    private func vaultWorkspace(label: String? = nil, extra: [String: String] = [:]) throws -> ApplyWorkspace {
        let vaulted = try Self.encrypt(
            "vault_db_password: \(Self.dbPassword)\n", password: Self.vaultPassword, label: label)
        var files = [
            "Playbooks/vaulted.yml": Self.vaultPlaybook, "Inventory/hosts.yml": Self.localInventory,
            "Inventory/group_vars/all/vault.yml": vaulted,
        ]
        files.merge(extra) { _, new in new }
        return try ApplyWorkspace(files)
    }

    enum VaultForm: String, CaseIterable {
        case passwordFile, clientScript, ansibleCfg, environment, prompt
    }

    @Test(arguments: VaultForm.allCases)
    func vaultPasswordFromOutsideTheWorkspace(form: VaultForm) throws {
        _ = try ApplyEnvironment.requireImage()
        let label = form == .clientScript ? "prod" : nil
        let cfg = form == .ansibleCfg ? ["ansible.cfg": "[defaults]\nvault_password_file = ~/.vault_pass.txt\n"] : [:]
        let workspace = try vaultWorkspace(label: label, extra: cfg)
        defer { workspace.cleanUp() }
        // Outside the workspace: in a folder beside it, or in HOME.
        let secrets = workspace.root.appendingPathComponent("secrets")
        try workspace.write("pw.txt", Self.vaultPassword + "\n", in: secrets, mode: 0o600)
        try workspace.write(".vault_pass.txt", Self.vaultPassword + "\n", in: workspace.home, mode: 0o600)
        // A `-client` script answers only for the vault id it is asked about.
        try workspace.write(
            "vault-pass-client.sh",
            "#!/bin/sh\n[ \"$1 $2\" = \"--vault-id prod\" ] || exit 3\nprintf '%s\\n' '\(Self.vaultPassword)'\n",
            in: secrets, mode: 0o700)
        var arguments = ["apply", "vaulted", "-i", "Inventory/hosts.yml", "--no-credentials", "--json", "out/r.json"]
        var extra: [String: String] = [:]
        switch form {
        case .passwordFile: arguments += ["--vault-password-file", secrets.path + "/pw.txt"]
        case .clientScript: arguments += ["--vault-id", "prod@" + secrets.path + "/vault-pass-client.sh"]
        case .ansibleCfg: break
        case .environment: extra["ANSIBLE_VAULT_PASSWORD_FILE"] = secrets.path + "/pw.txt"
        case .prompt: arguments.append("--ask-vault-pass")
        }
        let result: RunbookFixture.Result
        if form == .prompt {
            extra["PTY_ANSWERS"] = "[[\"Vault password: \", \"\(Self.vaultPassword)\"]]"
            let run = try workspace.launch(arguments, extra, prefix: ["/usr/bin/python3", "-c", Self.ptyScript])
            result = run.wait()
        } else {
            result = try workspace.run(arguments, extra)
        }
        let output = Self.plain(result.standardOutput + result.standardError)
        #expect(result.status == 0, "\(output)")
        #expect(output.contains("db=\(Self.dbPassword)"), "\(output)")
        #expect(!output.contains(Self.vaultPassword), "the vault password reached the output")
        #expect(!(workspace.read("out/r.json") ?? "").contains(Self.vaultPassword))
        #expect(workspace.read("out/r.json")?.contains("\"exitStatus\" : 0") == true)
    }

    @Test func wrongVaultPasswordGivesAnsiblesStatusAndAPromptWithoutATerminalIs64() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try vaultWorkspace()
        defer { workspace.cleanUp() }
        try workspace.write("wrong.txt", "not-the-password\n", in: workspace.home, mode: 0o600)
        let wrong = try workspace.run([
            "apply", "vaulted", "-i", "Inventory/hosts.yml", "--no-credentials",
            "--vault-password-file", workspace.home.path + "/wrong.txt",
        ])
        // The same files straight to ansible-playbook in the image: runbook's status is ansible's own.
        let image = try ApplyEnvironment.requireImage()
        let direct = try ImageEnvironment.shell([
            "docker", "run", "--rm", "--network", "host", "--env", "HOME=/tmp", "--mount",
            "type=bind,source=\(workspace.root.path),target=\(workspace.root.path)", "--workdir", workspace.path, image,
            "ansible-playbook", "-i", "Inventory/hosts.yml", "--vault-password-file",
            workspace.home.path + "/wrong.txt",
            "Playbooks/vaulted.yml",
        ])
        #expect(direct.output.contains("Decryption failed"), "\(direct.output)")
        #expect(direct.status != 0 && wrong.status == direct.status, "\(wrong.standardOutput)\(wrong.standardError)")
        #expect((wrong.standardOutput + wrong.standardError).contains("Decryption failed"))
        #expect(try ApplyEnvironment.containers(of: workspace).isEmpty)

        let started = Date()
        let noTerminal = try workspace.run(["apply", "vaulted", "-i", "Inventory/hosts.yml", "--ask-vault-pass"])
        #expect(noTerminal.status == 64, "\(noTerminal.standardError)")
        #expect(noTerminal.standardError.contains("has no terminal"))
        #expect(Date().timeIntervalSince(started) < 10, "a prompt without a terminal must not wait")
    }

    /// The SSH host's `deployer`, whose sudo asks for its password, reached with a key outside the
    /// workspace and ~/.ssh.
    private func becomeWorkspace(_ ssh: ApplyEnvironment.SSHHost, user: String) throws -> (ApplyWorkspace, String) {
        let vaulted = try Self.encrypt("vault_db_password: \(Self.dbPassword)\n", password: Self.vaultPassword)
        let workspace = try ApplyWorkspace([
            "Playbooks/become.yml": """
            - name: Becomes root with a password
              hosts: sshhost
              gather_facts: false
              tasks:
                - name: Who am I after become
                  ansible.builtin.command: id -u
                  become: true
                  register: who
                  changed_when: false
                - name: Say it
                  ansible.builtin.debug:
                    msg: "uid={{ who.stdout }} db={{ vault_db_password }}"
                - name: Wait while the run is looked at
                  ansible.builtin.command: sleep 6
                  changed_when: false
            """,
            "Inventory/hosts.ini":
                "sshhost ansible_host=\(ssh.host) ansible_port=\(ssh.port) ansible_user=\(user)\n",
            "Inventory/group_vars/all/vault.yml": vaulted,
        ])
        try workspace.installSSH(key: nil, knownHosts: try String(contentsOfFile: ssh.knownHosts, encoding: .utf8))
        try workspace.write(
            "deploy_key", try String(contentsOfFile: ssh.key, encoding: .utf8),
            in: workspace.root.appendingPathComponent("keys"), mode: 0o600)
        try workspace.write(
            "vault.txt", Self.vaultPassword, in: workspace.root.appendingPathComponent("keys"), mode: 0o600)
        return (workspace, workspace.root.appendingPathComponent("keys").path)
    }

    @Test func becomePasswordPromptedOnTheHostAndNoSecretInPsInspectOrReports() throws {
        _ = try ApplyEnvironment.requireImage()
        let ssh = try ApplyEnvironment.requireSSHHost()
        let user = try #require(ApplyEnvironment.environment["RUNBOOK_TEST_SSH_SUDO_USER"])
        let sudoPassword = try #require(ApplyEnvironment.environment["RUNBOOK_TEST_SSH_SUDO_PASSWORD"])
        let (workspace, keys) = try becomeWorkspace(ssh, user: user)
        defer { workspace.cleanUp() }
        let common = [
            "apply", "become", "-i", "Inventory/hosts.ini", "--no-credentials", "--private-key", keys + "/deploy_key",
            "--vault-password-file", keys + "/vault.txt",
        ]
        // Without the password, sudo refuses: the check is real.
        let refused = try workspace.run(common)
        #expect(refused.status == 2, "\(refused.standardOutput)\(refused.standardError)")
        #expect(refused.standardOutput.contains("Missing sudo password"), "\(refused.standardOutput)")

        let run = try workspace.launch(
            common + ["-K", "--json", "out/r.json", "--junit", "out/j.xml"],
            ["PTY_ANSWERS": "[[\"BECOME password: \", \"\(sudoPassword)\"]]"],
            prefix: ["/usr/bin/python3", "-c", Self.ptyScript])
        let secrets = [sudoPassword, Self.vaultPassword]
        var leaks: [String] = []
        var inspected = 0
        while run.process.isRunning {
            let listing = try ImageEnvironment.shell(["ps", "-eo", "args"]).output
            leaks += listing.split(separator: "\n").filter { line in secrets.contains { line.contains($0) } }
                .map { "ps: \($0)" }
            for container in try ApplyEnvironment.containers(of: workspace) {
                let inspect = try ImageEnvironment.shell(["docker", "inspect", container])
                guard inspect.status == 0 else { continue }
                inspected += 1
                if secrets.contains(where: { inspect.output.contains($0) }) { leaks.append("docker inspect") }
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let result = run.wait()
        let output = Self.plain(result.standardOutput + result.standardError)
        #expect(result.status == 0, "\(output)")
        #expect(output.contains("uid=0 db=\(Self.dbPassword)"), "\(output)")
        #expect(inspected > 0, "the container was never inspected while it ran")
        #expect(leaks.isEmpty, "\(Set(leaks))")
        for text in [output, workspace.read("out/r.json") ?? "", workspace.read("out/j.xml") ?? ""] {
            #expect(!secrets.contains { text.contains($0) }, "a password in the output or reports")
        }
        #expect(workspace.read("out/j.xml")?.contains("Who am I after become") == true)
    }

    @Test func optionsAfterDoubleDashAndListingFlagsReachAnsible() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace([
            "Playbooks/two.yml": """
            - name: Writes two files
              hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: Write the first file
                  ansible.builtin.copy:
                    content: "one\\n"
                    dest: "{{ playbook_dir }}/../first.txt"
                    mode: "0644"
                  tags: [first]
                - name: Write the second file
                  ansible.builtin.copy:
                    content: "two\\n"
                    dest: "{{ playbook_dir }}/../second.txt"
                    mode: "0644"
                  tags: [second]
            """
        ])
        defer { workspace.cleanUp() }
        let listed = try workspace.run(["apply", "two", "--no-credentials", "--list-tasks"])
        #expect(listed.status == 0, "\(listed.standardOutput)\(listed.standardError)")
        #expect(listed.standardOutput.contains("Write the first file\tTAGS: [first]"), "\(listed.standardOutput)")
        let tags = try workspace.run(["apply", "two", "--no-credentials", "--list-tags"])
        #expect(tags.standardOutput.contains("TASK TAGS: [first, second]"), "\(tags.standardOutput)")
        #expect(workspace.read("first.txt") == nil && workspace.read("second.txt") == nil, "listing ran tasks")

        let started = try workspace.run(
            ["apply", "two", "--no-credentials", "--", "--start-at-task", "Write the second file", "--flush-cache"])
        #expect(started.status == 0, "\(started.standardOutput)\(started.standardError)")
        #expect(workspace.read("first.txt") == nil, "--start-at-task did not reach ansible")
        #expect(workspace.read("second.txt") == "two\n")

        let refused = try workspace.run(["apply", "two", "--no-credentials", "--", "--step"])
        #expect(refused.status == 64, "\(refused.standardError)")
        #expect(refused.standardError.contains("--step"))
    }

    @Test func killNineLeavesNoContainerAndTheNextRunRemovesTheFolder() throws {
        let image = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace([
            "Playbooks/sleep.yml": ApplyPlaybooks.sleeping, "Playbooks/smoke.yml": ApplyPlaybooks.smoke,
        ])
        defer { workspace.cleanUp() }
        let temporary = workspace.root.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let tmp = ["TMPDIR": temporary.path]
        func runFolders() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: temporary.path).filter { $0.hasPrefix("runbook-") }
        }
        let run = try workspace.launch(["apply", "sleep", "--no-credentials"], tmp)
        let sleeping = try run.waitFor(seconds: 120) {
            guard run.standardOutput.contains("TASK [Sleep a minute]") else { return false }
            return !(try ApplyEnvironment.containers(of: workspace).isEmpty)
        }
        try #require(sleeping, "the run never reached its sleep task: \(run.standardOutput)\(run.standardError)")
        let pid = run.process.processIdentifier

        // `runbook ps` shows the run: its pid, its container running.
        let listed = try workspace.run(["ps", "--format", "json"], tmp)
        #expect(listed.status == 0, "\(listed.standardError)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [String: Any])
        let runs = try #require(report["runs"] as? [[String: Any]])
        #expect(runs.count == 1, "\(listed.standardOutput)")
        #expect(runs.first?["pid"] as? Int == Int(pid))
        #expect(runs.first?["containerState"] as? String == "running", "\(listed.standardOutput)")

        kill(pid, SIGKILL)
        let killed = Date()
        var left = try ApplyEnvironment.containers(of: workspace)
        while !left.isEmpty && Date().timeIntervalSince(killed) < 10 {
            Thread.sleep(forTimeInterval: 0.25)
            left = try ApplyEnvironment.containers(of: workspace)
        }
        #expect(left.isEmpty, "the container outlived runbook by 10 s")
        #expect(try runFolders().count == 1, "the killed run's folder should still be there to clean")
        let afterKill = try workspace.run(["ps"], tmp)
        #expect(afterKill.standardOutput == "no runs in progress\n")
        #expect(afterKill.standardError.contains("left by runs whose runbook is gone"), "\(afterKill.standardError)")

        // A container of a gone runbook that never started (created, then the runbook died) goes too.
        let host = try ImageEnvironment.shell(["uname", "-n"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let orphan = "runbook-it-orphan-\(UUID().uuidString.prefix(8).lowercased())"
        defer { _ = try? ImageEnvironment.shell(["docker", "rm", "--force", orphan]) }
        let created = try ImageEnvironment.shell([
            "docker", "create", "--name", orphan, "--label", "runbook.managed=true", "--label",
            "runbook.workspace=\(workspace.path)", "--label", "runbook.host=\(host)", "--label", "runbook.pid=\(pid)",
            image, "true",
        ])
        try #require(created.status == 0, "\(created.output)")

        let next = try workspace.run(["apply", "smoke", "--no-credentials"], tmp)
        #expect(next.status == 0, "\(next.standardOutput)\(next.standardError)")
        #expect(next.standardError.contains("removed 1 run folder(s)"), "\(next.standardError)")
        #expect(next.standardError.contains(orphan), "\(next.standardError)")
        let folders = try runFolders()
        #expect(folders.isEmpty, "folders left: \(folders)")
        #expect(try ApplyEnvironment.containers(of: workspace).isEmpty)
    }
}
