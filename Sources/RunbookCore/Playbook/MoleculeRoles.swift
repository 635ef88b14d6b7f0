#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The role a Molecule scenario tests, for the role-not-found message. A playbook in
/// `<role>/molecule/<scenario>/` (converge.yml, verify.yml) names the role of the repository it sits
/// in, which Molecule makes findable when it runs (ansible-playbook alone, as the `--syntax-check`
/// verdicts runbook agrees with, does not find it): by its folder's name (the folder above the role is on the roles path) and by
/// the name ansible-compat links it under, `namespace.role_name` from `galaxy_info` of its
/// `meta/main.yml` (namespace, else an author written as one word; role_name, else the folder's name
/// without an `ansible-role-` or `ansible-` prefix).
extension PlaybookChecker {
    /// Whether a playbook in `playbookFolder` is one of a Molecule scenario's (`molecule/<scenario>/`).
    func isMoleculeScenario(_ playbookFolder: String) -> Bool {
        Paths.lastComponent(Paths.parent(playbookFolder)) == "molecule"
    }

    /// The role folder a name refers to in a Molecule scenario, when the playbook is in one and the
    /// name is one of that role's.
    func moleculeRole(_ name: String, playbookFolder: String) -> String? {
        guard isMoleculeScenario(playbookFolder) else { return nil }
        let role = Paths.parent(Paths.parent(playbookFolder))
        return moleculeRoleNames(role).contains(name) ? role : nil
    }

    /// The names Molecule makes a role findable under; none when the folder is not a role (no
    /// meta/main.yml, which Molecule needs to link it).
    private func moleculeRoleNames(_ role: String) -> Set<String> {
        if let known = moleculeNames[role] { return known }
        let names = findMoleculeRoleNames(role)
        moleculeNames[role] = names
        return names
    }

    private func findMoleculeRoleNames(_ role: String) -> Set<String> {
        guard let meta = ["main.yml", "main.yaml"].map({ role + "/meta/" + $0 }).first(where: isFile) else {
            return []
        }
        let folder = Paths.lastComponent(role)
        var names: Set<String> = [folder]
        let file = load(meta)
        let info = file.document.flatMap { document in
            document.root.map(document.resolve)?["galaxy_info"].map(document.resolve).map { (document, $0) }
        }
        func text(_ key: String) -> String? {
            guard let (document, info) = info, let node = info[key].map(document.resolve), !node.isNull else {
                return nil
            }
            return node.string
        }
        var roleName = text("role_name") ?? ""
        if roleName.isEmpty {
            // As ansible-compat derives it: every "ansible-" dropped, then the last of at most three
            // dot-separated parts.
            let parts = folder.replacingOccurrences(of: "ansible-", with: "")
                .split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
            roleName = String(parts.last ?? "")
        }
        var namespace = text("namespace") ?? ""
        if namespace.isEmpty { namespace = text("author") ?? "" }
        // An author written as a person's name ("Jane Doe") is not a Galaxy namespace.
        if Self.looksLikeAPersonsName(namespace) { namespace = "" }
        if !roleName.isEmpty { names.insert(namespace.isEmpty ? roleName : namespace + "." + roleName) }
        return names
    }

    /// A word, a space and a word at the start.
    private static func looksLikeAPersonsName(_ text: String) -> Bool {
        let isWord = { (c: Character) in c.isLetter || c.isNumber || c == "_" }
        let first = text.prefix(while: isWord)
        guard !first.isEmpty else { return false }
        let rest = text.dropFirst(first.count)
        return rest.first == " " && rest.dropFirst().first.map(isWord) == true
    }
}
