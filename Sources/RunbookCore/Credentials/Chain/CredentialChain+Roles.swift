#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The profile kinds that need more than keys: SSO, roles with `source_profile` or `credential_source`.
extension CredentialChain {
    mutating func sso(_ profile: Profile) -> CredentialSource? {
        guard profile["sso_start_url"] != nil || profile["sso_session"] != nil || profile["sso_account_id"] != nil
        else {
            return nil
        }
        let location =
            (profile["sso_session"] ?? profile["sso_start_url"] ?? profile["sso_account_id"])?.location
            ?? profile.sections[0]
        let session = profile["sso_session"].map { store.ssoSessions[$0.value] }
        if let name = profile["sso_session"]?.value, session == nil {
            error(
                "sso-session",
                "profile \(profile.name) names sso_session '\(name)' but there is no [sso-session \(name)] section",
                at: location)
            return nil
        }
        let startURL = session??["sso_start_url"]?.value ?? profile["sso_start_url"]?.value
        let region = session??["sso_region"]?.value ?? profile["sso_region"]?.value
        guard let startURL, let region, let account = profile["sso_account_id"]?.value,
            let role = profile["sso_role_name"]?.value
        else {
            error(
                "sso-settings",
                "profile \(profile.name) is an SSO profile but lacks one of sso_start_url, sso_region, sso_account_id, "
                    + "sso_role_name; run 'aws configure sso --profile \(profile.name)'", at: location)
            return nil
        }
        let settings = SSOSettings(
            startURL: startURL, region: region, accountId: account, roleName: role,
            session: profile["sso_session"]?.value)
        let token = SSOTokenCache(homeDirectory: environment.homeDirectory).token(for: settings)
        let login = "run 'aws sso login --profile \(profile.name)'"
        switch token {
        case .none:
            error("sso-login", "profile \(profile.name) uses SSO and there is no cached login; \(login)", at: location)
        case .some(let cached) where cached.expiresAt.map({ $0 <= now }) ?? false:
            error("sso-login", "the SSO login for profile \(profile.name) has expired; \(login)", at: location)
        default:
            break
        }
        return .sso(profile: profile.name, location: location, settings: settings)
    }

    mutating func assumeRole(_ profile: Profile, visited: [String]) async -> (
        source: CredentialSource, credentials: AWSCredentials?
    )? {
        guard let role = profile["role_arn"] else { return nil }
        if !OfflineChecks.isRoleArn(role.value) {
            error(
                "role-arn-shape", "'\(role.value)' is not a role ARN such as arn:aws:iam::123456789012:role/NAME",
                at: role.location)
        }
        let inner: (source: CredentialSource, credentials: AWSCredentials?)?
        if let sourceName = profile["source_profile"] {
            if profile["credential_source"] != nil {
                error(
                    "role-source", "profile \(profile.name) sets both source_profile and credential_source; keep one",
                    at: sourceName.location)
                return nil
            }
            inner = await sourceProfile(sourceName, of: profile, visited: visited + [profile.name])
        } else if let credentialSource = profile["credential_source"] {
            inner = credentialSourceKeys(credentialSource, of: profile)
        } else {
            inner = nil
        }
        guard let inner else { return nil }
        return (
            .assumeRole(profile: profile.name, roleArn: role.value, location: role.location, source: inner.source),
            inner.credentials
        )
    }

    mutating func sourceProfile(_ setting: ProfileSetting, of profile: Profile, visited: [String]) async -> (
        source: CredentialSource, credentials: AWSCredentials?
    )? {
        guard let next = store.profiles[setting.value] else {
            error(
                "missing-profile",
                "source_profile '\(setting.value)' of profile \(profile.name) does not exist; profiles: "
                    + store.names.joined(separator: ", "), at: setting.location)
            return nil
        }
        // A profile that names itself as its source uses its own keys (the SDKs allow this).
        if next.name == profile.name, next["aws_access_key_id"] != nil {
            return staticKeys(next, in: .credentials) ?? staticKeys(next, in: .config)
        }
        if visited.contains(next.name) {
            let cycle = (visited + [next.name]).joined(separator: " -> ")
            error(
                "source-profile-cycle", "source_profile forms a cycle: \(cycle); end the chain at a profile with keys",
                at: setting.location)
            return nil
        }
        if next["role_arn"] != nil, next["source_profile"] != nil || next["credential_source"] != nil {
            return await assumeRole(next, visited: visited)
        }
        if let found = webIdentity(next) { return (found, nil) }
        if let found = await profileSource(next) { return found }
        error(
            "no-credentials",
            "source_profile '\(next.name)' of profile \(profile.name) has no credentials; add keys to it",
            at: setting.location)
        return nil
    }

    mutating func credentialSourceKeys(_ setting: ProfileSetting, of profile: Profile) -> (
        source: CredentialSource, credentials: AWSCredentials?
    )? {
        switch setting.value {
        case "Environment":
            guard let keys = environmentKeys() else {
                error(
                    "no-credentials",
                    "profile \(profile.name) takes its source keys from the environment, but AWS_ACCESS_KEY_ID is not set",
                    at: setting.location)
                return nil
            }
            return keys.map { (.environment, $0) }
        case "EcsContainer":
            return (.container(variable: "credential_source = EcsContainer"), nil)
        case "Ec2InstanceMetadata":
            return (.instanceMetadata(reason: "credential_source = Ec2InstanceMetadata"), nil)
        default:
            error(
                "role-source",
                "credential_source '\(setting.value)' is not one of Environment, EcsContainer, Ec2InstanceMetadata",
                at: setting.location)
            return nil
        }
    }

    /// The MFA status of the profile in effect: for its role (AssumeRole with the code) or, without
    /// `role_arn`, for its own keys (GetSessionToken); the cached session is looked up here, offline.
    mutating func mfa(_ profile: Profile, source: CredentialSource) -> (MFAStatus, CredentialSource)? {
        guard let serial = profile["mfa_serial"] else { return nil }
        let roleArn: String?
        var wrapped = source
        switch source {
        case .assumeRole(let name, let role, _, _) where name == profile.name:
            roleArn = role
        case .sharedFile(let name, _) where name == profile.name:
            roleArn = nil
            wrapped = .mfaSession(profile: name, serial: serial.value, location: serial.location, source: source)
        default:
            return nil
        }
        let key = MFASessionCache.Key(profile: profile.name, roleArn: roleArn, serial: serial.value)
        var status = MFAStatus(key: key, location: serial.location, cachedUntil: nil)
        switch MFASessionCache(environment: environment).lookup(key, now: now) {
        case .session(let cached): status.cachedUntil = cached.expiration
        case .ignored(let reason): findings.append(CredentialFinding(.warning, "mfa-cache", reason))
        case .none: break
        }
        return (status, wrapped)
    }
}
