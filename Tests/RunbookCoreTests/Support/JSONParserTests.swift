import Foundation
import Testing

@testable import RunbookCore

/// The byte-level JSON parser the plugin index is read with agrees with Foundation's JSONDecoder on
/// what is JSON and what each document holds.
@Suite struct JSONParserTests {
    @Test func parsesWhatJSONDecoderParses() throws {
        let documents = [
            #"{"a": [1, -2.5, 3e2, 0, -0.0, 1E-2], "b": {"c": null, "d": true, "e": false}, "f": ""}"#,
            #"["plain", "esc\"aped\\ \/ \b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "naïve ünïcode"]"#,
            " \n\t[ ]\r\n", "{}", "\"just a string\"", "12", "[[[[[]]]]]",
        ]
        for text in documents {
            let data = Data(text.utf8)
            let parsed = try #require(JSONValue.parse(data), "\(text)")
            #expect(parsed == (try JSONDecoder().decode(JSONValue.self, from: data)), "\(text)")
        }
    }

    @Test func theLastOfARepeatedKeyWins() {
        #expect(JSONValue.parse(Data(#"{"dup": 1, "dup": 2}"#.utf8)) == .object(["dup": .number(2)]))
    }

    @Test func refusesWhatIsNotJSON() {
        let documents = [
            "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "tru", "nul", "[1] x",
            "\"unterminated", "\"bad \\x escape\"", "\"raw\ncontrol\"", "{1: 2}", "[\"\\u12\"]",
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ]
        for text in documents {
            #expect(JSONValue.parse(Data(text.utf8)) == nil, "\(text)")
        }
    }

    /// A range of a larger buffer parses on its own (the cache keeps every module's spec in one file).
    @Test func parsesARangeOfABuffer() throws {
        let data = Data("xx{\"a\": [1]}yy".utf8)
        #expect(JSONValue.parse(data, range: 2..<12) == .object(["a": .array([.number(1)])]))
        #expect(JSONValue.parse(data, range: 0..<12) == nil)
    }
}
