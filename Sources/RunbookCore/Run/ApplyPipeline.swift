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

    var environment: [String: String] { context.environment }
    var runner: any ProcessRunning { context.runner }
    func log(_ text: String) { context.console.err(text) }

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
}

extension ApplyPipeline.AWSHandover {
    func with(arn: String?) -> Self {
        var copy = self
        copy.arn = arn
        return copy
    }
}

/// The run's newest keys (the refresher replaces them), for writing the run to the S3 history store.
final class LatestKeys: Sendable {
    private let keys: Mutex<AWSCredentials?>
    init(_ keys: AWSCredentials?) { self.keys = Mutex(keys) }
    func set(_ fresh: AWSCredentials) { keys.withLock { $0 = fresh } }
    func get() -> AWSCredentials? { keys.withLock { $0 } }
}
