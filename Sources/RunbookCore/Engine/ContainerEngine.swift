#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The container engine CLIs runbook drives.
public enum EngineKind: String, Sendable, CaseIterable, Hashable {
    case docker
    case podman

    /// How to start this engine's daemon, for the message when it does not answer.
    var startHint: String {
        switch self {
        case .docker:
            "start it with `sudo systemctl start docker` (or run `dockerd &` as root), or choose another engine with "
                + "--engine / RUNBOOK_ENGINE"
        case .podman:
            "check `podman info` works (for a remote podman, start it with `podman machine start` or "
                + "`systemctl --user start podman.socket`), or choose another engine with --engine / RUNBOOK_ENGINE"
        }
    }

    /// How to install this engine, for the message when its CLI is missing.
    var installHint: String {
        switch self {
        case .docker: "install Docker (on Debian: `apt-get install docker.io`)"
        case .podman: "install Podman (on Debian: `apt-get install podman`)"
        }
    }
}

/// An image build, as plain values.
public struct BuildRequest: Sendable, Hashable {
    /// The build context folder.
    public var context: String
    /// The Dockerfile, when not `context/Dockerfile`.
    public var dockerfile: String?
    /// Where the engine writes the built image's id.
    public var idFile: String
    /// `--build-arg` values (passed sorted by name).
    public var buildArguments: [String: String]
    /// `--label` values (passed sorted by key).
    public var labels: [String: String]
    /// Tags to give the image (none: the caller tags by id after checking it).
    public var tags: [String]

    /// Makes a build request.
    public init(
        context: String, dockerfile: String? = nil, idFile: String,
        buildArguments: [String: String] = [:], labels: [String: String] = [:],
        tags: [String] = []
    ) {
        self.context = context
        self.dockerfile = dockerfile
        self.idFile = idFile
        self.buildArguments = buildArguments
        self.labels = labels
        self.tags = tags
    }

}

/// One container engine CLI (docker or podman) and the options runbook adds to its commands.
///
/// Every method returns the command as a `ProcessSpec` without running it, so tests can check the
/// exact argv. Driving the CLI (not the API socket) keeps contexts, `DOCKER_HOST` and credential
/// helpers working as the user set them up.
public struct ContainerEngine: Sendable, Hashable {
    /// Which CLI.
    public var kind: EngineKind
    /// The CLI's name on PATH or its path.
    public var executable: String
    /// The network for builds and containers (`--network`), e.g. `host`; the engine's default when nil.
    public var network: String?
    /// Extra options for `build` and `run`, passed through as given (e.g. `--ulimit nofile=4096:4096`
    /// for a restricted sandbox).
    public var extraOptions: [String]

    /// Makes an engine.
    public init(kind: EngineKind, executable: String? = nil, network: String? = nil, extraOptions: [String] = []) {
        self.kind = kind
        self.executable = executable ?? kind.rawValue
        self.network = network
        self.extraOptions = extraOptions
    }

    private func spec(_ arguments: [String], timeout: Duration? = nil) -> ProcessSpec {
        ProcessSpec(executable, arguments, timeout: timeout)
    }

    private var networkOptions: [String] { network.map { ["--network", $0] } ?? [] }

    /// Asks the daemon (or podman's service) for its version: status 0 means it answers.
    public func probe() -> ProcessSpec {
        switch kind {
        case .docker: spec(["version", "--format", "{{.Server.Version}}"], timeout: .seconds(15))
        case .podman: spec(["info", "--format", "{{.Version.Version}}"], timeout: .seconds(15))
        }
    }

    /// `image inspect REF`: JSON on standard output; non-zero status when the image is missing.
    public func inspectImage(_ reference: String) -> ProcessSpec {
        spec(["image", "inspect", reference])
    }

    /// `build …` with the id written to `request.idFile`.
    public func build(_ request: BuildRequest) -> ProcessSpec {
        // --force-rm: a failed step leaves no stopped container behind.
        var arguments = ["build", "--force-rm"]
        if let dockerfile = request.dockerfile { arguments += ["--file", dockerfile] }
        arguments += ["--iidfile", request.idFile]
        arguments += networkOptions
        for argument in request.buildArguments.sorted(by: { $0.key < $1.key }) {
            arguments += ["--build-arg", "\(argument.key)=\(argument.value)"]
        }
        for label in request.labels.sorted(by: { $0.key < $1.key }) {
            arguments += ["--label", "\(label.key)=\(label.value)"]
        }
        for tag in request.tags { arguments += ["--tag", tag] }
        arguments += extraOptions
        arguments.append(request.context)
        return spec(arguments)
    }

    /// `tag SOURCE TARGET`.
    public func tag(_ source: String, _ target: String) -> ProcessSpec {
        spec(["tag", source, target])
    }

    /// `push REF`.
    public func push(_ reference: String) -> ProcessSpec {
        spec(["push", reference])
    }

    /// `pull REF`.
    public func pull(_ reference: String) -> ProcessSpec {
        spec(["pull", reference])
    }

    /// `rmi REF` (untags; removes the image when no tag is left).
    public func removeImage(_ reference: String) -> ProcessSpec {
        spec(["rmi", reference])
    }

    /// `rm --force NAME`.
    public func removeContainer(_ name: String) -> ProcessSpec {
        spec(["rm", "--force", name], timeout: .seconds(30))
    }

    /// `run …` for a container spec; the engine's network and extra options fill in what the spec leaves unset.
    public func run(_ container: ContainerRunSpec, environment: [String: String] = [:]) -> ProcessSpec {
        var container = container
        if container.network == nil { container.network = network }
        if container.extraOptions.isEmpty { container.extraOptions = extraOptions }
        // Values reach the container from this client's environment only; the argv carries names.
        return ProcessSpec(executable, container.runArguments, environment: environment)
    }

    /// `stop --time SECONDS NAME`: SIGTERM to the container, SIGKILL after the grace period.
    public func stopContainer(_ name: String, graceSeconds: Int = 10) -> ProcessSpec {
        spec(["stop", "--time", String(graceSeconds), name], timeout: .seconds(graceSeconds + 30))
    }

    /// `ps --all --quiet --filter name=^/?NAME$`: the id of the container with exactly this name, if any.
    public func listContainers(named name: String) -> ProcessSpec {
        spec(["ps", "--all", "--quiet", "--filter", "name=^/?\(name)$"], timeout: .seconds(30))
    }

    /// `ps --all --quiet --no-trunc --filter label=runbook.managed=true`: the ids of runbook's containers.
    public func listManagedContainers() -> ProcessSpec {
        spec(["ps", "--all", "--quiet", "--no-trunc", "--filter", "label=runbook.managed=true"], timeout: .seconds(30))
    }

    /// `run --rm --network none --entrypoint cat IMAGE PATH`: a file of the image on standard output.
    public func readFile(_ path: String, image: String) -> ProcessSpec {
        spec(
            ["run", "--rm", "--network", "none"] + extraOptions + ["--entrypoint", "cat", image, path],
            timeout: .seconds(120))
    }

    /// `container inspect ID…`: a JSON array describing the containers.
    public func inspectContainers(_ ids: [String]) -> ProcessSpec {
        spec(["container", "inspect"] + ids, timeout: .seconds(30))
    }
}
