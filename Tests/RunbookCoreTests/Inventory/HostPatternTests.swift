import Testing

@testable import RunbookCore

@Suite struct HostPatternTests {
    private static let inventory: StaticInventory = {
        let text = """
            solo
            [web]
            web[1:3]
            [db]
            db-[a:b]
            [prod:children]
            web
            [staging]
            web3
            db-b
            """
        let result = InventoryReader().parse(Array(text.utf8), path: "hosts.ini")
        return result.matcher as? StaticInventory ?? StaticInventory()
    }()

    @Test(arguments: [
        ("all", true), ("*", true), ("localhost", true), ("127.0.0.1", true), ("web", true), ("web2", true),
        ("nothere", false), ("web*", true), ("x*", false), ("~web\\d+", true), ("~db-[xyz]", false),
        ("web:db", true), ("web,db", true), ("web:&staging", true), ("web:&db", false), ("prod:!web", false),
        ("!web", true), ("all:!solo:!web:!db", false), ("web[0]", true), ("web[2]", true), ("web[3]", false),
        ("web[0:1]", true), ("web[5:]", false), ("db[-1]", true), ("ungrouped", true), ("prod:&db-b", false),
        ("staging:&db*", true), ("we?2", true), ("web[!1]*", true), ("solo:nothere", true),
    ])
    func patternMatchesAsAnsibleDoes(_ pattern: String, _ expected: Bool) {
        #expect(Self.inventory.matchesAnyHost(pattern) == expected)
    }

    @Test(arguments: ["{{ target }}", "web:{{ extra }}", "~web[", "{% if x %}a{% endif %}"])
    func unjudgeablePatternsAreNil(_ pattern: String) {
        #expect(Self.inventory.matchesAnyHost(pattern) == nil)
    }

    @Test func emptyInventoryMatchesOnlyTheImplicit() {
        let empty = StaticInventory()
        #expect(empty.matchesAnyHost("all") == true)
        #expect(empty.matchesAnyHost("localhost") == true)
        #expect(empty.matchesAnyHost("web") == false)
    }

    @Test(arguments: [
        ("web[01:03]", ["web01", "web02", "web03"]), ("db-[a:c]", ["db-a", "db-b", "db-c"]),
        ("n[0:10:5]", ["n0", "n5", "n10"]), ("r[1:2]-[a:b]", ["r1-a", "r1-b", "r2-a", "r2-b"]),
        ("h[:2]", ["h0", "h1", "h2"]), ("x[Y:Z]", ["xY", "xZ"]), ("plain", ["plain"]), ("w[3:1]", []),
    ])
    func hostRangesExpandAsAnsibleDoes(_ pattern: String, _ expected: [String]) throws {
        #expect(try HostRange.expand(pattern) == expected)
    }

    @Test(arguments: [
        ("web1:2222", "web1", 2222), ("[2001:db8::1]:22", "2001:db8::1", 22), ("w[1:2]:80", "w[1:2]", 80),
    ])
    func portsAreSplitOff(_ entry: String, _ host: String, _ port: Int) {
        let split = HostAddress.split(entry)
        #expect(split.host == host)
        #expect(split.port == port)
    }
}
