#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What to resolve: the `profile` and `expect_account` settings and the STS options of `creds`.
public struct CredentialOptions: Sendable, Hashable {
    /// `--profile`: skips the environment keys, as the AWS CLI's `--profile` does.
    public var profile: String?
    /// `--endpoint-url` for STS.
    public var endpointURL: String?
    /// `--expect-account`: fail unless the caller is in this account.
    public var expectAccount: String?
    /// How long one STS call may take.
    public var timeout: Duration
    /// How long `credential_process` may run.
    public var processTimeout: Duration
    /// The `oidc_token_variable` setting.
    public var oidcTokenVariables: [String] = Self.defaultOIDCTokenVariables
    /// The `oidc_audience` setting.
    public var oidcAudience: String = Self.defaultOIDCAudience
    /// `--mfa-code`: the code for a profile's `mfa_serial`; without it runbook reuses a cached session or
    /// asks at the terminal.
    public var mfaCode: String?
    /// The `region` setting: replaces the region the chain finds, with where it came from.
    public var region: RegionSetting?
    /// The `role_arn` setting: a role assumed with the chain's credentials.
    public var roleArn: String?
    /// Where `roleArn` came from, for messages.
    public var roleArnOrigin = "role_arn"
    /// The session name for the `role_arn` setting's role (runbook-TIMESTAMP when nil).
    public var roleSessionName: String?

    /// The variables a GitLab job's `id_tokens` are looked for in, by default.
    public static let defaultOIDCTokenVariables = ["AWS_OIDC_TOKEN", "GITLAB_OIDC_TOKEN"]
    /// The audience of the OIDC token asked of GitHub Actions, by default (what AWS's OIDC provider expects).
    public static let defaultOIDCAudience = "sts.amazonaws.com"

    /// Makes options.
    public init(
        profile: String? = nil, endpointURL: String? = nil, expectAccount: String? = nil,
        timeout: Duration = .seconds(10), processTimeout: Duration = .seconds(30)
    ) {
        self.profile = profile
        self.endpointURL = endpointURL
        self.expectAccount = expectAccount
        self.timeout = timeout
        self.processTimeout = processTimeout
    }
}

extension CredentialOptions {
    /// Options from the settings: `profile`, `expect_account` (when `expectAccount`), the OIDC settings.
    public init(
        settings: Settings, endpointURL: String? = nil, expectAccount: Bool = true, timeout: Duration = .seconds(10)
    ) {
        self.init(
            profile: settings.string(.profile), endpointURL: endpointURL,
            expectAccount: expectAccount ? settings.string(.expectAccount) : nil, timeout: timeout)
        oidcTokenVariables = settings.list(.oidcTokenVariable)
        oidcAudience = settings.string(.oidcAudience) ?? Self.defaultOIDCAudience
        if let name = settings.string(.region) {
            region = RegionSetting(name: name, origin: "region, " + settings[.region].source.description)
        }
        roleArn = settings.string(.roleArn)
        roleArnOrigin = settings[.roleArn].source.description
    }
}

/// Credentials ready to use: temporary ones for roles, checked with STS.
public struct ResolvedCredentials: Sendable {
    /// The keys to sign with or hand to a container.
    public var credentials: AWSCredentials
    /// The region, when set.
    public var region: RegionSetting?
    /// Where they came from.
    public var source: CredentialSource
    /// Who STS says the caller is.
    public var identity: CallerIdentity
    /// For a profile with `mfa_serial`: whether the session was cached or new, and any cache warning.
    public var mfa: MFAOutcome?

    /// The variables to hand to a container: keys, token, and region. Pass them by name (`-e NAME`), never in argv.
    public var environmentVariables: [String: String] { credentials.environmentVariables(region: region) }
}

/// Resolves AWS credentials as the SDKs do, checks them offline, and verifies them with STS.
///
/// `runbook creds` calls `inspect` and then `verify`; `runbook apply` calls `resolve`.
public struct CredentialResolver: Sendable {
    /// The variables and home folder to read.
    public var environment: CredentialEnvironment
    /// Runs `credential_process`.
    public var processRunner: any ProcessRunning
    /// Sends STS and SSO requests.
    public var transport: any HTTPTransport
    /// The clock.
    public var now: @Sendable () -> Date
    /// Asks for an MFA code: `(prompt, message when there is no terminal)`; the terminal by default.
    public var prompt: @Sendable (String, String) throws -> String

    /// Makes a resolver.
    public init(
        environment: CredentialEnvironment, processRunner: any ProcessRunning = SubprocessRunner(),
        transport: any HTTPTransport = CurlTransport(), now: @escaping @Sendable () -> Date = { Date() },
        prompt: (@Sendable (String, String) throws -> String)? = nil
    ) {
        self.environment = environment
        self.processRunner = processRunner
        self.transport = transport
        self.now = now
        self.prompt = prompt ?? { try TerminalPrompt.read($0, withoutTerminal: $1) }
    }

    /// Finds the source and runs every offline check, without network.
    public func inspect(_ options: CredentialOptions) async -> CredentialInspection {
        var chain = CredentialChain(
            environment: environment, store: ProfileStore(environment: environment),
            process: CredentialProcess(runner: processRunner, timeout: options.processTimeout), now: now())
        chain.oidcTokenVariables = options.oidcTokenVariables
        chain.oidcAudience = options.oidcAudience
        var inspection = await chain.inspect(profile: options.profile)
        if let region = options.region {
            inspection.region = region
            if !OfflineChecks.isRegionName(region.name) {
                inspection.findings.append(
                    CredentialFinding(.error, "region-shape", OfflineChecks.regionShapeMessage(region)))
            }
        }
        if let arn = options.roleArn {
            let origin = options.roleArnOrigin
            if !OfflineChecks.isRoleArn(arn) {
                inspection.findings.append(
                    CredentialFinding(
                        .error, "role-arn-shape",
                        "role_arn '\(arn)' (\(origin)) is not a role ARN such as arn:aws:iam::123456789012:role/deploy")
                )
            }
            if let source = inspection.source {
                inspection.source = .settingRole(roleArn: arn, origin: origin, source: source)
            }
        }
        if let account = options.expectAccount, !OfflineChecks.isAccountId(account) {
            inspection.findings.append(
                CredentialFinding(
                    .error, "expect-account", "--expect-account '\(account)' is not a 12-digit account id"))
        }
        return inspection
    }

    /// Inspects, then (when there are no errors) gets usable credentials and verifies them with STS.
    public func resolve(_ options: CredentialOptions) async throws -> ResolvedCredentials {
        let inspection = await inspect(options)
        if let first = inspection.findings.first(where: { $0.severity == .error }) {
            throw RunbookError.credentials(first.message)
        }
        return try await verify(inspection, options)
    }

    /// Gets usable credentials for an inspected source (assuming roles as needed), calls GetCallerIdentity,
    /// and checks `expectAccount`.
    public func verify(_ inspection: CredentialInspection, _ options: CredentialOptions) async throws
        -> ResolvedCredentials
    {
        guard let source = inspection.source else {
            throw RunbookError.credentials("no AWS credentials found; run 'runbook creds' for details")
        }
        let sts = STSClient(
            endpoint: try STSClient.endpoint(
                explicit: options.endpointURL, environment: environment, profileEndpoint: inspection.profileEndpoint,
                region: inspection.region?.name),
            signingRegion: inspection.region?.name ?? "us-east-1", transport: transport, timeout: options.timeout,
            now: now)
        var mfa: MFAOutcome?
        let credentials = try await usable(
            source, local: inspection.credentials, sts: sts, options: options, mfa: inspection.mfa, outcome: &mfa)
        let identity = try await sts.callerIdentity(using: credentials)
        if let expected = options.expectAccount, identity.account != expected {
            throw RunbookError.credentials(
                "these credentials are for account \(identity.account) (\(identity.arn)), not \(expected); "
                    + "pick the profile for account \(expected)")
        }
        return ResolvedCredentials(
            credentials: credentials, region: inspection.region, source: source, identity: identity, mfa: mfa)
    }

    private func usable(
        _ source: CredentialSource, local: AWSCredentials?, sts: STSClient, options: CredentialOptions,
        mfa: MFAStatus? = nil, outcome: inout MFAOutcome?
    ) async throws -> AWSCredentials {
        switch source {
        case .environment, .sharedFile, .process:
            guard let local else { throw RunbookError.credentials("no keys were read from \(source.summary)") }
            return local
        case .assumeRole(let profile, let roleArn, _, let inner):
            let settings = ProfileStore(environment: environment).profiles[profile]
            let device = mfa.flatMap { $0.key.profile == profile && $0.key.roleArn == roleArn ? $0 : nil }
            return try await withMFA(device, options: options, outcome: &outcome) { code in
                var ignored: MFAOutcome?
                let base = try await usable(inner, local: local, sts: sts, options: options, outcome: &ignored)
                return try await sts.assumeRole(
                    roleArn, sessionName: settings?["role_session_name"]?.value ?? sessionName(),
                    externalId: settings?["external_id"]?.value,
                    durationSeconds: settings?["duration_seconds"].flatMap { Int($0.value) },
                    mfa: code.map { (device?.key.serial ?? "", $0) }, using: base)
            }
        case .settingRole(let roleArn, _, let inner):
            let base = try await usable(inner, local: local, sts: sts, options: options, mfa: mfa, outcome: &outcome)
            return try await sts.assumeRole(
                roleArn, sessionName: options.roleSessionName ?? sessionName(), externalId: nil, durationSeconds: nil,
                mfa: nil, using: base)
        case .mfaSession(let profile, let serial, _, let inner):
            let settings = ProfileStore(environment: environment).profiles[profile]
            let device = mfa ?? MFAStatus(key: .init(profile: profile, roleArn: nil, serial: serial), location: nil)
            return try await withMFA(device, options: options, outcome: &outcome) { code in
                var ignored: MFAOutcome?
                let base = try await usable(inner, local: local, sts: sts, options: options, outcome: &ignored)
                return try await sts.sessionToken(
                    mfa: (serial, code ?? ""), durationSeconds: settings?["duration_seconds"].flatMap { Int($0.value) },
                    using: base)
            }
        case .webIdentity(let roleArn, let tokenFile, let session, _):
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw RunbookError.credentials("cannot read the web identity token file \(tokenFile)")
            }
            return try await sts.assumeRoleWithWebIdentity(
                roleArn, sessionName: session ?? sessionName(), token: String(decoding: data, as: UTF8.self).trimmed)
        case .ciWebIdentity(let roleArn, let token, let session):
            let jwt = try await token.fetch(environment: environment, transport: transport)
            return try await sts.assumeRoleWithWebIdentity(roleArn, sessionName: session ?? sessionName(), token: jwt)
        case .sso(let profile, _, let settings):
            guard let token = SSOTokenCache(homeDirectory: environment.homeDirectory).token(for: settings) else {
                throw RunbookError.credentials("no cached SSO login; run 'aws sso login --profile \(profile)'")
            }
            let client = SSOClient(transport: transport, timeout: options.timeout, environment: environment)
            return try await client.roleCredentials(settings, token: token, profile: profile)
        case .container:
            return try await ContainerCredentialsClient(transport: transport, environment: environment).credentials()
        case .instanceMetadata:
            return try await InstanceMetadataClient(transport: transport, environment: environment).credentials()
        }
    }

    /// Runs `call` with no code when there is no MFA device; else reuses the cached session, or gets a code
    /// (`--mfa-code`, else the terminal), calls, and caches the new session.
    private func withMFA(
        _ device: MFAStatus?, options: CredentialOptions, outcome: inout MFAOutcome?,
        _ call: (String?) async throws -> AWSCredentials
    ) async throws -> AWSCredentials {
        guard let device else { return try await call(nil) }
        let cache = MFASessionCache(environment: environment)
        if case .session(let cached) = cache.lookup(device.key, now: now()) {
            outcome = MFAOutcome(serial: device.key.serial, cached: true, expiration: cached.expiration)
            return cached
        }
        let code =
            try options.mfaCode
            ?? prompt(
                "MFA code for \(device.key.serial): ",
                "profile \(device.key.profile) needs an MFA code from \(device.key.serial), but runbook has no terminal "
                    + "to ask for it; pass --mfa-code CODE")
        let trimmed = code.trimmed
        guard MFASessionCache.isCode(trimmed) else {
            throw RunbookError.usage("the MFA code for \(device.key.serial) must be 6 digits")
        }
        let credentials = try await call(trimmed)
        outcome = MFAOutcome(
            serial: device.key.serial, cached: false, expiration: credentials.expiration,
            warning: cache.store(credentials, for: device.key))
        return credentials
    }

    private func sessionName() -> String {
        "runbook-\(Int(now().timeIntervalSince1970))"
    }
}
