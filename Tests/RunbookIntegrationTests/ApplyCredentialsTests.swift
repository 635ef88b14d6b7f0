import Foundation
import Testing

/// The credentials endpoint apply serves to ansible, against moto's signature-checking server: a role
/// assumed on the host (or in-image) with a margin that makes runbook refresh every few seconds, a
/// playbook whose amazon.aws calls (botocore's own container provider) span at least two refreshes,
/// and no key in `docker inspect` or any container process's environment while it runs.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct ApplyCredentialsTests {
    /// Three rounds 8 s apart; runbook refreshes every ~6 s, so each round sees a new key.
    private static let roundsPlaybook = """
        - name: Calls AWS across refreshes
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Round
              ansible.builtin.include_tasks: round.yml
              loop: [1, 2, 3]
              loop_control:
                loop_var: round
        """

    private static let roundTasks = """
        - name: Who am I
          amazon.aws.aws_caller_info:
          register: me
        - name: Ask the endpoint which key it serves
          ansible.builtin.uri:
            url: "{{ lookup('ansible.builtin.env', 'AWS_CONTAINER_CREDENTIALS_FULL_URI') }}"
            headers:
              Authorization: "{{ lookup('ansible.builtin.file', lookup('ansible.builtin.env', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE')) }}"
            return_content: true
          register: served
          no_log: true
        - name: Report
          ansible.builtin.debug:
            msg: "round {{ round }} arn={{ me.arn }} key-tail={{ served.json.AccessKeyId[-8:] }} keys-in-env={{ lookup('ansible.builtin.env', 'AWS_SECRET_ACCESS_KEY') | length }}"
        - name: Wait for the next refresh
          ansible.builtin.pause:
            seconds: 8
          when: round < 3
        """

    /// A workspace whose HOME has a base profile with moto's checked keys and a role profile on top.
    private func workspace(_ moto: ApplyEnvironment.MotoAuth) throws -> ApplyWorkspace {
        let workspace = try ApplyWorkspace([
            "Playbooks/rounds.yml": Self.roundsPlaybook, "Playbooks/round.yml": Self.roundTasks,
        ])
        let aws = workspace.home.appendingPathComponent(".aws")
        try workspace.write(
            "credentials", "[base]\naws_access_key_id = \(moto.keyId)\naws_secret_access_key = \(moto.secret)\n",
            in: aws, mode: 0o600)
        try workspace.write(
            "config",
            "[profile deploy]\nrole_arn = \(moto.roleArn)\nsource_profile = base\nregion = eu-west-2\n", in: aws)
        return workspace
    }

    private func keyTails(_ output: String) -> [String] {
        output.components(separatedBy: "key-tail=").dropFirst().map { String($0.prefix(8)) }
    }

    @Test func theEndpointIsRefreshedAcrossALongRunAndNoKeyIsInTheContainer() throws {
        _ = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMotoAuth()
        let workspace = try workspace(moto)
        defer { workspace.cleanUp() }
        let run = try workspace.launch(
            ["apply", "rounds", "--profile", "deploy", "--json", "out/r.json"],
            ["AWS_ENDPOINT_URL": moto.url, "RUNBOOK_REFRESH_MARGIN": "3594s"])
        var inspected = 0
        var environs = 0
        var leaks: [String] = []
        let names = ["AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN="]
        while run.process.isRunning {
            for container in try ApplyEnvironment.containers(of: workspace) {
                let inspect = try ImageEnvironment.shell(["docker", "inspect", container])
                guard inspect.status == 0 else { continue }
                inspected += 1
                if inspect.output.contains(moto.secret) || names.contains(where: inspect.output.contains) {
                    leaks.append("docker inspect: \(names.filter(inspect.output.contains))")
                }
                let environ = try ImageEnvironment.shell([
                    "docker", "exec", container, "sh", "-c",
                    "for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f; echo; done 2>/dev/null",
                ])
                guard environ.status == 0, environ.output.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI") else {
                    continue
                }
                environs += 1
                if environ.output.contains(moto.secret) || names.contains(where: environ.output.contains) {
                    leaks.append("/proc/*/environ: \(names.filter(environ.output.contains))")
                }
            }
            Thread.sleep(forTimeInterval: 1)
        }
        let result = run.wait()
        let output = result.standardOutput + result.standardError
        #expect(result.status == 0, "\(output)")
        #expect(inspected > 0 && environs > 0, "the container was never inspected while ansible ran")
        #expect(leaks.isEmpty, "\(Set(leaks))")

        // Signed calls with the assumed role's keys, which changed between every two rounds.
        #expect(output.contains("arn=arn:aws:sts::123456789012:assumed-role/runbook-deployer/"), "\(output)")
        #expect(output.contains("keys-in-env=0"))
        let tails = keyTails(result.standardOutput)
        #expect(tails.count == 3, "\(result.standardOutput)")
        #expect(Set(tails).count == 3, "the served key did not change between rounds: \(tails)")
        let refreshes = result.standardError.components(separatedBy: "runbook: credentials refreshed").count - 1
        #expect(refreshes >= 2, "\(result.standardError)")
        #expect(result.standardError.contains("served to ansible on a loopback credentials endpoint"))
        for text in [output, workspace.read("out/r.json") ?? ""] {
            #expect(!text.contains(moto.secret), "the base secret in the output or report")
        }
    }

    @Test func inImageTheEndpointIsServedAndRefreshedToo() throws {
        let image = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMotoAuth()
        let workspace = try workspace(moto)
        defer { workspace.cleanUp() }
        let result = try ImageEnvironment.shell([
            "docker", "run", "--rm", "--network", "host", "--user", "\(getuid()):\(getgid())",
            "--mount", "type=bind,source=\(workspace.root.path),target=\(workspace.root.path)",
            "--workdir", workspace.path, "--env", "HOME=\(workspace.home.path)", "--env",
            "AWS_ENDPOINT_URL=\(moto.url)",
            "--env", "RUNBOOK_REFRESH_MARGIN=3594s", "--env", "AWS_EC2_METADATA_DISABLED=true", image,
            "runbook", "apply", "rounds", "--profile", "deploy",
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("assumed-role/runbook-deployer/"), "\(result.output)")
        #expect(result.output.contains("keys-in-env=0"))
        #expect(Set(keyTails(result.output)).count == 3, "\(result.output)")
        #expect(!result.output.contains(moto.secret))
    }

    @Test func keysGoInVariablesOnlyWhenAskedFor() throws {
        _ = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMoto()
        let workspace = try ApplyWorkspace([
            "Playbooks/which.yml": """
            - name: Which source
              hosts: localhost
              connection: local
              gather_facts: false
              tasks:
                - name: Who am I
                  amazon.aws.aws_caller_info:
                  register: me
                - name: Report
                  ansible.builtin.debug:
                    msg: "account={{ me.account }} key-var={{ lookup('ansible.builtin.env', 'AWS_ACCESS_KEY_ID') }} endpoint-var={{ lookup('ansible.builtin.env', 'AWS_CONTAINER_CREDENTIALS_FULL_URI') | length > 0 }}"
            """
        ])
        defer { workspace.cleanUp() }
        let keys = [
            "AWS_ACCESS_KEY_ID": ApplyEnvironment.accessKey, "AWS_SECRET_ACCESS_KEY": ApplyEnvironment.secretKey,
            "AWS_REGION": "eu-west-2", "AWS_ENDPOINT_URL": moto,
        ]
        let endpoint = try workspace.run(["apply", "which"], keys)
        #expect(endpoint.status == 0, "\(endpoint.output)")
        #expect(
            endpoint.standardOutput.contains("account=123456789012 key-var= endpoint-var=True"), "\(endpoint.output)")
        // Long-term keys carry no expiry: nothing to refresh.
        #expect(!endpoint.standardError.contains("refreshed before they expire"))

        let variables = try workspace.run(["apply", "which", "--credentials", "env"], keys)
        #expect(variables.status == 0, "\(variables.output)")
        #expect(
            variables.standardOutput.contains(
                "account=123456789012 key-var=\(ApplyEnvironment.accessKey) endpoint-var=False"),
            "\(variables.output)")
        #expect(variables.standardError.contains("passed to ansible in variables (--credentials env)"))
        #expect(!(endpoint.output + variables.output).contains(ApplyEnvironment.secretKey))

        let bad = try workspace.run(["apply", "which", "--credentials", "files"], keys)
        #expect(bad.status == 64)
        #expect(bad.standardError.contains("credentials 'files' is not one of: endpoint, env"), "\(bad.output)")
    }
}
