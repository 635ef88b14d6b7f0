import Foundation
import Testing

@testable import RunbookCore

@Suite struct JUnitMergeTests {
    private func junit(_ suite: String, tests: Int, failures: Int) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="runbook" tests="\(tests)" failures="\(failures)" time="1.500">
          <testsuite name="\(suite)" tests="\(tests)" failures="\(failures)" errors="0" skipped="0" time="1.500">
            <testcase classname="p" name="[h] t" file="x.yml:3" time="0.100"/>
          </testsuite>
        </testsuites>

        """
    }

    @Test func suitesAreKeptAndTotalsSummed() throws {
        let merged = try JUnitMerge.merged([
            ("a.xml", junit("site.yml (slice 1/2)", tests: 4, failures: 1)),
            ("b.xml", junit("site.yml (slice 2/2)", tests: 6, failures: 0)),
        ])
        #expect(merged.contains("<testsuites name=\"runbook\" tests=\"10\" failures=\"1\" time=\"3.000\">"))
        #expect(merged.contains("<testsuite name=\"site.yml (slice 1/2)\""))
        #expect(merged.contains("<testsuite name=\"site.yml (slice 2/2)\""))
        #expect(merged.components(separatedBy: "</testsuite>").count == 3)
        #expect(try JUnitMerge.parse(merged, file: "m.xml").totals == .init(tests: 10, failures: 1, time: 3))
    }

    @Test func foreignAndMissingFilesAreRefused() throws {
        let foreign = #expect(throws: RunbookError.self) {
            try JUnitMerge.merged([("pytest.xml", "<testsuites name=\"pytest\" tests=\"1\"></testsuites>")])
        }
        #expect(foreign?.status == .dataError)
        #expect(foreign?.message.hasPrefix("pytest.xml: not a JUnit file written by runbook") == true)
        let missing = #expect(throws: RunbookError.self) {
            try JUnitMerge(inputs: ["/nonexistent/r.xml"], output: "/tmp/out.xml").run()
        }
        #expect(missing?.status == .noInput)
    }
}
