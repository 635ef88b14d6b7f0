import Foundation
import Testing

@testable import RunbookCore

private func fixture(_ name: String) throws -> INIDocument {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/credentials/\(name)", withExtension: nil))
    return INIDocument(parsing: try String(contentsOf: url, encoding: .utf8), path: name)
}

@Suite struct INITests {
    @Test func readsSectionsKeysAndLines() throws {
        let document = try fixture("config")
        #expect(document.errors.isEmpty)
        #expect(
            document.sections.map(\.name) == [
                "default", "profile dev", "profile default", "profile   spaced", "profile 'quoted name'", "stray",
                "sso-session corp",
            ])
        let dev = document.sections[1]
        #expect(dev.line == 7)
        #expect(dev["role_arn"]?.line == 9)
        #expect(dev["region"]?.value == "us-east-2")  // `:` separates too
        #expect(dev["s3"]?.nested == ["addressing_style": "path", "signature_version": "s3v4"])
        #expect(dev["s3"]?.line == 11)
    }

    @Test func lowercasesKeysAndJoinsContinuationLines() throws {
        let base = try #require(try fixture("credentials").sections.first { $0.name == "base" })
        #expect(base["aws_access_key_id"]?.value == "AKIAI44QH8DHBEXAMPLE")
        #expect(base["multi"]?.value == "first\nsecond")
        #expect(base["multi"]?.nested == nil)
    }

    @Test func reportsWhatTheAWSCLIRejectsWithLines() throws {
        let errors = try fixture("broken-config").errors
        #expect(errors.map { $0.location?.line } == [1, 4, 5, 7])
        #expect(errors.allSatisfy { $0.rule == "ini-syntax" && $0.location?.file == "broken-config" })
        #expect(errors[2].message.contains("first at line 2"))
    }

    @Test func inlineHashIsPartOfTheValueAsInTheAWSCLI() {
        let document = INIDocument(parsing: "[default]\nregion = us-east-1 # note\r\n", path: "x")
        #expect(document.sections[0]["region"]?.value == "us-east-1 # note")
    }

    @Test func profileStoreMapsSectionsAsBotocoreDoes() throws {
        let store = ProfileStore(config: try fixture("config"), credentials: try fixture("credentials"))
        #expect(store.names == ["base", "default", "dev", "quoted name", "spaced"])
        // [profile default] wins over [default]; credentials-file keys merge in.
        #expect(store.profiles["default"]?["region"]?.value == "eu-central-1")
        #expect(store.profiles["default"]?["aws_access_key_id"]?.file == .credentials)
        #expect(store.profiles["spaced"]?["region"]?.location.line == 20)
        #expect(store.ssoSessions["corp"]?["sso_region"]?.value == "eu-west-1")
        let stray = store.findings.first { $0.rule == "ignored-section" }
        #expect(stray?.location?.line == 25)
        #expect(stray?.message.contains("[profile stray]") == true)
    }

    @Test(arguments: [
        ("a b  c", ["a", "b", "c"]),
        ("'/opt/my tool' --flag \"x y\"", ["/opt/my tool", "--flag", "x y"]),
        ("a\\ b 'c'd \"e\\\"f\"", ["a b", "cd", "e\"f"]),
        // botocore splits credential_process with shlex.split (comments=False): "#" is a word.
        ("cmd # comment", ["cmd", "#", "comment"]),
        ("''", [""]),
    ])
    func splitsCommandLinesLikeShlex(_ line: String, _ words: [String]) {
        #expect(shellWords(line) == words)
    }

    @Test func rejectsUnclosedQuotes() {
        #expect(shellWords("a 'b") == nil)
        #expect(shellWords("a \"b") == nil)
    }
}
