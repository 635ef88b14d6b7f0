import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the workspace declares its playbooks need in the image, resolved from the settings and, for
/// what they leave unset, an execution-environment.yml: requirements files, pip requirements, Debian
/// packages for the final stage and for the build stage, and the Galaxy variables the build may use.
public struct ImageInputs: Sendable, Hashable {
    /// The workspace's absolute path (paths in the build context are relative to it).
    public var workspace: String
    /// The requirements files, each read and checked.
    public var requirements: [RequirementsFile]
    /// pip requirements added to the image's venv.
    public var pythonPackages: [PackageLine]
    /// Debian packages installed in the final stage.
    public var systemPackages: [PackageLine]
    /// Debian packages the build stage needs (git for git requirements; bindep's compile profile).
    public var buildPackages: [PackageLine]
    /// The execution environment file that was read, if any.
    public var executionEnvironment: ExecutionEnvironmentFile?
    /// `ANSIBLE_GALAXY_*` variables (servers, tokens) handed to the build stage only, never hashed or labelled.
    public var buildEnvironment: [String: String]

    /// Nothing declared (the default image).
    public init(workspace: String = "/") {
        self.workspace = workspace
        requirements = []
        pythonPackages = []
        systemPackages = []
        buildPackages = []
        executionEnvironment = nil
        buildEnvironment = [:]
    }

    /// Reads what `settings` name. `ansibleCore` is the pinned ansible-core an execution environment's
    /// `ansible_core` must accept. Errors name the setting or file:line (64 for settings, 65 for files,
    /// 66 for a named file that is missing).
    public static func resolve(
        _ settings: Settings, home: String, environment: [String: String], ansibleCore: String?
    ) throws -> ImageInputs {
        var inputs = ImageInputs(workspace: settings.workspace)
        let workspace = settings.workspace
        let eeValue = settings[.executionEnvironment]
        if eeValue.string?.lowercased() != "off", let path = settings.path(.executionEnvironment, home: home) {
            guard Paths.isFile(path) else {
                throw RunbookError.noInput("execution environment file \(path) (\(eeValue.source)) does not exist")
            }
            inputs.executionEnvironment = try ExecutionEnvironmentFile.read(
                path, workspace: workspace, ansibleCore: ansibleCore)
        }
        let ee = inputs.executionEnvironment

        let requirements = settings[.requirements]
        if !requirements.source.isDefault {
            for path in settings.paths(.requirements, home: home) {
                guard Paths.isFile(path) else {
                    throw RunbookError.noInput("requirements file \(path) (\(requirements.source)) does not exist")
                }
                inputs.requirements.append(try RequirementsFile.read(path, workspace: workspace))
            }
        } else if let fromEE = ee?.requirements {
            inputs.requirements = [fromEE]
        } else {
            for path in settings.paths(.requirements, home: home) where Paths.isFile(path) {
                inputs.requirements.append(try RequirementsFile.read(path, workspace: workspace))
            }
        }

        let python = settings[.pythonPackages]
        if !python.values.isEmpty || ee == nil {
            let base = settings.pathValues(.pythonPackages).base
            for item in python.values {
                let path = Paths.absolute(Paths.expandingTilde(item, home: home), relativeTo: base)
                if item.hasSuffix(".txt") {
                    guard Paths.isFile(path) else {
                        throw RunbookError.noInput("python_packages file \(item) (\(python.source)) does not exist")
                    }
                    inputs.pythonPackages += try PackageFile.read(path, workspace: workspace)
                } else {
                    inputs.pythonPackages.append(PackageLine(item, origin: "python_packages (\(python.source))"))
                }
            }
        } else if let ee {
            inputs.pythonPackages = ee.pythonPackages
        }
        for line in inputs.pythonPackages where line.text.hasPrefix("-") {
            throw RunbookError.dataError(
                "\(line.origin): error: '\(line.text)': pip options are not supported in python_packages; list "
                    + "packages (name, name==version, name>=version) only")
        }

        let system = settings[.systemPackages]
        if !system.values.isEmpty || ee == nil {
            inputs.systemPackages = system.values.map { PackageLine($0, origin: "system_packages (\(system.source))") }
        } else if let ee {
            inputs.systemPackages = ee.systemPackages
        }
        inputs.buildPackages = ee?.buildPackages ?? []
        for line in inputs.systemPackages + inputs.buildPackages where !isDebianName(line.text) {
            throw RunbookError.usage("\(line.origin): '\(line.text)' is not a Debian package name")
        }
        let needsGit =
            inputs.requirements.contains { file in
                file.collections.contains { $0.kind == .git } || file.roles.contains { $0.scm == "git" }
            }
        if needsGit, !inputs.buildPackages.contains(where: { $0.text == "git" }) {
            inputs.buildPackages.append(PackageLine("git", origin: "git requirements"))
        }
        inputs.buildEnvironment = environment.filter { $0.key.hasPrefix("ANSIBLE_GALAXY_") && !$0.value.isEmpty }
        return inputs
    }

    /// A Debian package name (`policy` 5.6.1: lowercase letters, digits, `+ - .`, two or more characters).
    static func isDebianName(_ name: String) -> Bool {
        name.count >= 2 && name.first.map { $0.isLowercase || $0.isNumber } == true
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "+-.".contains($0)) }
    }

    /// The collections every requirements file asks for, in order.
    public var collections: [CollectionRequirement] { requirements.flatMap(\.collections) }
    /// The roles every requirements file asks for, in order.
    public var roles: [RoleRequirement] { requirements.flatMap(\.roles) }

    /// Values that must never reach a build log: Galaxy tokens and passwords in requirement URLs.
    public var secrets: [String] {
        var values = buildEnvironment.filter { $0.key.contains("TOKEN") || $0.key.contains("PASSWORD") }.map(\.value)
        let urls = collections.compactMap(\.source) + roles.map(\.source)
        values += urls.compactMap(Self.password)
        return values.filter { $0.count >= 4 }
    }

    /// The password (or token) in a URL's userinfo.
    static func password(in url: String) -> String? {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else {
            return nil
        }
        let userinfo = url[scheme.upperBound..<at]
        guard !userinfo.contains("/") else { return nil }
        if let colon = userinfo.firstIndex(of: ":") { return String(userinfo[userinfo.index(after: colon)...]) }
        return String(userinfo)
    }

    /// A URL without its userinfo (what is hashed and shown).
    static func withoutCredentials(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
            !url[scheme.upperBound..<at].contains("/")
        else { return url }
        return String(url[..<scheme.upperBound]) + url[url.index(after: at)...]
    }

    // MARK: - Hashing

    /// The canonical text of the requirements: every entry without its position, local artifacts by
    /// their workspace path and the SHA-256 of their bytes, URLs without credentials. Two workspaces
    /// that declare the same content (a requirements.yml, or the same entries in an
    /// execution-environment.yml) hash the same.
    public var requirementsDigestText: String {
        var lines: [String] = []
        for item in collections {
            let source = item.source.map { item.isLocal ? local($0) : Self.withoutCredentials($0) } ?? "-"
            lines.append("collection \(item.kind.rawValue) \(item.name ?? "-") \(item.version) \(source)")
        }
        for role in roles {
            let source = role.isLocalFile ? local(role.source) : Self.withoutCredentials(role.source)
            lines.append("role \(role.name) \(role.scm ?? "-") \(role.version) \(source)")
        }
        return lines.joined(separator: "\n")
    }

    /// The pip requirements, one per line, in order.
    public var pythonDigestText: String { pythonPackages.map(\.text).joined(separator: "\n") }
    /// The final stage's packages, sorted, without repeats.
    public var systemPackageNames: [String] { Array(Set(systemPackages.map(\.text))).sorted() }
    /// The build stage's packages, sorted, without repeats.
    public var buildPackageNames: [String] { Array(Set(buildPackages.map(\.text))).sorted() }

    private func local(_ path: String) -> String {
        "\(Paths.display(path, from: workspace))@\(Self.treeDigest(path))"
    }

    /// SHA-256 of a file's bytes, or of a folder's files (relative path and bytes, sorted; `.git` skipped).
    static func treeDigest(_ path: String) -> String {
        var hasher = SHA256()
        if Paths.isFile(path) {
            hasher.update(data: FileManager.default.contents(atPath: path) ?? Data())
        } else {
            let files = ((try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? [])
                .filter { !$0.hasPrefix(".git/") && $0 != ".git" && Paths.isFile(path + "/" + $0) }.sorted()
            for file in files {
                hasher.update(data: Data("\(file)\u{0}".utf8))
                hasher.update(data: FileManager.default.contents(atPath: path + "/" + file) ?? Data())
            }
        }
        return hexString(hasher.finalize().prefix(8))
    }
}

extension CollectionRequirement {
    /// Whether the source is a path in the workspace (copied into the build context).
    public var isLocal: Bool { [.file, .dir, .subdirs].contains(kind) }
}
