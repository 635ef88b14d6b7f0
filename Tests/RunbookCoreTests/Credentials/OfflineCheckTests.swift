import Foundation
import Testing

@testable import RunbookCore

@Suite struct OfflineCheckTests {
    private func rules(_ id: String, _ secret: String = exampleSecret, token: String? = nil, expiration: Date? = nil)
        -> [String]
    {
        let keys = AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token, expiration: expiration)
        return OfflineChecks.check(keys, origin: "test", at: nil, now: fixedNow).map(\.rule)
    }

    @Test func acceptsWellFormedKeys() {
        #expect(rules(exampleKey).isEmpty)
        #expect(rules("ASIAIOSFODNN7EXAMPLE", token: "t").isEmpty)
    }

    @Test func rejectsMisshapenKeys() {
        #expect(rules("AKIA123") == ["access-key-shape"])
        #expect(rules("akiaiosfodnn7example") == ["access-key-shape"])
        #expect(rules("AIDAIOSFODNN7EXAMPLE") == ["access-key-prefix"])
        #expect(rules(exampleKey, "short") == ["secret-key-length"])
        #expect(rules("ASIAIOSFODNN7EXAMPLE") == ["missing-session-token"])
        #expect(rules(exampleKey, token: "stale") == ["unexpected-session-token"])
    }

    @Test func expiredAndExpiringCredentials() {
        #expect(rules("ASIAIOSFODNN7EXAMPLE", token: "t", expiration: fixedNow - 1) == ["expired"])
        #expect(rules("ASIAIOSFODNN7EXAMPLE", token: "t", expiration: fixedNow + 299) == ["expiring"])
        #expect(rules("ASIAIOSFODNN7EXAMPLE", token: "t", expiration: fixedNow + 301).isEmpty)
    }

    @Test(arguments: ["us-east-1", "eu-west-3", "us-gov-west-1", "ap-southeast-4", "cn-north-1"])
    func regionNames(_ region: String) {
        #expect(OfflineChecks.isRegionName(region))
    }

    @Test(arguments: ["us-east", "US-EAST-1", "useast1", "eu_west_1", "eu-west-1 ", ""])
    func notRegionNames(_ region: String) {
        #expect(!OfflineChecks.isRegionName(region))
    }

    @Test func malformedRegionInTheConfigFileHasItsLine() async throws {
        let home = try TemporaryHome(
            config: "[default]\nregion = eu-west\n",
            credentials: "[default]\naws_access_key_id = \(exampleKey)\naws_secret_access_key = \(exampleSecret)\n")
        defer { home.cleanUp() }
        let inspection = await resolver(home).inspect(CredentialOptions())
        #expect(inspection.findings.map(\.rule) == ["region-shape"])
        #expect(inspection.findings.first?.location?.line == 2)
    }

    @Test func groupReadableCredentialsFileIsAWarning() async throws {
        let home = try TemporaryHome(
            credentials: "[default]\naws_access_key_id = \(exampleKey)\naws_secret_access_key = \(exampleSecret)\n",
            credentialsMode: 0o640)
        defer { home.cleanUp() }
        let inspection = await resolver(home).inspect(CredentialOptions())
        #expect(inspection.findings.map(\.rule) == ["credentials-file-mode"])
        #expect(inspection.findings.first?.severity == .warning)
        #expect(!inspection.hasErrors)
    }

    @Test func keyWithoutSecretInAFile() async throws {
        let home = try TemporaryHome(credentials: "[default]\n\naws_access_key_id = \(exampleKey)\n")
        defer { home.cleanUp() }
        let inspection = await resolver(home).inspect(CredentialOptions())
        #expect(inspection.findings.first?.rule == "partial-keys")
        #expect(inspection.findings.first?.location?.line == 3)
    }

    @Test func masksKeyIds() {
        #expect(maskKeyId(exampleKey) == "AKIA…MPLE")
        #expect(maskKeyId("SHORT") == "*****")
        #expect(
            !String(describing: AWSCredentials(accessKeyId: exampleKey, secretAccessKey: exampleSecret)).contains(
                exampleSecret))
    }
}
