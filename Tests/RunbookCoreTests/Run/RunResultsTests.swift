import Foundation
import Testing

@testable import RunbookCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The fixture is what the shipped callback plugin wrote under ansible-core 2.19 for a playbook with
/// an ok, a changed, a skipped, an ignored-failure and a failed task on localhost.
private func fixtureEvents() throws -> [RunEvent] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/run/events", withExtension: "jsonl"))
    let text = try String(contentsOf: url, encoding: .utf8)
    return text.split(separator: "\n").compactMap { RunEvent.decode(line: $0) }
}

@Suite struct RunResultsTests {
    @Test func summaryMatchesAnsiblesOwnStats() throws {
        let events = try fixtureEvents()
        var summary = RunSummary()
        events.forEach { summary.add($0) }
        let counts = try #require(summary.hosts["localhost"])
        #expect(counts.ok == 3)
        #expect(counts.changed == 2)
        #expect(counts.failed == 1)
        #expect(counts.skipped == 1)
        #expect(counts.ignored == 1)
        #expect(summary.results.count == 5)
        #expect(summary.slowestTasks(1).first?.task == "change")
        let changes = summary.renderedChanges()
        #expect(changes.contains("localhost: 2 task(s)"))
        #expect(changes.contains("change  change  (/tmp/cbtest/pb.yml:6)"))
        #expect(changes.contains("failed  fail  (/tmp/cbtest/pb.yml:14)"))
    }

    @Test func tornAndBlankLinesAreIgnored() {
        #expect(RunEvent.decode(line: "") == nil)
        #expect(RunEvent.decode(line: "{\"event\": \"host_res") == nil)
        #expect(RunEvent.decode(line: "{\"event\": \"stats\"}")?.event == "stats")
    }

    @Test func junitHasOneCasePerHostAndTaskWithFailures() throws {
        let events = try fixtureEvents()
        var summary = RunSummary()
        events.forEach { summary.add($0) }
        let reports = RunReports(
            summary: summary, events: events, playbook: "pb.yml", exitStatus: 2,
            masker: SecretMasker(secrets: ["AKIAEXAMPLESECRETVALUE"]))
        let xml = reports.junit()
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == 5)
        #expect(xml.contains("<failure type=\"failed\" message=\"boom ****\">"))
        #expect(xml.contains("<skipped/>"))
        #expect(!xml.contains("AKIAEXAMPLESECRETVALUE"))
        let parsed = try XMLDocument(data: Data(xml.utf8))
        #expect(try parsed.nodes(forXPath: "//testcase").count == 5)
        let json = try #require(String(data: try reports.json(), encoding: .utf8))
        #expect(json.contains("\"exitStatus\" : 2"))
        #expect(!json.contains("AKIAEXAMPLESECRETVALUE"))
    }

    @Test func maskerReplacesLongestSecretsFirstAndSkipsTinyValues() {
        let masker = SecretMasker(secrets: ["abcd", "abcdefgh", "x"])
        #expect(masker("key=abcdefgh and abcd and x") == "key=**** and **** and x")
        #expect(SecretMasker(secrets: []).isEmpty)
    }
}
