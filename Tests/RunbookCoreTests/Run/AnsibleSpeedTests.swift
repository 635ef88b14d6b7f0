import Foundation
import Testing

@testable import RunbookCore

@Suite struct AnsibleSpeedTests {
    private func config(_ text: String) throws -> AnsibleConfig {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ansible-\(UUID().uuidString).cfg")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return AnsibleConfig(path: file.path)
    }

    @Test func pipeliningAndForksFromTheHostCountByDefault() {
        let speed = AnsibleSpeed(
            enabled: true, config: AnsibleConfig(), environment: [:], forksFlag: nil, hostCount: 12)
        #expect(speed.variables == ["ANSIBLE_PIPELINING": "True", "ANSIBLE_FORKS": "12"])
        #expect(speed.summary?.hasPrefix("fast: SSH pipelining, forks 12 (12 hosts) (fast: false") == true)
        // Few hosts keep ansible's 5; many are capped; a dynamic inventory gets the fixed number.
        #expect(
            AnsibleSpeed(enabled: true, config: AnsibleConfig(), environment: [:], forksFlag: nil, hostCount: 2)
                .variables == ["ANSIBLE_PIPELINING": "True"])
        #expect(
            AnsibleSpeed(enabled: true, config: AnsibleConfig(), environment: [:], forksFlag: nil, hostCount: 900)
                .variables["ANSIBLE_FORKS"] == "50")
        let dynamic = AnsibleSpeed(
            enabled: true, config: AnsibleConfig(), environment: [:], forksFlag: nil, hostCount: nil)
        #expect(dynamic.variables["ANSIBLE_FORKS"] == "20")
        #expect(dynamic.summary?.contains("host count unknown") == true)
        #expect(
            AnsibleSpeed(enabled: false, config: AnsibleConfig(), environment: [:], forksFlag: nil, hostCount: 12)
                .variables.isEmpty)
    }

    @Test func whatAnsibleCfgTheEnvironmentOrAFlagSetIsLeftAlone() throws {
        for text in [
            "[defaults]\npipelining = False\n", "[ssh_connection]\npipelining=true\n", "[connection]\npipelining: no\n",
        ] {
            let speed = AnsibleSpeed(
                enabled: true, config: try config(text), environment: [:], forksFlag: nil, hostCount: 10)
            #expect(speed.variables == ["ANSIBLE_FORKS": "10"], "\(text)")
            #expect(speed.summary?.contains("left as set: pipelining (ansible.cfg sets it)") == true)
        }
        let forks = AnsibleSpeed(
            enabled: true, config: try config("[defaults]\nforks = 3\n"), environment: [:], forksFlag: nil,
            hostCount: 10)
        #expect(forks.variables == ["ANSIBLE_PIPELINING": "True"])
        // pipelining under another section is not the ssh plugin's.
        let other = AnsibleSpeed(
            enabled: true, config: try config("[galaxy]\npipelining = False\n"), environment: [:], forksFlag: nil,
            hostCount: 1)
        #expect(other.variables == ["ANSIBLE_PIPELINING": "True"])
        for name in ["ANSIBLE_PIPELINING", "ANSIBLE_SSH_PIPELINING"] {
            let speed = AnsibleSpeed(
                enabled: true, config: AnsibleConfig(), environment: [name: "False"], forksFlag: nil, hostCount: 10)
            #expect(speed.variables == ["ANSIBLE_FORKS": "10"])
        }
        #expect(
            AnsibleSpeed(
                enabled: true, config: AnsibleConfig(), environment: ["ANSIBLE_FORKS": "2"], forksFlag: nil,
                hostCount: 10
            )
            .variables == ["ANSIBLE_PIPELINING": "True"])
        let flag = AnsibleSpeed(enabled: true, config: AnsibleConfig(), environment: [:], forksFlag: 7, hostCount: 10)
        #expect(flag.variables == ["ANSIBLE_PIPELINING": "True"])
        #expect(flag.summary?.contains("forks (--forks)") == true)
    }

    @Test func theHostCountComesFromStaticInventoriesAndTheLimit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("speed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("[web]\nweb[1:8]\n[db]\ndb1\ndb2\n".utf8).write(to: folder.appendingPathComponent("hosts.ini"))
        try Data("#!/bin/sh\necho '{}'\n".utf8).write(to: folder.appendingPathComponent("dynamic.sh"))
        chmod(folder.appendingPathComponent("dynamic.sh").path, 0o755)
        let ini = InventoryArgument(folder.appendingPathComponent("hosts.ini").path, relativeTo: "/")
        let list = InventoryArgument("db2,extra1,", relativeTo: "/")
        #expect(AnsibleSpeed.hostCount([ini], limit: nil) == 10)
        #expect(AnsibleSpeed.hostCount([ini], limit: "web:!web1") == 7)
        #expect(AnsibleSpeed.hostCount([ini, list], limit: nil) == 11)
        let script = InventoryArgument(folder.appendingPathComponent("dynamic.sh").path, relativeTo: "/")
        #expect(AnsibleSpeed.hostCount([ini, script], limit: nil) == nil)
    }

    @Test func mitogenIsOptInAndLeavesAChosenStrategyAlone() throws {
        let on = AnsibleSpeed(
            enabled: true, mitogen: true, config: AnsibleConfig(), environment: [:], forksFlag: nil, hostCount: 10)
        #expect(on.variables["ANSIBLE_STRATEGY"] == "mitogen_linear")
        #expect(on.variables["ANSIBLE_STRATEGY_PLUGINS"] == "/opt/runbook/mitogen/plugins/strategy")
        #expect(on.summary?.hasPrefix("fast: mitogen_linear strategy, SSH pipelining, forks 10") == true)
        let alone = AnsibleSpeed(
            enabled: false, mitogen: true, config: AnsibleConfig(), environment: [:], forksFlag: nil, hostCount: 10)
        #expect(alone.variables.keys.sorted() == ["ANSIBLE_STRATEGY", "ANSIBLE_STRATEGY_PLUGINS"])
        #expect(alone.summary == "mitogen_linear strategy")
        let off = AnsibleSpeed(enabled: true, config: AnsibleConfig(), environment: [:], forksFlag: nil, hostCount: 10)
        #expect(off.variables["ANSIBLE_STRATEGY"] == nil)
        for environment in [["ANSIBLE_STRATEGY": "free"], ["ANSIBLE_STRATEGY_PLUGINS": "/x"]] {
            let set = AnsibleSpeed(
                enabled: false, mitogen: true, config: AnsibleConfig(), environment: environment, forksFlag: nil,
                hostCount: 1)
            #expect(set.variables.isEmpty)
            #expect(set.summary?.hasPrefix("left as set: the strategy") == true)
        }
        let configured = AnsibleSpeed(
            enabled: false, mitogen: true, config: try config("[defaults]\nstrategy = free\n"), environment: [:],
            forksFlag: nil, hostCount: 1)
        #expect(configured.variables.isEmpty)
        #expect(configured.summary == "left as set: the strategy (ansible.cfg sets strategy = free)")
    }
}
