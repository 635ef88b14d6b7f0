import Testing

@testable import RunbookCore

/// The byte-level tests the checks run on every file, task and reference, against what the
/// straightforward definitions they replace answer.
@Suite struct NameRulesTests {
    @Test(arguments: [
        ("ns.coll.role", true), ("community.general.ufw", true), ("a..b.c", true), ("a.b.c.d", true),
        ("ns.coll", false), ("apt", false), ("roles/ns.coll.role", false), ("site.main.yml", false),
        ("site.main.yaml", false), ("ns.coll.yml.role", true), ("", false), ("...", false), ("é.ü.ß", true),
    ])
    func collectionNames(name: String, expected: Bool) {
        #expect(isCollectionName(name) == expected)
        let byCharacters =
            !name.contains("/") && name.split(separator: ".").count >= 3 && !name.hasSuffix(".yml")
            && !name.hasSuffix(".yaml")
        #expect(byCharacters == expected)
    }

    @Test(arguments: [
        ("/a/b/c", "/a/b", "c"), ("/a", "/", "a"), ("a", "", "a"), ("/a/b/", "/a", "b"), ("/", "/", "/"),
        ("//a", "/", "a"), ("a/b//", "a", "b"), ("/é/ü", "/é", "ü"),
    ])
    func parentAndLastComponent(path: String, parent: String, last: String) {
        #expect(Paths.parent(path) == parent)
        #expect(Paths.lastComponent(path) == last)
    }

    @Test(arguments: [
        ("ansible.builtin.copy", "ansible.builtin.", true), ("ansible.builtin", "ansible.builtin.", false),
        ("/work/a/b", "/work/", true), ("/workspace", "/work/", false), ("", "", true), ("x", "", true),
        ("é/x", "é/", true), ("e/x", "é/", false),
    ])
    func bytePrefixes(text: String, prefix: String, expected: Bool) {
        #expect(text.hasBytePrefix(prefix) == expected)
        #expect(text.utf8.starts(with: prefix.utf8) == expected)
    }

    @Test func shortNamesAndDisplayPaths() {
        #expect(shortActionName("ansible.builtin.copy") == "copy")
        #expect(shortActionName("ansible.legacy.shell") == "shell")
        #expect(shortActionName("community.general.ufw") == "community.general.ufw")
        #expect(Paths.display("/work/ws/site.yml", from: "/work/ws") == "site.yml")
        #expect(Paths.display("/work/wsx/site.yml", from: "/work/ws") == "/work/wsx/site.yml")
        #expect(Paths.normalize("/a/./b//c/../d") == "/a/b/d" && Paths.normalize("/a/b") == "/a/b")
        #expect(Paths.normalize("a/..") == "." && Paths.normalize("/a/b/") == "/a/b")
    }

    @Test(arguments: [
        "src=a dest=b", "  leading and trailing  ", "tabs\tand\nnewlines\r\nand\u{0B}vt\u{0C}ff", "", "   ",
        "one", "echo 'a  b' | grep -v c", "non-ASCII: café crème\u{00A0}nbsp", "x\u{2003}em space",
    ])
    func wordsSplitAsCharacterWhitespaceDoes(text: String) {
        #expect(whitespaceWords(text).map(String.init) == text.split(whereSeparator: \.isWhitespace).map(String.init))
    }

    @Test func plainASCIIWordAtATimeAgreesWithByteByByte() {
        var cases: [[UInt8]] = [[], Array("a".utf8), Array("- hosts: all\n  tasks: []\n".utf8)]
        for length in 1...19 {
            for position in 0..<length {
                for bad: UInt8 in [0x00, 0x80, 0xC3, 0xFF, 0x01, 0x7F] {
                    var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                    bytes[position] = bad
                    cases.append(bytes)
                }
            }
        }
        for bytes in cases {
            let expected = bytes.allSatisfy { $0 != 0 && $0 < 0x80 }
            #expect(bytes.withUnsafeBufferPointer(YAMLLoader.isPlainASCII) == expected, "\(bytes)")
        }
    }

    @Test func byteSplitAnswersAsTheCharacterSplit() {
        let texts = [
            "", ".", "..", "a", "a.b", "ns.coll.mod", ".a.", "a..b", "...a...", "a.b.c.d.e", "é.ü", "a.\u{301}b",
            "x/y/z", "/", "//a//",
        ]
        for text in texts {
            for separator: Character in [".", "/"] {
                for maxSplits in [0, 1, 2, 3, Int.max] {
                    for omitting in [true, false] {
                        let expected = text.split(
                            separator: separator, maxSplits: maxSplits, omittingEmptySubsequences: omitting)
                        let found = text.splitBytes(
                            separator, maxSplits: maxSplits, omittingEmptySubsequences: omitting)
                        #expect(found == expected, "\(text) \(separator) \(maxSplits) \(omitting)")
                    }
                }
            }
        }
    }

    @Test func candidateScalarsAreTheUnicodeScalars() {
        for name in ["", "copy", "community.general.ufw", "café", "名前", "e\u{301}", "a\tb"] {
            #expect(CandidateNames.scalars(name) == name.unicodeScalars.map(\.value), "\(name)")
        }
        #expect(
            closestMatch(to: "ansible.builtin.copyy", in: ["ansible.builtin.copy", "ansible.builtin.command"])
                == "ansible.builtin.copy")
    }

    @Test func containsByteAgreesWithTheView() {
        for text in ["", "a", "a.b", "{{ x }}", "é.{", String(repeating: "x", count: 100) + "."] {
            for byte in [UInt8(ascii: "."), UInt8(ascii: "{"), 0xC3] {
                #expect(text.containsByte(byte) == text.utf8.contains(byte), "\(text) \(byte)")
            }
        }
    }
}
