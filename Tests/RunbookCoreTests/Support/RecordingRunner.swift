import Foundation
import RunbookCore
import Synchronization
import Testing

/// A `ProcessRunning` fake: answers the calls it was told to expect, in order, records every call,
/// and fails the test on any call it was not told to expect.
final class RecordingRunner: ProcessRunning {
    /// One expected call: which argv it matches and what it answers.
    struct Expectation: Sendable {
        var description: String
        var matches: @Sendable ([String]) -> Bool
        var answer: @Sendable (ProcessSpec) -> (output: ProcessOutput, lines: [String])
    }

    private let expected: Mutex<[Expectation]>
    private let recorded = Mutex<[ProcessSpec]>([])

    init(_ expected: [Expectation] = []) {
        self.expected = Mutex(expected)
    }

    /// Every call made, in order.
    var calls: [ProcessSpec] { recorded.withLock { $0 } }
    /// The argv (executable first) of every call made.
    var argvs: [[String]] { calls.map { [$0.executable] + $0.arguments } }
    /// Expected calls that were never made.
    var unmet: [String] { expected.withLock { $0.map(\.description) } }

    func capture(_ spec: ProcessSpec) async throws -> ProcessOutput {
        try next(spec).output
    }

    func stream(
        _ spec: ProcessSpec, onStart: @escaping @Sendable (Int32) -> Void,
        onLine: @escaping @Sendable (OutputLine) -> Void
    ) async throws -> Int32 {
        let answer = try next(spec)
        for line in answer.lines { onLine(OutputLine(.standardOutput, line)) }
        return answer.output.status
    }

    private func next(_ spec: ProcessSpec) throws -> (output: ProcessOutput, lines: [String]) {
        recorded.withLock { $0.append(spec) }
        let argv = [spec.executable] + spec.arguments
        let expectation: Expectation? = expected.withLock { list in
            guard let first = list.first, first.matches(argv) else { return nil }
            list.removeFirst()
            return first
        }
        guard let expectation else {
            let wanted = expected.withLock { $0.first?.description } ?? "no more calls"
            Issue.record("unexpected process: \(argv.joined(separator: " ")) (expected: \(wanted))")
            throw UnexpectedCall(argv: argv)
        }
        return expectation.answer(spec)
    }

    struct UnexpectedCall: Error {
        var argv: [String]
    }
}

extension RecordingRunner.Expectation {
    /// A call whose argv starts with `prefix`, answering `status`, `stdout`, `stderr` (and `lines` when streamed);
    /// `effect` runs first (e.g. to write an --iidfile).
    static func call(
        _ prefix: [String], status: Int32 = 0, stdout: String = "", stderr: String = "", lines: [String] = [],
        effect: @escaping @Sendable ([String]) -> Void = { _ in }
    ) -> Self {
        Self(
            description: prefix.joined(separator: " "),
            matches: { Array($0.prefix(prefix.count)) == prefix },
            answer: { spec in
                effect(spec.arguments)
                return (ProcessOutput(status: status, standardOutput: stdout, standardError: stderr), lines)
            })
    }
}

/// Writes `id` to the file after `--iidfile` in a build's arguments.
func writeImageID(_ id: String) -> @Sendable ([String]) -> Void {
    { arguments in
        guard let index = arguments.firstIndex(of: "--iidfile"), index + 1 < arguments.count else { return }
        try? Data(id.utf8).write(to: URL(fileURLWithPath: arguments[index + 1]))
    }
}

/// An effect for a recorded `strip --strip-all -o OUT IN`: writes OUT, as strip would.
let writeStripped: @Sendable ([String]) -> Void = { arguments in
    guard let index = arguments.firstIndex(of: "-o"), index + 1 < arguments.count else { return }
    try? Data("stripped".utf8).write(to: URL(fileURLWithPath: arguments[index + 1]))
}

/// A temporary folder, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
