import Foundation
import Testing

/// amazon.aws modules against moto, and configure-ec2.yml end to end: moto's instances, configured
/// over SSH on the sshd test host (every instance reached at 127.0.0.1:PORT, never at moto's IPs).
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct ApplyAWSTests {
    private static let tagPlaybook = """
        - name: EC2 against the endpoint
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Find the test instances
              amazon.aws.ec2_instance_info:
                region: "{{ lookup('ansible.builtin.env', 'AWS_REGION') }}"
                filters:
                  "tag:RunbookTest": "{{ test_id }}"
              register: found
            - name: Two were found
              ansible.builtin.assert:
                that: found.instances | length == 2
            - name: Tag them
              amazon.aws.ec2_tag:
                region: "{{ lookup('ansible.builtin.env', 'AWS_REGION') }}"
                resource: "{{ item.instance_id }}"
                tags:
                  Configured: "by-runbook"
              loop: "{{ found.instances }}"
        """

    private func credentials(_ moto: String) -> [String: String] {
        [
            "AWS_ACCESS_KEY_ID": ApplyEnvironment.accessKey, "AWS_SECRET_ACCESS_KEY": ApplyEnvironment.secretKey,
            "AWS_REGION": "eu-west-2", "AWS_ENDPOINT_URL": moto,
        ]
    }

    @Test(arguments: [false, true])
    func amazonAWSModulesReachMoto(offline: Bool) throws {
        _ = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMoto()
        let id = UUID().uuidString
        let instances = try ApplyEnvironment.createInstances(2, tags: ["RunbookTest": id])
        let workspace = try ApplyWorkspace(["Playbooks/tag.yml": Self.tagPlaybook])
        defer { workspace.cleanUp() }
        let result = try workspace.run(
            ["apply", "tag", "-e", "test_id=\(id)"] + (offline ? ["--offline"] : []), credentials(moto))
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        // Online: STS at the endpoint vouched for the key; offline: no call.
        #expect(result.standardError.contains(offline ? "not verified: --offline" : "account 123456789012"))
        #expect(!(result.standardOutput + result.standardError).contains(ApplyEnvironment.secretKey))

        let tagged = try ApplyEnvironment.boto3(
            """
            found = ec2.describe_instances(Filters=[{"Name": "tag:Configured", "Values": ["by-runbook"]},
                                                    {"Name": "tag:RunbookTest", "Values": ["\(id)"]}])
            print(" ".join(sorted(i["InstanceId"] for r in found["Reservations"] for i in r["Instances"])))
            """)
        #expect(tagged.trimmingCharacters(in: .whitespacesAndNewlines) == instances.sorted().joined(separator: " "))
    }

    @Test func configureEC2OverSSHEndToEnd() throws {
        _ = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMoto()
        let ssh = try ApplyEnvironment.requireSSHHost()
        let id = UUID().uuidString
        let instance = try #require(
            try ApplyEnvironment.createInstances(1, tags: ["Role": "web", "RunbookTest": id]).first)
        let playbook = try String(
            contentsOf: ApplyEnvironment.repositoryRoot.appendingPathComponent("Playbooks/configure-ec2.yml"),
            encoding: .utf8)
        let workspace = try ApplyWorkspace(["Playbooks/configure-ec2.yml": playbook])
        defer { workspace.cleanUp() }
        try workspace.installSSH(key: ssh.key, knownHosts: try String(contentsOfFile: ssh.knownHosts, encoding: .utf8))
        let variables = """
            {"instance_filters": {"instance-state-name": "running", "tag:Role": "web", "tag:RunbookTest": "\(id)"},
             "ssh_host": "\(ssh.host)", "ssh_port": \(ssh.port), "ssh_user": "\(ssh.user)"}
            """
        let result = try workspace.run(
            ["apply", "configure-ec2", "-e", variables, "--junit", "out/junit.xml"], credentials(moto))
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("1 running instance(s) in eu-west-2"))
        #expect(result.standardOutput.contains("TASK [Keep nginx running and enabled]"))
        #expect(result.standardError.contains("\(instance)  ok=3"), "\(result.standardError)")
        let junit = workspace.read("out/junit.xml") ?? ""
        #expect(junit.contains("[\(instance)] Install the web stack"))
        let nginx = try ImageEnvironment.shell([
            "docker", "exec", "runbook-test-sshd-\(ssh.port)", "pgrep", "-x", "nginx",
        ])
        #expect(nginx.status == 0, "nginx is not running on the test host")
    }

    @Test func unknownHostKeyIsRefused() throws {
        _ = try ApplyEnvironment.requireImage()
        let ssh = try ApplyEnvironment.requireSSHHost()
        let workspace = try pingWorkspace(ssh)
        defer { workspace.cleanUp() }
        // The right key, but a known_hosts without the host: ansible checks host keys, so it refuses.
        try workspace.installSSH(key: ssh.key, knownHosts: "")
        let refused = try workspace.run(["apply", "ping", "--no-credentials"])
        #expect(refused.status == 4, "\(refused.standardOutput)\(refused.standardError)")
        #expect(refused.standardOutput.contains("Host key verification failed"))

        try workspace.installSSH(key: ssh.key, knownHosts: try String(contentsOfFile: ssh.knownHosts, encoding: .utf8))
        let known = try workspace.run(["apply", "ping", "--no-credentials"])
        #expect(known.status == 0, "\(known.standardOutput)\(known.standardError)")
    }

    @Test func sshAgentIsForwarded() throws {
        _ = try ApplyEnvironment.requireImage()
        let ssh = try ApplyEnvironment.requireSSHHost()
        let workspace = try pingWorkspace(ssh)
        defer { workspace.cleanUp() }
        // No key file in ~/.ssh: the key is only in the agent.
        try workspace.installSSH(key: nil, knownHosts: try String(contentsOfFile: ssh.knownHosts, encoding: .utf8))
        let socket = workspace.root.appendingPathComponent("agent.sock").path
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-agent")
        agent.arguments = ["-D", "-a", socket]
        agent.standardOutput = FileHandle.nullDevice
        try agent.run()
        defer {
            // SIGKILL: a child of the test runner inherits a signal mask that blocks SIGTERM.
            kill(agent.processIdentifier, SIGKILL)
            agent.waitUntilExit()
        }
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: socket) { Thread.sleep(forTimeInterval: 0.1) }
        let add = Process()
        add.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-add")
        add.arguments = ["-q", ssh.key]
        add.environment = ["SSH_AUTH_SOCK": socket]
        try add.run()
        add.waitUntilExit()
        try #require(add.terminationStatus == 0, "ssh-add failed")

        let withoutAgent = try workspace.run(["apply", "ping", "--no-credentials"])
        #expect(withoutAgent.status == 4, "\(withoutAgent.standardOutput)")
        let withAgent = try workspace.run(["apply", "ping", "--no-credentials"], ["SSH_AUTH_SOCK": socket])
        #expect(withAgent.status == 0, "\(withAgent.standardOutput)\(withAgent.standardError)")
    }

    private func pingWorkspace(_ ssh: ApplyEnvironment.SSHHost) throws -> ApplyWorkspace {
        try ApplyWorkspace([
            "Playbooks/ping.yml": """
            - name: Ping the test host
              hosts: testhost
              gather_facts: false
              tasks:
                - name: Ping
                  ansible.builtin.ping:
            """,
            "Inventory/hosts.yml": """
            all:
              hosts:
                testhost:
                  ansible_host: \(ssh.host)
                  ansible_port: \(ssh.port)
                  ansible_user: \(ssh.user)
            """,
        ])
    }
}
