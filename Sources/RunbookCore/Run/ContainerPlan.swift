#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Assembles the container run for one `runbook apply`: mounts, user, environment by name, the
/// callback plugin, and the ansible-playbook command. (In-image runs need only `RunSupport`.)
public struct ContainerPlan: Sendable {
    /// Where runbook's per-run files (callback plugin, events, passwd) appear inside the container.
    public static let supportTarget = "/opt/runbook-run"

    /// The workspace's absolute path, mounted at the same path.
    public var workspace: String
    /// The image reference.
    public var image: String
    /// The ansible-playbook arguments.
    public var playbook: PlaybookArguments
    /// A short unique id for this run (names the container).
    public var runID: String
    /// Names of variables whose values reach the container from the engine client's environment.
    public var passthroughNames: [String]
    /// The host folder holding this run's support files.
    public var supportDirectory: String
    /// The user the container runs as.
    public var user: ContainerUser
    /// The ssh-agent socket to forward, when set.
    public var sshAuthSock: String?
    /// The user's ~/.ssh to mount read-only, when wanted and present.
    public var sshDirectory: String?
    /// `--network` mode.
    public var network: String?
    /// Whether runbook has a terminal (then the container gets one, and colours).
    public var tty: Bool
    /// Extra engine options for `run`.
    public var extraOptions: [String]
    /// Paths outside the workspace to mount read-only at the same path (inventories named by the user).
    public var extraReadOnlyPaths: [String] = []
    /// The user's own callbacks (ansible.cfg `callbacks_enabled`), kept enabled beside runbook's.
    public var userCallbacks: [String] = []
    /// The user's own callback folders (ansible.cfg `callback_plugins`), searched after runbook's.
    public var userCallbackPaths: [String] = []
    /// The runbook process the container belongs to (labels, so a later run can tell it is left over).
    public var owner: RunOwner?

    /// Makes a plan.
    public init(
        workspace: String, image: String, playbook: PlaybookArguments, runID: String, passthroughNames: [String],
        supportDirectory: String, user: ContainerUser = ContainerUser(), sshAuthSock: String? = nil,
        sshDirectory: String? = nil, network: String? = nil, tty: Bool = false, extraOptions: [String] = []
    ) {
        self.workspace = workspace
        self.image = image
        self.playbook = playbook
        self.runID = runID
        self.passthroughNames = passthroughNames
        self.supportDirectory = supportDirectory
        self.user = user
        self.sshAuthSock = sshAuthSock
        self.sshDirectory = sshDirectory
        self.network = network
        self.tty = tty
        self.extraOptions = extraOptions
    }

    /// `ANSIBLE_VAULT_*` pointing at the entry's files (paths, not secrets), so that ansible does not
    /// look for the host's files that ansible.cfg names; empty when no vault password is handed over.
    public var vaultEnvironment: [String: String] = [:]

    /// Non-secret ansible settings runbook chooses for the run (the `fast` setting's).
    public var ansibleEnvironment: [String: String] = [:]

    /// Where the entry writes the run's password files in the container (the tmpfs HOME).
    public var secretsFolder: String { PlaybookEntry.secretsFolder(home: user.home) }

    /// The container's name.
    public var containerName: String { Self.containerName(runID: runID) }

    /// The name of run `runID`'s container.
    public static func containerName(runID: String) -> String { "runbook-\(runID)" }

    /// The host path of the events file the callback plugin writes.
    public var eventsFile: String { RunSupport(directory: supportDirectory).eventsFile }

    /// Variables set inside the container, all of them non-secret.
    public var environment: [String: String] {
        var env = RunSupport.callbackEnvironment(
            supportPath: Self.supportTarget, tty: tty, userCallbacks: userCallbacks,
            userCallbackPaths: userCallbackPaths)
        env["HOME"] = user.home
        env.merge(vaultEnvironment) { _, new in new }
        env.merge(ansibleEnvironment) { old, _ in old }
        if sshAuthSock != nil { env["SSH_AUTH_SOCK"] = Self.supportTarget + "/ssh-agent.sock" }
        return env
    }

    /// The container run.
    public var spec: ContainerRunSpec {
        var spec = ContainerRunSpec(
            image: image, name: containerName, workingDirectory: workspace,
            command: playbook.entryCommand(runbook: "runbook", secretsFolder: secretsFolder))
        spec.initProcess = true
        spec.labels = ["runbook.run": runID, "runbook.workspace": workspace, "runbook.managed": "true"]
        spec.labels.merge(owner?.labels ?? [:]) { old, _ in old }
        spec.user = user.userArgument
        spec.network = network
        // Standard input is the entry's channel (passwords, then end-of-file when runbook is gone),
        // so no TTY: a piped stdin cannot be one. Colours come from ANSIBLE_FORCE_COLOR instead.
        spec.interactive = true
        spec.tmpfs = [user.home]
        spec.environment = environment
        spec.environmentNames = passthroughNames.filter { environment[$0] == nil }
        spec.mounts = [
            Mount(workspace, at: workspace, readOnly: false),
            Mount(supportDirectory + "/callback", at: Self.supportTarget + "/callback", readOnly: true),
            Mount(eventsFile, at: Self.supportTarget + "/events.jsonl", readOnly: false),
        ]
        if user.uid != 0 {
            spec.mounts += [
                Mount(supportDirectory + "/passwd", at: "/etc/passwd", readOnly: true),
                Mount(supportDirectory + "/group", at: "/etc/group", readOnly: true),
            ]
        }
        if let sshAuthSock {
            spec.mounts.append(Mount(sshAuthSock, at: Self.supportTarget + "/ssh-agent.sock", readOnly: false))
        }
        if let sshDirectory {
            spec.mounts.append(Mount(sshDirectory, at: user.home + "/.ssh", readOnly: true))
        }
        for path in extraReadOnlyPaths { spec.mounts.append(Mount(path, at: path, readOnly: true)) }
        spec.extraOptions = extraOptions
        return spec
    }

    /// Writes the support files (callback plugin, empty events file, passwd, group) into `supportDirectory`.
    public func writeSupportFiles() throws {
        try RunSupport(directory: supportDirectory).write(user: user)
    }
}
