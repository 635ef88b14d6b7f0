/// `runbook init`: a new workspace, never overwriting a file.
public struct InitCommand: Sendable {
    /// The folder to set up, as given.
    public var directory: String
    /// Which pipeline file to write.
    public var pipeline: PipelineKind

    /// Makes the command.
    public init(directory: String, pipeline: PipelineKind) {
        self.directory = directory
        self.pipeline = pipeline
    }

    /// Writes the files and lists each as created or kept.
    public func run(_ context: RunbookContext) throws -> Int32 {
        let folder = Paths.absolute(directory, relativeTo: context.currentDirectory)
        for outcome in try Scaffold(directory: folder, pipeline: pipeline).write() {
            switch outcome {
            case .created(let path): context.console.out("created  \(path)\n")
            case .kept(let path): context.console.out("kept     \(path) (exists)\n")
            }
        }
        context.console.out("next: runbook validate && runbook apply Playbooks/site.yml\n")
        return 0
    }
}

/// `runbook ci`: a pipeline definition for the `image` setting.
public struct PipelineCommand: Sendable {
    /// The CI system.
    public var kind: PipelineKind
    /// The playbook the step applies.
    public var playbook: String
    /// `--fan-out targets|slices=N`, as written.
    public var fanOut: String?

    /// Makes the command.
    public init(kind: PipelineKind, playbook: String, fanOut: String? = nil) {
        self.kind = kind
        self.playbook = playbook
        self.fanOut = fanOut
    }

    /// Prints the pipeline; `--fan-out targets` takes the workspace's targets.
    public func run(_ context: RunbookContext) throws -> Int32 {
        let image = context.settings.string(.image) ?? SettingKey.defaultImage
        let fanOut = try self.fanOut.map {
            try PipelineTemplate.FanOut(
                parsing: $0, targets: context.settings.targets.map(\.name), file: context.settings.filePath)
        }
        context.console.out(PipelineTemplate(kind: kind, image: image, playbook: playbook, fanOut: fanOut).text)
        return 0
    }
}

/// `runbook config`: the effective settings.
public struct ConfigCommand: Sendable {
    /// JSON instead of text.
    public var json: Bool
    /// `--target`: the settings as this target makes them.
    public var target: String?

    /// Makes the command.
    public init(json: Bool, target: String? = nil) {
        self.json = json
        self.target = target
    }

    /// Prints every setting, its value and its source (then the targets, in text).
    public func run(_ context: RunbookContext) throws -> Int32 {
        var settings = context.settings
        if let target {
            guard target != Target.all else { throw RunbookError.usage("config --target takes one target's name") }
            let picked = try Target.select([target], from: settings.targets, file: Settings.fileName)
            if let first = picked.first { settings = try settings.selecting(first) }
        }
        let report = SettingsReport(settings)
        context.console.out(json ? report.json : report.text + report.targetsText)
        if !json {
            let inputs = try ImageInputs.resolve(
                settings, home: context.home, environment: context.environment,
                ansibleCore: ImageDefinition.embedded.ansibleCoreVersion)
            context.console.out(Self.declarations(inputs))
        }
        return 0
    }

    /// What the workspace declares for the image, each with where it was declared (empty when nothing).
    static func declarations(_ inputs: ImageInputs) -> String {
        var lines: [String] = []
        func shown(_ path: String) -> String { Paths.display(path, from: inputs.workspace) }
        if let ee = inputs.executionEnvironment {
            lines.append(
                "  execution environment  \(shown(ee.path))" + (ee.baseImage.map { " (base_image \($0))" } ?? ""))
        }
        for file in inputs.requirements {
            lines.append(
                "  requirements  \(shown(file.path)): \(file.collections.count) collection(s), \(file.roles.count) role(s)"
            )
        }
        for item in inputs.collections {
            let what = item.name ?? item.source.map(shown) ?? "?"
            lines.append(
                "    collection \(what) \(item.version) (\(item.kind.rawValue), \(item.location.file):\(item.location.line))"
            )
        }
        for role in inputs.roles {
            let version = role.version.isEmpty ? "" : " \(role.version)"
            lines.append("    role \(role.name)\(version) (\(role.location.file):\(role.location.line))")
        }
        for (title, packages) in [
            ("python package", inputs.pythonPackages), ("system package", inputs.systemPackages),
            ("build-stage package", inputs.buildPackages),
        ] {
            for package in packages { lines.append("  \(title)  \(package.text) (\(package.origin))") }
        }
        guard !lines.isEmpty else { return "" }
        return "\nimage declarations (installed into the image; part of its content hash):\n"
            + lines.joined(separator: "\n") + "\n"
    }
}
