import Foundation
import Testing

/// The layout rules of the brief that a reviewer would otherwise count by hand.
@Suite struct SourceLayoutTests {
    private static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    @Test func noSourceFileIsOver400Lines() throws {
        let walker = try #require(FileManager.default.enumerator(atPath: Self.sources.path))
        var checked = 0
        var tooLong: [String] = []
        for case let path as String in walker where path.hasSuffix(".swift") {
            let text = try String(contentsOfFile: Self.sources.appendingPathComponent(path).path, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
            checked += 1
            if lines > 400 { tooLong.append("\(path): \(lines) lines") }
        }
        #expect(checked > 100, "the walk found the sources")
        #expect(tooLong.isEmpty, "split these files: \(tooLong)")
    }
}
