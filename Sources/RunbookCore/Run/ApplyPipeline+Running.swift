#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The run itself (in the container or in-image) and what follows it: history and reports.
extension ApplyPipeline {
    func runInContainer(
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
    func removeContainer(_ name: String, engine: ContainerEngine, stoppedEarly: Bool) async throws {
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

    func runDirect(
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
    func publish(_ recorder: RunRecorder, keys: AWSCredentials?, aws: AWSHandover) async {
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

    func writeReports(
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

    static func makeRunID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<10).map { _ in alphabet.randomElement() ?? "x" })
    }
}
