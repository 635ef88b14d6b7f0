import Foundation

/// The conformance corpus: ~570 public playbooks with `ansible-playbook --syntax-check` verdicts
/// (ansible-core 2.19). Found at `$RUNBOOK_CORPUS`, else `../shared/corpus` beside the repository.
struct Corpus {
    /// One row of `verdicts_classified.tsv`.
    struct Verdict: Sendable, CustomStringConvertible {
        var path: String
        /// `pass`, `env:…` (something outside the file is missing) or `intrinsic:…` / `other`.
        var verdictClass: String
        var ansibleError: String
        var description: String { path }
    }

    let root: URL

    /// The corpus folder, or nil when it is not there.
    static let located: Corpus? = {
        let environment = ProcessInfo.processInfo.environment["RUNBOOK_CORPUS"]
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder =
            environment.map { URL(fileURLWithPath: $0) }
            ?? repository.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        let verdicts = folder.appendingPathComponent("verdicts_classified.tsv").path
        return FileManager.default.fileExists(atPath: verdicts) ? Corpus(root: folder) : nil
    }()

    /// Every verdict, in file order.
    var verdicts: [Verdict] {
        let url = root.appendingPathComponent("verdicts_classified.tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4 else { return nil }
            return Verdict(path: fields[0], verdictClass: fields[1], ansibleError: fields[3])
        }
    }
}
