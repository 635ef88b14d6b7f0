import Foundation
import FoundationXML
import Testing

/// Playbooks the apply tests run, all on localhost inside the container unless they say otherwise.
enum ApplyPlaybooks {
    static let smoke = """
        - name: Smoke
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Make the output folder
              ansible.builtin.file:
                path: "{{ playbook_dir }}/../out"
                state: directory
                mode: "0755"
            - name: Write a file into the workspace
              ansible.builtin.copy:
                content: "made by ansible\\n"
                dest: "{{ playbook_dir }}/../out/created.txt"
                mode: "0644"
            - name: Say who and where
              ansible.builtin.debug:
                msg: "uid={{ lookup('ansible.builtin.pipe', 'id -u') }} cwd={{ lookup('ansible.builtin.pipe', 'pwd') }}"
        """

    static let failing = """
        - name: Fails
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Break on purpose
              ansible.builtin.fail:
                msg: "broken on purpose"
        """

    static let unreachable = """
        - name: Unreachable
          hosts: closed
          gather_facts: false
          tasks:
            - name: Ping a host nobody listens for
              ansible.builtin.ping:
        """
    /// A host on a loopback port nothing listens on.
    static let closedInventory = """
        all:
          hosts:
            closed:
              ansible_host: 127.0.0.1
              ansible_port: 1
              ansible_connection: ssh
        """

    static let sleeping = """
        - name: Sleeps
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Sleep a minute
              ansible.builtin.command: sleep 60
        """
}

/// `runbook apply` and `runbook plan` against the real engine and the real image.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct ApplyTests {
    @Test func smokeRunWithoutStdinOrTTYWritesReports() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/smoke.yml": ApplyPlaybooks.smoke])
        defer { workspace.cleanUp() }
        // The fixture gives runbook /dev/null for stdin and files for stdout/stderr: no TTY anywhere.
        let result = try workspace.run(
            ["apply", "smoke", "--no-credentials", "--json", "out/results.json", "--junit", "out/junit.xml"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(workspace.read("out/created.txt") == "made by ansible\n")
        // The workspace is the working directory, at the same path as on the host.
        #expect(result.standardOutput.contains("uid=0 cwd=\(workspace.path)"))
        #expect(result.standardOutput.contains("TASK [Write a file into the workspace]"))
        #expect(!result.standardOutput.contains("\u{1B}["), "colour codes without a terminal")
        #expect(result.standardError.contains("runbook summary:"))
        #expect(try ApplyEnvironment.containers(of: workspace).isEmpty)

        let json = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: workspace.url.appendingPathComponent("out/results.json")))
                as? [String: Any])
        #expect(json["exitStatus"] as? Int == 0)
        let hosts = try #require(json["hosts"] as? [String: [String: Int]])
        #expect(hosts["localhost"]?["ok"] == 3)
        #expect(hosts["localhost"]?["changed"] == 2)
        #expect((json["results"] as? [Any])?.count == 3)
        #expect(((json["events"] as? [[String: Any]]) ?? []).contains { $0["event"] as? String == "play_start" })

        let junit = try XMLDocument(contentsOf: workspace.url.appendingPathComponent("out/junit.xml"))
        let cases = try junit.nodes(forXPath: "//testsuite/testcase")
        #expect(cases.count == 3)
        #expect(try junit.nodes(forXPath: "//failure").isEmpty)
        let names = cases.compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue }
        #expect(names.contains("[localhost] Write a file into the workspace"))
    }

    @Test func failingTaskExits2WithTheFailureInTheReports() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/fail.yml": ApplyPlaybooks.failing])
        defer { workspace.cleanUp() }
        let result = try workspace.run(["apply", "fail", "--no-credentials", "--junit", "out/junit.xml"])
        #expect(result.status == 2, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("broken on purpose"))
        let junit = try XMLDocument(contentsOf: workspace.url.appendingPathComponent("out/junit.xml"))
        let failures = try junit.nodes(forXPath: "//failure")
        #expect(failures.count == 1)
        #expect((failures.first as? XMLElement)?.attribute(forName: "message")?.stringValue == "broken on purpose")
    }

    @Test func unreachableHostExits4() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace([
            "Playbooks/unreachable.yml": ApplyPlaybooks.unreachable,
            "Inventory/hosts.yml": ApplyPlaybooks.closedInventory,
        ])
        defer { workspace.cleanUp() }
        let result = try workspace.run(["apply", "unreachable", "--no-credentials", "--json", "out/results.json"])
        #expect(result.status == 4, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("UNREACHABLE!"))
        let json = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: workspace.url.appendingPathComponent("out/results.json")))
                as? [String: Any])
        #expect(json["exitStatus"] as? Int == 4)
        #expect((json["hosts"] as? [String: [String: Int]])?["closed"]?["unreachable"] == 1)
    }

    @Test func planShowsWhatWouldChangeAndChangesNothing() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/smoke.yml": ApplyPlaybooks.smoke])
        defer { workspace.cleanUp() }
        let result = try workspace.run(["plan", "smoke", "--no-credentials", "--json", "plan.json"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardError.contains("would change:\n  localhost: 2 task(s)\n"))
        #expect(result.standardError.contains("change  Make the output folder"))
        #expect(result.standardError.contains("change  Write a file into the workspace"))
        #expect(workspace.read("out/created.txt") == nil, "plan changed the workspace")
        #expect(workspace.read("plan.json")?.contains("\"changed\" : 2") == true)
    }

    @Test func workspaceAnsibleCfgKeepsItsOwnCallbacks() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace([
            "Playbooks/smoke.yml": ApplyPlaybooks.smoke,
            "ansible.cfg":
                "[defaults]\ncallbacks_enabled = ansible.builtin.tree\n[callback_tree]\ndirectory = out/tree\n",
        ])
        defer { workspace.cleanUp() }
        let result = try workspace.run(["apply", "smoke", "--no-credentials", "--json", "out/results.json"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        // The user's tree callback ran, and so did runbook's (the JSON has the results).
        #expect(workspace.read("out/tree/localhost")?.contains("made by ansible") == false)
        #expect(workspace.read("out/tree/localhost") != nil, "the workspace's callbacks_enabled was overridden")
        #expect(workspace.read("out/results.json")?.contains("Write a file into the workspace") == true)
    }

    @Test func terminalGetsATTYAndColours() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/smoke.yml": ApplyPlaybooks.smoke])
        defer { workspace.cleanUp() }
        // script(1) gives runbook a pseudo-terminal.
        let prefix = ["/bin/sh", "-c", "exec script -qefc \"$*\" /dev/null", "sh"]
        let result = try workspace.launch(["apply", "smoke", "--no-credentials"], prefix: prefix).wait()
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("\u{1B}[0;33mchanged: [localhost]"), "\(result.standardOutput)")
    }

    @Test func timeoutStopsTheRunWith75() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/sleep.yml": ApplyPlaybooks.sleeping])
        defer { workspace.cleanUp() }
        let started = Date()
        let result = try workspace.run(["apply", "sleep", "--no-credentials", "--timeout", "3s"])
        #expect(result.status == 75, "\(result.standardError)")
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(result.standardError.contains("longer than --timeout"))
        #expect(try ApplyEnvironment.containers(of: workspace).isEmpty, "a container was left behind")
    }

    @Test func inImageModeRunsAnsibleDirectly() throws {
        let image = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/smoke.yml": ApplyPlaybooks.smoke])
        defer { workspace.cleanUp() }
        // A pipeline step: the image is the step image, the checkout is the working directory.
        let result = try ImageEnvironment.shell([
            "docker", "run", "--rm", "--network", "host", "--mount",
            "type=bind,source=\(workspace.path),target=\(workspace.path)", "--workdir", workspace.path, image,
            "runbook", "apply", "smoke", "--no-credentials", "--json", "out/results.json", "--junit", "out/junit.xml",
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("TASK [Write a file into the workspace]"))
        #expect(!result.output.contains("runbook: image "), "in-image mode must not touch an engine")
        #expect(workspace.read("out/created.txt") == "made by ansible\n")
        #expect(workspace.read("out/results.json")?.contains("\"exitStatus\" : 0") == true)
        #expect(workspace.read("out/junit.xml")?.contains("<testcase") == true)

        let failing = try ImageEnvironment.shell([
            "docker", "run", "--rm", "--network", "host", "--mount",
            "type=bind,source=\(workspace.path),target=\(workspace.path)", "--workdir", workspace.path,
            "--env", "WS=\(workspace.path)", image, "sh", "-c",
            "printf '%s' \"$0\" > Playbooks/fail.yml && runbook apply fail --no-credentials", ApplyPlaybooks.failing,
        ])
        #expect(failing.status == 2, "\(failing.output)")
    }

    @Test func inImageModeStopsAnsibleOnSIGTERM() throws {
        let image = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/sleep.yml": ApplyPlaybooks.sleeping])
        defer { workspace.cleanUp() }
        let name = "runbook-it-inimage-\(UUID().uuidString.prefix(8).lowercased())"
        defer { _ = try? ImageEnvironment.shell(["docker", "rm", "--force", name]) }
        // What a CI runner does when a step is stopped: SIGTERM to the step's main process, runbook.
        let started = try ImageEnvironment.shell([
            "docker", "run", "--detach", "--name", name, "--network", "host", "--mount",
            "type=bind,source=\(workspace.path),target=\(workspace.path)", "--workdir", workspace.path, image,
            "runbook", "apply", "sleep", "--no-credentials", "--json", "out/results.json",
        ])
        try #require(started.status == 0, "\(started.output)")
        var logs = ""
        for _ in 0..<200 where !logs.contains("TASK [Sleep a minute]") {
            Thread.sleep(forTimeInterval: 0.1)
            logs = (try? ImageEnvironment.shell(["docker", "logs", name]).output) ?? ""
        }
        try #require(logs.contains("TASK [Sleep a minute]"), "\(logs)")
        Thread.sleep(forTimeInterval: 1)
        let sent = Date()
        _ = try ImageEnvironment.shell(["docker", "kill", "--signal", "TERM", name])
        let waited = try ImageEnvironment.shell(["docker", "wait", name])
        #expect(waited.output.trimmingCharacters(in: .whitespacesAndNewlines) == "143")
        #expect(Date().timeIntervalSince(sent) < 10)
        #expect(try ImageEnvironment.shell(["docker", "logs", name]).output.contains("ansible-playbook was stopped"))
        #expect(workspace.read("out/results.json")?.contains("\"exitStatus\" : 143") == true)
    }
}

/// runbook's own failures end the run before any container starts, with their own exit codes.
@Suite(.enabled(if: ApplyEnvironment.enabled))
struct ApplyRefusalTests {
    /// A broken engine setting: had runbook got as far as the engine, it would exit 69 instead.
    private let noEngine = ["RUNBOOK_ENGINE": "podman", "PATH": "/nonexistent"]

    @Test func validationErrorsStopTheRunWith65() throws {
        let workspace = try ApplyWorkspace([
            "Playbooks/bad.yml": """
            - name: Bad
              hosts: localhost
              tasks:
                - name: Two modules in one task
                  ansible.builtin.debug:
                    msg: hi
                  ansible.builtin.command: "true"
            """
        ])
        defer { workspace.cleanUp() }
        let result = try workspace.run(["apply", "bad", "--no-credentials"], noEngine)
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains("bad.yml:"))
        #expect(result.standardError.contains("error(s) found by validation"))
        #expect(try ApplyEnvironment.containers(of: workspace).isEmpty)
    }

    @Test func playbookOutsideTheWorkspaceIs64() throws {
        let workspace = try ApplyWorkspace([:])
        defer { workspace.cleanUp() }
        let outside = workspace.root.appendingPathComponent("outside.yml")
        try Data(ApplyPlaybooks.smoke.utf8).write(to: outside)
        let direct = try workspace.run(["apply", outside.path, "--no-credentials"], noEngine)
        #expect(direct.status == 64, "\(direct.standardError)")
        #expect(direct.standardError.contains("outside the workspace"))

        try FileManager.default.createDirectory(
            at: workspace.url.appendingPathComponent("Playbooks"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: workspace.path + "/Playbooks/escape.yml", withDestinationPath: outside.path)
        let viaLink = try workspace.run(["apply", "escape", "--no-credentials"], noEngine)
        #expect(viaLink.status == 64, "\(viaLink.standardError)")
    }

    @Test func missingPlaybookIs66() throws {
        let workspace = try ApplyWorkspace([:])
        defer { workspace.cleanUp() }
        let result = try workspace.run(["apply", "nosuch", "--no-credentials"], noEngine)
        #expect(result.status == 66, "\(result.standardError)")
        #expect(result.standardError.contains("playbook 'nosuch' not found"))
    }

    @Test func missingEngineIs69() throws {
        let workspace = try ApplyWorkspace(["Playbooks/smoke.yml": ApplyPlaybooks.smoke])
        defer { workspace.cleanUp() }
        // A PATH that has docker but not podman (podman may be installed on this machine).
        let bin = workspace.root.appendingPathComponent("only-docker-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let docker = try #require(
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/docker" }
                .first { FileManager.default.isExecutableFile(atPath: $0) })
        try FileManager.default.createSymbolicLink(
            atPath: bin.appendingPathComponent("docker").path, withDestinationPath: docker)
        let podman = try workspace.run(
            ["apply", "smoke", "--no-credentials"], ["RUNBOOK_ENGINE": "podman", "PATH": bin.path])
        #expect(podman.status == 69, "\(podman.standardError)")
        #expect(podman.standardError.contains("podman is not installed"))
        // Podman named, on PATH, but its service does not answer.
        let podmanDown = try workspace.run(
            ["apply", "smoke", "--no-credentials"],
            ["RUNBOOK_ENGINE": "podman", "CONTAINER_HOST": "unix:///nonexistent/podman.sock"])
        #expect(podmanDown.status == 69, "\(podmanDown.standardError)")
        #expect(podmanDown.standardError.contains("podman"))
        let noDocker = try workspace.run(["apply", "smoke", "--no-credentials"], ["PATH": "/nonexistent"])
        #expect(noDocker.status == 69, "\(noDocker.standardError)")
    }
}
