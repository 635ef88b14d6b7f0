import Testing

@testable import RunbookCore

private func parse(_ text: String, limits: YAMLLimits = .standard) -> YAMLFile {
    YAMLLoader(limits: limits).parse(Array(text.utf8), path: "t.yml")
}

@Suite struct YAMLLoaderTests {
    @Test func positionsAreOneBased() throws {
        let file = parse("- hosts: all\n  tasks:\n    - debug: msg=hi\n")
        let root = try #require(file.document?.root)
        #expect((root.line, root.column) == (1, 1))
        let play = try #require(root.items?.first)
        #expect((play.line, play.column) == (1, 3))
        let task = try #require(play["tasks"]?.items?.first)
        #expect((task.line, task.column) == (3, 7))
        #expect(task["debug"]?.string == "msg=hi")
    }

    @Test func everyDuplicateKeyIsReported() {
        let file = parse("a: 1\nb: 2\na: 3\nb: 4\n")
        let lines = file.diagnostics.filter { $0.rule == "yaml-duplicate-key" }.map(\.location.line)
        #expect(lines == [3, 4])
        #expect(file.diagnostics.allSatisfy { $0.severity == .warning })
    }

    @Test func syntaxErrorIsAtLibyamlPosition() throws {
        let file = parse("a: [1, 2\nb: 3\n")
        let error = try #require(file.diagnostics.first)
        #expect(error.severity == .error)
        #expect(error.rule == "yaml-syntax")
        #expect(error.location.line == 2)
    }

    @Test func aliasesAreNotExpanded() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<30 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        let file = parse(text)
        #expect(!file.failed)
        let last = try #require(file.document?.root?["a29"])
        #expect(last.items?.count == 10)
        if case .alias(let name)? = last.items?.first?.kind { #expect(name == "a28") } else { Issue.record("no alias") }
    }

    @Test func deepNestingStopsAtTheLimit() throws {
        let file = parse(String(repeating: "[", count: 100_000))
        let error = try #require(file.diagnostics.first)
        #expect(error.rule == "yaml-too-deep")
        #expect(error.message.contains("200"))
    }

    @Test func unquotedTemplateIsExplained() throws {
        let flow = parse("msg: {{ greeting }}\n")
        #expect(flow.diagnostics.first?.rule == "yaml-unquoted-template")
        let broken = parse("- debug:\n    msg: {{ greeting }} world\n")
        let error = try #require(broken.diagnostics.first)
        #expect(error.rule == "yaml-unquoted-template")
        #expect(error.message.contains("quote the template"))
    }

    @Test func tabsAreExplained() throws {
        let file = parse("a:\n\tb: 1\n")
        let error = try #require(file.diagnostics.first)
        #expect(error.rule == "yaml-tab")
        #expect(error.location.line == 2)
    }

    @Test func nonUTF8AndBinaryAreRejected() {
        let latin1 = YAMLLoader().parse([0x61, 0x3A, 0x20, 0xE9, 0x0A], path: "t.yml")
        #expect(latin1.diagnostics.first?.rule == "file-encoding")
        #expect(latin1.diagnostics.first?.location.column == 4)
        let binary = YAMLLoader().parse([0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01], path: "t.yml")
        #expect(binary.diagnostics.first?.rule == "file-binary")
    }

    @Test func vaultAndEmptyFilesAreRecognised() {
        let vault = parse("$ANSIBLE_VAULT;1.1;AES256\n6162636465\n")
        #expect(vault.isVault && vault.diagnostics.isEmpty)
        let empty = parse("# nothing here\n\n")
        #expect(empty.isEmpty && empty.diagnostics.isEmpty)
    }

    @Test func mergeKeysApplyWithOwnKeysWinning() throws {
        let file = parse("base: &b {become: true, when: x}\ntask: {<<: *b, when: y, name: t}\n")
        let document = try #require(file.document)
        let task = try #require(document.root?["task"])
        let merged = document.mergedPairs(task)
        #expect(merged.compactMap(\.key.string) == ["become", "when", "when", "name"])
        #expect(merged.last { $0.key.string == "when" }?.value.string == "y")
    }

    @Test func nodeCountIsBounded() {
        let file = parse("[" + String(repeating: "1,", count: 200) + "1]", limits: YAMLLimits(maxNodes: 100))
        #expect(file.diagnostics.first?.rule == "yaml-too-large")
    }
}
