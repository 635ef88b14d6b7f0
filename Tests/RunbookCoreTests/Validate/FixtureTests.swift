import Foundation
import Testing

@testable import RunbookCore

/// The playbook fixtures: each `Fixtures/Playbooks/*.yml` marks the findings expected in it with
/// `# expect: LINE:COLUMN SEVERITY RULE` comments, so each file reads as the example it checks.
@Suite struct FixtureTests {
    static let folder =
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)?
        .appendingPathComponent("Playbooks").path ?? "Fixtures/Playbooks"

    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }()

    /// Every fixture validated in one run, as `runbook validate *.yml` does.
    static let report: ValidationReport? = try? PlaybookValidator().validate(
        ValidationRequest(paths: fixtures, workspace: folder, currentDirectory: folder))

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count >= 15)
        #expect(Self.report != nil)
    }

    @Test(arguments: fixtures)
    func findingsMatchTheMarks(_ name: String) throws {
        let text = try String(contentsOfFile: Self.folder + "/" + name, encoding: .utf8)
        let expected = text.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "# expect: ") else { return nil }
            return String(line[range.upperBound...]).trimmingCharacters(in: Foundation.CharacterSet.whitespaces)
        }.sorted()
        let report = try #require(Self.report)
        let actual = report.diagnostics.filter { $0.location.file == name }.map {
            "\($0.location.line):\($0.location.column) \($0.severity.rawValue) \($0.rule)"
        }.sorted()
        #expect(actual == expected, "\(report.diagnostics.filter { $0.location.file == name }.map(\.message))")
    }

    @Test func findingsInReferencedFilesAreReportedThere() throws {
        let report = try #require(Self.report)
        let files = Set(report.diagnostics.map(\.location.file))
        #expect(files.isSubset(of: Set(Self.fixtures)), "\(files)")
        #expect(report.files.contains("roles/web/tasks/main.yml"))
        #expect(report.files.contains("tasks/more.yml"))
    }

    @Test func aFolderWalkSkipsFilesThatAreNotPlaybooks() throws {
        let report = try PlaybookValidator().validate(
            ValidationRequest(paths: ["."], workspace: Self.folder, currentDirectory: Self.folder))
        let files = Set(report.diagnostics.map(\.location.file))
        #expect(!files.contains("empty.yml"))
        #expect(!files.contains("not-a-list.yml"))
        #expect(!files.contains("vault.yml"))
        #expect(files.contains("task-shape.yml"))
        #expect(!report.files.contains { $0.hasPrefix("roles/web/tests") })
    }

    @Test func seedPlaybookWarnsAboutTheTrailingSpace() throws {
        let report = try #require(Self.report)
        let warning = try #require(report.diagnostics.first { $0.location.file == "configure-ec2.yml" })
        #expect(warning.message.contains("'ec2_public_ips' is set at line 24"))
        #expect(warning.severity == .warning)
    }
}
