import Foundation
import Testing

@testable import RunbookCore

@Suite struct HostSliceTests {
    private let fleet = (1...600).map { "web-\($0).eu-west-1.example.internal" }

    @Test func everyHostIsInExactlyOneSlice() throws {
        for count in [1, 2, 3, 7] {
            let slices = try (1...count).map { try HostSlice(index: $0, count: count).select(fleet) }
            #expect(slices.reduce(0) { $0 + $1.count } == fleet.count)
            #expect(Set(slices.flatMap { $0 }) == Set(fleet))
            // Balanced as hashing allows: each slice within 25% of its share of 600 hosts.
            for slice in slices { #expect(abs(slice.count - fleet.count / count) <= fleet.count / count / 4) }
        }
    }

    @Test func addingHostsMovesNoHostAndOneMoreSliceMovesOnlyWhatItWins() throws {
        let before = Dictionary(uniqueKeysWithValues: fleet.map { ($0, HostSlice.slice(of: $0, count: 3)) })
        let grown = fleet + (1...50).map { "db-\($0)" }
        for host in fleet { #expect(HostSlice.slice(of: host, count: 3) == before[host]) }
        #expect(Set(grown.map { HostSlice.slice(of: $0, count: 3) }) == [1, 2, 3])
        let moved = fleet.filter { HostSlice.slice(of: $0, count: 4) != before[$0] }
        #expect(moved.allSatisfy { HostSlice.slice(of: $0, count: 4) == 4 })
        #expect(moved.count < fleet.count / 3)
        // Pinned: the assignment is part of the contract (CI jobs on different runbook builds agree). The
        // values are Python's: max(range(1, n + 1), key=lambda i: sha256(f"{i}\0{host}")[:8] big-endian).
        #expect(["a", "b", "c", "d", "e", "f"].map { HostSlice.slice(of: $0, count: 3) } == [3, 3, 1, 3, 3, 1])
    }

    @Test(arguments: [
        ("0/3", "--slice 0/3: the slice must be 1 to 3"), ("4/3", "--slice 4/3: the slice must be 1 to 3"),
        ("1/0", "--slice 1/0: the number of slices must be 1 to 1000"),
        ("2", "--slice '2' is not I/N, such as 2/3 (the 2nd of 3 slices)"),
        ("a/b", "--slice 'a/b' is not I/N, such as 2/3 (the 2nd of 3 slices)"),
        ("1/2/3", "--slice '1/2/3' is not I/N, such as 2/3 (the 2nd of 3 slices)"),
    ])
    func badSlicesAreUsageErrors(_ text: String, _ message: String) {
        let error = #expect(throws: RunbookError.self) { try HostSlice(parsing: text) }
        #expect(error?.status == .usage)
        #expect(error?.message == message)
    }

    @Test func theEntryTakesTheCommandApartWithoutMisreadingValues() {
        let inputs = PlaybookEntry.sliceInputs([
            "ansible-playbook", "-i", "/ws/inv.yml", "--inventory=/ws/aws_ec2.yml", "--limit", "web",
            "--ssh-extra-args", "-l root", "-e", "-lx", "--vault-id", "prod@/s/v", "-vv", "-lweb:&eu", "/ws/site.yml",
        ])
        #expect(inputs.limit == "web:&eu")
        #expect(
            inputs.inventoryArguments == [
                "-i", "/ws/inv.yml", "--inventory", "/ws/aws_ec2.yml", "--vault-id", "prod@/s/v",
            ])
        #expect(
            inputs.command == [
                "ansible-playbook", "-i", "/ws/inv.yml", "--inventory=/ws/aws_ec2.yml", "--ssh-extra-args", "-l root",
                "-e", "-lx", "--vault-id", "prod@/s/v", "-vv", "/ws/site.yml",
            ])
        #expect(inputs.playbook == "/ws/site.yml")
    }

    @Test func inventoryHostsAreEveryGroupsHostsOnce() throws {
        let json = Data(
            """
            {"_meta": {"hostvars": {"a": {"x": 1}}}, "all": {"children": ["ungrouped", "web"]},
             "ungrouped": {"hosts": ["z"]}, "web": {"hosts": ["b", "a"], "children": ["eu"]}, "eu": {"hosts": ["a"]}}
            """.utf8)
        #expect(try PlaybookEntry.inventoryHosts(json) == ["a", "b", "z"])
        #expect(throws: RunbookError.self) { try PlaybookEntry.inventoryHosts(Data("[1]".utf8)) }
    }

    @Test func theEntryCommandCarriesTheSlice() throws {
        var arguments = PlaybookArguments(playbook: "/ws/site.yml")
        arguments.selection.slice = try HostSlice(parsing: "2/5")
        arguments.selection.limit = "web"
        #expect(
            arguments.entryCommand(runbook: "runbook", secretsFolder: "/h/s") == [
                "runbook", "exec-playbook", "--secrets", "/h/s", "--slice", "2/5", "--", "ansible-playbook",
                "--limit", "web", "/ws/site.yml",
            ])
    }
}
