import Foundation
import Testing

@testable import RunbookCore

@Suite struct JinjaScannerTests {
    @Test(
        arguments: [
            ("{{ x }}", nil),
            ("{{ {'a': {'b': 1}} }}", nil),
            ("a }} b", nil),
            ("{{ '}}' }}", nil),
            ("{% raw %}{{{% endraw %}", nil),
            ("{{ x", "'{{' opens a Jinja expression that is never closed with '}}'"),
            ("{% if x", "'{%' opens a Jinja statement that is never closed with '%}'"),
            ("{# note", "'{#' opens a Jinja comment that is never closed with '#}'"),
        ] as [(String, String?)])
    func delimiters(_ text: String, _ problem: String?) {
        #expect(scanJinja(text).problem?.message == problem)
    }

    @Test func stringsWhereListsAreExpected() {
        #expect(scanJinja("{{ xs }} ").rendersToString)
        #expect(scanJinja("x-{{ xs }}").rendersToString)
        #expect(!scanJinja("{{ xs }}").rendersToString)
        #expect(scanJinja("{{ xs }}").bareVariable == "xs")
        #expect(scanJinja("{{ xs | list }}").bareVariable == nil)
    }

    @Test func didYouMeanFindsTypos() {
        #expect(closestMatch(to: "host", in: Keywords.play) == "hosts")
        #expect(closestMatch(to: "become_usr", in: Keywords.task) == "become_user")
        #expect(closestMatch(to: "completely_unrelated", in: Keywords.play) == nil)
    }
}

/// A fake static inventory: the groups it knows.
private struct FakeInventory: HostPatternMatching {
    var groups: Set<String>
    func matchesAnyHost(_ pattern: String) -> Bool? { groups.contains(pattern) }
    func unmatchedNames(_ pattern: String) -> [String]? { groups.contains(pattern) ? [] : [pattern] }
}

@Suite struct HostsAgainstInventoryTests {
    @Test func aPatternMatchingNothingIsAWarning() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rb-hosts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let playbook =
            "- hosts: web\n  tasks: []\n- hosts: dbs\n  tasks: []\n- hosts: localhost\n  tasks: []\n"
            + "- hosts: \"{{ target }}\"\n  tasks: []\n"
        try Data(playbook.utf8).write(to: folder.appendingPathComponent("site.yml"))
        try Data("[web]\nw1\n".utf8).write(to: folder.appendingPathComponent("hosts.ini"))
        let validator = PlaybookValidator(loadInventory: { _, _ in
            InventoryLoadResult(matcher: FakeInventory(groups: ["web"]))
        })
        let report = try validator.validate(
            ValidationRequest(
                paths: ["site.yml"], inventories: ["hosts.ini"], workspace: folder.path,
                currentDirectory: folder.path))
        #expect(report.diagnostics.map(\.rule) == ["hosts-no-match"])
        #expect(report.diagnostics.first?.location.line == 3)
        #expect(report.exitStatus(strict: false) == .success)
        #expect(report.exitStatus(strict: true) == .dataError)
    }
}
