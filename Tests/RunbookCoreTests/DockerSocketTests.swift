import Foundation
import Testing

@testable import RunbookCore

/// When a warm `validate` may ask the daemon's socket instead of the docker CLI: only where the CLI
/// would talk to that same socket.
@Suite struct DockerSocketTests {
    private let folder: URL

    init() throws {
        folder = try temporaryDirectory()
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let docker = bin.appendingPathComponent("docker").path
        _ = FileManager.default.createFile(atPath: docker, contents: Data("#!/bin/sh\n".utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: docker)
    }

    private func socket(_ environment: [String: String], workspaceFile: String? = nil) throws -> String? {
        var variables = ["HOME": folder.path, "PATH": folder.path + "/bin"]
        variables.merge(environment) { _, new in new }
        if let workspaceFile {
            try Data(workspaceFile.utf8).write(to: folder.appendingPathComponent("runbook.yml"))
        }
        let system = RunbookSystem(
            environment: variables, currentDirectory: folder.path, runner: RecordingRunner(),
            console: CapturedConsole().console)
        return DockerSocket.forContext(try RunbookContext(system: system, workspace: folder.path))?.path
    }

    @Test func theDefaultSocketOrAUnixDockerHost() throws {
        #expect(try socket([:]) == "/var/run/docker.sock")
        #expect(try socket(["RUNBOOK_ENGINE": "docker"]) == "/var/run/docker.sock")
        #expect(try socket(["DOCKER_HOST": "unix:///run/user/1000/docker.sock"]) == "/run/user/1000/docker.sock")
    }

    @Test func anythingTheCLIWouldResolveOtherwiseIsLeftToIt() throws {
        #expect(try socket(["RUNBOOK_ENGINE": "podman"]) == nil)
        #expect(try socket(["DOCKER_HOST": "tcp://127.0.0.1:2375"]) == nil)
        #expect(try socket(["DOCKER_HOST": "ssh://build@host"]) == nil)
        #expect(try socket(["DOCKER_CONTEXT": "remote"]) == nil)
        #expect(try socket(["PATH": "/nonexistent"]) == nil)
        #expect(try socket(["RUNBOOK_ENGINE_OPTIONS": "--context=remote"]) == nil)
        let config = folder.appendingPathComponent("docker-config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try Data(#"{"currentContext": "colima"}"#.utf8).write(to: config.appendingPathComponent("config.json"))
        #expect(try socket(["DOCKER_CONFIG": config.path]) == nil)
        try Data(#"{"currentContext": "default", "auths": {}}"#.utf8).write(
            to: config.appendingPathComponent("config.json"))
        #expect(try socket(["DOCKER_CONFIG": config.path]) == "/var/run/docker.sock")
        try Data("not json".utf8).write(to: config.appendingPathComponent("config.json"))
        #expect(try socket(["DOCKER_CONFIG": config.path]) == nil)
    }

    @Test func aSocketNothingListensOnGivesNoAnswer() {
        #expect(DockerSocket(path: folder.path + "/none.sock").get("/_ping") == nil)
    }
}
