#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes a new workspace: runbook.yml, Playbooks/, Inventory/, .gitignore and a pipeline file.
/// Never overwrites an existing file.
public struct Scaffold: Sendable {
    /// What happened to one file.
    public enum Outcome: Sendable, Hashable {
        case created(String)
        case kept(String)
    }

    /// The workspace folder.
    public var directory: String
    /// The pipeline file to write.
    public var pipeline: PipelineKind

    /// Makes a scaffold.
    public init(directory: String, pipeline: PipelineKind = .bitbucket) {
        self.directory = directory
        self.pipeline = pipeline
    }

    /// The files to write, relative path and content.
    public var files: [(path: String, content: String)] {
        StarterFiles.files + [
            (Settings.fileName, StarterFiles.settings),
            (".gitignore", StarterFiles.gitignore),
            (pipeline.fileName, PipelineTemplate(kind: pipeline, image: SettingKey.defaultImage).text),
        ]
    }

    /// Writes every file that does not exist yet; returns what was created and what was kept.
    public func write() throws -> [Outcome] {
        var outcomes: [Outcome] = []
        for (path, content) in files {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
            if FileManager.default.fileExists(atPath: url.path) {
                outcomes.append(.kept(path))
                continue
            }
            do {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                // withoutOverwriting: a file that appears between the check and the write is kept.
                try Data(content.utf8).write(to: url, options: .withoutOverwriting)
                outcomes.append(.created(path))
            } catch let error as CocoaError where error.code == .fileWriteFileExists {
                outcomes.append(.kept(path))
            } catch {
                throw RunbookError(
                    .cantCreate, "cannot write \(url.path): \(Formatting.reason(error))")
            }
        }
        return outcomes
    }
}
