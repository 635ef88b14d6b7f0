#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Finds credentials in the order the AWS SDKs use, reading only local files, variables and
/// `credential_process` output.
///
/// Order: environment keys (skipped when `--profile` is given), the profile's `role_arn` with
/// `source_profile` or `credential_source`, web identity (variables or profile), SSO, keys in the
/// credentials file, `credential_process`, keys in the config file, then the container endpoint
/// and instance metadata, which are called only when resolving (online), never by `inspect`.
struct CredentialChain {
    var environment: CredentialEnvironment
    var store: ProfileStore
    var process: CredentialProcess
    var now: Date
    /// The `oidc_token_variable` setting: variables that may hold a CI job's OIDC token.
    var oidcTokenVariables: [String] = CredentialOptions.defaultOIDCTokenVariables
    /// The `oidc_audience` setting: the audience asked of GitHub Actions.
    var oidcAudience = CredentialOptions.defaultOIDCAudience

    var findings: [CredentialFinding] = []

    init(environment: CredentialEnvironment, store: ProfileStore, process: CredentialProcess, now: Date) {
        self.environment = environment
        self.store = store
        self.process = process
        self.now = now
    }

    mutating func inspect(profile flag: String?) async -> CredentialInspection {
        findings = store.findings
        let explicit = flag ?? environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"]
        let name = explicit ?? "default"
        var inspection = CredentialInspection(profile: name, source: nil, credentials: nil, region: nil, findings: [])
        let profile = store.profiles[name]
        if explicit != nil, profile == nil {
            let known =
                store.names.isEmpty ? "no profiles are defined" : "profiles: \(store.names.joined(separator: ", "))"
            let origin = flag != nil ? "--profile" : "AWS_PROFILE"
            error(
                "missing-profile",
                "profile '\(name)' (from \(origin)) is not in \(environment.configFile) or \(environment.credentialsFile); "
                    + "\(known)")
            inspection.findings = findings
            return inspection
        }
        inspection.region = region(profile)
        inspection.profileEndpoint = profile?["endpoint_url"]?.value
        if let found = await source(profile: profile, skipEnvironment: flag != nil) {
            inspection.source = found.source
            inspection.credentials = found.credentials
            if let profile, let (status, source) = mfa(profile, source: found.source) {
                inspection.mfa = status
                inspection.source = source
            }
        } else if !findings.contains(where: { $0.severity == .error }) {
            // In a CI job with a role but no OIDC token, what the job lacks is the useful answer.
            let ciHint = findings.first { $0.rule == "ci-oidc-token" }?.message
            error(
                "no-credentials",
                "no AWS credentials found for profile '\(name)': "
                    + (ciHint
                        ?? "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, "
                        + "or run 'aws configure'"))
        }
        if FileManager.default.fileExists(atPath: environment.credentialsFile) {
            findings += OfflineChecks.checkPermissions(ofCredentialsFile: environment.credentialsFile)
        }
        inspection.findings = findings
        return inspection
    }

    // MARK: - Region

    private mutating func region(_ profile: Profile?) -> RegionSetting? {
        let setting: RegionSetting?
        var location: SourceLocation?
        if let value = environment["AWS_REGION"] {
            setting = RegionSetting(name: value, origin: "AWS_REGION")
        } else if let value = environment["AWS_DEFAULT_REGION"] {
            setting = RegionSetting(name: value, origin: "AWS_DEFAULT_REGION")
        } else if let value = profile?["region"] {
            setting = RegionSetting(name: value.value, origin: "\(value.location.file):\(value.location.line)")
            location = value.location
        } else {
            setting = nil
        }
        if let setting, !OfflineChecks.isRegionName(setting.name) {
            error("region-shape", OfflineChecks.regionShapeMessage(setting), at: location)
        }
        return setting
    }

    // MARK: - Sources

    private mutating func source(profile: Profile?, skipEnvironment: Bool) async -> (
        source: CredentialSource, credentials: AWSCredentials?
    )? {
        if !skipEnvironment, let keys = environmentKeys() {
            return keys.map { (.environment, $0) } ?? nil
        }
        if let profile, profile["role_arn"] != nil,
            profile["source_profile"] != nil || profile["credential_source"] != nil
        {
            return await assumeRole(profile, visited: [])
        }
        if let found = webIdentity(profile) { return (found, nil) }
        if let found = ciWebIdentity() { return (found, nil) }
        if let profile {
            if let role = profile["role_arn"] {
                error(
                    "role-source",
                    "profile \(profile.name) sets role_arn but no source_profile, credential_source or "
                        + "web_identity_token_file; add source_profile = PROFILE_WITH_KEYS", at: role.location)
                return nil
            }
            return await profileSource(profile)
        }
        return fallback()
    }

    /// nil when no key variable is set; `.some(nil)` when only one of the pair is set.
    mutating func environmentKeys() -> AWSCredentials?? {
        let id = environment["AWS_ACCESS_KEY_ID"]
        let secret = environment["AWS_SECRET_ACCESS_KEY"]
        guard id != nil || secret != nil else { return nil }
        guard let id, let secret else {
            let (set, unset) =
                id == nil
                ? ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID") : ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
            error("partial-keys", "\(set) is set but \(unset) is not; set both, or unset \(set) to use a profile")
            return .some(nil)
        }
        let keys = AWSCredentials(
            accessKeyId: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"],
            expiration: environment["AWS_CREDENTIAL_EXPIRATION"].flatMap(parseTimestamp))
        findings += OfflineChecks.check(keys, origin: "the environment", at: nil, now: now)
        return .some(keys)
    }

    mutating func webIdentity(_ profile: Profile?) -> CredentialSource? {
        let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? profile?["web_identity_token_file"]?.value
        let roleArn = environment["AWS_ROLE_ARN"] ?? profile?["role_arn"]?.value
        guard let tokenFile else { return nil }
        let location =
            environment["AWS_WEB_IDENTITY_TOKEN_FILE"] == nil ? profile?["web_identity_token_file"]?.location : nil
        guard let roleArn else {
            error(
                "web-identity-role",
                "a web identity token file is set (\(tokenFile)) but no role: set AWS_ROLE_ARN to the role to assume",
                at: location)
            return nil
        }
        if !OfflineChecks.isRoleArn(roleArn) {
            error(
                "role-arn-shape", "'\(roleArn)' is not a role ARN such as arn:aws:iam::123456789012:role/NAME",
                at: location)
        }
        let path = environment.expand(tokenFile)
        if let data = FileManager.default.contents(atPath: path) {
            if String(decoding: data, as: UTF8.self).trimmed.isEmpty {
                error(
                    "web-identity-token", "the web identity token file \(path) is empty; check the CI's OIDC setup",
                    at: location)
            }
        } else {
            error(
                "web-identity-token",
                "the web identity token file \(path) cannot be read; check AWS_WEB_IDENTITY_TOKEN_FILE and the CI's OIDC setup",
                at: location)
        }
        let session = environment["AWS_ROLE_SESSION_NAME"] ?? profile?["role_session_name"]?.value
        return .webIdentity(roleArn: roleArn, tokenFile: path, sessionName: session, location: location)
    }

    /// `AWS_ROLE_ARN` (without a token file) and a CI job's OIDC token; a warning when the CI is
    /// recognised but gives the job no token.
    mutating func ciWebIdentity() -> CredentialSource? {
        guard let roleArn = environment["AWS_ROLE_ARN"] else { return nil }
        let (token, warning) = CIIdentityToken.detect(
            environment, variables: oidcTokenVariables, audience: oidcAudience)
        if let warning { findings.append(CredentialFinding(.warning, "ci-oidc-token", warning)) }
        guard let token else { return nil }
        if !OfflineChecks.isRoleArn(roleArn) {
            error(
                "role-arn-shape",
                "AWS_ROLE_ARN '\(roleArn)' is not a role ARN such as arn:aws:iam::123456789012:role/NAME")
        }
        return .ciWebIdentity(
            roleArn: roleArn, token: token,
            sessionName: CIIdentityToken.sessionName(environment, provider: token.provider))
    }

    /// SSO, keys in the credentials file, `credential_process`, keys in the config file, then the fallbacks.
    mutating func profileSource(_ profile: Profile) async -> (
        source: CredentialSource, credentials: AWSCredentials?
    )? {
        if let sso = sso(profile) { return (sso, nil) }
        if let keys = staticKeys(profile, in: .credentials) { return keys }
        if let command = profile["credential_process"] {
            switch await process.run(command.value, profile: profile.name, at: command.location) {
            case .success(let keys):
                findings += OfflineChecks.check(
                    keys, origin: "credential_process of profile \(profile.name)", at: command.location, now: now)
                return (.process(profile: profile.name, command: command.value, location: command.location), keys)
            case .failure(let finding):
                findings.append(finding)
                return nil
            }
        }
        if let keys = staticKeys(profile, in: .config) { return keys }
        return fallback()
    }

    mutating func staticKeys(_ profile: Profile, in file: SharedFile) -> (
        source: CredentialSource, credentials: AWSCredentials?
    )? {
        let id = profile["aws_access_key_id"].flatMap { $0.file == file ? $0 : nil }
        let secret = profile["aws_secret_access_key"].flatMap { $0.file == file ? $0 : nil }
        guard id != nil || secret != nil else { return nil }
        guard let id, let secret else {
            let present = id ?? secret
            let missing = id == nil ? "aws_access_key_id" : "aws_secret_access_key"
            error(
                "partial-keys",
                "profile \(profile.name) sets \(id == nil ? "aws_secret_access_key" : "aws_access_key_id") "
                    + "but not \(missing); add \(missing) to the same section", at: present?.location)
            return nil
        }
        let token = profile["aws_session_token"] ?? profile["aws_security_token"]
        let keys = AWSCredentials(
            accessKeyId: id.value, secretAccessKey: secret.value, sessionToken: token?.value,
            expiration: profile["aws_credential_expiration"].flatMap { parseTimestamp($0.value) })
        findings += OfflineChecks.check(keys, origin: "profile \(profile.name)", at: id.location, now: now)
        return (.sharedFile(profile: profile.name, location: id.location), keys)
    }

    private func fallback() -> (source: CredentialSource, credentials: AWSCredentials?)? {
        for variable in ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        where environment[variable] != nil {
            return (.container(variable: variable), nil)
        }
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] != nil {
            return (.instanceMetadata(reason: "AWS_EC2_METADATA_SERVICE_ENDPOINT"), nil)
        }
        if let vendor = FileManager.default.contents(atPath: "/sys/devices/virtual/dmi/id/board_vendor"),
            String(decoding: vendor, as: UTF8.self).contains("Amazon EC2")
        {
            return (.instanceMetadata(reason: "running on EC2"), nil)
        }
        return nil
    }

    mutating func error(_ rule: String, _ message: String, at location: SourceLocation? = nil) {
        findings.append(CredentialFinding(.error, rule, message, at: location))
    }
}
