import Foundation

/// `runbook apply`: validate → credentials → image ensure → run ansible-playbook (in the image, or
/// directly when runbook runs inside it) → results.
public struct ApplyPipeline: Sendable {
    /// Starts processes.
    public var runner: any ProcessRunning
    /// The environment (with runbook.yml settings layered under the `RUNBOOK_*` variables).
    public var environment: [String: String]
    /// Resolves credentials.
    public var credentials: CredentialResolver
    /// Writes runbook's own messages (to standard error).
    public var log: @Sendable (String) -> Void
    /// Receives ansible-playbook's output lines, already masked.
    public var output: @Sendable (OutputLine) -> Void

    /// Makes a pipeline.
    public init(
        runner: any ProcessRunning, environment: [String: String], credentials: CredentialResolver,
        log: @escaping @Sendable (String) -> Void, output: @escaping @Sendable (OutputLine) -> Void
    ) {
        self.runner = runner
        self.environment = environment
        self.credentials = credentials
        self.log = log
        self.output = output
    }

    /// Runs the pipeline. `image` ensures the image and returns its reference and engine; it is not
    /// called in in-image mode. Returns the run's outcome; throws RunbookError for runbook's own failures.
    public func run(
        _ request: ApplyRequest, image: @Sendable () async throws -> (reference: String, engine: ContainerEngine)
    ) async throws -> RunOutcome {
        let playbook = try PlaybookLocator(workspace: request.workspace).locate(request.playbook)
        let inventories = try resolveInventories(request)
        if !request.skipValidation { try validate(playbook: playbook, inventories: inventories, request: request) }

        let aws = try await resolveCredentials(request)
        var values = aws
        var names = Array(aws.keys)
        for name in request.passthroughNames {
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
        let secretNames = Set(["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] + request.passthroughNames)
        let masker = SecretMasker(secrets: secretNames.compactMap { values[$0] })

        var arguments = PlaybookArguments(playbook: playbook)
        arguments.inventories = inventories
        arguments.selection = request.selection

        let runID = Self.makeRunID()
        let support = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-\(runID)").path
        try FileManager.default.createDirectory(
            atPath: support, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: support) }

        let playbookRunner = PlaybookRunner(runner: runner, masker: masker, output: output)
        let outcome: RunOutcome
        if request.inImage {
            outcome = try await runDirect(
                arguments, support: support, runID: runID, values: values, request: request, runner: playbookRunner)
        } else {
            let (reference, engine) = try await image()
            outcome = try await runInContainer(
                arguments, reference: reference, engine: engine, support: support, runID: runID, names: names,
                values: values, request: request, runner: playbookRunner)
        }
        try writeReports(outcome, playbook: playbook, masker: masker, request: request)
        return outcome
    }

    /// Endpoint variables passed through when set (for emulators and VPC endpoints); not secret.
    public static let endpointVariables = [
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM",
        "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SSM",
    ]

    // MARK: - Steps

    private func resolveInventories(_ request: ApplyRequest) throws -> [String] {
        var given = request.inventories
        if given.isEmpty {
            let fallback = request.workspace + "/Inventory"
            if FileManager.default.fileExists(atPath: fallback) { given = [fallback] }
        }
        return try given.map { path in
            let absolute =
                path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            guard FileManager.default.fileExists(atPath: absolute) else {
                // A host list such as "web1,web2," is not a path.
                if path.contains(",") { return path }
                throw RunbookError.noInput("inventory '\(path)' not found")
            }
            return URL(fileURLWithPath: absolute).standardizedFileURL.path
        }
    }

    private func validate(playbook: String, inventories: [String], request: ApplyRequest) throws {
        let report = try PlaybookValidator(loadInventory: InventorySeam.load).validate(
            ValidationRequest(
                paths: [playbook], inventories: inventories.filter { !$0.contains(",") },
                workspace: request.workspace, currentDirectory: FileManager.default.currentDirectoryPath))
        let text = DiagnosticRenderer(format: .text).render(report.diagnostics, files: report.files)
        if !text.isEmpty { log(text) }
        if report.errorCount > 0 {
            throw RunbookError(
                .dataError,
                "\(playbook): \(report.errorCount) error(s) found by validation; fix them (or pass --no-validate)")
        }
    }

    private func resolveCredentials(_ request: ApplyRequest) async throws -> [String: String] {
        guard !request.skipCredentials else { return [:] }
        if request.offline {
            let inspection = await credentials.inspect(request.credentialOptions)
            if let error = inspection.findings.first(where: { $0.severity == .error }) {
                throw RunbookError.credentials(error.message)
            }
            guard let keys = inspection.credentials, let source = inspection.source else {
                throw RunbookError.credentials(
                    inspection.source == nil
                        ? "no AWS credentials found; run 'runbook creds' for details, or pass --no-credentials "
                            + "for a playbook that does not use AWS"
                        : "\(inspection.source?.summary ?? "this source") needs STS to get credentials; "
                            + "run without --offline")
            }
            log("runbook: credentials: \(source.summary), key \(keys.maskedKeyId) (not verified: --offline)\n")
            return keys.environmentVariables(region: inspection.region)
        }
        let resolved = try await credentials.resolve(request.credentialOptions)
        log(
            "runbook: credentials: \(resolved.source.summary), key \(resolved.credentials.maskedKeyId), "
                + "account \(resolved.identity.account) (\(resolved.identity.arn))\n")
        return resolved.environmentVariables
    }

    private func runInContainer(
        _ arguments: PlaybookArguments, reference: String, engine: ContainerEngine, support: String, runID: String,
        names: [String], values: [String: String], request: ApplyRequest, runner playbookRunner: PlaybookRunner
    ) async throws -> RunOutcome {
        let home = environment["HOME"] ?? NSHomeDirectory()
        var sshDirectory: String?
        var isDirectory: ObjCBool = false
        if request.mountSSHDirectory, FileManager.default.fileExists(atPath: home + "/.ssh", isDirectory: &isDirectory),
            isDirectory.boolValue
        {
            sshDirectory = home + "/.ssh"
        }
        let agent = environment["SSH_AUTH_SOCK"].flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        var plan = ApplyPlan(
            workspace: realPath(request.workspace) ?? request.workspace, image: reference, playbook: arguments,
            runID: runID, passthroughNames: names, supportDirectory: support, sshAuthSock: agent,
            sshDirectory: sshDirectory, network: engine.network, tty: request.tty, extraOptions: engine.extraOptions)
        let callbacks = UserCallbacks(workspace: plan.workspace, environment: environment, inImage: false)
        plan.userCallbacks = callbacks.enabled
        plan.userCallbackPaths = callbacks.paths
        plan.extraReadOnlyPaths = arguments.inventories.filter {
            !$0.contains(",") && !$0.hasPrefix(plan.workspace + "/") && $0 != plan.workspace
        }
        try plan.writeSupportFiles()
        let process = engine.run(plan.spec, environment: values)
        let name = plan.containerName
        let runner = self.runner
        let log = self.log
        let outcome = try await playbookRunner.run(process, eventsFile: plan.eventsFile, timeout: request.timeout) {
            log("runbook: stopping container \(name)\n")
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
        _ arguments: PlaybookArguments, support: String, runID: String, values: [String: String],
        request: ApplyRequest, runner playbookRunner: PlaybookRunner
    ) async throws -> RunOutcome {
        let plan = ApplyPlan(
            workspace: request.workspace, image: "", playbook: arguments, runID: runID, passthroughNames: [],
            supportDirectory: support)
        try plan.writeSupportFiles()
        let callbacks = UserCallbacks(workspace: request.workspace, environment: self.environment, inImage: true)
        var variables = ApplyPlan.callbackEnvironment(
            supportPath: support, tty: request.tty, userCallbacks: callbacks.enabled, userCallbackPaths: callbacks.paths
        )
        variables.merge(values) { _, new in new }
        let command = arguments.commandLine
        let process = ProcessSpec(
            command[0], Array(command.dropFirst()), environment: variables, workingDirectory: request.workspace)
        return try await playbookRunner.run(process, eventsFile: plan.eventsFile, timeout: request.timeout)
    }

    private func writeReports(
        _ outcome: RunOutcome, playbook: String, masker: SecretMasker, request: ApplyRequest
    ) throws {
        if let signal = outcome.signal {
            let stopped = request.inImage ? "ansible-playbook was stopped" : "the container was stopped and removed"
            log("runbook: stopped by signal \(signal); \(stopped)\n")
        } else if outcome.timedOut {
            log("runbook: the run took longer than --timeout and was stopped\n")
        }
        log(masker(outcome.summary.rendered()))
        if request.selection.check { log(masker(outcome.summary.renderedChanges())) }
        let reports = RunReports(
            summary: outcome.summary, events: outcome.events, playbook: playbook, exitStatus: outcome.status,
            masker: masker)
        do {
            if let path = request.jsonFile {
                try createParent(path)
                try reports.json().write(to: URL(fileURLWithPath: path))
            }
            if let path = request.junitFile {
                try createParent(path)
                try Data(reports.junit().utf8).write(to: URL(fileURLWithPath: path))
            }
        } catch {
            throw RunbookError(.cantCreate, "cannot write the results file: \(error.localizedDescription)")
        }
    }

    private func createParent(_ path: String) throws {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    }

    private static func makeRunID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<10).map { _ in alphabet.randomElement() ?? "x" })
    }
}
