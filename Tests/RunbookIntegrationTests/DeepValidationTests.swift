import Foundation
import Testing

/// Module and argument checks against the plugin index of a real image: built into the image by
/// build-index.py, copied out once per image id, reported with file:line:col, agreeing with what
/// ansible itself says when the task runs, and applied by `apply` before any container starts.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct DeepValidationTests {
    static let playbook = """
        - name: Deep
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: A typo in an argument
              ansible.builtin.file:
                path: /tmp/runbook-deep
                stat: directory
            - name: A collection left out of the image
              cisco.ios.ios_command:
                commands: show version
            - name: Not a choice
              ansible.builtin.file:
                path: /tmp/runbook-deep
                state: folder
            - name: Fine, every way
              amazon.aws.ec2_instance_info:
                filters: "{{ wanted | default({}) }}"
                aws_region: eu-west-2
            - name: A package and an upgrade at once
              ansible.builtin.apt:
                name: sudo
                upgrade: dist
            - name: Enabled, but which service?
              ansible.builtin.systemd_service:
                enabled: true
        """

    @Test func validateChecksModulesAgainstTheImageIndexAndCachesIt() throws {
        let image = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/deep.yml": Self.playbook])
        defer { workspace.cleanUp() }
        let first = try workspace.run(["validate", "--image", image])
        #expect(first.status == 65, "\(first.output)")
        #expect(
            first.standardOutput.contains(
                "Playbooks/deep.yml:9:9: error: unsupported parameter 'stat' for module ansible.builtin.file; did you mean 'state'?"
            ),
            "\(first.output)")
        #expect(
            first.standardOutput.contains(
                "Playbooks/deep.yml:11:7: error: collection cisco.ios (the ansible package has it) is not in the image"),
            "\(first.output)")
        #expect(first.standardOutput.contains("Playbooks/deep.yml:16:16: error: 'folder' is not a choice of 'state'"))
        // The rules of the modules' own code (build-index.py records them from their AnsibleModule call).
        #expect(
            first.standardOutput.contains(
                "Playbooks/deep.yml:24:9: error: parameters are mutually exclusive for module ansible.builtin.apt: "
                    + "deb|package|upgrade (given: package, upgrade)"),
            "\(first.output)")
        #expect(
            first.standardOutput.contains(
                "Playbooks/deep.yml:27:9: error: missing parameter(s) required by 'enabled' (module "
                    + "ansible.builtin.systemd_service): name"),
            "\(first.output)")
        #expect(first.standardOutput.components(separatedBy: ": error: ").count - 1 == 5, "\(first.standardOutput)")
        #expect(
            first.standardError.contains("modules checked against image \(image)")
                && first.standardError.contains("index copied"))
        let second = try workspace.run(["validate", "--image", image])
        #expect(second.status == 65 && second.standardError.contains("index cached"), "\(second.standardError)")
        let status = try workspace.run(["image", "status", "--tag", image])
        #expect(status.standardOutput.contains("index:    cached ("), "\(status.output)")
        // A requirements file of the workspace asks for the collection: the image predates it.
        try workspace.write("requirements.yml", "collections:\n  - name: cisco.ios\n")
        let declared = try workspace.run(["validate", "--image", image])
        #expect(
            declared.standardOutput.contains(
                "is not in the image, so 'cisco.ios.ios_command' cannot run; requirements.yml:2 asks for it, so this "
                    + "image was built without those requirements: `runbook image ensure` rebuilds it from them"),
            "\(declared.output)")
        try FileManager.default.removeItem(at: workspace.url.appendingPathComponent("requirements.yml"))
        let skipped = try workspace.run(["validate", "--no-image"])
        #expect(
            skipped.status == 0 && skipped.standardError.contains("module checks skipped (--no-image)"),
            "\(skipped.output)")

        // ansible itself, in the same image, rejects the first task the same way when it runs.
        let real = try ImageEnvironment.shell([
            "docker", "run", "--rm", "--network", "none", "--env", "HOME=/tmp", image, "ansible", "localhost", "-m",
            "ansible.builtin.file", "-a", "path=/tmp/runbook-deep stat=directory",
        ])
        #expect(
            real.output.contains("Unsupported parameters for (ansible.builtin.file) module: stat"), "\(real.output)")
        let choice = try ImageEnvironment.shell([
            "docker", "run", "--rm", "--network", "none", "--env", "HOME=/tmp", image, "ansible", "localhost", "-m",
            "ansible.builtin.file", "-a", "path=/tmp/runbook-deep state=folder",
        ])
        #expect(choice.output.contains("value of state must be one of"), "\(choice.output)")
        for (module, arguments, message) in [
            ("ansible.builtin.apt", "name=sudo upgrade=dist", "parameters are mutually exclusive: deb|package|upgrade"),
            ("ansible.builtin.systemd_service", "enabled=true", "missing parameter(s) required by 'enabled': name"),
        ] {
            let rule = try ImageEnvironment.shell([
                "docker", "run", "--rm", "--network", "none", "--env", "HOME=/tmp", image, "ansible", "localhost",
                "--check", "-m", module, "-a", arguments,
            ])
            #expect(rule.output.contains(message), "\(rule.output)")
        }
    }

    @Test func applyStopsBeforeAnyContainerRuns() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/deep.yml": Self.playbook])
        defer { workspace.cleanUp() }
        let result = try workspace.run(["apply", "deep", "--no-credentials"])
        #expect(result.status == 65, "\(result.output)")
        #expect(
            result.standardError.contains("5 error(s) in modules, arguments, plugins or collection content"),
            "\(result.standardError)")
        #expect(!result.standardOutput.contains("PLAY ["), "ansible ran: \(result.standardOutput)")
        #expect(try ApplyEnvironment.containers(of: workspace).isEmpty)
        // In-image, the image's own index is read from its file.
        let inImage = try ImageEnvironment.shell([
            "docker", "run", "--rm", "--network", "host", "--mount",
            "type=bind,source=\(workspace.path),target=\(workspace.path)", "--workdir", workspace.path,
            ApplyEnvironment.imageTag, "runbook", "apply", "deep", "--no-credentials",
        ])
        #expect(inImage.status == 65, "\(inImage.output)")
        #expect(inImage.output.contains("unsupported parameter 'stat' for module ansible.builtin.file"))
    }
}
