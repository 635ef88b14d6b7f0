#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The steps before the run: inventories, validation, module checks, credentials.
extension ApplyPipeline {
    /// The `inventory` setting's sources: paths made absolute (flags and variables against the current
    /// directory, runbook.yml against the workspace) and checked, host lists kept as given.
    func resolveInventories() throws -> [InventoryArgument] {
        let (values, base) = context.settings.pathValues(.inventory)
        return try values.map { text in
            let inventory = InventoryArgument(Paths.expandingTilde(text, home: context.home), relativeTo: base)
            if let path = inventory.path, !Paths.exists(path) {
                throw RunbookError.noInput("inventory '\(text)' not found (\(context.settings[.inventory].source))")
            }
            return inventory
        }
    }

    /// The ansible.cfg ansible will read: `ANSIBLE_CONFIG` when set, else the workspace's (the working
    /// directory's; the container's HOME and /etc/ansible hold none).
    func ansibleConfig() -> AnsibleConfig {
        if let path = environment["ANSIBLE_CONFIG"], !path.isEmpty {
            return AnsibleConfig(path: Paths.absolute(path, relativeTo: context.currentDirectory))
        }
        return AnsibleConfig(path: context.workspace + "/ansible.cfg")
    }

    /// The validation of `playbook` both passes make (the second one with the image's index).
    private func validationRequest(playbook: String, inventories: [InventoryArgument]) -> ValidationRequest {
        var request = ValidationRequest(
            paths: [playbook], inventories: inventories.compactMap(\.path), workspace: context.workspace,
            currentDirectory: context.currentDirectory, environment: environment)
        request.requirementFiles = context.settings.paths(.requirements, home: context.home)
        return request
    }

    /// The static checks (without the image's index); their findings, for the second pass to skip.
    func validate(playbook: String, inventories: [InventoryArgument]) throws -> Set<Diagnostic> {
        var request = validationRequest(playbook: playbook, inventories: inventories)
        request.requirementsInImage = true
        let report = try PlaybookValidator(loadInventory: InventorySeam.load).validate(request)
        let text = DiagnosticRenderer(format: .text).render(report.diagnostics, files: report.files)
        if !text.isEmpty { log(text) }
        if report.errorCount > 0 {
            throw RunbookError(
                .dataError,
                "\(playbook): \(report.errorCount) error(s) found by validation; fix them (or pass --no-validate)")
        }
        return Set(report.diagnostics)
    }

    /// The module and argument checks, against the index of the image the run is about to use
    /// (in-image: this image's own file); skipped with a note when there is none.
    func checkModules(
        playbook: String, inventories: [InventoryArgument], image: PreparedImage?, reported: Set<Diagnostic>
    ) async throws {
        var index: ImageIndex?
        if context.settings.bool(.inImage) {
            index = FileManager.default.contents(atPath: ImageIndex.pathInImage).flatMap(ImageIndex.decode)
        } else if let image, let id = image.id {
            index = try await ImageIndexCache(environment: environment).index(
                image: image.reference, id: id, engine: image.engine, runner: runner)?.index
        }
        guard let index else {
            log("runbook: module checks skipped: the image has no plugin index (`runbook image build` adds it)\n")
            return
        }
        var request = validationRequest(playbook: playbook, inventories: inventories)
        request.index = index
        let report = try PlaybookValidator(loadInventory: InventorySeam.load).validate(request)
        // What the index adds: the first pass already printed the rest.
        let findings = report.diagnostics.filter { !reported.contains($0) }
        let text = DiagnosticRenderer(format: .text).render(findings, files: report.files)
        if !text.isEmpty { log(text) }
        let errors = findings.count { $0.severity == .error }
        if errors > 0 {
            throw RunbookError(
                .dataError,
                "\(playbook): \(errors) error(s) in modules, arguments, plugins or collection content, checked against the image's "
                    + "ansible-core \(index.ansibleCore) and collections; fix them (or pass --no-validate)")
        }
    }

    /// How the run's AWS credentials reach ansible.
    struct AWSHandover {
        /// Variables passed by name: the region always; the keys too with `--credentials env`.
        var variables: [String: String] = [:]
        /// What the entry's loopback endpoint serves (`--credentials endpoint`).
        var served: ServedCredentials?
        /// When the served credentials expire.
        var expiration: Date?
        /// Gets new credentials before they expire (temporary credentials, online).
        var refresher: CredentialRefresher?
        /// The account STS named (online only).
        var account: String?
        /// The identity's ARN STS named (online only), for the run history.
        var arn: String?
        /// The region the run uses, for the run history.
        var region: String?
        /// The keys (the S3 history store is written with them).
        var keys: AWSCredentials?
    }

    func resolveCredentials(_ request: ApplyRequest) async throws -> AWSHandover {
        guard !request.skipCredentials else { return AWSHandover() }
        let credentials = context.credentials
        var settingOptions = CredentialOptions(settings: context.settings)
        settingOptions.mfaCode = request.mfaCode
        if let target = request.target {
            settingOptions.roleSessionName = "runbook-\(target)-\(Int(context.system.now().timeIntervalSince1970))"
        }
        let options = settingOptions
        let endpoint = context.settings.string(.credentials) != "env"
        let how =
            endpoint
            ? "served to ansible on a loopback credentials endpoint"
            : "passed to ansible in variables (--credentials env)"
        if request.offline {
            let inspection = await credentials.inspect(options)
            if let error = inspection.findings.first(where: { $0.severity == .error }) {
                throw RunbookError.credentials(error.message)
            }
            guard let keys = inspection.credentials, let source = inspection.source else {
                throw RunbookError.credentials(
                    inspection.source == nil
                        ? "no AWS credentials found; run 'runbook creds' for details, or pass --no-credentials "
                            + "for a playbook that does not use AWS"
                        : "\(inspection.source?.summary ?? "this source") needs a network call (STS or its endpoint) to get credentials; "
                            + "run without --offline")
            }
            log("runbook: credentials: \(source.summary), key \(keys.maskedKeyId) (not verified: --offline), \(how)\n")
            return handover(keys, region: inspection.region, account: nil, endpoint: endpoint, refresher: nil)
                .with(arn: nil)
        }
        let resolved = try await credentials.resolve(options)
        // An MFA session cannot be renewed without a new code, so it is served until it expires.
        let refresher =
            endpoint && resolved.credentials.expiration != nil && resolved.mfa == nil
            ? CredentialRefresher(
                margin: context.settings.duration(.refreshMargin) ?? .seconds(900), now: context.system.now,
                resolve: { try await credentials.resolve(options) }) : nil
        let expiry = resolved.credentials.expiration.map { ", expire \(formatTimestamp($0))" } ?? ""
        if let mfa = resolved.mfa {
            log("runbook: MFA: \(mfa.summary)\n")
            if let warning = mfa.warning { log("runbook: warning: \(warning)\n") }
        }
        log(
            "runbook: credentials: \(resolved.source.summary), key \(resolved.credentials.maskedKeyId), "
                + "account \(resolved.identity.account) (\(resolved.identity.arn))\(expiry), \(how)"
                + (refresher != nil ? " and refreshed before they expire" : "")
                + (resolved.mfa != nil && endpoint
                    ? " (an MFA session is not renewed without a new code; a longer duration_seconds gives long runs more time)"
                    : "") + "\n")
        return handover(
            resolved.credentials, region: resolved.region, account: resolved.identity.account, endpoint: endpoint,
            refresher: refresher
        ).with(arn: resolved.identity.arn)
    }

    func handover(
        _ keys: AWSCredentials, region: RegionSetting?, account: String?, endpoint: Bool,
        refresher: CredentialRefresher?
    ) -> AWSHandover {
        guard endpoint else {
            return AWSHandover(
                variables: keys.environmentVariables(region: region), account: account, region: region?.name,
                keys: keys)
        }
        var variables: [String: String] = [:]
        if let region {
            variables["AWS_REGION"] = region.name
            variables["AWS_DEFAULT_REGION"] = region.name
        }
        return AWSHandover(
            variables: variables, served: ServedCredentials(keys, account: account), expiration: keys.expiration,
            refresher: refresher, account: account, region: region?.name, keys: keys)
    }
}
