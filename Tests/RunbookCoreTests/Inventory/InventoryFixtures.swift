import Foundation

@testable import RunbookCore

/// The inventory fixtures under `Fixtures/inventory`, and the expectations written in them.
enum InventoryFixtures {
    /// The fixtures folder copied into the test bundle.
    static var root: URL {
        Bundle.module.resourceURL?.appendingPathComponent("Fixtures/inventory")
            ?? URL(fileURLWithPath: "Tests/RunbookCoreTests/Fixtures/inventory")
    }

    /// The files in a fixture subfolder, by name.
    static func files(_ folder: String) -> [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return names.sorted()
    }

    /// The full path of a fixture.
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The `# expect: LINE:COL SEVERITY RULE` lines of a fixture, as `line:col severity rule` strings.
    static func expectations(_ relative: String) -> [String] {
        let text = (try? String(contentsOfFile: path(relative), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "# expect: ") else { return nil }
            return String(line[range.upperBound...])
        }.sorted()
    }

    /// Diagnostics as `line:col severity rule` strings, comparable with expectations.
    static func summary(_ diagnostics: [Diagnostic]) -> [String] {
        diagnostics.map { "\($0.location.line):\($0.location.column) \($0.severity.rawValue) \($0.rule)" }.sorted()
    }
}
