#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Finds the playbook a user named and checks it lies inside the workspace.
public struct PlaybookLocator: Sendable {
    /// The workspace's absolute path.
    public var workspace: String

    /// Makes a locator for a workspace.
    public init(workspace: String) {
        self.workspace = workspace
    }

    /// The playbook's absolute, symlink-free path.
    ///
    /// `name` is a path (relative to the current directory) or a name under `Playbooks/`, with or
    /// without `.yml`/`.yaml`. Throws `noInput` (66) when nothing is found and `usage` (64) when the
    /// playbook resolves outside the workspace, symlinks included, since only the workspace is mounted.
    public func locate(_ name: String, currentDirectory: String)
        throws -> String
    {
        let root = Paths.real(workspace) ?? workspace
        var candidates = [name.hasPrefix("/") ? name : currentDirectory + "/" + name]
        if !name.hasPrefix("/") {
            for base in [workspace + "/" + name, workspace + "/Playbooks/" + name] {
                candidates += [base, base + ".yml", base + ".yaml"]
            }
        }
        var isDirectory = false
        guard
            let found = candidates.first(where: {
                FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory
            })
        else {
            throw RunbookError.noInput("playbook '\(name)' not found (looked for it as a path and under Playbooks/)")
        }
        guard let resolved = Paths.real(found) else {
            throw RunbookError.noInput("cannot resolve playbook path '\(found)'")
        }
        guard Paths.isInside(resolved, root) else {
            throw RunbookError.usage(
                "playbook '\(name)' resolves to \(resolved), outside the workspace \(root); only the workspace "
                    + "is mounted into the container: move the playbook into it or pass --workspace")
        }
        return resolved
    }
}
