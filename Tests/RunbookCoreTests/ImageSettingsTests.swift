import Foundation
import Testing

@testable import RunbookCore

@Suite struct ImageSettingsTests {
    @Test func defaults() throws {
        let settings = try ImageSettings.resolve(.init(), environment: [:])
        #expect(settings.reference.description == "runbook/ansible-aws:release")
        #expect(settings.collections == ["amazon.aws", "community.aws", "community.general"])
        #expect(settings.collectionsSource == .wheel)
        #expect(settings.pullPolicy == .missing)
        #expect(settings.baseImage == ImageSettings.defaultBaseImage)
    }

    @Test func flagsBeatEnvironmentWhichBeatsDefaults() throws {
        let environment = [
            "RUNBOOK_IMAGE": "env/img:1", "RUNBOOK_COLLECTIONS": "amazon.aws, community.general",
            "RUNBOOK_BASE_IMAGE": "base:env", "RUNBOOK_PULL_POLICY": "never",
        ]
        let fromEnvironment = try ImageSettings.resolve(.init(), environment: environment)
        #expect(fromEnvironment.reference.description == "env/img:1")
        #expect(fromEnvironment.collections == ["amazon.aws", "community.general"])
        #expect(fromEnvironment.baseImage == "base:env")
        #expect(fromEnvironment.pullPolicy == .never)
        let fromFlags = try ImageSettings.resolve(
            .init(tag: "flag/img:2", collections: "community.aws amazon.aws", pullPolicy: "always"),
            environment: environment)
        #expect(fromFlags.reference.description == "flag/img:2")
        #expect(fromFlags.collections == ["community.aws", "amazon.aws"])
        #expect(fromFlags.pullPolicy == .always)
    }

    @Test(arguments: ["amazon", "amazon.aws.extra", "Amazon-aws.x", ""])
    func badCollectionsAreUsageErrors(_ text: String) {
        #expect(throws: RunbookError.self) { try ImageSettings.parseCollections(text) }
    }

    @Test func badValuesAreUsageErrors() {
        let error = #expect(throws: RunbookError.self) {
            try ImageSettings.resolve(.init(pullPolicy: "sometimes"), environment: [:])
        }
        #expect(error?.status == .usage)
        #expect(throws: RunbookError.self) { try ImageSettings.resolve(.init(tag: "Bad Name"), environment: [:]) }
        #expect(throws: RunbookError.self) {
            try ImageSettings.resolve(.init(caBundle: "/nonexistent/ca.pem"), environment: [:])
        }
    }

    @Test func caBundleFallsBackToTheOneTheHostTrusts() throws {
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString).pem")
        try Data("-----BEGIN CERTIFICATE-----\n".utf8).write(to: bundle)
        defer { try? FileManager.default.removeItem(at: bundle) }
        let fromPip = try ImageSettings.resolve(
            .init(), environment: ["PIP_CERT": bundle.path, "SSL_CERT_FILE": "/nonexistent"])
        #expect(fromPip.caBundle == bundle.path)
        // An unreadable candidate is passed over for the next one.
        let fromSSL = try ImageSettings.resolve(
            .init(), environment: ["REQUESTS_CA_BUNDLE": "/nonexistent", "SSL_CERT_FILE": bundle.path])
        #expect(fromSSL.caBundle == bundle.path)
        // RUNBOOK_CA_BUNDLE (and the flag) still win.
        let explicit = try ImageSettings.resolve(
            .init(caBundle: "/etc/hostname"), environment: ["PIP_CERT": bundle.path])
        #expect(explicit.caBundle == "/etc/hostname")
        // Without variables: the first readable system bundle, else none.
        #expect(ImageSettings.hostCABundle([:], systemBundles: ["/nonexistent", bundle.path]) == bundle.path)
        #expect(ImageSettings.hostCABundle([:], systemBundles: ["/nonexistent"]) == nil)
    }

    @Test func references() throws {
        let local = try #require(ImageReference("runbook/ansible-aws"))
        #expect(local.tag == "latest")
        #expect(local.registry == nil)
        let remote = try #require(ImageReference("127.0.0.1:5000/team/ansible-aws:v1"))
        #expect(remote.repository == "127.0.0.1:5000/team/ansible-aws")
        #expect(remote.tag == "v1")
        #expect(remote.registry == "127.0.0.1:5000")
        #expect(ImageReference("localhost/x:y")?.registry == "localhost")
        #expect(ImageReference("name@sha256:00") == nil)
    }
}
