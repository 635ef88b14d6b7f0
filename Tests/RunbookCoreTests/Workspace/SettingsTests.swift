import Foundation
import Testing

@testable import RunbookCore

@Suite struct SettingsTests {
    private func workspace(_ yaml: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("runbook.yml"))
        return dir.path
    }

    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() throws {
        let ws = try workspace("image: file/image:1\nnetwork: bridge\ncollections: [amazon.aws]\n")
        let settings = try Settings(workspace: ws, environment: ["RUNBOOK_IMAGE": "env/image:2"])
        #expect(settings.value("image", flag: "flag/image:3")?.string == "flag/image:3")
        #expect(settings.value("image")?.string == "env/image:2")
        #expect(settings.value("image")?.source == .environment("RUNBOOK_IMAGE"))
        let network = try #require(settings.value("network"))
        #expect(network.string == "bridge")
        #expect(network.source.description.hasSuffix("runbook.yml:2"))
        #expect(settings.list("collections") == ["amazon.aws"])
        #expect(settings.value("engine") == nil)
        let empty = try Settings(workspace: ws + "/nowhere", environment: [:])
        #expect(empty.value("image")?.source == .builtIn)
        #expect(empty.list("collections") == ["amazon.aws", "community.aws", "community.general"])
    }

    @Test func listsSplitOnSpacesAndCommas() throws {
        let settings = Settings(environment: ["RUNBOOK_COLLECTIONS": "amazon.aws, community.aws community.general"])
        #expect(settings.list("collections") == ["amazon.aws", "community.aws", "community.general"])
    }

    @Test(arguments: [
        ("imag: x\n", "runbook.yml:1:1: unknown setting 'imag'; did you mean 'image'?"),
        ("image: [a, b]\n", "runbook.yml:1:8: setting 'image' must be a string, not a list"),
        ("env: {a: b}\n", "runbook.yml:1:6: setting 'env' must be a list, not a mapping"),
        ("- image\n", "runbook.yml:1:1: runbook.yml must be a mapping of settings"),
        ("image: [\n", "runbook.yml:2:1:"),
    ])
    func badFilesAreUsageErrorsWithFileAndLine(yaml: String, expected: String) throws {
        let ws = try workspace(yaml)
        do {
            _ = try Settings(workspace: ws, environment: [:])
            Issue.record("no error for \(yaml)")
        } catch let error as RunbookError {
            #expect(error.status == .usage)
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }
}
