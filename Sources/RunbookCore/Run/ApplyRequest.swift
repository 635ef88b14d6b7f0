/// What `runbook apply` and `runbook plan` were asked to do, beyond the settings (inventory, env,
/// profile, expect_account, image, engine, in_image), which the pipeline reads from its context.
public struct ApplyRequest: Sendable {
    /// The playbook as the user named it (a path, or a name under Playbooks/).
    public var playbook: String
    /// `--limit`, `--tags`, `--skip-tags`, `-e`, `--check`, `--diff`, `-v`, `--forks`.
    public var selection = PlaybookSelection()
    /// Skip STS: use credentials that need no network call.
    public var offline = false
    /// Do not resolve or pass AWS credentials at all (playbooks that do not talk to AWS).
    public var skipCredentials = false
    /// `--mfa-code`: the code for the profile's `mfa_serial`, when no cached session spares it.
    public var mfaCode: String?
    /// Skip static validation.
    public var skipValidation = false
    /// Write the JSON summary and events here.
    public var jsonFile: String?
    /// Write JUnit XML here.
    public var junitFile: String?
    /// Stop the run after this long.
    public var timeout: Duration?
    /// Mount ~/.ssh read-only into the container.
    public var mountSSHDirectory = true
    /// The target this run is for (`--target`), named in the reports.
    public var target: String?
    /// Vault sources and whether to prompt for the become password.
    public var secrets = RunSecrets()
    /// `apply` or `plan`, as the run history names it.
    public var kind = "apply"
    /// `--idempotence`: run the playbook a second time and fail (80) when that run changes anything.
    public var idempotence = false

    /// Makes a request.
    public init(playbook: String) {
        self.playbook = playbook
    }
}
