#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `runbook merge-junit`: runbook's JUnit files from several jobs (the slices of a fanned-out
/// pipeline) as one file, each job's `<testsuite>` kept, the totals summed.
///
/// It reads only what runbook writes (`<testsuites name="runbook" …>`); any other file is refused
/// with its name rather than guessed at.
public struct JUnitMerge: Sendable {
    /// The files to merge, in order.
    public var inputs: [String]
    /// Where the merged file goes.
    public var output: String

    /// Makes a merge.
    public init(inputs: [String], output: String) {
        self.inputs = inputs
        self.output = output
    }

    /// Totals of one file's root element.
    struct Totals: Sendable, Hashable {
        var tests = 0
        var failures = 0
        var time = 0.0
    }

    /// The root element's totals and the `<testsuite>` elements of one runbook JUnit text.
    static func parse(_ text: String, file: String) throws -> (totals: Totals, suites: String) {
        let invalid = RunbookError(
            .dataError, "\(file): not a JUnit file written by runbook (<testsuites name=\"runbook\">)")
        guard let open = text.range(of: "<testsuites name=\"runbook\""),
            let openEnd = text.range(of: ">", range: open.upperBound..<text.endIndex),
            let close = text.range(of: "</testsuites>", options: .backwards),
            close.lowerBound >= openEnd.upperBound
        else { throw invalid }
        let root = String(text[open.upperBound..<openEnd.lowerBound])
        func attribute(_ name: String) -> String? {
            guard let start = root.range(of: " \(name)=\"") else { return nil }
            return root[start.upperBound...].prefix { $0 != "\"" }.description
        }
        guard let tests = attribute("tests").flatMap({ Int($0) }),
            let failures = attribute("failures").flatMap({ Int($0) })
        else { throw invalid }
        let time = attribute("time").flatMap { Double($0) } ?? 0
        let suites = text[openEnd.upperBound..<close.lowerBound].trimmingCharacters(in: .newlines)
        return (Totals(tests: tests, failures: failures, time: time), suites)
    }

    /// The merged text of `texts` (file name, content).
    static func merged(_ texts: [(file: String, text: String)]) throws -> String {
        var totals = Totals()
        var suites: [String] = []
        for (file, text) in texts {
            let parsed = try parse(text, file: file)
            totals.tests += parsed.totals.tests
            totals.failures += parsed.totals.failures
            totals.time += parsed.totals.time
            if !parsed.suites.isEmpty { suites.append(parsed.suites) }
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"runbook\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" "
            + "time=\"\(Formatting.fixed(totals.time, digits: 3))\">\n"
            + suites.map { $0 + "\n" }.joined() + "</testsuites>\n"
    }

    /// Reads, merges and writes (atomically); returns a one-line summary.
    public func run() throws -> String {
        guard !inputs.isEmpty else { throw RunbookError.usage("merge-junit needs at least one JUnit file") }
        var texts: [(file: String, text: String)] = []
        for file in inputs {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw RunbookError.noInput("\(file): no such JUnit file (did that job write one?)")
            }
            texts.append((file, String(decoding: data, as: UTF8.self)))
        }
        let text = try Self.merged(texts)
        let url = URL(fileURLWithPath: output)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw RunbookError(.cantCreate, "cannot write \(output)", cause: "\(error)")
        }
        let totals = try Self.parse(text, file: output).totals
        return
            "merged \(inputs.count) JUnit file(s) into \(output): \(totals.tests) test(s), \(totals.failures) failure(s)"
    }
}
