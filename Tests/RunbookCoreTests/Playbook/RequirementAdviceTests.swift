import Foundation
import Testing

@testable import RunbookCore

/// "collection X is not in the image" says what to do according to the requirements files: add it
/// somewhere when none asks for it; rebuild when a file runbook installs asks for it; name the file in
/// the requirements setting when only a file runbook does not install (beside a playbook in a
/// subfolder) asks for it.
@Suite struct RequirementAdviceTests {
    private let index: ImageIndex

    init() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/index/index", withExtension: "json"))
        index = try #require(ImageIndex.decode(try Data(contentsOf: url)))
    }

    /// `cisco.ios` is not in the fixture index's image; the playbook uses a module, a filter and a
    /// role of it.
    private static let playbook = """
        - hosts: localhost
          roles:
            - cisco.ios.base
          tasks:
            - cisco.ios.ios_command:
                commands: show version
            - ansible.builtin.debug:
                msg: "{{ 'x' | cisco.ios.shout }}"
        """

    private func messages(
        files: [String: String], playbookAt: String = "site.yml", requirementFiles: [String]? = nil
    ) throws -> [String] {
        let folder = try temporaryDirectory()
        for (name, text) in files.merging([playbookAt: Self.playbook], uniquingKeysWith: { $1 }) {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        var request = ValidationRequest(
            paths: [folder.appendingPathComponent(playbookAt).path], workspace: folder.path,
            currentDirectory: folder.path, environment: ["HOME": folder.path])
        request.index = index
        request.requirementFiles = requirementFiles.map { $0.map { folder.path + "/" + $0 } }
        let report = try PlaybookValidator().validate(request)
        return report.diagnostics.filter { $0.rule == "collection-not-in-image" || $0.rule == "role-not-in-image" }
            .map(\.message)
    }

    private static let requirements = """
        ---
        collections:
          - name: amazon.aws
          - name: cisco.ios
            version: ">=5.0.0"
          - https://example.invalid/cisco-ios-9.0.0.tar.gz
        """

    @Test func withoutRequirementsItSaysWhereToAddIt() throws {
        let found = try messages(files: [:])
        #expect(found.count == 3, "\(found)")
        #expect(
            found.allSatisfy { $0.hasSuffix("add it to the collections setting (or requirements.yml)") }, "\(found)")
    }

    @Test func aWorkspaceRequirementsFileMeansTheImageIsOlderThanIt() throws {
        for file in ["requirements.yml", "collections/requirements.yml"] {
            let found = try messages(files: [file: Self.requirements])
            #expect(found.count == 3, "\(found)")
            #expect(
                found.allSatisfy {
                    $0.contains("\(file):4 asks for it, so this image was built without those requirements")
                        && $0.hasSuffix("`runbook image ensure` rebuilds it from them")
                }, "\(found)")
        }
    }

    @Test func aFileBesideAPlaybookInASubfolderIsNotInstalledUnlessTheSettingNamesIt() throws {
        let files = ["automation/requirements.yml": Self.requirements]
        let found = try messages(files: files, playbookAt: "automation/site.yml")
        #expect(found.count == 3, "\(found)")
        #expect(
            found.allSatisfy {
                $0.contains("automation/requirements.yml:4 asks for it, but runbook does not install that file")
            }, "\(found)")
        let named = try messages(
            files: files, playbookAt: "automation/site.yml", requirementFiles: ["automation/requirements.yml"])
        #expect(named.allSatisfy { $0.contains("so this image was built without those requirements") }, "\(named)")
    }

    @Test func aProjectFolderAbovePlaybooksIsSearchedNearestFirst() throws {
        // project/requirements.yml beside project/playbooks/, and a workspace file naming it at another line.
        let workspaceFile = "---\ncollections:\n  - name: cisco.ios\n"
        let found = try messages(
            files: ["project/requirements.yml": Self.requirements, "requirements.yml": workspaceFile],
            playbookAt: "project/playbooks/site.yml", requirementFiles: [])
        #expect(found.count == 3, "\(found)")
        #expect(
            found.allSatisfy { $0.contains("project/requirements.yml:4 asks for it, but runbook does not install") },
            "\(found)")
    }

    @Test func onlyCollectionNamesCount() throws {
        // A URL entry, a role of the same name and a collection list under `roles:` are not declarations.
        let found = try messages(files: [
            "requirements.yml": """
            roles:
              - name: cisco.ios
            collections:
              - https://example.invalid/cisco.ios
              - name: ./cisco.ios
            """
        ])
        #expect(found.count == 3 && found.allSatisfy { $0.hasSuffix("(or requirements.yml)") }, "\(found)")
    }
}
