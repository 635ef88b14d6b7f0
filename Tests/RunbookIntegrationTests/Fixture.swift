import Foundation
import Testing

/// Drives the built `runbook` binary the way a user does: arguments in; status, stdout, stderr out.
struct RunbookFixture {
    /// The result of one run of the binary.
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String

        /// Both streams, for messages.
        var output: String { standardOutput + standardError }
    }

    /// The built binary: `RUNBOOK_BINARY`, else `runbook` beside the test bundle in the build folder.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["RUNBOOK_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        var url = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("runbook")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/runbook")
    }

    /// Whether the tests run in CI, where nothing may be skipped for a missing service.
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// Runs the binary with `arguments` in `directory`, with `environment` replacing the listed variables.
    static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:],
        input: Data? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("rb-out-\(UUID().uuidString)")
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("rb-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        // Files, not pipes: a pipe that fills up while we wait would hang the child.
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let input {
            let inURL = FileManager.default.temporaryDirectory.appendingPathComponent("rb-in-\(UUID().uuidString)")
            try input.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}

@Suite struct BinaryTests {
    @Test func versionPrintsTheVersion() throws {
        let result = try RunbookFixture.run(["--version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("0.1.0"))
        #expect(result.standardOutput.range(of: #"image definition [0-9a-f]{16}"#, options: .regularExpression) != nil)
    }

    /// RunbookCore builds on FoundationEssentials alone and opens libcurl only for a request: the binary
    /// links neither full Foundation (ICU) nor FoundationNetworking nor libcurl, so none loads at start.
    @Test func linksNeitherFullFoundationNorLibcurl() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        process.arguments = [RunbookFixture.binary.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && output.contains("libyaml"), "\(output)")
        for library in ["libcurl", "libFoundation.so", "libFoundationNetworking", "libFoundationInternationalization"] {
            #expect(!output.contains(library), "runbook links \(library):\n\(output)")
        }
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsCoverEveryCommand(shell: String) throws {
        let result = try RunbookFixture.run(["--generate-completion-script", shell])
        #expect(result.status == 0)
        for command in ["apply", "plan", "validate", "creds", "image", "config", "init", "ci"] {
            #expect(result.standardOutput.contains(command), "\(shell) completion lacks \(command)")
        }
    }

    @Test func everyCommandHasHelp() throws {
        for command in ["apply", "plan", "validate", "creds", "image", "config", "init", "ci"] {
            let result = try RunbookFixture.run([command, "--help"])
            #expect(result.status == 0, "\(command) --help")
            #expect(result.standardOutput.contains("OVERVIEW:"), "\(command) --help has no overview")
        }
    }
}

@Suite struct WorkspaceCommandTests {
    @Test func initThenConfigShowsTheFileAsSource() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let created = try RunbookFixture.run(["init", dir.path, "--ci", "gitlab"])
        #expect(created.status == 0)
        #expect(created.standardOutput.contains("created  .gitlab-ci.yml"))
        let config = try RunbookFixture.run(
            ["config", "--workspace", dir.path],
            // The suite's own RUNBOOK_* (image binary, base image) removed: this run shows the defaults.
            environment: ["RUNBOOK_NETWORK": "host", "RUNBOOK_IMAGE_BINARY": nil, "RUNBOOK_BASE_IMAGE": nil])
        #expect(config.status == 0)
        #expect(config.standardOutput.contains("runbook.yml:5)"))
        // Lines are "key<padding>value  (source)"; the padding follows the longest key.
        let lines = config.standardOutput.split(separator: "\n").map { line in
            line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        #expect(lines.contains("network host (environment RUNBOOK_NETWORK)"))
        // Every key has a value or says what happens without one, with its source.
        #expect(!config.standardOutput.contains("unset"))
        #expect(lines.contains("pull_policy missing (default)"))
        let binary = RunbookFixture.binary.resolvingSymlinksInPath().path
        #expect(lines.contains("image_binary \(binary) (default: this runbook)"))
        let json = try RunbookFixture.run(["config", "--workspace", dir.path, "--format", "json"])
        let entries = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]]
        #expect(entries?.first { $0["key"] as? String == "image" }?["source"] as? String == dir.path + "/runbook.yml:5")
    }

    @Test func internalFailureIsExit70WithALineNeverOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("Playbooks"), withIntermediateDirectories: true)
        try Data("- hosts: localhost\n  tasks: []\n".utf8).write(to: dir.appendingPathComponent("Playbooks/site.yml"))
        let file = dir.appendingPathComponent("tmp-is-a-file")
        try Data().write(to: file)
        let result = try RunbookFixture.run(
            ["apply", "site", "--no-credentials", "--no-validate"], in: dir, environment: ["TMPDIR": file.path])
        #expect(result.status == 70)
        #expect(result.standardError.contains("runbook: error: cannot create the run's folder \(file.path)/runbook-"))
        #expect(result.standardError.contains("check TMPDIR"))
    }

    @Test func badSettingsFileExits64WithFileAndLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("image: x\nnetwrk: host\n".utf8).write(to: dir.appendingPathComponent("runbook.yml"))
        let result = try RunbookFixture.run(["config", "--workspace", dir.path])
        #expect(result.status == 64)
        #expect(result.standardError.contains("runbook.yml:2:1: unknown setting 'netwrk'; did you mean 'network'?"))
    }

    @Test func ciPrintsThePipelineWithTheConfiguredImage() throws {
        let result = try RunbookFixture.run(["ci", "bitbucket"], environment: ["RUNBOOK_IMAGE": "reg.local/ops/aws:7"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("image: reg.local/ops/aws:7"))
        let bad = try RunbookFixture.run(["ci", "jenkins"])
        #expect(bad.status == 64)
    }
}
