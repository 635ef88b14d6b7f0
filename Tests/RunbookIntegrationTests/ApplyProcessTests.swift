import Foundation
import Testing

/// What happens around the run: signals, secrets in process listings and files, file ownership.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct ApplyProcessTests {
    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func signalStopsAndRemovesTheContainer(signal: Int32, status: Int32) throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/sleep.yml": ApplyPlaybooks.sleeping])
        defer { workspace.cleanUp() }
        let run = try workspace.launch(["apply", "sleep", "--no-credentials", "--json", "out/results.json"])
        let sleeping = try run.waitFor(seconds: 120) {
            guard run.standardOutput.contains("TASK [Sleep a minute]") else { return false }
            return !(try ApplyEnvironment.containers(of: workspace).isEmpty)
        }
        try #require(sleeping, "the run never reached its sleep task: \(run.standardOutput)\(run.standardError)")
        Thread.sleep(forTimeInterval: 1)
        let sent = Date()
        kill(run.process.processIdentifier, signal)
        let result = run.wait(seconds: 60)
        #expect(run.process.terminationReason == .exit, "runbook died of the signal instead of handling it")
        #expect(result.status == status, "\(result.standardError)")
        #expect(Date().timeIntervalSince(sent) < 15, "stopping took longer than the grace period")
        #expect(result.standardError.contains("stopped by signal"))
        #expect(try ApplyEnvironment.containers(of: workspace).isEmpty, "a container was left behind")
        #expect(workspace.read("out/results.json")?.contains("\"exitStatus\" : \(status)") == true)
    }

    @Test func secretsAppearInNoProcessListingOutputOrReport() throws {
        _ = try ApplyEnvironment.requireImage()
        let token = "my-token-value-7c1e55d2"
        let secrets = [ApplyEnvironment.secretKey, ApplyEnvironment.sessionToken, token]
        let workspace = try ApplyWorkspace([
            "Playbooks/secrets.yml": """
            - name: Prints secrets
              hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: Print them
                  ansible.builtin.debug:
                    msg: >-
                      token={{ lookup('ansible.builtin.env', 'MY_TOKEN') }}
                      secret={{ lookup('ansible.builtin.env', 'AWS_SECRET_ACCESS_KEY') }}
                      session={{ lookup('ansible.builtin.env', 'AWS_SESSION_TOKEN') }}
                - name: Fail with one
                  ansible.builtin.fail:
                    msg: "leaked {{ lookup('ansible.builtin.env', 'MY_TOKEN') }}"
                  ignore_errors: true
                - name: Wait while ps is sampled
                  ansible.builtin.command: sleep 6
            """
        ])
        defer { workspace.cleanUp() }
        let run = try workspace.launch(
            // Keys in variables (--credentials env), so ansible can print them and runbook must mask them.
            [
                "apply", "secrets", "--offline", "--credentials", "env", "--env", "MY_TOKEN", "--json", "out/r.json",
                "--junit", "out/j.xml",
            ],
            [
                "AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": ApplyEnvironment.secretKey,
                "AWS_SESSION_TOKEN": ApplyEnvironment.sessionToken, "AWS_REGION": "eu-west-2", "MY_TOKEN": token,
            ])
        var samples = 0
        var leaks: [String] = []
        var sawContainer = false
        while run.process.isRunning {
            let listing = try ImageEnvironment.shell(["ps", "-eo", "args"]).output
            samples += 1
            sawContainer = sawContainer || listing.contains("ansible-playbook")
            leaks += listing.split(separator: "\n").filter { line in secrets.contains { line.contains($0) } }
                .map(String.init)
            Thread.sleep(forTimeInterval: 0.1)
        }
        let result = run.wait()
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(sawContainer && samples > 10, "ps never saw the run (\(samples) samples)")
        #expect(leaks.isEmpty, "secret values in `ps -eo args`: \(Set(leaks))")
        for text in [
            result.standardOutput, result.standardError, workspace.read("out/r.json") ?? "",
            workspace.read("out/j.xml") ?? "",
        ] {
            #expect(!secrets.contains { text.contains($0) }, "a secret in runbook's output or reports")
        }
        // ansible did print them: runbook masked them.
        #expect(result.standardOutput.contains("token=**** secret=**** session=****"))
        #expect(workspace.read("out/r.json")?.contains("leaked ****") == true)
    }

    @Test func filesBelongToTheInvokingUser() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/smoke.yml": ApplyPlaybooks.smoke])
        defer { workspace.cleanUp() }
        // runbook as uid/gid 1000, allowed to use the engine through the socket's group (as users in
        // the docker group are); the workspace and HOME are that user's.
        let socketGroup = try #require(
            try FileManager.default.attributesOfItem(atPath: "/var/run/docker.sock")[.groupOwnerAccountID] as? Int)
        for url in [workspace.root, workspace.url, workspace.home] + (try contents(of: workspace.url)) {
            #expect(chown(url.path, 1000, 1000) == 0)
        }
        let prefix = ["/usr/bin/setpriv", "--reuid=1000", "--regid=1000", "--groups=\(socketGroup)", "--"]
        let run = try workspace.launch(
            ["apply", "smoke", "--no-credentials", "--json", "out/results.json"], prefix: prefix)
        let result = run.wait()
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("uid=1000 cwd=\(workspace.path)"))
        for file in ["out", "out/created.txt", "out/results.json"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: workspace.path + "/" + file)
            #expect(attributes[.ownerAccountID] as? Int == 1000, "\(file) is not owned by uid 1000")
            #expect(attributes[.groupOwnerAccountID] as? Int == 1000, "\(file) is not owned by gid 1000")
        }
    }

    private func contents(of url: URL) throws -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else {
            return []
        }
        return enumerator.compactMap { $0 as? URL }
    }
}
