import Foundation
import Testing

@testable import RunbookCore

@Suite struct InventoryReaderTests {
    @Test(arguments: InventoryFixtures.files("valid"))
    func validInventoryHasNoFindings(_ name: String) throws {
        let result = try InventoryReader().read(path: InventoryFixtures.path("valid/\(name)"), displayPath: name)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.files == [name])
    }

    @Test(arguments: InventoryFixtures.files("invalid"))
    func invalidInventoryFindingsAreWhereTheFixtureSays(_ name: String) throws {
        let relative = "invalid/\(name)"
        let result = try InventoryReader().read(path: InventoryFixtures.path(relative), displayPath: name)
        #expect(InventoryFixtures.summary(result.diagnostics) == InventoryFixtures.expectations(relative))
        #expect(result.diagnostics.allSatisfy { $0.location.file == name })
        if result.diagnostics.contains(where: { $0.severity == .error }) { #expect(result.matcher == nil) }
    }

    @Test func messagesSayWhatToDo() throws {
        let result = try InventoryReader().read(path: InventoryFixtures.path("invalid/typos.aws_ec2.yml"))
        let messages = result.diagnostics.map(\.message)
        #expect(messages.contains { $0.contains("did you mean 'regions'?") })
        #expect(messages.contains { $0.contains("did you mean 'prefix'?") })
        #expect(messages.allSatisfy { $0.first?.isLowercase == true })
    }

    @Test func directoryReadsSourcesAsAnsibleDoes() throws {
        let result = try InventoryReader().read(path: InventoryFixtures.path("directory"), displayPath: "inv")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.files == ["inv/10-hosts.ini", "inv/sub/20-more.yml"])
        let matcher = try #require(result.matcher)
        #expect(matcher.matchesAnyHost("db:&web") == true)
        #expect(matcher.matchesAnyHost("db[2]") == true)
        #expect(matcher.matchesAnyHost("db[3]") == false)
    }

    @Test func pluginConfigMakesPatternsUnjudgeable() throws {
        let result = try InventoryReader().read(path: InventoryFixtures.path("valid/prod.aws_ec2.yml"))
        #expect(result.matcher == nil)
    }

    @Test func missingPathIsNoInput() {
        #expect(
            InventoryReader().load("/nonexistent/inventory", "inv").diagnostics.map(\.rule) == ["inventory-not-found"])
        #expect(throws: RunbookError.self) { try InventoryReader().read(path: "/nonexistent/inventory") }
        do {
            _ = try InventoryReader().read(path: "/nonexistent/inventory")
        } catch {
            #expect(error.status == .noInput)
        }
    }

    @Test func extensionlessYAMLIsReadAsYAMLAndElseAsINI() throws {
        let yaml = InventoryReader().parse(Array("web:\n  hosts:\n    w1:\n".utf8), path: "hosts")
        #expect(yaml.diagnostics.isEmpty)
        #expect(yaml.matcher?.matchesAnyHost("web") == true)
        let ini = InventoryReader().parse(Array("w1\nw2 ansible_host=1.2.3.4\n".utf8), path: "hosts")
        #expect(ini.diagnostics.isEmpty)
        #expect(ini.matcher?.matchesAnyHost("w2") == true)
    }

    @Test func binaryAndNonUTF8AreReported() throws {
        let binary = InventoryReader().parse([0x5B, 0x77, 0x5D, 0x0A, 0x00, 0x01], path: "hosts.ini")
        #expect(binary.diagnostics.map(\.location.line) == [2])
        let latin1 = InventoryReader().parse(Array("[web]\n".utf8) + [0x77, 0xE9, 0x0A], path: "hosts.ini")
        #expect(latin1.diagnostics.map(\.location.line) == [2])
        let comment = InventoryReader().parse(Array("# caf".utf8) + [0xE9, 0x0A] + Array("w1\n".utf8), path: "h.ini")
        #expect(comment.diagnostics.isEmpty)
    }
}
