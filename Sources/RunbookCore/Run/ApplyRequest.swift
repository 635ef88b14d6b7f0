import Foundation

/// Everything `runbook apply` and `runbook plan` were asked to do.
public struct ApplyRequest: Sendable {
    /// The workspace's absolute path.
    public var workspace: String
    /// The playbook as the user named it (a path, or a name under Playbooks/).
    public var playbook: String
    /// Inventories as given (`-i`); empty: the `inventory` setting, else `Inventory/` when present.
    public var inventories: [String] = []
    /// `--limit`, `--tags`, `--skip-tags`, `-e`, `--check`, `--diff`, `-v`, `--forks`.
    public var selection = PlaybookSelection()
    /// Names of variables passed through to the container (`--env NAME`, the `env` setting).
    public var passthroughNames: [String] = []
    /// Skip STS: use credentials that need no network call.
    public var offline = false
    /// Do not resolve or pass AWS credentials at all (playbooks that do not talk to AWS).
    public var skipCredentials = false
    /// Skip static validation.
    public var skipValidation = false
    /// `--profile`, `--expect-account`, STS `--endpoint-url`.
    public var credentialOptions = CredentialOptions()
    /// Write the JSON summary and events here.
    public var jsonFile: String?
    /// Write JUnit XML here.
    public var junitFile: String?
    /// Stop the run after this long.
    public var timeout: Duration?
    /// Mount ~/.ssh read-only into the container.
    public var mountSSHDirectory = true
    /// Run ansible-playbook directly (runbook inside its own image) instead of in a container.
    public var inImage = false
    /// Whether runbook's standard output is a terminal.
    public var tty = false

    /// Makes a request.
    public init(workspace: String, playbook: String) {
        self.workspace = workspace
        self.playbook = playbook
    }

    /// Whether runbook runs inside its own image (the image sets `RUNBOOK_IN_IMAGE=1`).
    public static func runningInImage(_ environment: [String: String]) -> Bool {
        environment["RUNBOOK_IN_IMAGE"] == "1"
    }
}
