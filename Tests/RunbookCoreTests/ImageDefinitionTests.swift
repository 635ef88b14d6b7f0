import Foundation
import Testing

@testable import RunbookCore

@Suite struct ImageDefinitionTests {
    private static let resources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/RunbookCore/Resources/image")

    @Test func embeddedFilesMatchTheResourceFolder() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.resources.path).sorted()
        #expect(names == ImageDefinition.embedded.files.keys.sorted(), "run scripts/embed-image-definition")
        for name in names {
            let text = try String(contentsOf: Self.resources.appendingPathComponent(name), encoding: .utf8)
            #expect(ImageDefinition.embedded.files[name] == text, "\(name) changed: run scripts/embed-image-definition")
        }
    }

    @Test func aDefinitionFolderLoadsLikeTheEmbeddedOne() throws {
        #expect(try ImageDefinition.load(from: Self.resources.path) == ImageDefinition.embedded)
        #expect(throws: RunbookError.self) { try ImageDefinition.load(from: "/nonexistent") }
    }

    @Test func dockerfileKeepsTheBuildStageOutOfTheFinalImage() throws {
        let dockerfile = try #require(ImageDefinition.embedded.files["Dockerfile"])
        let stages = dockerfile.components(separatedBy: "\nFROM ")
        #expect(stages.count == 3)
        let final = try #require(stages.last)
        #expect(!final.contains("ca-bundle"))
        #expect(final.contains("COPY --from=build /opt/runbook /opt/runbook"))
        #expect(final.contains("RUNBOOK_IN_IMAGE=1"))
    }

    @Test func ansibleCoreVersionComesFromRequirements() {
        #expect(ImageDefinition.embedded.ansibleCoreVersion?.hasPrefix("2.") == true)
        let definition = ImageDefinition(files: ["requirements.txt": "# x\nboto3\nansible-core == 2.18.1  # pinned\n"])
        #expect(definition.ansibleCoreVersion == "2.18.1")
    }

    @Test func contentHashFollowsEveryInputButNotTheCABundle() throws {
        let definition = ImageDefinition.embedded
        let base = try ImageSettings(Settings(workspace: "/nonexistent", environment: [:], file: [:]), home: "/root")
        let hash = definition.contentHash(base)
        #expect(hash.count == 64)
        #expect(definition.contentHash(base) == hash)

        var other = base
        other.baseImage = "debian:bookworm"
        #expect(definition.contentHash(other) != hash)
        other = base
        other.collections = ["amazon.aws"]
        #expect(definition.contentHash(other) != hash)
        other = base
        other.collections = base.collections.reversed()
        #expect(definition.contentHash(other) == hash)
        other = base
        other.collectionsSource = .galaxy
        #expect(definition.contentHash(other) != hash)
        other = base
        other.caBundle = "/etc/ssl/certs/ca-certificates.crt"
        other.pullPolicy = .never
        #expect(definition.contentHash(other) == hash)
        #expect(definition.contentHash(base, runbookVersion: "9.9.9") != hash)

        var files = definition.files
        files["requirements.txt", default: ""] += "requests\n"
        #expect(ImageDefinition(files: files).contentHash(base) != hash)
        #expect(ImageDefinition.contentTag(hash) == "content-" + hash.prefix(16))
    }

    @Test func contextHoldsTheFilesAnEmptyBundleAndTheBinary() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = ImageSettings(reference: try #require(ImageReference("a/b:c")))
        try ImageDefinition.embedded.writeContext(to: directory, settings: settings, runbookBinary: "/bin/sh")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        let extra = ["build-secrets.env", "ca-bundle.crt", "python-packages.txt", "runbook", "workspace"]
        #expect(names == (ImageDefinition.embedded.files.keys + extra).sorted())
        for empty in ["ca-bundle.crt", "build-secrets.env", "python-packages.txt"] {
            #expect(try Data(contentsOf: directory.appendingPathComponent(empty)).isEmpty, "\(empty) is not empty")
        }
        let plan = try String(contentsOf: directory.appendingPathComponent("workspace/plan.json"), encoding: .utf8)
        #expect(
            plan.contains(#""name" : "community.general""#) && plan.contains(#""origin" : "the collections setting""#))
    }

    @Test(arguments: [
        ("Step 3/19 : RUN pip install", "step 3/19: RUN pip install"),
        ("STEP 2/9: COPY a b", "step 2/9: COPY a b"),
        ("#7 [build 4/9] RUN x", "step 4/9: RUN x"),
    ])
    func progressReadsSteps(_ line: String, _ expected: String) {
        #expect(BuildProgress.step(line) == expected)
        #expect(BuildProgress.step("Collecting boto3") == nil)
    }
}
