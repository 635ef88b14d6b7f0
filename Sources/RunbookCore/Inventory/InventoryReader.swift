#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What loading an inventory gave.
public struct LoadedInventory: Sendable {
    /// Judges host patterns against the static inventory; nil when a source is dynamic (a plugin config or
    /// a script) or could not be read, so patterns cannot be judged.
    public var matcher: (any HostPatternMatching)?
    /// Every problem found, in file order.
    public var diagnostics: [Diagnostic]
    /// The files read as inventory sources, as displayed.
    public var files: [String]
}

/// Loads an inventory path the way Ansible does: a file, or a directory of sources (hidden files,
/// `group_vars`, `host_vars` and ignored extensions left out), each read as a plugin config, YAML or INI.
public struct InventoryReader: Sendable {
    /// Extensions Ansible ignores in an inventory directory (`inventory_ignore_extensions` defaults).
    public static let ignoredExtensions = [
        ".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".cfg", ".retry",
    ]
    /// The most files read from one inventory directory.
    public static let maxFiles = 10_000

    /// The YAML limits applied to YAML sources.
    public var limits: YAMLLimits

    /// Makes a loader.
    public init(limits: YAMLLimits = .standard) {
        self.limits = limits
    }

    /// Reads `path` (shown as `displayPath`), as `runbook validate` does for each `-i`: never throws; a
    /// path that does not exist is an `inventory-not-found` error diagnostic.
    public func load(_ path: String, _ displayPath: String) -> LoadedInventory {
        do {
            return try read(path: path, displayPath: displayPath)
        } catch {
            let location = SourceLocation(file: displayPath, line: 1, column: 1)
            return LoadedInventory(
                matcher: nil, diagnostics: [Diagnostic(.error, "inventory-not-found", error.message, at: location)],
                files: [])
        }
    }

    /// Reads `path` (shown as `displayPath`); throws `RunbookError.noInput` when it does not exist.
    public func read(path: String, displayPath: String? = nil) throws(RunbookError) -> LoadedInventory {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .noInput(
                "inventory '\(displayPath ?? path)' does not exist; pass an inventory file or directory with -i")
        }
        var state = LoadState()
        if isDirectory {
            var visited: Set<String> = []
            walk(path, shown: displayPath ?? path, &state, visited: &visited, depth: 0)
        } else {
            read(path, shown: displayPath ?? path, &state)
        }
        let judgeable = !state.dynamic && !state.diagnostics.contains { $0.severity == .error }
        return LoadedInventory(
            matcher: judgeable ? state.inventory : nil, diagnostics: state.diagnostics, files: state.files)
    }

    /// Checks inventory text (as if read from `path`) into `inventory`; for tests and fuzzing.
    public func parse(_ bytes: [UInt8], path: String) -> LoadedInventory {
        var state = LoadState()
        readBytes(bytes, path: path, shown: path, executable: false, &state)
        let judgeable = !state.dynamic && !state.diagnostics.contains { $0.severity == .error }
        return LoadedInventory(
            matcher: judgeable ? state.inventory : nil, diagnostics: state.diagnostics, files: state.files)
    }

    private func walk(_ path: String, shown: String, _ state: inout LoadState, visited: inout Set<String>, depth: Int) {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard visited.insert(real).inserted, depth < 32 else {
            state.error(
                "inventory-unreadable", "directory is a symlink loop or nested over 32 levels; skipped it", shown)
            return
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            state.error("inventory-unreadable", "cannot list the inventory directory; check its permissions", shown)
            return
        }
        for name in names.sorted() where !Self.isIgnored(name) {
            guard state.files.count < Self.maxFiles else {
                state.error(
                    "inventory-too-large",
                    "inventory has more than \(Self.maxFiles) files, the limit; read the rest "
                        + "was skipped", shown)
                return
            }
            let child = Paths.appending(name, to: path)
            let childShown = Paths.appending(name, to: shown)
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: child, isDirectory: &isDirectory) else { continue }
            if isDirectory {
                walk(child, shown: childShown, &state, visited: &visited, depth: depth + 1)
            } else {
                read(child, shown: childShown, &state)
            }
        }
    }

    /// Whether Ansible skips `name` in an inventory directory.
    static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || ["host_vars", "group_vars", "vars_plugins"].contains(name)
            || ignoredExtensions.contains { name.hasSuffix($0) }
    }

    private func read(_ path: String, shown: String, _ state: inout LoadState) {
        let size = Paths.size(path) ?? 0
        guard size <= limits.maxFileSize else {
            state.error(
                "inventory-too-large",
                "inventory file is over the \(limits.maxFileSize / (1024 * 1024)) MB limit; split it", shown)
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            state.error("inventory-unreadable", "cannot read the inventory file; check its permissions", shown)
            return
        }
        let executable = FileManager.default.isExecutableFile(atPath: path)
        readBytes([UInt8](data), path: path, shown: shown, executable: executable, &state)
    }

    private func readBytes(_ bytes: [UInt8], path: String, shown: String, executable: Bool, _ state: inout LoadState) {
        state.files.append(shown)
        let name = Paths.lastComponent(path)
        let suffix = Paths.pathExtension(name).lowercased()
        if executable, bytes.starts(with: Array("#!".utf8)) {
            state.dynamic = true
            return
        }
        switch suffix {
        case "yml", "yaml", "json":
            readYAML(bytes, shown: shown, pluginAllowed: suffix != "json", &state)
        case "":
            if !readYAMLIfMapping(bytes, shown: shown, &state) { readINI(bytes, shown: shown, &state) }
        case "toml":
            state.dynamic = true
        default:
            readINI(bytes, shown: shown, &state)
        }
    }

    /// Reads `bytes` as INI when that gives no error; returns whether it did.
    private func readINIIfClean(_ bytes: [UInt8], shown: String, _ state: inout LoadState) -> Bool {
        var parser = INIInventoryParser(path: shown)
        var inventory = state.inventory
        parser.parse(bytes, into: &inventory)
        guard !parser.diagnostics.contains(where: { $0.severity == .error }) else { return false }
        state.inventory = inventory
        state.diagnostics += parser.diagnostics
        return true
    }

    private func readINI(_ bytes: [UInt8], shown: String, _ state: inout LoadState) {
        var parser = INIInventoryParser(path: shown)
        parser.parse(bytes, into: &state.inventory)
        state.diagnostics += parser.diagnostics
    }

    /// Reads an extensionless file as YAML when it parses to a mapping (Ansible tries its yaml plugin
    /// first); returns false to read it as INI.
    private func readYAMLIfMapping(_ bytes: [UInt8], shown: String, _ state: inout LoadState) -> Bool {
        let file = YAMLLoader(limits: limits).parse(bytes, path: shown)
        guard !file.failed, !file.isVault, let document = file.document, let root = document.root,
            document.resolve(root).pairs != nil
        else { return false }
        if document.resolve(root)["plugin"] != nil {
            state.error(
                "inventory-plugin-file",
                "inventory plugin configs are read only from files ending in .yml or .yaml; "
                    + "rename the file", shown, line: root.line, column: root.column)
            return true
        }
        readStaticYAML(file, document, document.resolve(root), &state)
        return true
    }

    private func readYAML(_ bytes: [UInt8], shown: String, pluginAllowed: Bool, _ state: inout LoadState) {
        let file = YAMLLoader(limits: limits).parse(bytes, path: shown)
        let root = file.document.flatMap { document in document.root.map(document.resolve) }
        // Ansible tries its inventory plugins in order: a .yml that the yaml plugin cannot take (not
        // YAML, or not a mapping) is offered to the ini plugin next, and is an INI inventory if it parses.
        if !file.isVault, !file.isEmpty, file.failed || root?.pairs == nil, readINIIfClean(bytes, shown: shown, &state)
        {
            return
        }
        state.diagnostics += file.diagnostics
        if file.failed || file.isVault || file.isEmpty { return }
        guard let document = file.document, let root else { return }
        let fileName = Paths.lastComponent(shown)
        guard root.pairs != nil else {
            state.error(
                "inventory-structure",
                "inventory must be a mapping of groups (or a plugin config with 'plugin:'), "
                    + "found \(root.typeDescription)", shown, line: root.line, column: root.column)
            return
        }
        if let plugin = root["plugin"], pluginAllowed {
            state.dynamic = true
            var checker = PluginConfigChecker(path: shown, document: document)
            checker.check(root: root, plugin: plugin)
            state.diagnostics += checker.diagnostics
            return
        }
        if fileName.hasSuffix("aws_ec2.yml") || fileName.hasSuffix("aws_ec2.yaml") {
            state.error(
                "inventory-plugin",
                "file is named like an aws_ec2 inventory but has no 'plugin:' key; add "
                    + "plugin: amazon.aws.aws_ec2", shown, line: root.line, column: root.column)
            return
        }
        readStaticYAML(file, document, root, &state)
    }

    private func readStaticYAML(_ file: YAMLFile, _ document: YAMLDocument, _ root: YAMLNode, _ state: inout LoadState)
    {
        var parser = YAMLInventoryParser(path: file.path, document: document)
        parser.parse(root, into: &state.inventory)
        state.diagnostics += parser.diagnostics
    }
}

/// What a load has gathered so far.
private struct LoadState {
    var inventory = StaticInventory()
    var diagnostics: [Diagnostic] = []
    var files: [String] = []
    var dynamic = false

    mutating func error(_ rule: String, _ message: String, _ file: String, line: Int = 1, column: Int = 1) {
        diagnostics.append(
            Diagnostic(.error, rule, message, at: SourceLocation(file: file, line: line, column: column)))
    }
}
