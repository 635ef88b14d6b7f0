import Foundation
import Testing

/// `apply --slice I/N` with real ansible in the image: the slices of an inventory (a YAML file and an
/// inventory script, so a dynamic source counts too) cover every host exactly once, within `--limit`
/// and in-image as in a container; an empty slice is a success with nothing run.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct SliceTests {
    private static let playbook = """
        - name: Sliced
          hosts: all
          connection: local
          gather_facts: false
          tasks:
            - name: Report
              ansible.builtin.debug:
                msg: "sliced-host={{ inventory_hostname }}"
        """

    private static let webHosts = (1...9).map { "web-\($0)" }
    private static let dbHosts = (1...5).map { "db-\($0).example.internal" }

    /// A YAML inventory with the web group and a script (dynamic inventory) with the db group.
    private func workspace() throws -> ApplyWorkspace {
        let yaml =
            "all:\n  children:\n    web:\n      hosts:\n"
            + Self.webHosts.map { "        \($0):\n          ansible_connection: local\n" }.joined()
        let script = """
            #!/usr/bin/env python3
            import json, sys
            hosts = \(Self.dbHosts)
            if "--host" in sys.argv:
                print("{}")
            else:
                print(json.dumps({"db": {"hosts": hosts}, "_meta": {"hostvars": {h: {"ansible_connection": "local"} for h in hosts}}}))
            """
        let workspace = try ApplyWorkspace([
            "Playbooks/sliced.yml": Self.playbook, "Inventory/hosts.yml": yaml, "Inventory/db.py": script,
        ])
        chmod(workspace.url.appendingPathComponent("Inventory/db.py").path, 0o755)
        return workspace
    }

    private func hosts(_ output: String) -> [String] {
        output.components(separatedBy: "\"msg\": \"sliced-host=").dropFirst().map {
            String($0.prefix { $0 != "\"" })
        }
    }

    @Test func slicesCoverTheInventoryExactlyOnce() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try workspace()
        defer { workspace.cleanUp() }
        let inventory = ["-i", "Inventory/hosts.yml", "-i", "Inventory/db.py", "--no-credentials"]
        var seen: [String] = []
        for index in 1...3 {
            let result = try workspace.run(["apply", "sliced", "--slice", "\(index)/3"] + inventory)
            #expect(result.status == 0, "\(result.output)")
            let ran = hosts(result.standardOutput)
            #expect(!ran.isEmpty, "slice \(index)/3 ran no host: \(result.output)")
            #expect(result.standardError.contains("runbook: slice \(index)/3: \(ran.count) of 14 hosts: "))
            seen += ran
        }
        #expect(seen.sorted() == (Self.webHosts + Self.dbHosts).sorted(), "\(seen)")

        // Within --limit: the slices split the limited hosts only.
        var limited: [String] = []
        for index in 1...2 {
            let result = try workspace.run(["apply", "sliced", "--slice", "\(index)/2", "--limit", "db"] + inventory)
            #expect(result.status == 0, "\(result.output)")
            #expect(result.standardError.contains("of the 5 hosts that --limit db selects"), "\(result.output)")
            limited += hosts(result.standardOutput)
        }
        #expect(limited.sorted() == Self.dbHosts.sorted())

        // The same slice in-image (a CI step whose image is runbook's) runs the same hosts.
        let inContainer = try workspace.run(["apply", "sliced", "--slice", "2/3"] + inventory)
        let image = try ApplyEnvironment.requireImage()
        let inImage = try ImageEnvironment.shell(
            [
                "docker", "run", "--rm", "--network", "host", "--mount",
                "type=bind,source=\(workspace.path),target=\(workspace.path)", "--workdir", workspace.path, image,
                "runbook", "apply", "sliced", "--slice", "2/3",
            ] + inventory)
        #expect(inImage.status == 0, "\(inImage.output)")
        #expect(hosts(inImage.output).sorted() == hosts(inContainer.standardOutput).sorted())
    }

    @Test func anEmptySliceRunsNothingAndBadSlicesAreUsageErrors() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try workspace()
        defer { workspace.cleanUp() }
        // One host in up to 6 slices: 5 of them are empty.
        var ran = 0
        var empty = 0
        for index in 1...6 {
            let result = try workspace.run([
                "apply", "sliced", "--slice", "\(index)/6", "-i", "Inventory/hosts.yml", "--limit", "web-4",
                "--no-credentials",
            ])
            #expect(result.status == 0, "\(result.output)")
            if result.standardError.contains("falls in this slice; nothing to run") {
                empty += 1
                #expect(hosts(result.standardOutput).isEmpty)
            } else {
                ran += 1
                #expect(hosts(result.standardOutput) == ["web-4"])
            }
        }
        #expect(ran == 1 && empty == 5)

        for bad in ["4/3", "x", "0/0"] {
            let result = try workspace.run(["apply", "sliced", "--slice", bad, "--no-credentials"])
            #expect(result.status == 64, "\(bad): \(result.output)")
            #expect(result.standardError.contains("--slice"))
        }
        // A broken inventory: ansible-inventory's own message and status, no playbook run.
        try workspace.write("Inventory/broken.yml", "all:\n  hosts: [\n")
        let broken = try workspace.run(
            [
                "apply", "sliced", "--slice", "1/2", "-i", "Inventory/broken.yml", "--no-validate", "--no-credentials",
                "--env", "ANSIBLE_INVENTORY_UNPARSED_FAILED",
            ], ["ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"])
        #expect(broken.status != 0 && broken.status < 64, "\(broken.output)")
        #expect(
            broken.standardError.contains("runbook: --slice 1/2: ansible-inventory failed (status"), "\(broken.output)")
        #expect(hosts(broken.standardOutput).isEmpty)
    }
}
