import CProcessTuning
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The huge-page advice a checker thread asks for its malloc heap lands on that heap: the mapping
/// holding a block the thread allocates afterwards is marked for transparent huge pages (`hg` in
/// /proc/self/smaps), not some other mapping.
@Suite struct HugePageAdviceTests {
    /// The smaps entries (range and VmFlags) of this process.
    private func mappings() throws -> [(range: ClosedRange<UInt>, label: String, flags: [String])] {
        // Read to the end: /proc files report no size, and a read sized by it stops early.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        let text = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var found: [(ClosedRange<UInt>, String, [String])] = []
        var current: (ClosedRange<UInt>, String)?
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = words.first, first.contains("-"), !first.hasSuffix(":") {
                let bounds = first.split(separator: "-").compactMap { UInt($0, radix: 16) }
                if bounds.count == 2 {
                    current = (bounds[0]...(bounds[1] - 1), words.count > 5 ? String(words[5]) : "")
                }
            } else if words.first == "VmFlags:", let mapping = current {
                found.append((mapping.0, mapping.1, words.dropFirst().map(String.init)))
                current = nil
            }
        }
        return found
    }

    @Test func aThreadsHeapIsAdvisedForHugePages() throws {
        // Without transparent huge pages in the kernel there is nothing to advise (madvise refuses).
        guard FileManager.default.fileExists(atPath: "/sys/kernel/mm/transparent_hugepage/enabled") else { return }
        let outcome = Mutex<(status: Int32, address: UInt)>((0, 0))
        let done = DispatchSemaphore(value: 0)
        // A thread of its own, as each checker runs on: its first allocations pick its arena.
        Thread {
            let status = runbook_prefer_huge_pages()
            let block = malloc(64)
            outcome.withLock { $0 = (status, UInt(bitPattern: block)) }
            free(block)
            done.signal()
        }.start()
        done.wait()
        let (status, address) = outcome.withLock { $0 }
        #expect(status == 0)
        let all = try mappings()
        let holding = try #require(
            all.first { $0.range.contains(address) }, "\(all.count) mappings, block at \(String(address, radix: 16))")
        if holding.label == "[heap]" {
            // The main arena (the program break): the part past the block's 2 MB page is advised.
            #expect(
                all.contains { $0.label == "[heap]" && $0.flags.contains("hg") },
                "\(all.filter { $0.label == "[heap]" })")
        } else {
            #expect(holding.flags.contains("hg"), "\(holding)")
        }
    }
}
