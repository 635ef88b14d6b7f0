#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One collection a requirements file asks for, typed as `ansible-galaxy collection install -r` types it
/// (ansible-core's `Requirement.from_requirement_dict`): an FQCN is a Galaxy requirement; otherwise the
/// name (or `source`) points at a git URL, an http(s) URL, a tarball, a collection folder or a namespace folder.
public struct CollectionRequirement: Sendable, Hashable {
    /// Where the artifact comes from.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case galaxy, file, dir, subdirs, url, git
    }

    /// The FQCN, when written (always for `galaxy`).
    public var name: String?
    /// The version specifier (`*`, `>=1.2.0,<2`, a git ref).
    public var version: String
    /// The kind.
    public var kind: Kind
    /// The artifact: an absolute path for file/dir/subdirs, a URL for url/git, a Galaxy server for galaxy.
    public var source: String?
    /// Where it is written.
    public var location: SourceLocation
}

/// One role a requirements file asks for (ansible-core's `RoleRequirement.role_yaml_parse` rules).
public struct RoleRequirement: Sendable, Hashable {
    /// The name it is installed as.
    public var name: String
    /// A Galaxy name, a URL, or an absolute path to a local tarball.
    public var source: String
    /// The version, tag or branch; empty for the latest.
    public var version: String
    /// `git` (or `hg`) for an SCM source.
    public var scm: String?
    /// Whether `source` is a local file (copied into the build context).
    public var isLocalFile: Bool
    /// Where it is written.
    public var location: SourceLocation
}

/// A requirements.yml read with positions: its collections and roles, every local artifact checked.
public struct RequirementsFile: Sendable, Hashable {
    /// The file's absolute path.
    public var path: String
    /// The file's bytes (part of the image's content hash).
    public var text: String
    /// The collections, in the order written.
    public var collections: [CollectionRequirement]
    /// The roles, in the order written (`include:`d files expanded in place).
    public var roles: [RoleRequirement]

    /// Reads `path`. Relative artifact paths are looked up as ansible-galaxy run from the workspace
    /// root finds them, then next to the file; an artifact outside the workspace, a local role tarball
    /// without a `name`, a key ansible-galaxy rejects or a missing file is a usage error (exit 65) with
    /// file:line:col. `display` is how paths are shown.
    public static func read(_ path: String, workspace: String) throws -> RequirementsFile {
        let display = Paths.display(path, from: workspace)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw RunbookError.noInput("requirements file \(display) does not exist or cannot be read")
        }
        var reader = Reader(workspace: workspace, file: path, display: display)
        try reader.parse(text)
        return RequirementsFile(path: path, text: text, collections: reader.collections, roles: reader.roles)
    }

    /// Requirements written inline at `node` of another file (`dependencies.galaxy` of an
    /// execution-environment.yml at `path`); relative artifacts are looked up as `read` does.
    public static func inline(_ node: YAMLNode, _ document: YAMLDocument, in path: String, workspace: String) throws
        -> RequirementsFile
    {
        var reader = Reader(workspace: workspace, file: path, display: Paths.display(path, from: workspace))
        try reader.parse(document.resolve(node), document)
        return RequirementsFile(path: path, text: "", collections: reader.collections, roles: reader.roles)
    }

    private struct Reader {
        let workspace: String
        let file: String
        let display: String
        var collections: [CollectionRequirement] = []
        var roles: [RoleRequirement] = []
        var included: Set<String> = []

        init(workspace: String, file: String, display: String) {
            self.workspace = workspace
            self.file = file
            self.display = display
        }

        func fail(_ node: YAMLNode, _ message: String, in shown: String? = nil) -> RunbookError {
            .dataError("\(shown ?? display):\(node.line):\(node.column): error: \(message)")
        }

        mutating func parse(_ text: String) throws {
            let loaded = YAMLLoader().parse(Array(text.utf8), path: display)
            if let error = loaded.diagnostics.first(where: { $0.severity == .error }) {
                throw RunbookError.dataError(
                    "\(display):\(error.location.line):\(error.location.column): error: \(error.message)")
            }
            guard let document = loaded.document, let root = document.root.map(document.resolve), !root.isNull
            else { throw RunbookError.dataError("\(display):1:1: error: no requirements found in the file") }
            try parse(root, document)
        }

        mutating func parse(_ root: YAMLNode, _ document: YAMLDocument) throws {
            if let items = root.items {
                try roleItems(items, document, shown: display)
                return
            }
            guard root.pairs != nil else {
                throw fail(root, "a requirements file is a list of roles or a mapping with roles and collections")
            }
            for pair in document.mergedPairs(root) {
                let key = pair.key.string ?? ""
                let value = document.resolve(pair.value)
                if value.isNull { continue }
                switch key {
                case "roles":
                    guard let items = value.items else { throw fail(value, "roles must be a list") }
                    try roleItems(items, document, shown: display)
                case "collections":
                    guard let items = value.items else { throw fail(value, "collections must be a list") }
                    for item in items.map(document.resolve) { collections.append(try collection(item, document)) }
                default:
                    throw fail(
                        pair.key,
                        "'\(key)' is not a requirements key (ansible-galaxy accepts only roles and collections)")
                }
            }
        }

        // MARK: Collections

        func collection(_ node: YAMLNode, _ document: YAMLDocument) throws -> CollectionRequirement {
            let location = SourceLocation(file: display, line: node.line, column: node.column)
            var fields: [String: YAMLNode] = [:]
            if let text = node.string {
                fields["name"] = YAMLNode(.scalar(text, plain: false), line: node.line, column: node.column)
            } else if node.pairs != nil {
                for pair in document.mergedPairs(node) {
                    let key = pair.key.string ?? ""
                    guard ["name", "version", "type", "source", "signatures"].contains(key) else {
                        throw fail(
                            pair.key,
                            "'\(key)' is not a collection requirement key (name, version, type, source, signatures)")
                    }
                    fields[key] = document.resolve(pair.value)
                }
            } else {
                throw fail(node, "a collection requirement is a name or a mapping, not \(node.typeDescription)")
            }
            func text(_ key: String) throws -> String? {
                guard let value = fields[key], !value.isNull else { return nil }
                guard let string = value.string else { throw fail(value, "\(key) must be a string") }
                return string
            }
            let name = try text("name")
            let version = try text("version") ?? "*"
            let source = try text("source")
            var kind: CollectionRequirement.Kind?
            if let written = try text("type") {
                guard let typed = CollectionRequirement.Kind(rawValue: written) else {
                    throw fail(
                        fields["type"] ?? node,
                        "type '\(written)' is not one of "
                            + CollectionRequirement.Kind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                kind = typed
            }
            if kind == nil, let name, Self.isFQCN(name) { kind = .galaxy }
            if kind == .galaxy {
                guard let name, Self.isFQCN(name) else {
                    throw fail(
                        fields["name"] ?? node, "a Galaxy collection requirement needs a name namespace.collection")
                }
                return CollectionRequirement(
                    name: name, version: version, kind: .galaxy, source: source, location: location)
            }
            // A concrete artifact: `source` when given, else `name` (ansible-galaxy then derives the name).
            let pointerNode = source != nil ? fields["source"] : fields["name"]
            guard let pointer = source ?? name, let pointerNode else {
                throw fail(node, "a collection requirement needs a name")
            }
            let given = source != nil ? name : nil
            if let scheme = Self.remoteKind(pointer) {
                if let kind, kind != scheme, !(kind == .url && scheme == .url) {
                    if !(kind == .git && pointer.hasPrefix("http")) {
                        throw fail(pointerNode, "'\(pointer)' is not a \(kind.rawValue) source")
                    }
                }
                return CollectionRequirement(
                    name: given, version: version, kind: kind ?? scheme, source: pointer, location: location)
            }
            let path = try localPath(pointer, at: pointerNode)
            let detected: CollectionRequirement.Kind
            if Paths.isFile(path) {
                detected = .file
            } else if Paths.exists(path + "/galaxy.yml") || Paths.exists(path + "/MANIFEST.json") {
                detected = .dir
            } else {
                detected = .subdirs
            }
            if let kind, kind != detected, kind != .git {
                throw fail(
                    pointerNode, "'\(pointer)' is a \(detected == .file ? "file" : "folder"), not type \(kind.rawValue)"
                )
            }
            return CollectionRequirement(
                name: given, version: version, kind: kind ?? detected, source: path, location: location)
        }

        static func isFQCN(_ name: String) -> Bool {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 2
                && parts.allSatisfy { part in
                    !part.isEmpty && part.first?.isNumber == false
                        && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
                }
        }

        static func remoteKind(_ pointer: String) -> CollectionRequirement.Kind? {
            if pointer.hasPrefix("git+") || pointer.hasPrefix("git@") { return .git }
            if pointer.hasPrefix("http://") || pointer.hasPrefix("https://") {
                return pointer.hasSuffix(".git") ? .git : .url
            }
            return nil
        }

        /// An existing local artifact inside the workspace, made absolute.
        func localPath(_ pointer: String, at node: YAMLNode) throws -> String {
            let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
            let expanded = Paths.expandingTilde(pointer, home: home)
            let candidates =
                Paths.isAbsolute(expanded)
                ? [expanded]
                : [
                    Paths.absolute(expanded, relativeTo: workspace),
                    Paths.absolute(expanded, relativeTo: Paths.parent(file)),
                ]
            guard let found = candidates.first(where: Paths.exists) else {
                throw fail(
                    node,
                    "'\(pointer)' is neither a collection name (namespace.collection) nor an existing file or folder "
                        + "(looked in the workspace root and next to \(display))")
            }
            let real = Paths.real(found) ?? found
            let root = Paths.real(workspace) ?? workspace
            guard real == root || real.hasPrefix(root + "/") else {
                throw fail(node, "'\(pointer)' is outside the workspace; the image build sees only the workspace")
            }
            return found
        }

        // MARK: Roles

        mutating func roleItems(_ items: [YAMLNode], _ document: YAMLDocument, shown: String) throws {
            for item in items.map(document.resolve) {
                if item.pairs != nil,
                    let include = document.mergedPairs(item).first(where: { $0.key.string == "include" })
                {
                    try includeRoles(document.resolve(include.value), shown: shown)
                } else {
                    roles.append(try role(item, document, shown: shown))
                }
            }
        }

        mutating func includeRoles(_ node: YAMLNode, shown: String) throws {
            guard let pointer = node.string else { throw fail(node, "include must be a file name", in: shown) }
            let path = try localPath(pointer, at: node)
            guard !included.contains(path) else {
                throw fail(node, "'\(pointer)' is already included (an include loop)", in: shown)
            }
            included.insert(path)
            let includedDisplay = Paths.display(path, from: workspace)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw fail(node, "'\(pointer)' cannot be read", in: shown)
            }
            let loaded = YAMLLoader().parse(Array(data), path: includedDisplay)
            if let error = loaded.diagnostics.first(where: { $0.severity == .error }) {
                throw RunbookError.dataError(
                    "\(includedDisplay):\(error.location.line):\(error.location.column): error: \(error.message)")
            }
            guard let document = loaded.document, let root = document.root.map(document.resolve),
                let items = root.items
            else { throw fail(node, "the included file \(includedDisplay) is not a list of roles", in: shown) }
            try roleItems(items, document, shown: includedDisplay)
        }

        func role(_ node: YAMLNode, _ document: YAMLDocument, shown: String) throws -> RoleRequirement {
            let location = SourceLocation(file: shown, line: node.line, column: node.column)
            var src: String
            var name: String?
            var version = ""
            var scm: String?
            if let text = node.string {
                let parts = text.trimmingCharacters(in: .whitespaces).split(
                    separator: ",", omittingEmptySubsequences: false)
                guard parts.count <= 3 else {
                    throw fail(node, "'\(text)' is not src[,version[,name]]", in: shown)
                }
                src = String(parts[0])
                if parts.count > 1 { version = String(parts[1]) }
                if parts.count > 2 { name = String(parts[2]) }
                if name == nil { name = Self.roleName(fromSource: src) }
                if let plus = src.firstIndex(of: "+") {
                    scm = String(src[..<plus])
                    src = String(src[src.index(after: plus)...])
                }
            } else if node.pairs != nil {
                var fields: [String: String] = [:]
                for pair in document.mergedPairs(node) {
                    let key = pair.key.string ?? ""
                    let value = document.resolve(pair.value)
                    guard ["src", "name", "version", "scm", "role"].contains(key) else { continue }
                    if value.isNull { continue }
                    guard let string = value.string else { throw fail(value, "\(key) must be a string", in: shown) }
                    fields[key] = string
                }
                if let old = fields["role"] {
                    fields["name"] = old
                    if fields["src"] == nil { fields["src"] = old }
                }
                guard var source = fields["src"] ?? fields["name"] else {
                    throw fail(node, "a role requirement needs src or name", in: shown)
                }
                if source.contains("github.com"), source.contains("http"), !source.contains("+"),
                    !source.hasSuffix(".tar.gz")
                {
                    source = "git+" + source
                }
                if let plus = source.firstIndex(of: "+") {
                    fields["scm"] = String(source[..<plus])
                    source = String(source[source.index(after: plus)...])
                }
                src = source
                name = fields["name"] ?? Self.roleName(fromSource: src)
                version = fields["version"] ?? ""
                scm = fields["scm"]
            } else {
                throw fail(node, "a role requirement is a string or a mapping, not \(node.typeDescription)", in: shown)
            }
            var isLocal = false
            if scm == nil, !src.contains("://"), !src.contains("@"),
                src.hasSuffix(".tar.gz") || src.hasSuffix(".tgz") || src.hasPrefix("./") || src.hasPrefix("/")
                    || src.hasPrefix("~")
            {
                src = try localPath(src, at: node)
                isLocal = true
                guard let given = name, !given.contains("/"), !given.hasSuffix(".tar.gz"), !given.hasSuffix(".tgz")
                else {
                    throw fail(
                        node,
                        "a role from a local tarball needs a name: (ansible-galaxy would install it under its path)",
                        in: shown)
                }
            }
            guard let name, !name.isEmpty else { throw fail(node, "the role has no name", in: shown) }
            if let scm, !["git", "hg"].contains(scm) {
                throw fail(node, "scm '\(scm)' is not git or hg", in: shown)
            }
            return RoleRequirement(
                name: name, source: src, version: version, scm: scm, isLocalFile: isLocal, location: location)
        }

        /// ansible-core's `repo_url_to_role_name`: the last path piece of a URL without .git/.tar.gz.
        static func roleName(fromSource source: String) -> String {
            guard source.contains("://") || source.contains("@") else { return source }
            var tail = String(source.split(separator: "/").last ?? "")
            if tail.hasSuffix(".git") { tail.removeLast(4) }
            if tail.hasSuffix(".tar.gz") { tail.removeLast(7) }
            if let comma = tail.firstIndex(of: ",") { tail = String(tail[..<comma]) }
            return tail
        }
    }
}
