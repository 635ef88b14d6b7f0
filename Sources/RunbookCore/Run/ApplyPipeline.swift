import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `runbook apply`: validate → credentials → image → run ansible-playbook (in the image's container,
/// or directly when runbook runs inside its image) → results.
public struct ApplyPipeline: Sendable {
    /// The settings, processes, output and environment of this run.
    public var context: RunbookContext
    /// The image step (not used in in-image mode).
    public var images: any ImageProviding

    /// Makes a pipeline; `images` defaults to ensuring the image for the context's settings.
    public init(context: RunbookContext, images: (any ImageProviding)? = nil) {
        self.context = context
        self.images = images ?? EnsuredImage(context)
    }

    private var environment: [String: String] { context.environment }
    private var runner: any ProcessRunning { context.runner }
    private func log(_ text: String) { context.console.err(text) }

    /// Runs the pipeline and returns the run's outcome; throws RunbookError for runbook's own failures.
    public func run(_ request: ApplyRequest) async throws -> RunOutcome {
        let settings = context.settings
        var request = request
        try request.selection.checkPassthrough()
        if let key = request.selection.privateKey {
            let path = Paths.absolute(
                Paths.expandingTilde(key, home: context.home), relativeTo: context.currentDirectory)
            guard Paths.isFile(path) else { throw RunbookError.noInput("--private-key \(key): no such file") }
            request.selection.privateKey = path
        }
        let playbook = try PlaybookLocator(workspace: context.workspace).locate(
            request.playbook, currentDirectory: context.currentDirectory)
        let inventories = try resolveInventories()
        let validated = request.skipValidation ? [] : try validate(playbook: playbook, inventories: inventories)
        let speed = AnsibleSpeed(
            enabled: settings.bool(.fast), mitogen: settings.bool(.mitogen), config: ansibleConfig(),
            environment: environment,
            forksFlag: request.selection.forks,
            hostCount: AnsibleSpeed.hostCount(inventories, limit: request.selection.limit))
        if let summary = speed.summary { log("runbook: \(summary)\n") }
        if request.idempotence && request.selection.check {
            throw RunbookError.usage(
                "--idempotence runs the playbook twice for real; it cannot be combined with --check")
        }

        // Passwords first, as ansible-playbook asks for them: a prompt without a terminal is a usage
        // error before anything slow (STS, the image) happens.
        let firstRunID = Self.makeRunID()
        let inImage = settings.bool(.inImage)
        let secretsFolder =
            inImage
            ? RunSupport.directory(in: context.temporaryDirectory, runID: firstRunID) + "/secrets"
            : PlaybookEntry.secretsFolder(home: ContainerUser().home)
        let secrets = try await request.secrets.resolve(context: context, folder: secretsFolder)

        let aws = try await resolveCredentials(request)
        var values = aws.variables
        var names = Array(aws.variables.keys)
        let passthrough = settings.list(.env)
        for name in passthrough {
            guard let value = environment[name] else {
                log("runbook: warning: --env \(name) is not set in runbook's environment; not passed\n")
                continue
            }
            values[name] = value
            names.append(name)
        }
        for name in Self.endpointVariables where environment[name] != nil && values[name] == nil {
            values[name] = environment[name]
            names.append(name)
        }
        let registry = RunRegistry(temporaryDirectory: context.temporaryDirectory)
        let leftovers = registry.removeLeftoverFolders()
        if !leftovers.isEmpty {
            log("runbook: removed \(leftovers.count) run folder(s) left by runbook processes that are gone\n")
        }
        let secretNames = Set(["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] + passthrough)
        let masker = SecretMasker(
            secrets: secretNames.compactMap { values[$0] } + secrets.values + (aws.served?.secrets ?? []))
        let latestKeys = LatestKeys(aws.keys)

        var arguments = PlaybookArguments(playbook: playbook)
        arguments.inventories = inventories.map(\.value)
        arguments.selection = request.selection
        arguments.secretArguments = secrets.arguments
        let handshake = PlaybookEntry.Handshake(files: secrets.files, credentials: aws.served).line
        let feed = InputFeed()
        let refresher = aws.refresher.map { refresher in
            let log = context.console
            return Task {
                await refresher.run(
                    expiration: aws.expiration ?? context.system.now(),
                    deliver: { fresh in
                        let served = ServedCredentials(fresh.credentials, account: fresh.identity.account)
                        masker.add(served.secrets)
                        latestKeys.set(fresh.credentials)
                        feed.send(PlaybookEntry.Update(credentials: served).line)
                    }, log: { log.err($0) })
            }
        }
        defer { refresher?.cancel() }

        let facts = await HistoryFacts.gather(
            context: context, playbook: playbook, inventories: inventories, request: request, aws: aws)
        var image: PreparedImage?
        // One run of ansible-playbook: its own id, folder, record in the history and container.
        // (The first run's folder lives to the end: in-image, the password files go into it.)
        let makeSupport = { (runID: String) throws -> (RunRecord, RunSupport) in
            let record = RunRecord(
                runID: runID, owner: .current(), started: context.system.now(), playbook: playbook,
                workspace: context.workspace, container: inImage ? nil : ContainerPlan.containerName(runID: runID))
            return (record, try RunSupport.create(in: context.temporaryDirectory, record: record))
        }
        let (firstRecord, firstSupport) = try makeSupport(firstRunID)
        defer { firstSupport.remove() }
        let execute = { (kind: String, parent: String?) async throws -> (RunOutcome, RunRecorder?) in
            let runID = parent == nil ? firstRunID : Self.makeRunID()
            let (record, support) = parent == nil ? (firstRecord, firstSupport) : try makeSupport(runID)
            defer { if parent != nil { support.remove() } }
            let recorder = facts.historyPath.flatMap { path in
                RunRecorder(
                    path: path,
                    run: facts.run(
                        id: runID, kind: kind, parent: parent, owner: record.owner,
                        started: record.started),
                    masker: masker, warn: { context.console.err($0) })
            }
            do {
                var playbookRunner = PlaybookRunner(
                    runner: self.runner, masker: masker, trapSignals: context.system.trapSignals,
                    output: { context.console.line($0) })
                if let recorder { playbookRunner.onEvent = { recorder.record($0) } }
                let outcome: RunOutcome
                if parent == nil && !request.skipValidation {
                    if !inImage && image == nil { image = try await images.prepare() }
                    try await checkModules(
                        playbook: playbook, inventories: inventories, image: image, reported: validated)
                }
                if inImage {
                    outcome = try await runDirect(
                        arguments, support: support, secretsFolder: secretsFolder, handshake: handshake, feed: feed,
                        vaultEnvironment: secrets.environment.merging(speed.variables) { old, _ in old },
                        values: values, request: request, runner: playbookRunner)
                } else {
                    if image == nil { image = try await images.prepare() }
                    guard let image else { throw RunbookError.software("the image step gave no image") }
                    recorder?.setImage(image)
                    outcome = try await runInContainer(
                        arguments, image: image, support: support, runID: runID, names: names, values: values,
                        inventories: inventories, handshake: handshake, feed: feed,
                        vaultEnvironment: secrets.environment, ansibleEnvironment: speed.variables,
                        request: request, runner: playbookRunner, owner: record.owner)
                }
                return (outcome, recorder)
            } catch let error as RunbookError {
                recorder?.finish(status: "error", exitStatus: error.status.rawValue, at: context.system.now())
                throw error
            } catch {
                recorder?.finish(status: "error", exitStatus: ExitStatus.software.rawValue, at: context.system.now())
                throw error
            }
        }

        let (first, firstRecorder) = try await execute(request.kind, nil)
        var finished = first
        finished.account = aws.account
        finished.runID = firstRunID
        var gate: IdempotenceGate?
        if request.idempotence, first.status == 0, first.signal == nil, !first.timedOut {
            log("runbook: idempotence: running \(Paths.display(playbook, from: context.workspace)) a second time\n")
            let (second, secondRecorder) = try await execute("idempotence", firstRunID)
            let checked = IdempotenceGate(second: second, runID: secondRecorder?.runID)
            gate = checked
            log(masker(checked.rendered()))
            finished.status = checked.status
            finished.signal = second.signal
            finished.timedOut = second.timedOut
            secondRecorder?.finish(
                status: checked.historyStatus, exitStatus: checked.status, at: context.system.now())
            if let secondRecorder { await publish(secondRecorder, keys: latestKeys.get(), aws: aws) }
        }
        firstRecorder?.finish(
            status: RunRecorder.status(of: first), exitStatus: first.status, at: context.system.now())
        if let firstRecorder {
            log("runbook: recorded as run \(firstRunID) in \(firstRecorder.store.path)\n")
            await publish(firstRecorder, keys: latestKeys.get(), aws: aws)
        }
        try writeReports(first, playbook: playbook, masker: masker, request: request, gate: gate)
        return finished
    }

    /// Endpoint variables passed through when set (for emulators and VPC endpoints); not secret.
    public static let endpointVariables = [
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM",
        "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SSM",
    ]

    // MARK: - Steps

    /// The `inventory` setting's sources: paths made absolute (flags and variables against the current
    /// directory, runbook.yml against the workspace) and checked, host lists kept as given.
    private func resolveInventories() throws -> [InventoryArgument] {
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
    private func ansibleConfig() -> AnsibleConfig {
        if let path = environment["ANSIBLE_CONFIG"], !path.isEmpty {
            return AnsibleConfig(path: Paths.absolute(path, relativeTo: context.currentDirectory))
        }
        return AnsibleConfig(path: context.workspace + "/ansible.cfg")
    }

    /// The static checks (without the image's index); their findings, for the second pass to skip.
    private func validate(playbook: String, inventories: [InventoryArgument]) throws -> Set<Diagnostic> {
        var request = ValidationRequest(
            paths: [playbook], inventories: inventories.compactMap(\.path), workspace: context.workspace,
            currentDirectory: context.currentDirectory, environment: environment)
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
    private func checkModules(
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
        var request = ValidationRequest(
            paths: [playbook], inventories: inventories.compactMap(\.path), workspace: context.workspace,
            currentDirectory: context.currentDirectory, environment: environment)
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

    private func resolveCredentials(_ request: ApplyRequest) async throws -> AWSHandover {
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

    private func handover(
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

    private func runInContainer(
        _ arguments: PlaybookArguments, image: PreparedImage, support: RunSupport, runID: String, names: [String],
        values: [String: String], inventories: [InventoryArgument], handshake: Data, feed: InputFeed,
        vaultEnvironment: [String: String], ansibleEnvironment: [String: String], request: ApplyRequest,
        runner playbookRunner: PlaybookRunner,
        owner: RunOwner
    ) async throws -> RunOutcome {
        let engine = image.engine
        let removed = await RunRegistry(temporaryDirectory: context.temporaryDirectory)
            .removeLeftoverContainers(engine: engine, runner: runner)
        if !removed.isEmpty {
            log(
                "runbook: removed container(s) left by runbook processes that are gone: \(removed.joined(separator: ", "))\n"
            )
        }
        let sshDirectory = context.home + "/.ssh"
        let agent = environment["SSH_AUTH_SOCK"].flatMap { Paths.exists($0) ? $0 : nil }
        let workspace = Paths.real(context.workspace) ?? context.workspace
        var plan = ContainerPlan(
            workspace: workspace, image: image.reference, playbook: arguments, runID: runID, passthroughNames: names,
            supportDirectory: support.directory, sshAuthSock: agent,
            sshDirectory: request.mountSSHDirectory && Paths.isFolder(sshDirectory) ? sshDirectory : nil,
            network: engine.network, tty: context.console.outputIsTerminal, extraOptions: engine.extraOptions)
        let callbacks = UserCallbacks(workspace: workspace, environment: environment, inImage: false)
        plan.vaultEnvironment = vaultEnvironment
        plan.ansibleEnvironment = ansibleEnvironment
        plan.owner = owner
        plan.userCallbacks = callbacks.enabled
        plan.userCallbackPaths = callbacks.paths
        plan.extraReadOnlyPaths = (inventories.compactMap(\.path) + [arguments.selection.privateKey].compactMap { $0 })
            .filter { !Paths.isInside($0, workspace) }
        try plan.writeSupportFiles()
        var process = engine.run(plan.spec, environment: values)
        process.input = handshake
        process.inputFeed = feed
        process.holdsInputOpen = true
        let name = plan.containerName
        let runner = self.runner
        let console = context.console
        let outcome = try await playbookRunner.run(process, eventsFile: plan.eventsFile, timeout: request.timeout) {
            console.err("runbook: stopping container \(name)\n")
            _ = try? await runner.capture(engine.stopContainer(name))
        }
        try await removeContainer(name, engine: engine, stoppedEarly: outcome.signal != nil || outcome.timedOut)
        return outcome
    }

    /// `--rm` removes the container on a normal exit; make sure after a signal or a crash of the client
    /// too. A signal can arrive while the daemon is still creating the container (the client is gone,
    /// the container appears later, never started, which `--rm` does not cover): then look again until
    /// no container of that name is left, for a few seconds.
    private func removeContainer(_ name: String, engine: ContainerEngine, stoppedEarly: Bool) async throws {
        let remove = engine.removeContainer(name)
        _ = try? await runner.capture(remove)
        guard stoppedEarly else { return }
        let list = engine.listContainers(named: name)
        var clearChecks = 0
        for _ in 0..<10 {
            try? await Task.sleep(for: .milliseconds(500))
            let left = try? await runner.capture(list)
            if left?.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? false {
                clearChecks += 1
                if clearChecks == 2 { return }
            } else {
                clearChecks = 0
                _ = try? await runner.capture(remove)
            }
        }
        log(
            "runbook: warning: container \(name) may be left behind; remove it with `\(engine.executable) rm -f \(name)`\n"
        )
    }

    private func runDirect(
        _ arguments: PlaybookArguments, support: RunSupport, secretsFolder: String, handshake: Data,
        feed: InputFeed, vaultEnvironment: [String: String], values: [String: String], request: ApplyRequest,
        runner playbookRunner: PlaybookRunner
    ) async throws -> RunOutcome {
        try support.write(user: nil)
        let callbacks = UserCallbacks(workspace: context.workspace, environment: environment, inImage: true)
        var variables = RunSupport.callbackEnvironment(
            supportPath: support.directory, tty: context.console.outputIsTerminal, userCallbacks: callbacks.enabled,
            userCallbackPaths: callbacks.paths)
        variables.merge(values) { _, new in new }
        variables.merge(vaultEnvironment) { _, new in new }
        // The same entry as in a container: passwords over standard input, held open to the end.
        let runbook = Paths.real("/proc/self/exe") ?? "runbook"
        var process = ProcessSpec(
            runbook, Array(arguments.entryCommand(runbook: runbook, secretsFolder: secretsFolder).dropFirst()),
            environment: variables, workingDirectory: context.workspace)
        process.input = handshake
        process.inputFeed = feed
        process.holdsInputOpen = true
        return try await playbookRunner.run(process, eventsFile: support.eventsFile, timeout: request.timeout)
    }

    /// Writes a finished run to the `history_store` (S3), when one is set; a failure is a warning.
    private func publish(_ recorder: RunRecorder, keys: AWSCredentials?, aws: AWSHandover) async {
        guard let store = context.settings.string(.historyStore), !store.isEmpty else { return }
        do {
            let location = try S3Location(store)
            guard let keys else {
                throw RunbookError.credentials("the run has no AWS credentials to write it with (--no-credentials)")
            }
            let client = try S3Client(
                location: location, credentials: keys, region: aws.region ?? "us-east-1",
                environment: environment, transport: context.system.transport)
            let key = try await S3HistoryStore(client: client).put(recorder.document())
            log("runbook: written to \(location.bucketURL)/\(key)\n")
        } catch {
            log("runbook: warning: the run was not written to the history store \(store): \(error)\n")
        }
    }

    private func writeReports(
        _ outcome: RunOutcome, playbook: String, masker: SecretMasker, request: ApplyRequest,
        gate: IdempotenceGate?
    ) throws {
        if let signal = outcome.signal {
            let stopped =
                context.settings.bool(.inImage)
                ? "ansible-playbook was stopped" : "the container was stopped and removed"
            log("runbook: stopped by signal \(signal); \(stopped)\n")
        } else if outcome.timedOut {
            log("runbook: the run took longer than --timeout and was stopped\n")
        }
        log(masker(outcome.summary.rendered()))
        if request.selection.check { log(masker(outcome.summary.renderedChanges())) }
        var reports = RunReports(
            summary: outcome.summary, events: outcome.events, playbook: playbook, exitStatus: outcome.status,
            masker: masker)
        reports.slice = request.selection.slice
        reports.target = request.target
        reports.idempotence = gate
        let files: [(path: String?, content: () throws -> Data)] = [
            (request.jsonFile, { try reports.json() }), (request.junitFile, { Data(reports.junit().utf8) }),
        ]
        for (path, content) in files {
            guard let path else { continue }
            let absolute = Paths.absolute(path, relativeTo: context.currentDirectory)
            do {
                try FileManager.default.createDirectory(
                    atPath: Paths.parent(absolute), withIntermediateDirectories: true)
                try content().write(to: URL(fileURLWithPath: absolute))
            } catch {
                throw RunbookError(.cantCreate, "cannot write the results file \(path): \(Formatting.reason(error))")
            }
        }
    }

    private static func makeRunID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<10).map { _ in alphabet.randomElement() ?? "x" })
    }
}

extension ApplyPipeline.AWSHandover {
    fileprivate func with(arn: String?) -> Self {
        var copy = self
        copy.arn = arn
        return copy
    }
}

/// The run's newest keys (the refresher replaces them), for writing the run to the S3 history store.
private final class LatestKeys: Sendable {
    private let keys: Mutex<AWSCredentials?>
    init(_ keys: AWSCredentials?) { self.keys = Mutex(keys) }
    func set(_ fresh: AWSCredentials) { keys.withLock { $0 = fresh } }
    func get() -> AWSCredentials? { keys.withLock { $0 } }
}
