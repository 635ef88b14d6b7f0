import Foundation
import Testing

/// The real engine, image, moto and SSH host the apply tests use, as scripts/services/ left them.
enum ApplyEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    /// The image every apply test runs in, built once per test process.
    static let imageTag = "runbook-it/apply:test"

    /// In CI the apply tests must run (a missing engine fails them); locally they need a daemon.
    static var enabled: Bool { ImageEnvironment.engineAnswers || RunbookFixture.inCI }

    /// `runbook image build` once for the whole test process (not `ensure`: the runbook binary inside
    /// is not part of the content hash, and these tests want the binary just built in it).
    private static let built: (status: Int32, log: String) = {
        guard let result = try? ImageEnvironment.image(["build", "--tag", imageTag]) else { return (-1, "") }
        return (result.status, result.standardOutput + result.standardError)
    }()

    /// The image tag, after making sure it was built; fails the test otherwise.
    static func requireImage() throws -> String {
        if RunbookFixture.inCI {
            try #require(ImageEnvironment.engineAnswers, "CI must have a Docker engine (scripts/services/10-docker.sh)")
        }
        try #require(built.status == 0, "image build failed: \(built.log)")
        return imageTag
    }

    /// moto's plain endpoint.
    static func requireMoto() throws -> String {
        try #require(
            environment["RUNBOOK_TEST_MOTO_URL"], "RUNBOOK_TEST_MOTO_URL is not set (scripts/services/moto.sh)")
    }

    /// moto's signature-checking endpoint, with the keys its IAM knows and a role they may assume.
    struct MotoAuth {
        var url: String
        var keyId: String
        var secret: String
        var roleArn: String
    }

    static func requireMotoAuth() throws -> MotoAuth {
        func value(_ name: String) throws -> String {
            try #require(environment[name], "\(name) is not set (scripts/services/moto.sh)")
        }
        return MotoAuth(
            url: try value("RUNBOOK_TEST_MOTO_AUTH_URL"), keyId: try value("RUNBOOK_TEST_MOTO_AUTH_KEY_ID"),
            secret: try value("RUNBOOK_TEST_MOTO_AUTH_SECRET"), roleArn: try value("RUNBOOK_TEST_MOTO_AUTH_ROLE_ARN"))
    }

    /// The SSH test host from scripts/services/30-sshd-host.sh.
    struct SSHHost {
        var host: String
        var port: String
        var user: String
        var key: String
        var knownHosts: String
    }

    static func requireSSHHost() throws -> SSHHost {
        func value(_ name: String) throws -> String {
            try #require(environment[name], "\(name) is not set (scripts/services/30-sshd-host.sh)")
        }
        return SSHHost(
            host: try value("RUNBOOK_TEST_SSH_HOST"), port: try value("RUNBOOK_TEST_SSH_PORT"),
            user: try value("RUNBOOK_TEST_SSH_USER"), key: try value("RUNBOOK_TEST_SSH_KEY"),
            knownHosts: try value("RUNBOOK_TEST_SSH_KNOWN_HOSTS"))
    }

    /// The repository's root (for the example playbooks).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Fake keys moto accepts; the secret and token must never show up anywhere.
    static let accessKey = "AKIAIOSFODNN7EXAMPLE"
    static let secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let sessionToken = "FwoGZXIvYXdzEXAMPLE-session-token-3f6d2a9b"

    /// Runs boto3 code against moto (`ec2` is a client for the region); prints what the code prints.
    /// The keys go through the environment: a secret in this argv would show up in the ps test.
    static func boto3(_ body: String, region: String = "eu-west-2", endpoint: String? = nil) throws -> String {
        let script = """
            import boto3, sys
            ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name=sys.argv[2])
            \(body)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, try endpoint ?? requireMoto(), region]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["AWS_ACCESS_KEY_ID"] = accessKey
        environment["AWS_SECRET_ACCESS_KEY"] = secretKey
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        try #require(process.terminationStatus == 0, "boto3 against moto failed: \(text)")
        return text
    }

    /// Creates `count` running instances tagged `tags` in moto; returns their ids.
    static func createInstances(_ count: Int, tags: [String: String], region: String = "eu-west-2") throws -> [String] {
        let tagList = tags.map { "{\"Key\": \"\($0.key)\", \"Value\": \"\($0.value)\"}" }.joined(separator: ", ")
        let output = try boto3(
            """
            ami = ec2.describe_images()["Images"][0]["ImageId"]
            made = ec2.run_instances(ImageId=ami, MinCount=\(count), MaxCount=\(count), InstanceType="t3.micro",
                TagSpecifications=[{"ResourceType": "instance", "Tags": [\(tagList)]}])
            print(" ".join(i["InstanceId"] for i in made["Instances"]))
            """, region: region)
        return output.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// Containers this workspace's runs left (running or not).
    static func containers(of workspace: ApplyWorkspace) throws -> [String] {
        let listed = try ImageEnvironment.shell([
            "docker", "ps", "--all", "--quiet", "--filter", "label=runbook.managed=true",
            "--filter", "label=runbook.workspace=\(workspace.path)",
        ])
        return listed.output.split(separator: "\n").map(String.init)
    }
}

/// A temporary workspace (and a HOME beside it) for one apply test.
struct ApplyWorkspace {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-apply-\(UUID().uuidString)")
    var url: URL { root.appendingPathComponent("ws") }
    var home: URL { root.appendingPathComponent("home") }
    var path: String { url.path }

    /// Makes the workspace with `files` (relative path → contents).
    init(_ files: [String: String]) throws {
        for directory in [url, home] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        for (relative, text) in files { try write(relative, text) }
    }

    func write(_ relative: String, _ text: String, in base: URL? = nil, mode: Int? = nil) throws {
        let file = (base ?? url).appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path) }
    }

    func read(_ relative: String) -> String? {
        try? String(contentsOf: url.appendingPathComponent(relative), encoding: .utf8)
    }

    /// Puts `key` (when given) and a known_hosts into HOME/.ssh (which runbook mounts read-only).
    func installSSH(key: String?, knownHosts: String) throws {
        let ssh = home.appendingPathComponent(".ssh")
        try FileManager.default.createDirectory(at: ssh, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: ssh.path)
        if let key { try write("id_ed25519", try String(contentsOfFile: key, encoding: .utf8), in: ssh, mode: 0o600) }
        try write("known_hosts", knownHosts, in: ssh, mode: 0o644)
    }

    /// The environment for runbook: no inherited AWS_* or SSH agent, HOME here, the test image.
    func environment(_ extra: [String: String] = [:]) -> [String: String?] {
        var environment: [String: String?] = [:]
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("AWS_") {
            environment[name] = .some(nil)
        }
        environment["SSH_AUTH_SOCK"] = .some(nil)
        environment["HOME"] = home.path
        environment["RUNBOOK_IMAGE"] = ApplyEnvironment.imageTag
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        for (name, value) in extra { environment[name] = value }
        return environment
    }

    /// `runbook ARGUMENTS` in the workspace, to the end.
    func run(_ arguments: [String], _ extra: [String: String] = [:]) throws -> RunbookFixture.Result {
        try RunbookFixture.run(arguments, in: url, environment: environment(extra))
    }

    /// `runbook ARGUMENTS` in the workspace, started and left running.
    func launch(_ arguments: [String], _ extra: [String: String] = [:], prefix: [String] = []) throws
        -> LaunchedRunbook
    {
        try LaunchedRunbook(arguments, in: url, environment: environment(extra), prefix: prefix)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: root) }
}

/// A runbook process started in the background, its output going to files.
final class LaunchedRunbook {
    let process = Process()
    private let out = FileManager.default.temporaryDirectory.appendingPathComponent("rb-out-\(UUID().uuidString)")
    private let err = FileManager.default.temporaryDirectory.appendingPathComponent("rb-err-\(UUID().uuidString)")

    /// Starts `prefix + [runbook] + arguments` (a prefix such as `setpriv …` runs it as another user).
    init(_ arguments: [String], in directory: URL, environment: [String: String?], prefix: [String] = []) throws {
        if prefix.isEmpty {
            process.executableURL = RunbookFixture.binary
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: prefix[0])
            process.arguments = Array(prefix.dropFirst()) + [RunbookFixture.binary.path] + arguments
        }
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        for file in [out, err] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }

    var standardOutput: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }

    /// Polls until `condition` holds or `seconds` pass; returns whether it held.
    func waitFor(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            if !process.isRunning { return try condition() }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    /// Waits for the end (killing the process after `seconds`).
    func wait(seconds: Double = 300) -> RunbookFixture.Result {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return RunbookFixture.Result(
            status: process.terminationStatus, standardOutput: standardOutput, standardError: standardError)
    }
}
