import Foundation
import Synchronization
import Testing

@testable import RunbookCore

@Suite struct PlaybookRunnerTests {
    private func eventsFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ev-\(UUID().uuidString).jsonl").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    @Test func streamsMaskedLinesFollowsEventsAndPassesTheStatusThrough() async throws {
        let events = try eventsFile()
        defer { try? FileManager.default.removeItem(atPath: events) }
        let script = """
            echo "secret is $TOKEN"
            echo '{"event": "play_start", "play": "p"}' >> "$EVENTS"
            echo '{"event": "host_result", "host": "h1", "task": "t", "status": "changed", "duration": 1.5}' >> "$EVENTS"
            echo "to stderr" >&2
            exit 4
            """
        let lines = Mutex<[OutputLine]>([])
        let runner = PlaybookRunner(
            runner: SubprocessRunner(), masker: SecretMasker(secrets: ["s3cr3t-value"]), trapSignals: false,
            output: { line in lines.withLock { $0.append(line) } })
        let outcome = try await runner.run(
            ProcessSpec("/bin/sh", ["-c", script], environment: ["TOKEN": "s3cr3t-value", "EVENTS": events]),
            eventsFile: events)
        #expect(outcome.status == 4)
        #expect(!outcome.timedOut)
        let seen = lines.withLock { $0 }
        #expect(seen.contains(OutputLine(.standardOutput, "secret is ****")))
        #expect(seen.contains(OutputLine(.standardError, "to stderr")))
        #expect(outcome.events.map(\.event) == ["play_start", "host_result"])
        #expect(outcome.summary.hosts["h1"]?.changed == 1)
    }

    @Test func timeLimitStopsTheRunAndCallsStop() async throws {
        let events = try eventsFile()
        defer { try? FileManager.default.removeItem(atPath: events) }
        let stopped = Mutex(false)
        let lines = Mutex<[String]>([])
        let runner = PlaybookRunner(
            runner: SubprocessRunner(), masker: SecretMasker(secrets: []), trapSignals: false,
            output: { line in lines.withLock { $0.append(line.text) } })
        // Runs up to 60 s unless stopped; says so when SIGTERM reaches it. No wall-clock bound here:
        // other suites in this process may hold the cooperative threads for a while.
        let script =
            "trap 'echo stopped-by-term; exit 3' TERM; i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done"
        let outcome = try await runner.run(
            ProcessSpec("/bin/sh", ["-c", script]), eventsFile: events, timeout: .milliseconds(300),
            stop: { stopped.withLock { $0 = true } })
        #expect(outcome.timedOut)
        #expect(outcome.status == 75)
        #expect(stopped.withLock { $0 })
        #expect(lines.withLock { $0 }.contains("stopped-by-term"))
    }
}

/// The real runner's standard input: written, then closed at once, or held open until the child's
/// output ends (the entry's channel, where end-of-file means runbook is gone).
@Suite struct StreamInputTests {
    private func stream(_ script: String, input: String, hold: Bool) async throws -> [String] {
        var spec = ProcessSpec("/bin/bash", ["-c", script], input: Data(input.utf8))
        spec.holdsInputOpen = hold
        let lines = Mutex<[String]>([])
        let status = try await SubprocessRunner().stream(spec) { line in lines.withLock { $0.append(line.text) } }
        #expect(status == 0)
        return lines.withLock { $0 }
    }

    @Test func inputIsClosedAfterItIsWritten() async throws {
        let lines = try await stream("cat; echo end-of-file", input: "one\ntwo\n", hold: false)
        #expect(lines == ["one", "two", "end-of-file"])
    }

    @Test func heldInputStaysOpenWhileTheChildRuns() async throws {
        // `read -t 1` after the first line times out (status > 128) instead of seeing end-of-file (status 1).
        let lines = try await stream(
            "read first; echo \"got $first\"; read -t 1 next; echo \"then $?\"", input: "secret-line\n", hold: true)
        #expect(lines.first == "got secret-line")
        let then = try #require(lines.last.flatMap { Int($0.dropFirst("then ".count)) })
        #expect(then > 128, "standard input reached end-of-file while the child ran")
    }
}
