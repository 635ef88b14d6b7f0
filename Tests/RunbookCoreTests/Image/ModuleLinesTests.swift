import Foundation
import Testing

@testable import RunbookCore

/// The cache's modules file searched by name: every name found with exactly its spec, names that are
/// prefixes of others kept apart, absent names not found, a file out of order refused.
@Suite struct ModuleLinesTests {
    private static func file(_ names: [String]) -> Data {
        Data(names.map { "\($0)\t{\"n\":\"\($0)\"}\n" }.joined().utf8)
    }

    @Test func everyNameIsFoundWithItsOwnSpec() throws {
        let names = [
            "a.b.c", "a.b.cd", "a.b.c_d", "a.bb.c", "ansible.builtin.copy", "ansible.builtin.copy2", "z.z.z",
        ].sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let data = Self.file(names)
        let lines = try #require(ModuleLines(data))
        #expect(lines.count == names.count && lines.names == names)
        for name in names {
            let range = try #require(lines.range(of: name), "\(name)")
            #expect(String(decoding: data[range], as: UTF8.self) == "{\"n\":\"\(name)\"}")
        }
        for absent in ["", "a", "a.b", "a.b.", "a.b.ce", "ansible.builtin.cop", "zz", "0"] {
            #expect(lines.range(of: absent) == nil, "\(absent)")
        }
        // The last line without its newline too.
        let unterminated = try #require(ModuleLines(data.dropLast()))
        let last = try #require(unterminated.range(of: "z.z.z"))
        #expect(String(decoding: data[last], as: UTF8.self) == "{\"n\":\"z.z.z\"}")
    }

    @Test func aFileOutOfOrderOrWithoutTabsIsRefused() {
        #expect(ModuleLines(Self.file(["b.b.b", "a.a.a"])) == nil)
        #expect(ModuleLines(Self.file(["a.a.a", "a.a.a"])) == nil)
        #expect(ModuleLines(Data("no tab here\n".utf8)) == nil)
        #expect(ModuleLines(Data())?.count == 0)
    }
}
