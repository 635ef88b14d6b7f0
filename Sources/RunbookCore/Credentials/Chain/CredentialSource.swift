/// Where a set of credentials comes from, as the chain found it.
public indirect enum CredentialSource: Sendable, Hashable {
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).
    case environment
    /// Keys written in a profile of the credentials or config file.
    case sharedFile(profile: String, location: SourceLocation)
    /// A profile's `credential_process` command.
    case process(profile: String, command: String, location: SourceLocation)
    /// A profile's `role_arn`, assumed with the credentials of `source`.
    case assumeRole(profile: String, roleArn: String, location: SourceLocation, source: CredentialSource)
    /// The `role_arn` setting (a flag, a variable, runbook.yml or a target), assumed with the credentials of `source`.
    case settingRole(roleArn: String, origin: String, source: CredentialSource)
    /// A profile's keys with `mfa_serial` (and no `role_arn`): a `GetSessionToken` session with an MFA code.
    case mfaSession(profile: String, serial: String, location: SourceLocation, source: CredentialSource)
    /// `AssumeRoleWithWebIdentity` with an OIDC token file (from the environment when `location` is nil).
    case webIdentity(roleArn: String, tokenFile: String, sessionName: String?, location: SourceLocation?)
    /// `AssumeRoleWithWebIdentity` with `AWS_ROLE_ARN` and the CI job's own OIDC token, which runbook
    /// gets itself (GitHub Actions' token request, Bitbucket's or GitLab's token variable).
    case ciWebIdentity(roleArn: String, token: CIIdentityToken, sessionName: String?)
    /// An IAM Identity Center (SSO) profile and its cached login.
    case sso(profile: String, location: SourceLocation, settings: SSOSettings)
    /// The ECS/EKS container credentials endpoint, named by an environment variable.
    case container(variable: String)
    /// The EC2 instance metadata service (IMDSv2, else v1).
    case instanceMetadata(reason: String)

    /// A short kind for JSON: `environment`, `file`, `process`, `assume-role`, `web-identity`, `sso`, ….
    public var kind: String {
        switch self {
        case .environment: "environment"
        case .sharedFile: "file"
        case .process: "process"
        case .assumeRole: "assume-role"
        case .settingRole: "setting-role"
        case .mfaSession: "mfa-session"
        case .webIdentity: "web-identity"
        case .ciWebIdentity: "ci-web-identity"
        case .sso: "sso"
        case .container: "container"
        case .instanceMetadata: "instance-metadata"
        }
    }

    /// One line for people, such as `profile dev (/home/me/.aws/credentials:2)`.
    public var summary: String {
        switch self {
        case .environment:
            return "environment (AWS_ACCESS_KEY_ID)"
        case .sharedFile(let profile, let location):
            return "profile \(profile) (\(location.file):\(location.line))"
        case .process(let profile, _, let location):
            return "credential_process of profile \(profile) (\(location.file):\(location.line))"
        case .assumeRole(let profile, let roleArn, let location, let source):
            return "role \(roleArn) of profile \(profile) (\(location.file):\(location.line)), from \(source.summary)"
        case .settingRole(let roleArn, let origin, let source):
            return "role \(roleArn) (role_arn, \(origin)), from \(source.summary)"
        case .mfaSession(let profile, let serial, let location, let source):
            return
                "MFA session of profile \(profile) with \(serial) (\(location.file):\(location.line)), from \(source.summary)"
        case .webIdentity(let roleArn, let tokenFile, _, let location):
            let origin = location.map { "\($0.file):\($0.line)" } ?? "AWS_WEB_IDENTITY_TOKEN_FILE"
            return "web identity \(roleArn) with token \(tokenFile) (\(origin))"
        case .ciWebIdentity(let roleArn, let token, _):
            return "web identity \(roleArn) (AWS_ROLE_ARN) with the \(token.summary)"
        case .sso(let profile, let location, let settings):
            return
                "sso \(settings.roleName) in \(settings.accountId) of profile \(profile) (\(location.file):\(location.line))"
        case .container(let variable):
            return "container credentials endpoint (\(variable))"
        case .instanceMetadata(let reason):
            return "EC2 instance metadata (\(reason))"
        }
    }

    /// The innermost source, whose keys are read locally.
    public var root: CredentialSource {
        switch self {
        case .assumeRole(_, _, _, let source), .mfaSession(_, _, _, let source), .settingRole(_, _, let source):
            source.root
        default: self
        }
    }
}

/// The settings of an IAM Identity Center (SSO) profile.
public struct SSOSettings: Sendable, Hashable {
    /// The portal start URL.
    public var startURL: String
    /// The region of the SSO portal.
    public var region: String
    /// The account to get role credentials for.
    public var accountId: String
    /// The permission set (role) name.
    public var roleName: String
    /// The `sso-session` name, when the profile uses one.
    public var session: String?

    /// The text whose SHA-1 names the cached token file under `~/.aws/sso/cache`.
    public var cacheKey: String { session ?? startURL }
}
