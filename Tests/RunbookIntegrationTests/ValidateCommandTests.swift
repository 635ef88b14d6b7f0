import Foundation
import Testing

/// `runbook validate` as a user runs it: formats, exit codes, and hostile input.
@Suite struct ValidateCommandTests {
    /// A scratch workspace, removed when the test ends.
    final class Workspace {
        let url: URL

        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("rb-validate-\(UUID().uuidString)")
            try FileManager.default.createDirectory(
                at: url.appendingPathComponent("Playbooks"), withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(at: url) }

        @discardableResult
        func write(_ path: String, _ text: String) throws -> URL {
            try write(path, Data(text.utf8))
        }

        @discardableResult
        func write(_ path: String, _ data: Data) throws -> URL {
            let file = url.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: file)
            return file
        }

        func run(_ arguments: [String]) throws -> RunbookFixture.Result {
            try RunbookFixture.run(["validate"] + arguments, in: url, environment: ["NO_COLOR": "1"])
        }
    }

    static let good = "- hosts: localhost\n  tasks:\n    - ansible.builtin.debug: msg=hi\n"
    static let bad = "- hosts: localhost\n  tasks:\n    - name: nothing\n"

    @Test func cleanPlaybookExitsZero() throws {
        let workspace = try Workspace()
        try workspace.write("Playbooks/site.yml", Self.good)
        let result = try workspace.run([])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test func errorsPrintAsTextAndExit65() throws {
        let workspace = try Workspace()
        try workspace.write("Playbooks/site.yml", Self.bad)
        let result = try workspace.run(["Playbooks/site.yml"])
        #expect(result.status == 65)
        #expect(result.standardOutput.contains("Playbooks/site.yml:3:7: error: no action detected in task"))
        #expect(result.standardOutput.hasSuffix("[no-action]\n"))
        #expect(!result.standardOutput.contains("\u{1B}["))
    }

    @Test func jsonFormatIsOneObject() throws {
        let workspace = try Workspace()
        try workspace.write("Playbooks/site.yml", Self.bad)
        let result = try workspace.run(["--format", "json"])
        #expect(result.status == 65)
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let diagnostics = try #require(object?["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.first?["line"] as? Int == 3)
        #expect(diagnostics.first?["column"] as? Int == 7)
        #expect(diagnostics.first?["rule"] as? String == "no-action")
        #expect((object?["files"] as? [String])?.contains("Playbooks/site.yml") == true)
    }

    @Test func githubFormatPrintsWorkflowCommands() throws {
        let workspace = try Workspace()
        try workspace.write("Playbooks/site.yml", Self.bad)
        let result = try workspace.run(["--format", "github"])
        #expect(result.status == 65)
        #expect(result.standardOutput.hasPrefix("::error file=Playbooks/site.yml,line=3,col=7"))
    }

    @Test func strictFailsOnWarnings() throws {
        let workspace = try Workspace()
        try workspace.write(
            "Playbooks/site.yml",
            "- hosts: all\n  tasks:\n    - ansible.builtin.debug: msg=a\n      loop: \"{{ xs }} \"\n")
        #expect(try workspace.run([]).status == 0)
        #expect(try workspace.run(["--strict"]).status == 65)
    }

    @Test func missingPathExits66AndBadUsage64() throws {
        let workspace = try Workspace()
        let missing = try workspace.run(["nope.yml"])
        #expect(missing.status == 66)
        #expect(missing.standardError.contains("nope.yml: no such file or directory"))
        try FileManager.default.removeItem(at: workspace.url.appendingPathComponent("Playbooks"))
        #expect(try workspace.run([]).status == 66)
        #expect(try workspace.run(["--format", "xml"]).status == 64)
        #expect(try workspace.run(["--no-such-flag"]).status == 64)
    }

    @Test func binaryAndNonUTF8FilesAreReported() throws {
        let workspace = try Workspace()
        try workspace.write("Playbooks/binary.yml", Data([0x2D, 0x20, 0x00, 0x01, 0xFF]))
        try workspace.write("Playbooks/latin1.yml", Data("- hosts: caf".utf8) + Data([0xE9, 0x0A]))
        let result = try workspace.run([])
        #expect(result.status == 65)
        #expect(result.standardOutput.contains("binary.yml:1:3: error: binary file"))
        #expect(result.standardOutput.contains("latin1.yml:1:13: error: file is not valid UTF-8"))
    }

    @Test func fiftyMegabyteFileIsRefusedQuickly() throws {
        let workspace = try Workspace()
        let line = Data("- hosts: all\n".utf8)
        var big = Data(capacity: 50 * 1024 * 1024 + line.count)
        while big.count < 50 * 1024 * 1024 { big.append(line) }
        try workspace.write("Playbooks/big.yml", big)
        let result = try workspace.run([])
        #expect(result.status == 65)
        #expect(result.standardOutput.contains("[file-too-large]"))
        #expect(result.standardOutput.contains("16 MB limit"))
    }

    @Test func aliasBombIsNotExpanded() throws {
        let workspace = try Workspace()
        var text = "- hosts: all\n  vars:\n    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1..<40 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "    a\(level): &a\(level) [\(refs)]\n"
        }
        text += "  tasks:\n    - ansible.builtin.debug: var=a39\n"
        try workspace.write("Playbooks/bomb.yml", text)
        let result = try workspace.run([])
        #expect(result.status == 0, "\(result.standardOutput)")
    }

    @Test func deepNestingStopsAtTheLimit() throws {
        let workspace = try Workspace()
        try workspace.write(
            "Playbooks/deep.yml", "- hosts: all\n  vars:\n    x: " + String(repeating: "[", count: 100_000))
        let result = try workspace.run([])
        #expect(result.status == 65)
        #expect(result.standardOutput.contains("[yaml-too-deep]"))
    }

    @Test func symlinkLoopsAreWalkedOnce() throws {
        let workspace = try Workspace()
        try workspace.write("Playbooks/site.yml", Self.good)
        let playbooks = workspace.url.appendingPathComponent("Playbooks")
        try FileManager.default.createSymbolicLink(
            at: playbooks.appendingPathComponent("loop"), withDestinationURL: playbooks)
        try FileManager.default.createSymbolicLink(
            at: playbooks.appendingPathComponent("self.yml"),
            withDestinationURL: playbooks.appendingPathComponent("self.yml"))
        let result = try workspace.run([])
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Playbooks/loop:1:1: warning: skipped: this folder contains itself"))
        #expect(result.standardOutput.contains("Playbooks/self.yml:1:1: warning: skipped: cannot follow this path"))
    }

    /// Tests run as root, where chmod 000 does not stop reading; a FIFO named like a playbook stands
    /// in for a file that cannot be read (opening it would block, so it is refused before).
    @Test func unreadableFilesAreReported() throws {
        let workspace = try Workspace()
        let fifo = workspace.url.appendingPathComponent("Playbooks/pipe.yml").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = try workspace.run(["Playbooks"])
        #expect(result.status == 65)
        #expect(result.standardOutput.contains("Playbooks/pipe.yml:1:1: error: cannot read file: not a regular file"))
        #expect(result.standardOutput.contains("[file-unreadable]"))
    }

    @Test func vaultFilesAreNotReported() throws {
        let workspace = try Workspace()
        try workspace.write("Playbooks/secret.yml", "$ANSIBLE_VAULT;1.1;AES256\n6162\n")
        #expect(try workspace.run(["Playbooks/secret.yml"]).status == 0)
    }
}
