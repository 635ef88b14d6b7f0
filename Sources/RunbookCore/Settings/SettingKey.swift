#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every setting runbook has. Its definition (`setting`) is the one table of names, variables, flags,
/// types, defaults and help that `runbook config`, the CLI's help and the README are checked against.
public enum SettingKey: String, Sendable, CaseIterable, Hashable, Comparable {
    case image
    case baseImage = "base_image"
    case collections
    case collectionsSource = "collections_source"
    case pullPolicy = "pull_policy"
    case caBundle = "ca_bundle"
    case imageBinary = "image_binary"
    case imageDefinition = "image_definition"
    case requirements
    case pythonPackages = "python_packages"
    case systemPackages = "system_packages"
    case executionEnvironment = "execution_environment"
    case engine
    case engineOptions = "engine_options"
    case network
    case env
    case inventory
    case profile
    case expectAccount = "expect_account"
    case region
    case roleArn = "role_arn"
    case credentials
    case oidcTokenVariable = "oidc_token_variable"
    case oidcAudience = "oidc_audience"
    case refreshMargin = "refresh_margin"
    case fast
    case mitogen
    case history
    case historyStore = "history_store"
    case inImage = "in_image"

    public static func < (lhs: SettingKey, rhs: SettingKey) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }

    /// The default image name:tag.
    public static let defaultImage = "runbook/ansible-aws:release"
    /// The default base image.
    public static let defaultBaseImage = "python:3.11-slim-bookworm"
    /// The default collections.
    public static let defaultCollections = ["amazon.aws", "community.aws", "community.general"]

    /// The requirements files found in the workspace when the `requirements` setting is unset (the
    /// places AWX and ansible-navigator look).
    public static let defaultRequirementsFiles = [
        "requirements.yml", "collections/requirements.yml", "roles/requirements.yml",
    ]
    /// The ansible-builder files found in the workspace when `execution_environment` is unset.
    public static let defaultExecutionEnvironmentFiles = ["execution-environment.yml", "execution-environment.yaml"]

    /// This key's definition.
    public var setting: Setting {
        switch self {
        case .image:
            Setting(
                self, "RUNBOOK_IMAGE", flags: ["--image", "--tag"], .string, .value([Self.defaultImage]),
                "the image name:tag to build, run and push")
        case .baseImage:
            Setting(
                self, "RUNBOOK_BASE_IMAGE", flags: ["--base-image"], .string, .value([Self.defaultBaseImage]),
                "the base image of both build stages (any Debian-based image with python3 and venv)")
        case .collections:
            Setting(
                self, "RUNBOOK_COLLECTIONS", flags: ["--collections"], .names,
                .value(Self.defaultCollections),
                "the Ansible collections installed in the image")
        case .collectionsSource:
            Setting(
                self, "RUNBOOK_COLLECTIONS_SOURCE", flags: ["--collections-source"], .choice(["wheel", "galaxy"]),
                .value(["wheel"]), "where collections come from: the `ansible` wheel from PyPI, or Galaxy")
        case .pullPolicy:
            Setting(
                self, "RUNBOOK_PULL_POLICY", flags: ["--pull-policy"], .choice(["missing", "always", "never"]),
                .value(["missing"]), "when to pull the image from its registry")
        case .caBundle:
            Setting(
                self, "RUNBOOK_CA_BUNDLE", flags: ["--ca-bundle"], .path, .computed(Defaults.caBundle),
                "a CA bundle for pip and ansible-galaxy in the build stage only (TLS-intercepting proxies)")
        case .imageBinary:
            Setting(
                self, "RUNBOOK_IMAGE_BINARY", flags: ["--runbook-binary"], .path, .computed(Defaults.imageBinary),
                "the runbook binary copied into the image (built with --static-swift-stdlib)")
        case .imageDefinition:
            Setting(
                self, "RUNBOOK_IMAGE_DEFINITION", flags: ["--definition"], .path, .computed(Defaults.definition),
                "a folder with a customised copy of the image definition")
        case .requirements:
            Setting(
                self, "RUNBOOK_REQUIREMENTS", flags: ["--requirements"], .pathList, .computed(Defaults.requirements),
                "requirements.yml files (collections and roles) installed into the image, dependencies resolved")
        case .pythonPackages:
            Setting(
                self, "RUNBOOK_PYTHON_PACKAGES", flags: ["--python-package"], .words, .value([]),
                "pip requirements added to the image's venv (an item naming a .txt file is read as one)")
        case .systemPackages:
            Setting(
                self, "RUNBOOK_SYSTEM_PACKAGES", flags: ["--system-package"], .names, .value([]),
                "Debian packages installed in the image's final stage (no recommends)")
        case .executionEnvironment:
            Setting(
                self, "RUNBOOK_EXECUTION_ENVIRONMENT", flags: ["--execution-environment"], .path,
                .computed(Defaults.executionEnvironment),
                "an ansible-builder v3 execution-environment.yml mapped onto the image settings it leaves unset, or off"
            )
        case .engine:
            Setting(
                self, "RUNBOOK_ENGINE", flags: ["--engine"], .choice(["docker", "podman"]), .computed(Defaults.engine),
                "the container engine")
        case .engineOptions:
            Setting(
                self, "RUNBOOK_ENGINE_OPTIONS", flags: ["--engine-option"], .words, .value([]),
                "extra options for the engine's build and run, e.g. --ulimit=nofile=20000:20000")
        case .network:
            Setting(
                self, "RUNBOOK_NETWORK", flags: ["--network"], .string, .computed(Defaults.network),
                "the network mode of builds and containers, e.g. host")
        case .env:
            Setting(
                self, "RUNBOOK_ENV", flags: ["--env"], .names, .value([]),
                "names of variables passed from runbook's environment to the container (flags add to the setting)",
                flagsAdd: true)
        case .inventory:
            Setting(
                self, "RUNBOOK_INVENTORY", flags: ["-i", "--inventory"], .pathList, .computed(Defaults.inventory),
                "inventory files, folders or host lists")
        case .profile:
            Setting(
                self, "RUNBOOK_PROFILE", flags: ["--profile"], .string, .computed(Defaults.profile),
                "the AWS profile (the environment's keys are then ignored, as with the AWS CLI's --profile)")
        case .expectAccount:
            Setting(
                self, "RUNBOOK_EXPECT_ACCOUNT", flags: ["--expect-account"], .string, .computed(Defaults.anyAccount),
                "the 12-digit AWS account the credentials must belong to")
        case .region:
            Setting(
                self, "RUNBOOK_REGION", flags: ["--region"], .string, .computed(Defaults.region),
                "the AWS region for STS and ansible's modules (AWS_REGION in the run)")
        case .roleArn:
            Setting(
                self, "RUNBOOK_ROLE_ARN", flags: ["--role-arn"], .string, .computed(Defaults.noRole),
                "a role runbook assumes with the credentials the profile or chain gives, for the run")
        case .credentials:
            Setting(
                self, "RUNBOOK_CREDENTIALS", flags: ["--credentials"], .choice(["endpoint", "env"]),
                .value(["endpoint"]),
                "how ansible gets the AWS credentials: a loopback credentials endpoint that runbook keeps "
                    + "refreshed (no key in the container's environment), or keys in variables by name")
        case .oidcTokenVariable:
            Setting(
                self, "RUNBOOK_OIDC_TOKEN_VARIABLE", flags: [], .names,
                .value(CredentialOptions.defaultOIDCTokenVariables),
                "variables that may hold the CI job's OIDC token (GitLab's id_tokens), used with AWS_ROLE_ARN")
        case .oidcAudience:
            Setting(
                self, "RUNBOOK_OIDC_AUDIENCE", flags: [], .string, .value([CredentialOptions.defaultOIDCAudience]),
                "the audience of the OIDC token runbook asks GitHub Actions for")
        case .refreshMargin:
            Setting(
                self, "RUNBOOK_REFRESH_MARGIN", flags: [], .duration, .value(["15m"]),
                "how long before temporary credentials expire runbook gets new ones for the endpoint (at "
                    + "half their remaining life when they live shorter)")
        case .fast:
            Setting(
                self, "RUNBOOK_FAST", flags: ["--no-fast"], .bool, .value(["true"]),
                "SSH pipelining and forks from the number of hosts, where ansible.cfg and the environment leave "
                    + "them unset (pipelining with become needs sudo without requiretty)")
        case .mitogen:
            Setting(
                self, "RUNBOOK_MITOGEN", flags: ["--mitogen"], .bool, .value(["false"]),
                "run plays with mitogen's mitogen_linear strategy (in the image), unless ansible.cfg or the "
                    + "environment picks a strategy")
        case .history:
            Setting(
                self, "RUNBOOK_HISTORY", flags: ["--history"], .path, .computed(Defaults.history),
                "the SQLite file every apply and plan is recorded in, or off")
        case .historyStore:
            Setting(
                self, "RUNBOOK_HISTORY_STORE", flags: ["--history-store"], .string, .computed(Defaults.noStore),
                "s3://bucket/prefix: each finished run is also written there (gzip JSON), for `runs --from`")
        case .inImage:
            Setting(
                self, "RUNBOOK_IN_IMAGE", flags: [], .bool, .value(["false"]),
                "run ansible-playbook directly instead of in a container (set by runbook's image)", inFile: false)
        }
    }
}

/// The definition of one setting: one row of the settings table.
public struct Setting: Sendable {
    /// How a value is written and checked.
    public enum Kind: Sendable, Hashable {
        /// One string.
        case string
        /// One of a fixed set of words (matched without regard to case).
        case choice([String])
        /// A list of names: a YAML sequence in runbook.yml; comma- or space-separated in a variable or flag.
        case names
        /// A list of command-line words: a YAML sequence in runbook.yml; split as a shell does in a
        /// variable (quotes group); one word per flag (commas are kept: `--mount=type=bind,…`).
        case words
        /// A path: relative to the workspace in runbook.yml, to the current directory in a flag or variable.
        case path
        /// A list of paths or host lists: a YAML sequence in runbook.yml; comma-separated in a variable, as
        /// `ANSIBLE_INVENTORY` is; one per flag (a host list such as `web1,web2,` is then kept whole).
        case pathList
        /// true or false (also yes/no, on/off, 1/0).
        case bool
        /// A positive duration: 90s, 15m, 2h (or plain seconds).
        case duration
    }

    /// What applies when nothing sets the setting.
    public enum Default: Sendable {
        /// A fixed value.
        case value([String])
        /// Worked out from the workspace and environment: a value, or only a note saying what happens.
        case computed(@Sendable (SettingInputs) -> ComputedDefault)
    }

    /// The setting's key.
    public let key: SettingKey
    /// The environment variable.
    public let variable: String
    /// The command-line flags that set it (which commands have which is in their `--help`).
    public let flags: [String]
    /// The type.
    public let kind: Kind
    /// The default.
    public let defaultValue: Default
    /// What it does.
    public let help: String
    /// Whether flag values are added to the lower layers' list instead of replacing it.
    public let flagsAdd: Bool
    /// Whether runbook.yml may set it.
    public let inFile: Bool

    init(
        _ key: SettingKey, _ variable: String, flags: [String], _ kind: Kind, _ defaultValue: Default, _ help: String,
        flagsAdd: Bool = false, inFile: Bool = true
    ) {
        self.key = key
        self.variable = variable
        self.flags = flags
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.flagsAdd = flagsAdd
        self.inFile = inFile
    }

    /// The key as written in runbook.yml.
    public var name: String { key.rawValue }

    /// Whether the value is a list.
    public var isList: Bool {
        switch kind {
        case .names, .words, .pathList: true
        case .string, .choice, .path, .bool, .duration: false
        }
    }
}

/// What computed defaults may look at.
public struct SettingInputs: Sendable {
    /// The workspace's absolute path.
    public var workspace: String
    /// The environment.
    public var environment: [String: String]
}

/// A computed default: a value (with why), or no value and a note saying what happens instead.
public struct ComputedDefault: Sendable, Hashable {
    /// The value, when there is one.
    public var values: [String]?
    /// Where the value came from, or what happens without one.
    public var note: String

    /// Makes a computed default.
    public init(_ values: [String]?, _ note: String) {
        self.values = values
        self.note = note
    }
}

/// The computed defaults of the table.
private enum Defaults {
    static let caBundle: @Sendable (SettingInputs) -> ComputedDefault = { inputs in
        let found = HostCABundle.find(inputs.environment)
        guard let found else { return ComputedDefault(nil, "none: no CA bundle found on the host") }
        return ComputedDefault([found.path], "the bundle the host trusts (\(found.origin))")
    }

    static let imageBinary: @Sendable (SettingInputs) -> ComputedDefault = { _ in
        guard let path = Paths.real("/proc/self/exe") ?? Paths.real(CommandLine.arguments[0]) else {
            return ComputedDefault(nil, "this runbook (its path cannot be found; set it)")
        }
        return ComputedDefault([path], "this runbook")
    }

    static let definition: @Sendable (SettingInputs) -> ComputedDefault = { _ in
        ComputedDefault(nil, "the definition built into runbook \(RunbookVersion.current)")
    }

    static let requirements: @Sendable (SettingInputs) -> ComputedDefault = { inputs in
        let found = SettingKey.defaultRequirementsFiles.filter { Paths.exists(inputs.workspace + "/" + $0) }
        guard !found.isEmpty else {
            return ComputedDefault(
                nil, "none: the workspace has no " + SettingKey.defaultRequirementsFiles.joined(separator: ", "))
        }
        return ComputedDefault(found.map { inputs.workspace + "/" + $0 }, "found in the workspace")
    }

    static let executionEnvironment: @Sendable (SettingInputs) -> ComputedDefault = { inputs in
        for name in SettingKey.defaultExecutionEnvironmentFiles where Paths.exists(inputs.workspace + "/" + name) {
            return ComputedDefault([inputs.workspace + "/" + name], "found in the workspace")
        }
        return ComputedDefault(nil, "none: the workspace has no execution-environment.yml")
    }

    static let engine: @Sendable (SettingInputs) -> ComputedDefault = { inputs in
        let onPath = EngineKind.allCases.filter {
            EngineDetector.onPath($0.rawValue, path: inputs.environment["PATH"] ?? "")
        }
        let found = onPath.isEmpty ? "neither is on PATH" : "on PATH: " + onPath.map(\.rawValue).joined(separator: ", ")
        return ComputedDefault(nil, "detected when needed: docker or podman, the first whose daemon answers (\(found))")
    }

    static let network: @Sendable (SettingInputs) -> ComputedDefault = { _ in
        ComputedDefault(nil, "the engine's default")
    }

    static let inventory: @Sendable (SettingInputs) -> ComputedDefault = { inputs in
        let folder = inputs.workspace + "/Inventory"
        guard Paths.exists(folder) else { return ComputedDefault(nil, "none: the workspace has no Inventory/") }
        return ComputedDefault([folder], "Inventory/ of the workspace")
    }

    static let profile: @Sendable (SettingInputs) -> ComputedDefault = { inputs in
        if let profile = inputs.environment["AWS_PROFILE"], !profile.isEmpty {
            return ComputedDefault(nil, "AWS_PROFILE=\(profile), in the AWS SDKs' order (environment keys first)")
        }
        return ComputedDefault(nil, "the AWS SDKs' default chain")
    }

    static let region: @Sendable (SettingInputs) -> ComputedDefault = { inputs in
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let region = inputs.environment[name], !region.isEmpty {
                return ComputedDefault(nil, "\(name)=\(region), else the profile's region")
            }
        }
        return ComputedDefault(nil, "the profile's region (AWS_REGION, AWS_DEFAULT_REGION, or region in ~/.aws/config)")
    }

    static let noRole: @Sendable (SettingInputs) -> ComputedDefault = { _ in
        ComputedDefault(nil, "none: the credentials as the profile or chain gives them")
    }

    static let history: @Sendable (SettingInputs) -> ComputedDefault = { inputs in
        guard let path = HistoryLocation.defaultPath(inputs.environment) else {
            return ComputedDefault(nil, "off: neither XDG_DATA_HOME nor HOME is set")
        }
        return ComputedDefault(
            [path], inputs.environment["XDG_DATA_HOME"].map { _ in "under XDG_DATA_HOME" } ?? "under ~/.local/share")
    }

    static let noStore: @Sendable (SettingInputs) -> ComputedDefault = { _ in
        ComputedDefault(nil, "none: runs are kept in the local history only")
    }

    static let anyAccount: @Sendable (SettingInputs) -> ComputedDefault = { _ in
        ComputedDefault(nil, "none: any account")
    }
}
