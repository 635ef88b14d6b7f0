import Testing

@testable import RunbookCore

/// The byte-level name tests the checks run on every task and reference, against what the
/// Character-level definitions they replace answer.
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
}
