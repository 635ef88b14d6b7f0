import Foundation
import Testing

@testable import RunbookCore

private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct ScaffoldTests {
    @Test(arguments: StarterFiles.files.map(\.path))
    func starterFilesAreTheRepositorysOwnWorkspace(path: String) throws {
        let onDisk = try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
        let embedded = try #require(StarterFiles.files.first { $0.path == path }?.content)
        #expect(onDisk == embedded, "regenerate StarterFiles.swift after editing \(path)")
    }

    @Test(arguments: PipelineKind.allCases)
    func pipelinesAreValidYAMLThatRunRunbookApply(kind: PipelineKind) throws {
        let text = PipelineTemplate(kind: kind, image: "registry.example.com/team/ansible-aws:1").text
        let file = YAMLLoader().parse(Array(text.utf8), path: kind.fileName)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        #expect(file.document?.root?.pairs != nil)
        #expect(text.contains("runbook apply Playbooks/configure-ec2.yml --junit"))
        #expect(text.contains("registry.example.com/team/ansible-aws:1"))
        #expect(!text.contains("AWS_SECRET_ACCESS_KEY:"))
    }

    @Test func starterSettingsAreValid() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(StarterFiles.settings.utf8).write(to: dir.appendingPathComponent("runbook.yml"))
        let settings = try Settings(workspace: dir.path, environment: [:])
        #expect(settings[.image].source != .builtIn)
        #expect(settings.list(.collections).contains("amazon.aws"))
    }

    @Test func initNeverOverwrites() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("Playbooks"), withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: dir.appendingPathComponent("Playbooks/site.yml"))
        let outcomes = try Scaffold(directory: dir.path, pipeline: .gitlab).write()
        #expect(outcomes.contains(.kept("Playbooks/site.yml")))
        #expect(outcomes.contains(.created(".gitlab-ci.yml")))
        #expect(try String(contentsOf: dir.appendingPathComponent("Playbooks/site.yml"), encoding: .utf8) == "mine\n")
        let again = try Scaffold(directory: dir.path, pipeline: .gitlab).write()
        #expect(again.allSatisfy { if case .kept = $0 { true } else { false } })
    }
}

extension PipelineKind: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}
