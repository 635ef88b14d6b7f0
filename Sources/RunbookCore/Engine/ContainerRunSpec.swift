/// A bind mount into the container.
public struct Mount: Sendable, Hashable {
    /// The host path.
    public var source: String
    /// The path inside the container.
    public var target: String
    /// Whether the container may only read it.
    public var readOnly: Bool

    /// Makes a mount.
    public init(_ source: String, at target: String, readOnly: Bool) {
        self.source = source
        self.target = target
        self.readOnly = readOnly
    }

    /// The `--mount` value.
    var argument: String {
        "type=bind,source=\(source),target=\(target)" + (readOnly ? ",readonly" : "")
    }
}

/// Everything about one `run` of the image, as a value: tests check its arguments without a container.
///
/// Secrets are passed by name only: `environmentNames` become `-e NAME`, whose value the engine
/// client takes from its own environment, so no secret value ever appears in an argv.
public struct ContainerRunSpec: Sendable, Hashable {
    /// The image reference.
    public var image: String
    /// The container's name (`runbook-…`); the engine picks one when nil.
    public var name: String?
    /// Labels set on the container.
    public var labels: [String: String] = [:]
    /// The working directory inside the container; the image's when nil.
    public var workingDirectory: String?
    /// Whether to run a tiny init as PID 1 (`--init`), which forwards signals and reaps children.
    public var initProcess = false
    /// `uid:gid` to run as, or nil for the image's user.
    public var user: String?
    /// Variables passed by name; the engine client reads their values from its environment.
    public var environmentNames: [String] = []
    /// Non-secret variables set with their values.
    public var environment: [String: String] = [:]
    /// Bind mounts.
    public var mounts: [Mount] = []
    /// A writable, empty, world-writable tmpfs (for HOME).
    public var tmpfs: [String] = []
    /// `--network` mode, or nil for the engine's default.
    public var network: String?
    /// Whether to allocate a TTY.
    public var tty = false
    /// Whether to keep standard input open and attached (`--interactive`).
    public var interactive = false
    /// Extra engine options the user configured for `run` (e.g. `--ulimit nofile=20000:20000`).
    public var extraOptions: [String] = []
    /// The command and its arguments.
    public var command: [String]

    /// Makes a spec.
    public init(image: String, name: String? = nil, workingDirectory: String? = nil, command: [String]) {
        self.image = image
        self.name = name
        self.workingDirectory = workingDirectory
        self.command = command
    }

    /// The arguments after the engine's executable: `run --rm --name … IMAGE COMMAND…`.
    public var runArguments: [String] {
        var argv = ["run", "--rm"]
        if let name { argv += ["--name", name] }
        if initProcess { argv.append("--init") }
        for key in labels.keys.sorted() { argv += ["--label", "\(key)=\(labels[key] ?? "")"] }
        if let user { argv += ["--user", user] }
        if let workingDirectory { argv += ["--workdir", workingDirectory] }
        if let network { argv += ["--network", network] }
        if interactive { argv.append("--interactive") }
        if tty { argv.append("--tty") }
        for path in tmpfs { argv += ["--tmpfs", "\(path):rw,exec,mode=1777"] }
        for mount in mounts { argv += ["--mount", mount.argument] }
        for key in environment.keys.sorted() { argv += ["--env", "\(key)=\(environment[key] ?? "")"] }
        for key in environmentNames.sorted() { argv += ["--env", key] }
        argv += extraOptions
        argv.append(image)
        argv += command
        return argv
    }
}
