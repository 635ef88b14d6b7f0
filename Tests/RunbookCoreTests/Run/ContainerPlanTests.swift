import Foundation
import Testing

@testable import RunbookCore

@Suite struct ContainerPlanTests {
    private func plan(tty: Bool = false, uid: UInt32 = 1000) -> ContainerPlan {
        var arguments = PlaybookArguments(playbook: "/work/ws/Playbooks/site.yml")
        arguments.inventories = ["/work/ws/Inventory"]
        arguments.selection.limit = "web"
        arguments.selection.check = true
        arguments.selection.verbosity = 2
        return ContainerPlan(
            workspace: "/work/ws", image: "runbook/ansible-aws:release", playbook: arguments, runID: "abc123",
            passthroughNames: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "HOME"],
            supportDirectory: "/tmp/rb-abc123", user: ContainerUser(uid: uid, gid: 1000),
            sshAuthSock: "/run/user/1000/agent.sock", sshDirectory: "/home/u/.ssh", network: "host", tty: tty)
    }

    @Test func secretsArePassedByNameOnly() {
        let argv = plan().spec.runArguments
        let envValues = zip(argv, argv.dropFirst()).filter { $0.0 == "--env" }.map(\.1)
        #expect(envValues.contains("AWS_SECRET_ACCESS_KEY"))
        #expect(envValues.contains("AWS_SESSION_TOKEN"))
        #expect(!envValues.contains { $0.hasPrefix("AWS_") && $0.contains("=") })
        // HOME is set by the plan itself, so the host's HOME is not passed through.
        #expect(envValues.contains("HOME=/tmp/runbook-home"))
        #expect(!envValues.contains("HOME"))
    }

    @Test func workspaceIsMountedAtTheSamePathAndIsTheWorkingDirectory() {
        let argv = plan().spec.runArguments
        #expect(argv.contains("type=bind,source=/work/ws,target=/work/ws"))
        let workdir = argv.firstIndex(of: "--workdir").map { argv[$0 + 1] }
        #expect(workdir == "/work/ws")
        #expect(argv.contains("type=bind,source=/home/u/.ssh,target=/tmp/runbook-home/.ssh,readonly"))
        #expect(argv.contains("type=bind,source=/tmp/rb-abc123/passwd,target=/etc/passwd,readonly"))
        #expect(argv.contains("1000:1000"))
    }

    @Test func commandEndsWithThePlaybookAfterTheImage() throws {
        let argv = plan().spec.runArguments
        let image = try #require(argv.firstIndex(of: "runbook/ansible-aws:release"))
        let command = Array(argv[(image + 1)...])
        // runbook's entry runs ansible-playbook: passwords over stdin, stopped when stdin closes.
        #expect(
            command == [
                "runbook", "exec-playbook", "--secrets", "/tmp/runbook-home/.runbook-secrets", "--",
                "ansible-playbook", "-i", "/work/ws/Inventory", "--limit", "web", "--check", "-vv",
                "/work/ws/Playbooks/site.yml",
            ])
        #expect(argv.prefix(4) == ["run", "--rm", "--name", "runbook-abc123"])
    }

    @Test func stdinIsTheEntrysChannelAndColoursFollowRunbooksTerminal() {
        // A piped stdin cannot be a TTY, so the container never gets one; colours are forced instead.
        #expect(plan(tty: true).spec.runArguments.contains("--interactive"))
        #expect(!plan(tty: true).spec.runArguments.contains("--tty"))
        #expect(plan(tty: true).environment["ANSIBLE_FORCE_COLOR"] == "1")
        #expect(plan(tty: false).environment["ANSIBLE_FORCE_COLOR"] == nil)
        // Without vault passwords runbook sets no ANSIBLE_VAULT_* (an empty one would be read as a path).
        #expect(plan().environment["ANSIBLE_VAULT_PASSWORD_FILE"] == nil)
    }

    @Test func rootNeedsNoPasswdFileAndGetsATmpfsAtRoot() {
        let argv = plan(uid: 0).spec.runArguments
        #expect(!argv.contains { $0.contains("/etc/passwd") })
        #expect(ContainerUser(uid: 0, gid: 0).passwd == "root:x:0:0:root:/root:/bin/sh\n")
        // ssh looks for ~/.ssh in the passwd entry's home, which for root is /root.
        #expect(argv.contains("/root:rw,exec,mode=1777"))
        #expect(argv.contains("type=bind,source=/home/u/.ssh,target=/root/.ssh,readonly"))
        #expect(argv.contains("HOME=/root"))
    }

    @Test func supportFilesHoldThePluginAndAnEmptyEventsFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var plan = plan()
        plan.supportDirectory = directory.path
        try plan.writeSupportFiles()
        let plugin = try String(contentsOfFile: directory.path + "/callback/runbook_events.py", encoding: .utf8)
        #expect(plugin.contains("CALLBACK_NAME = \"runbook_events\""))
        #expect(try Data(contentsOf: URL(fileURLWithPath: plan.eventsFile)).isEmpty)
        #expect(try String(contentsOfFile: directory.path + "/passwd", encoding: .utf8).contains(":1000:1000:"))
    }

    @Test func locatorFindsNamesUnderPlaybooksAndRejectsEscapes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString).yml")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: outside)
        }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("Playbooks"), withIntermediateDirectories: true)
        try Data("- hosts: all\n".utf8).write(to: root.appendingPathComponent("Playbooks/site.yml"))
        try Data("- hosts: all\n".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("Playbooks/escape.yml").path, withDestinationPath: outside.path)
        let locator = PlaybookLocator(workspace: root.path)
        let found = try locator.locate("site", currentDirectory: "/")
        #expect(found.hasSuffix("/Playbooks/site.yml"))
        #expect(throws: RunbookError.self) { try locator.locate("escape.yml", currentDirectory: "/") }
        do {
            _ = try locator.locate("escape.yml", currentDirectory: "/")
        } catch let error as RunbookError {
            #expect(error.status == .usage)
            #expect(error.message.contains("outside the workspace"))
        }
        do {
            _ = try locator.locate("missing", currentDirectory: "/")
        } catch let error as RunbookError {
            #expect(error.status == .noInput)
        }
    }
}

@Suite struct UserCallbackTests {
    @Test func workspaceCallbacksStayEnabledBesideRunbooks() throws {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("rb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: workspace) }
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        try Data("[defaults]\ncallbacks_enabled = tree, profile_tasks\ncallback_plugins = plugins/cb\n".utf8)
            .write(to: workspace.appendingPathComponent("ansible.cfg"))
        let callbacks = UserCallbacks(workspace: workspace.path, environment: [:], inImage: false)
        #expect(callbacks.enabled == ["tree", "profile_tasks"])
        #expect(callbacks.paths == [workspace.path + "/plugins/cb"])
        let env = RunSupport.callbackEnvironment(
            supportPath: "/opt/runbook-run", tty: false, userCallbacks: callbacks.enabled,
            userCallbackPaths: callbacks.paths)
        #expect(env["ANSIBLE_CALLBACKS_ENABLED"] == "tree,profile_tasks,runbook_events")
        #expect(env["ANSIBLE_CALLBACK_PLUGINS"] == "/opt/runbook-run/callback:\(workspace.path)/plugins/cb")

        // In the image, ansible's own variables win over the file, as they would for ansible.
        let inImage = UserCallbacks(
            workspace: workspace.path, environment: ["ANSIBLE_CALLBACKS_ENABLED": "timer"], inImage: true)
        #expect(inImage.enabled == ["timer"])
    }
}

@Test func selectionFlagsUseAnsiblePlaybooksSpelling() {
    var selection = PlaybookSelection()
    #expect(selection.arguments.isEmpty)
    selection.tags = ["web", "db"]
    selection.skipTags = ["slow"]
    selection.extraVars = ["a=1", "@vars.yml"]
    selection.diff = true
    selection.verbosity = 9
    selection.forks = 4
    #expect(
        selection.arguments == [
            "--tags", "web,db", "--skip-tags", "slow", "--extra-vars", "a=1", "--extra-vars", "@vars.yml", "--diff",
            "-vvvvvv", "--forks", "4",
        ])
}
