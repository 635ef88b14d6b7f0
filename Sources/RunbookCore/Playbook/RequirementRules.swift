#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the workspace's `requirements.yml` files declare, for messages that say where a missing role
/// or collection was asked for and whether runbook installs that file into its image.
extension PlaybookChecker {
    /// Where a requirements file of the workspace or of the playbook's folder declares something, and
    /// whether runbook installs that file into its image.
    struct Declaration {
        var location: SourceLocation
        var installedByRunbook: Bool
    }

    /// The requirements files to search, in order: those runbook installs (the `requirements` setting,
    /// by default requirements.yml, collections/requirements.yml and roles/requirements.yml of the
    /// workspace), then the defaults of the playbook's folder and of each folder above it up to the
    /// workspace that it does not (a project folder often keeps its requirements.yml beside a
    /// `playbooks/` folder).
    private func requirementFiles(playbookFolder: String) -> [(path: String, installed: Bool)] {
        if let known = requirementFilesByFolder[playbookFolder] { return known }
        let found = findRequirementFiles(playbookFolder: playbookFolder)
        requirementFilesByFolder[playbookFolder] = found
        return found
    }

    private func findRequirementFiles(playbookFolder: String) -> [(path: String, installed: Bool)] {
        let defaults = { (folder: String) in SettingKey.defaultRequirementsFiles.map { folder + "/" + $0 } }
        let installed = settings.requirementFiles ?? defaults(settings.workspace)
        var seen = Set(installed)
        var files = installed.map { (path: $0, installed: true) }
        let folders =
            [playbookFolder] + Paths.ancestors(of: playbookFolder).prefix { Paths.isInside($0, settings.workspace) }
            + [settings.workspace]
        for path in folders.flatMap(defaults) where seen.insert(path).inserted {
            files.append((path, false))
        }
        return files.filter { isFile($0.path) }
    }

    /// What a requirements file declares, read once per run.
    private func declared(in path: String) -> (roles: [String: Int], collections: [String: Int]) {
        if let known = requirementsDeclared[path] { return known }
        let file = load(path)
        let found = (RoleRequirements.roles(in: file), CollectionRequirements.collections(in: file))
        requirementsDeclared[path] = found
        return found
    }

    /// Where a role is declared, when it is.
    func declaredRole(_ name: String, playbookFolder: String) -> Declaration? {
        firstDeclaration(playbookFolder: playbookFolder) { $0.roles[name] }
    }

    /// Where a collection (by FQCN) is declared, when it is.
    func declaredCollection(_ name: String, playbookFolder: String) -> Declaration? {
        firstDeclaration(playbookFolder: playbookFolder) { $0.collections[name] }
    }

    /// The first requirements file, in search order, whose declarations give a line for `line`.
    private func firstDeclaration(
        playbookFolder: String, _ line: ((roles: [String: Int], collections: [String: Int])) -> Int?
    ) -> Declaration? {
        for file in requirementFiles(playbookFolder: playbookFolder) {
            if let line = line(declared(in: file.path)) {
                return Declaration(
                    location: SourceLocation(file: display(file.path), line: line, column: 1),
                    installedByRunbook: file.installed)
            }
        }
        return nil
    }

    /// The end of a "collection X is not in the image" message: what to do about it, which depends on
    /// whether a requirements file already asks for it.
    func collectionAdvice(_ collection: String, playbookFolder: String) -> String {
        guard let declared = declaredCollection(collection, playbookFolder: playbookFolder) else {
            return "add it to the collections setting (or requirements.yml)"
        }
        let place = "\(declared.location.file):\(declared.location.line)"
        if declared.installedByRunbook {
            return "\(place) asks for it, so this image was built without those requirements: "
                + "`runbook image ensure` rebuilds it from them"
        }
        return "\(place) asks for it, but runbook does not install that file: list it in the requirements setting "
            + "(runbook.yml `requirements:`)"
    }
}

/// The collections a `requirements.yml` declares by FQCN (`collections:` entries written as a name or
/// with `name:`; URLs, paths and git sources are not FQCNs and are left out).
enum CollectionRequirements {
    /// FQCN → the line it is declared on.
    static func collections(in file: YAMLFile) -> [String: Int] {
        guard let document = file.document, let root = document.root.map(document.resolve),
            let list = root["collections"].map(document.resolve)?.items
        else { return [:] }
        var names: [String: Int] = [:]
        for entry in list.map(document.resolve) {
            guard let name = entry.string ?? entry["name"].map(document.resolve)?.string, isFQCN(name)
            else { continue }
            if names[name] == nil { names[name] = entry.line }
        }
        return names
    }

    /// `namespace.name`, as Galaxy names a collection (a path, URL or tarball is not one).
    private static func isFQCN(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2
            && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }
    }
}

/// The roles a `requirements.yml` declares (a list, or `roles:` of a mapping), by the name
/// `ansible-galaxy` installs them under: `name:`, else the `src` (a Galaxy name, or a URL's last part
/// without `.git`, `.tar.gz` or `,version`).
enum RoleRequirements {
    /// Role name → the line it is declared on.
    static func roles(in file: YAMLFile) -> [String: Int] {
        guard let document = file.document, let root = document.root.map(document.resolve) else { return [:] }
        let list = root.items ?? root["roles"].map(document.resolve)?.items ?? []
        var names: [String: Int] = [:]
        for entry in list.map(document.resolve) {
            let written = entry.string ?? entry["name"].map(document.resolve)?.string
            let source = entry.string ?? entry["src"].map(document.resolve)?.string
            guard let name = written.map(roleName) ?? source.map(roleName), !name.isEmpty else { continue }
            if names[name] == nil { names[name] = entry.line }
        }
        return names
    }

    /// The name ansible-galaxy gives a role from its `src` or `name`.
    static func roleName(_ source: String) -> String {
        var name = String(source.split(separator: ",").first ?? "")
        if name.containsBytes("://") || name.hasPrefix("git@") || name.containsBytes("/") {
            name = String(name.split(separator: "/").last ?? "")
            for suffix in [".git", ".tar.gz", ".tgz"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        }
        if name.hasPrefix("git+") { name.removeFirst(4) }
        return name.trimmingCharacters(in: .whitespaces)
    }
}
