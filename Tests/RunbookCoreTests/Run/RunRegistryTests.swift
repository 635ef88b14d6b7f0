import Foundation
import RunbookCore
import Testing

@testable import runbook

/// Run folders and containers of gone runbooks: told apart from live ones by host, pid and the
/// process's start time, removed by `ps --clean` and by apply.
@Suite struct RunRegistryTests {
    private let temporary: URL

    init() throws {
        temporary = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    /// The id of a process that has ended (and been reaped).
    private func gonePid() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    private func record(_ id: String, owner: RunOwner, container: String? = nil) throws {
        let record = RunRecord(
            runID: id, owner: owner, started: Date(timeIntervalSince1970: 1_800_000_000),
            playbook: "/ws/Playbooks/site.yml", workspace: "/ws", container: container)
        _ = try RunSupport.create(in: temporary.path, record: record)
    }

    @Test func ownersAreJudgedByPidAndStartTimeOnThisHostOnly() throws {
        let me = RunOwner.current()
        #expect(me.processStart > 0)
        #expect(me.isRunning() == true)
        #expect(RunOwner(host: me.host, pid: try gonePid(), processStart: 5).isRunning() == false)
        // The pid runs, but it is not the process that started then: the id was reused.
        #expect(RunOwner(host: me.host, pid: me.pid, processStart: me.processStart + 1).isRunning() == false)
        #expect(RunOwner(host: "another-host", pid: 1, processStart: 1).isRunning() == nil)
        #expect(RunOwner(labels: me.labels) == me)
        #expect(RunOwner(labels: ["runbook.run": "x"]) == nil)
    }

    @Test func onlyFoldersOfGoneRunsAreRemoved() throws {
        let me = RunOwner.current()
        try record("live000001", owner: me, container: "runbook-live000001")
        try record("gone000001", owner: RunOwner(host: me.host, pid: try gonePid(), processStart: 7))
        try record("away000001", owner: RunOwner(host: "ci-runner-7", pid: 1, processStart: 1))
        // No record (a folder being made, or another program's): never touched.
        try FileManager.default.createDirectory(
            at: temporary.appendingPathComponent("runbook-norecord"), withIntermediateDirectories: true)
        let registry = RunRegistry(temporaryDirectory: temporary.path)
        #expect(registry.folders().map(\.record.runID) == ["away000001", "gone000001", "live000001"])
        let removed = registry.removeLeftoverFolders()
        #expect(removed.map(\.record.runID) == ["gone000001"])
        let left = try FileManager.default.contentsOfDirectory(atPath: temporary.path).sorted()
        #expect(left == ["runbook-away000001", "runbook-live000001", "runbook-norecord"])
    }

    /// docker's and podman's `container inspect` differ in the name's slash; both carry labels and state.
    private func inspection(_ owner: RunOwner, name: String, state: String, slash: Bool = true) -> String {
        var labels = owner.labels
        labels["runbook.run"] = String(name.dropFirst("runbook-".count))
        labels["runbook.workspace"] = "/ws"
        labels["runbook.managed"] = "true"
        let text = labels.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ")
        return
            #"{"Name": "\#(slash ? "/" : "")\#(name)", "Config": {"Labels": {\#(text)}}, "State": {"Status": "\#(state)"}}"#
    }

    @Test func leftoverContainersAreThoseWhoseRunbookIsGone() async throws {
        let me = RunOwner.current()
        let gone = RunOwner(host: me.host, pid: try gonePid(), processStart: 9)
        let away = RunOwner(host: "ci-runner-7", pid: 1, processStart: 1)
        let json =
            "["
            + [
                inspection(me, name: "runbook-live000001", state: "running"),
                inspection(gone, name: "runbook-gone000001", state: "created", slash: false),
                inspection(away, name: "runbook-away000001", state: "running"),
            ].joined(separator: ",") + "]"
        let runner = RecordingRunner([
            .call(
                ["docker", "ps", "--all", "--quiet", "--no-trunc", "--filter", "label=runbook.managed=true"],
                stdout: "aaa\nbbb\nccc\n"),
            .call(["docker", "container", "inspect", "aaa", "bbb", "ccc"], stdout: json),
            .call(["docker", "rm", "--force", "runbook-gone000001"]),
        ])
        let registry = RunRegistry(temporaryDirectory: temporary.path)
        let removed = await registry.removeLeftoverContainers(engine: ContainerEngine(kind: .docker), runner: runner)
        #expect(removed == ["runbook-gone000001"])
        #expect(runner.unmet.isEmpty)
    }

    @Test func psListsLiveRunsNamesLeftoversAndCleanRemovesThem() async throws {
        let me = RunOwner.current()
        let gone = RunOwner(host: me.host, pid: try gonePid(), processStart: 9)
        try record("live000001", owner: me, container: "runbook-live000001")
        try record("gone000002", owner: gone)
        let bin = temporary.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try Data("#!/bin/sh\n".utf8).write(to: bin.appendingPathComponent("docker"))
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent("docker").path)
        let json =
            "[" + inspection(me, name: "runbook-live000001", state: "running") + ","
            + inspection(gone, name: "runbook-gone000003", state: "exited") + "]"
        func listing() -> [RecordingRunner.Expectation] {
            [
                .call(["docker", "ps", "--all", "--quiet", "--no-trunc"], stdout: "aaa bbb"),
                .call(["docker", "container", "inspect", "aaa", "bbb"], stdout: json),
            ]
        }
        let environment = [
            "HOME": temporary.path, "PATH": bin.path, "RUNBOOK_ENGINE": "docker", "TMPDIR": temporary.path,
        ]
        func ps(_ arguments: [String], _ runner: RecordingRunner) async -> (Int32, String, String) {
            let captured = CapturedConsole()
            let system = RunbookSystem(
                environment: environment, currentDirectory: "/ws", runner: runner, console: captured.console)
            let status = await Runbook.execute(["ps"] + arguments, system: system)
            return (status, captured.out, captured.err)
        }
        let listed = RecordingRunner(listing())
        let (status, out, err) = await ps([], listed)
        #expect(status == 0, "\(err)")
        let lines = out.split(separator: "\n")
        #expect(lines.count == 2, "\(out)")
        #expect(lines.first?.hasPrefix("RUN ") == true)
        #expect(lines.last?.contains("live000001") == true)
        #expect(lines.last?.contains("\(me.pid)") == true)
        #expect(lines.last?.contains("runbook-live000001 (running)") == true)
        #expect(lines.last?.hasSuffix("  Playbooks/site.yml") == true)
        #expect(err.contains("folder \(temporary.path)/runbook-gone000002"))
        #expect(err.contains("container runbook-gone000003 (exited)"))
        #expect(err.contains("runbook ps --clean"))
        #expect(FileManager.default.fileExists(atPath: temporary.path + "/runbook-gone000002"))

        let cleaning = RecordingRunner(
            listing() + listing() + [.call(["docker", "rm", "--force", "runbook-gone000003"])])
        let (cleanStatus, _, cleanErr) = await ps(["--clean", "--format", "json"], cleaning)
        #expect(cleanStatus == 0)
        #expect(cleaning.unmet.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: temporary.path + "/runbook-gone000002"))
        #expect(FileManager.default.fileExists(atPath: temporary.path + "/runbook-live000001"))
        #expect(cleanErr.isEmpty, "\(cleanErr)")
    }
}
