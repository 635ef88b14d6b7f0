#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One package line with where it was written (a file:line, or the setting that listed it).
public struct PackageLine: Sendable, Hashable {
    /// The text: a pip requirement or a Debian package name.
    public var text: String
    /// Where it came from, for errors.
    public var origin: String

    /// Makes a line.
    public init(_ text: String, origin: String) {
        self.text = text
        self.origin = origin
    }
}

/// What an ansible-builder v3 `execution-environment.yml` declares, mapped onto runbook's image
/// settings. The keys and their shapes are those of ansible-builder's own v3 schema (`ee_schema.py`);
/// what runbook cannot build the same way is refused in one error listing every such key, never ignored.
public struct ExecutionEnvironmentFile: Sendable, Hashable {
    /// The file's path.
    public var path: String
    /// `images.base_image.name`.
    public var baseImage: String?
    /// `dependencies.galaxy` (a file or inline).
    public var requirements: RequirementsFile?
    /// `dependencies.python` (and `ansible_runner.package_pip`).
    public var pythonPackages: [PackageLine]
    /// `dependencies.system` entries that apply to Debian at run time.
    public var systemPackages: [PackageLine]
    /// `dependencies.system` entries of bindep's `compile` profile: the build stage only.
    public var buildPackages: [PackageLine]

    /// Reads and maps `path`; `ansibleCore` is the image's pinned ansible-core, which
    /// `dependencies.ansible_core.package_pip` must accept.
    public static func read(_ path: String, workspace: String, ansibleCore: String?) throws
        -> ExecutionEnvironmentFile
    {
        let display = Paths.display(path, from: workspace)
        let loaded = YAMLLoader().load(path: path, displayPath: display)
        if let error = loaded.diagnostics.first(where: { $0.severity == .error }) {
            throw RunbookError.dataError(
                "\(display):\(error.location.line):\(error.location.column): error: \(error.message)")
        }
        guard let document = loaded.document, let root = document.root.map(document.resolve), root.pairs != nil else {
            throw RunbookError.dataError("\(display):1:1: error: an execution environment file is a mapping")
        }
        var file = ExecutionEnvironmentFile(
            path: path, pythonPackages: [], systemPackages: [], buildPackages: [])
        var refused: [String] = []
        func at(_ node: YAMLNode) -> String { "\(display):\(node.line):\(node.column)" }
        func fail(_ node: YAMLNode, _ message: String) -> RunbookError {
            .dataError("\(at(node)): error: \(message)")
        }
        let folder = Paths.parent(path)
        var version: YAMLNode?
        for pair in document.mergedPairs(root) {
            let key = pair.key.string ?? ""
            let value = document.resolve(pair.value)
            switch key {
            case "version":
                version = value
            case "images":
                for image in document.mergedPairs(value) {
                    guard image.key.string == "base_image" else {
                        refused.append("\(at(image.key)): images.\(image.key.string ?? "")")
                        continue
                    }
                    for field in document.mergedPairs(document.resolve(image.value)) {
                        if field.key.string == "name", let name = document.resolve(field.value).string {
                            file.baseImage = name
                        } else {
                            refused.append(
                                "\(at(field.key)): images.base_image.\(field.key.string ?? "") (signature checks)")
                        }
                    }
                }
            case "dependencies":
                for dependency in document.mergedPairs(value) {
                    let name = dependency.key.string ?? ""
                    let node = document.resolve(dependency.value)
                    if node.isNull { continue }
                    switch name {
                    case "galaxy":
                        if let pointer = node.string {
                            let target = Paths.absolute(pointer, relativeTo: folder)
                            file.requirements = try RequirementsFile.read(target, workspace: workspace)
                        } else {
                            file.requirements = try RequirementsFile.inline(
                                node, document, in: path, workspace: workspace)
                        }
                    case "python":
                        file.pythonPackages += try lines(
                            node, document, folder: folder, workspace: workspace, display: display
                        )
                        .filter { !$0.text.hasPrefix("#") }
                    case "system":
                        for line in try lines(node, document, folder: folder, workspace: workspace, display: display) {
                            switch try Bindep.parse(line) {
                            case .runtime(let package): file.systemPackages.append(package)
                            case .build(let package): file.buildPackages.append(package)
                            case .skipped: break
                            }
                        }
                    case "ansible_core":
                        let spec = document.resolve(node["package_pip"] ?? node).string ?? ""
                        if let problem = PipSpecifier.coreMismatch(spec, pinned: ansibleCore) {
                            refused.append("\(at(dependency.key)): dependencies.ansible_core (\(problem))")
                        }
                    case "ansible_runner":
                        if let spec = document.resolve(node["package_pip"] ?? node).string {
                            file.pythonPackages.append(PackageLine(spec, origin: at(dependency.key)))
                        }
                    default:
                        refused.append(
                            "\(at(dependency.key)): dependencies.\(name) (the image's Python is its own venv)")
                    }
                }
            case "additional_build_steps", "additional_build_files", "build_arg_defaults":
                refused.append("\(at(pair.key)): \(key) (runbook builds from its own definition; see image_definition)")
            case "options":
                for option in document.mergedPairs(value) {
                    refused.append("\(at(option.key)): options.\(option.key.string ?? "")")
                }
            default:
                throw fail(pair.key, "'\(key)' is not a key of ansible-builder's execution environment schema")
            }
        }
        guard let version, version.string == "3" else {
            throw fail(version ?? root, "runbook reads version 3 execution environment files (ansible-builder 3)")
        }
        guard refused.isEmpty else {
            throw RunbookError.dataError(
                "\(display): runbook cannot build these the way ansible-builder would; remove them or set "
                    + "execution_environment: off and use runbook's settings:\n  "
                    + refused.joined(separator: "\n  "))
        }
        return file
    }

    /// A string (a file next to the EE file, one entry per line) or a list of strings, each with its line.
    static func lines(_ node: YAMLNode, _ document: YAMLDocument, folder: String, workspace: String, display: String)
        throws -> [PackageLine]
    {
        if let pointer = node.string {
            let target = Paths.absolute(pointer, relativeTo: folder)
            return try PackageFile.read(target, workspace: workspace)
        }
        guard let items = node.items else {
            throw RunbookError.dataError(
                "\(display):\(node.line):\(node.column): error: expected a file name "
                    + "or a list of strings")
        }
        return items.map(document.resolve).compactMap { item in
            item.string.map { PackageLine($0, origin: "\(display):\(item.line)") }
        }
    }
}

/// A requirements.txt or bindep.txt: one entry per line, `#` comments and blank lines dropped.
enum PackageFile {
    static func read(_ path: String, workspace: String) throws -> [PackageLine] {
        let display = Paths.display(path, from: workspace)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw RunbookError.noInput("\(display) does not exist or cannot be read") }
        var lines: [PackageLine] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = raw.hasPrefix("#") ? "" : String(raw.split(separator: " #", maxSplits: 1).first ?? "")
            let line = code.trimmingCharacters(in: .whitespacesAndNewlines)
            if !line.isEmpty { lines.append(PackageLine(line, origin: "\(display):\(index + 1)")) }
        }
        return lines
    }
}

/// bindep lines (`name [selectors] [version]`) as ansible-builder's `bindep -l newline` and
/// `bindep -b compile` split them, evaluated for a Debian base (platforms dpkg, debian).
enum Bindep {
    enum Entry {
        case runtime(PackageLine)
        case build(PackageLine)
        case skipped
    }

    static let platforms: Set<String> = ["dpkg", "debian", "debian-bookworm", "debian-12"]

    static func parse(_ line: PackageLine) throws -> Entry {
        var text = line.text
        if let hash = text.firstIndex(of: "#") { text = String(text[..<hash]) }
        text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return .skipped }
        var selectors: [String] = []
        if let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") {
            selectors = text[text.index(after: open)..<close].split(separator: " ").map(String.init)
            text.removeSubrange(open...close)
        }
        let words = text.split(separator: " ").map(String.init)
        guard let name = words.first else { return .skipped }
        if words.count > 1 {
            throw RunbookError.dataError(
                "\(line.origin): error: '\(line.text)': runbook installs Debian's candidate version; version "
                    + "constraints in bindep entries are not supported")
        }
        let positivePlatforms = selectors.filter { $0.hasPrefix("platform:") }.map { String($0.dropFirst(9)) }
        let negativePlatforms = selectors.filter { $0.hasPrefix("!platform:") }.map { String($0.dropFirst(10)) }
        if !positivePlatforms.isEmpty, !positivePlatforms.contains(where: platforms.contains) { return .skipped }
        if negativePlatforms.contains(where: platforms.contains) { return .skipped }
        let profiles = selectors.filter { !$0.contains("platform:") && !$0.hasPrefix("!") }
        let package = PackageLine(name, origin: line.origin)
        if profiles.isEmpty { return .runtime(package) }
        return profiles.contains("compile") ? .build(package) : .skipped
    }
}

/// The PEP 440 comparisons an `ansible-core` pip specifier needs against the image's pinned version.
enum PipSpecifier {
    /// Why `spec` (e.g. `ansible-core>=2.15,<2.20`) does not accept `pinned`, or nil when it does.
    static func coreMismatch(_ spec: String, pinned: String?) -> String? {
        let text = spec.filter { !$0.isWhitespace }
        guard text.lowercased().hasPrefix("ansible-core") || text.lowercased().hasPrefix("ansible_core") else {
            return "'\(spec)' is not an ansible-core requirement; the image has runbook's pinned ansible-core"
        }
        guard let pinned else { return nil }
        let clauses = text.dropFirst("ansible-core".count).split(separator: ",").map(String.init)
        for clause in clauses where !clause.isEmpty {
            guard let op = ["===", "==", "~=", "!=", ">=", "<=", ">", "<"].first(where: { clause.hasPrefix($0) }) else {
                return "'\(spec)' is not a version specifier runbook can check"
            }
            let wanted = String(clause.dropFirst(op.count))
            if !accepts(op, wanted, pinned) {
                return "asks for ansible-core\(clause); the image has ansible-core \(pinned)"
            }
        }
        return nil
    }

    static func numbers(_ version: String) -> [Int] {
        version.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
    }

    static func compare(_ a: [Int], _ b: [Int]) -> Int {
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }

    static func accepts(_ op: String, _ wanted: String, _ pinned: String) -> Bool {
        let have = numbers(pinned)
        if wanted.hasSuffix(".*") {
            let prefix = numbers(String(wanted.dropLast(2)))
            let matches = Array(have.prefix(prefix.count)) == prefix
            return op == "!=" ? !matches : matches
        }
        let order = compare(have, numbers(wanted))
        switch op {
        case "==", "===": return order == 0
        case "!=": return order != 0
        case ">=": return order >= 0
        case "<=": return order <= 0
        case ">": return order > 0
        case "<": return order < 0
        default:  // ~=: >= wanted and the same release up to its last part
            let parts = numbers(wanted)
            return order >= 0
                && Array(have.prefix(max(parts.count - 1, 1))) == Array(parts.prefix(max(parts.count - 1, 1)))
        }
    }
}
