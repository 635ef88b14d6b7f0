import Foundation
import Testing

@testable import RunbookCore

@Suite struct ImageSettingsTests {
    private func image(_ environment: [String: String] = [:], flags: SettingFlags = SettingFlags()) throws
        -> ImageSettings
    {
        try ImageSettings(
            Settings(workspace: "/nonexistent", environment: environment, file: [:], flags: flags), home: "/root")
    }

    @Test func defaults() throws {
        let settings = try image()
        #expect(settings.reference.description == "runbook/ansible-aws:release")
        #expect(settings.collections == ["amazon.aws", "community.aws", "community.general"])
        #expect(settings.collectionsSource == .wheel)
        #expect(settings.pullPolicy == .missing)
        #expect(settings.baseImage == SettingKey.defaultBaseImage)
    }

    @Test func flagsBeatEnvironmentWhichBeatsDefaults() throws {
        let environment = [
            "RUNBOOK_IMAGE": "env/img:1", "RUNBOOK_COLLECTIONS": "amazon.aws, community.general",
            "RUNBOOK_BASE_IMAGE": "base:env", "RUNBOOK_PULL_POLICY": "never",
        ]
        let fromEnvironment = try image(environment)
        #expect(fromEnvironment.reference.description == "env/img:1")
        #expect(fromEnvironment.collections == ["amazon.aws", "community.general"])
        #expect(fromEnvironment.baseImage == "base:env")
        #expect(fromEnvironment.pullPolicy == .never)
        var flags = SettingFlags()
        flags.set(.image, "flag/img:2", flag: "--tag")
        flags.set(.collections, "community.aws amazon.aws", flag: "--collections")
        flags.set(.pullPolicy, "always", flag: "--pull-policy")
        let fromFlags = try image(environment, flags: flags)
        #expect(fromFlags.reference.description == "flag/img:2")
        #expect(fromFlags.collections == ["community.aws", "amazon.aws"])
        #expect(fromFlags.pullPolicy == .always)
    }

    @Test(arguments: [["amazon"], ["amazon.aws.extra"], ["Amazon-aws.x"], []])
    func badCollectionsAreUsageErrors(_ names: [String]) {
        #expect(throws: RunbookError.self) { try ImageSettings.checkCollections(names) }
    }

    @Test func badValuesAreUsageErrorsNamingTheirSource() {
        var flags = SettingFlags()
        flags.set(.image, "Bad Name", flag: "--tag")
        let error = #expect(throws: RunbookError.self) { try image(flags: flags) }
        #expect(error?.status == .usage)
        #expect(error?.message.hasPrefix("flag --tag: 'Bad Name' is not an image name:tag") == true)
        let collections = #expect(throws: RunbookError.self) { try image(["RUNBOOK_COLLECTIONS": "amazon"]) }
        #expect(collections?.message.hasPrefix("environment RUNBOOK_COLLECTIONS: 'amazon'") == true)
        let bundle = #expect(throws: RunbookError.self) { try image(["RUNBOOK_CA_BUNDLE": "/nonexistent/ca.pem"]) }
        #expect(bundle?.status == .noInput)
    }

    @Test func caBundleFallsBackToTheOneTheHostTrusts() throws {
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString).pem")
        try Data("-----BEGIN CERTIFICATE-----\n".utf8).write(to: bundle)
        defer { try? FileManager.default.removeItem(at: bundle) }
        #expect(try image(["PIP_CERT": bundle.path, "SSL_CERT_FILE": "/nonexistent"]).caBundle == bundle.path)
        // An unreadable candidate is passed over for the next one.
        #expect(
            try image(["REQUESTS_CA_BUNDLE": "/nonexistent", "SSL_CERT_FILE": bundle.path]).caBundle == bundle.path)
        // The setting (variable or flag) still wins.
        #expect(try image(["RUNBOOK_CA_BUNDLE": "/etc/hostname", "PIP_CERT": bundle.path]).caBundle == "/etc/hostname")
        // Without variables: the first readable system bundle, else none.
        #expect(HostCABundle.find([:], systemBundles: ["/nonexistent", bundle.path])?.path == bundle.path)
        #expect(HostCABundle.find([:], systemBundles: ["/nonexistent"]) == nil)
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
