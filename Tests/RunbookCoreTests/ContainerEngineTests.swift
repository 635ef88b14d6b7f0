import Foundation
import Testing

@testable import RunbookCore

@Suite struct ContainerEngineTests {
    @Test func buildArgvIsPlainAndOrdered() {
        let engine = ContainerEngine(kind: .docker, network: "host", extraOptions: ["--ulimit", "nofile=4096:4096"])
        let spec = engine.build(
            BuildRequest(
                context: "/ctx", idFile: "/tmp/iid", buildArguments: ["COLLECTIONS": "a.b", "BASE_IMAGE": "base:1"],
                labels: ["k": "v"]))
        #expect(spec.executable == "docker")
        #expect(
            spec.arguments == [
                "build", "--force-rm", "--iidfile", "/tmp/iid", "--network", "host", "--build-arg", "BASE_IMAGE=base:1",
                "--build-arg", "COLLECTIONS=a.b", "--label", "k=v", "--ulimit", "nofile=4096:4096", "/ctx",
            ])
    }

    @Test func runPassesEnvironmentByNameOnlyAndFillsInTheEnginesOptions() {
        let engine = ContainerEngine(kind: .podman, network: "host", extraOptions: ["--ulimit", "nofile=4096:4096"])
        var container = ContainerRunSpec(
            image: "img:1", workingDirectory: "/workspace", command: ["ansible-playbook", "site.yml"])
        container.environmentNames = ["AWS_SECRET_ACCESS_KEY"]
        container.mounts = [Mount("/w", at: "/workspace", readOnly: true)]
        let spec = engine.run(container, environment: ["AWS_SECRET_ACCESS_KEY": "s3cr3t"])
        #expect(spec.executable == "podman")
        #expect(
            spec.arguments == [
                "run", "--rm", "--workdir", "/workspace", "--network", "host", "--mount",
                "type=bind,source=/w,target=/workspace,readonly", "--env", "AWS_SECRET_ACCESS_KEY", "--ulimit",
                "nofile=4096:4096", "img:1", "ansible-playbook", "site.yml",
            ])
        #expect(!spec.arguments.contains { $0.contains("s3cr3t") })
        #expect(spec.environment["AWS_SECRET_ACCESS_KEY"] == "s3cr3t")
        // A spec's own network and options win over the engine's.
        container.network = "none"
        container.extraOptions = ["--pids-limit", "100"]
        let own = engine.run(container).arguments
        #expect(own.contains("none") && own.contains("--pids-limit") && !own.contains("--ulimit"))
    }

    @Test func stopAndListContainers() {
        let docker = ContainerEngine(kind: .docker)
        #expect(docker.stopContainer("runbook-x").arguments == ["stop", "--time", "10", "runbook-x"])
        #expect(
            docker.listContainers(named: "runbook-x").arguments == [
                "ps", "--all", "--quiet", "--filter", "name=^/?runbook-x$",
            ])
    }

    @Test func simpleCommands() {
        let docker = ContainerEngine(kind: .docker)
        #expect(docker.inspectImage("a:b").arguments == ["image", "inspect", "a:b"])
        #expect(docker.tag("x", "y").arguments == ["tag", "x", "y"])
        #expect(docker.push("r/a:b").arguments == ["push", "r/a:b"])
        #expect(docker.pull("r/a:b").arguments == ["pull", "r/a:b"])
        #expect(docker.removeImage("a:b").arguments == ["rmi", "a:b"])
        #expect(docker.removeContainer("c").arguments == ["rm", "--force", "c"])
        #expect(docker.probe().arguments == ["version", "--format", "{{.Server.Version}}"])
        #expect(ContainerEngine(kind: .podman).probe().arguments == ["info", "--format", "{{.Version.Version}}"])
    }
}

@Suite struct EngineDetectorTests {
    /// A PATH folder holding fake `docker` / `podman` executables.
    private func path(with names: [String]) throws -> String {
        let directory = try temporaryDirectory()
        for name in names {
            let file = directory.appendingPathComponent(name)
            try Data("#!/bin/sh\n".utf8).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        return directory.path
    }

    @Test func namedEngineNeedsNoProcess() async throws {
        let runner = RecordingRunner()
        let engine = try await EngineDetector(runner: runner, path: try path(with: ["podman"]))
            .resolve(kind: .podman, network: "host")
        #expect(engine.kind == .podman)
        #expect(engine.network == "host")
        #expect(runner.calls.isEmpty)
    }

    @Test func namedEngineMissingIsUnavailable() async throws {
        let detector = EngineDetector(runner: RecordingRunner(), path: try path(with: []))
        let error = await #expect(throws: RunbookError.self) { try await detector.resolve(kind: .docker) }
        #expect(error?.status == .unavailable)
        #expect(error?.message.contains("apt-get install docker.io") == true)
    }

    @Test func bothInstalledPicksTheOneThatAnswers() async throws {
        let runner = RecordingRunner([
            .call(["docker", "version"], status: 1, stderr: "Cannot connect to the Docker daemon"),
            .call(["podman", "info"], stdout: "4.3.1"),
        ])
        let engine = try await EngineDetector(runner: runner, path: try path(with: ["docker", "podman"]))
            .resolve(kind: nil)
        #expect(engine.kind == .podman)
        #expect(runner.unmet.isEmpty)
    }

    @Test func daemonDownSaysHowToStartIt() async throws {
        let runner = RecordingRunner([
            .call(["docker", "version"], status: 1, stderr: "Cannot connect to the Docker daemon at unix:///x")
        ])
        let error = await EngineDetector(runner: runner, path: "").unavailable(ContainerEngine(kind: .docker))
        #expect(error?.status == .unavailable)
        #expect(error?.message.contains("dockerd") == true)
        #expect(error?.cause?.contains("Cannot connect") == true)
    }
}
