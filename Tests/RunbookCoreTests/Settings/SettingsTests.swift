import Foundation
import Testing

@testable import RunbookCore

@Suite struct SettingsTests {
    private func workspace(_ yaml: String?) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if let yaml { try Data(yaml.utf8).write(to: dir.appendingPathComponent("runbook.yml")) }
        return dir.path
    }

    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() throws {
        let ws = try workspace("image: file/image:1\nnetwork: bridge\ncollections: [amazon.aws]\n")
        var flags = SettingFlags()
        flags.set(.image, "flag/image:3", flag: "--tag")
        let withFlag = try Settings(workspace: ws, environment: ["RUNBOOK_IMAGE": "env/image:2"], flags: flags)
        #expect(withFlag[.image] == SettingValue(values: ["flag/image:3"], source: .flag("--tag")))
        let settings = try Settings(workspace: ws, environment: ["RUNBOOK_IMAGE": "env/image:2"])
        #expect(settings.string(.image) == "env/image:2")
        #expect(settings[.image].source == .environment("RUNBOOK_IMAGE"))
        #expect(settings.string(.network) == "bridge")
        #expect(settings[.network].source.description.hasSuffix("runbook.yml:2"))
        #expect(settings.list(.collections) == ["amazon.aws"])
        let empty = try Settings(workspace: ws + "/nowhere", environment: [:])
        #expect(empty[.image].source == .builtIn)
        #expect(empty.list(.collections) == ["amazon.aws", "community.aws", "community.general"])
    }

    @Test func everyKeyHasAValueOrSaysWhatHappensWithoutOne() throws {
        let settings = try Settings(workspace: try workspace(nil), environment: ["PATH": "/nonexistent"])
        for key in SettingKey.allCases {
            let value = settings[key]
            #expect(!value.values.isEmpty || value.note != nil || key.setting.isList, "\(key) has neither")
            #expect(value.source.isDefault)
        }
        let text = SettingsReport(settings).text
        #expect(!text.contains("unset"))
        #expect(text.split(separator: "\n").count == SettingKey.allCases.count)
        #expect(
            text.split(separator: "\n").contains { $0.hasPrefix("engine_options ") && $0.hasSuffix(" []  (default)") })
        let json = try JSONSerialization.jsonObject(with: Data(SettingsReport(settings).json.utf8)) as? [[String: Any]]
        #expect(json?.map { $0["key"] as? String } == SettingKey.allCases.map(\.rawValue))
        #expect(json?.first?["variable"] as? String == "RUNBOOK_IMAGE")
    }

    @Test func eachKindSplitsItsOwnWay() throws {
        let settings = try Settings(
            workspace: "/ws",
            environment: [
                "RUNBOOK_COLLECTIONS": "amazon.aws, community.aws community.general",
                "RUNBOOK_ENGINE_OPTIONS": "--ulimit nofile=1:1 '--label=a b' --mount=type=bind,src=/x,dst=/y",
                "RUNBOOK_INVENTORY": "hosts.ini, other.yml",
            ], file: [:])
        #expect(settings.list(.collections) == ["amazon.aws", "community.aws", "community.general"])
        #expect(
            settings.list(.engineOptions) == [
                "--ulimit", "nofile=1:1", "--label=a b", "--mount=type=bind,src=/x,dst=/y",
            ])
        #expect(settings.list(.inventory) == ["hosts.ini", "other.yml"])
        // One -i is one source: a host list keeps its commas.
        var flags = SettingFlags()
        flags.set(.inventory, ["web1,web2,"], flag: "-i")
        flags.set(.engineOptions, ["--mount=type=bind,src=/a,dst=/b"], flag: "--engine-option")
        let fromFlags = try Settings(workspace: "/ws", environment: [:], file: [:], flags: flags)
        #expect(fromFlags.list(.inventory) == ["web1,web2,"])
        #expect(fromFlags.list(.engineOptions) == ["--mount=type=bind,src=/a,dst=/b"])
    }

    @Test func pathsAreRelativeToTheWorkspaceInTheFileAndToTheCurrentDirectoryElsewhere() throws {
        let ws = try workspace("ca_bundle: certs/ca.pem\ninventory: [hosts.ini, ~/inv]\n")
        let fromFile = try Settings(workspace: ws, currentDirectory: "/elsewhere", environment: [:])
        #expect(fromFile.path(.caBundle, home: "/home/u") == ws + "/certs/ca.pem")
        #expect(fromFile.paths(.inventory, home: "/home/u") == [ws + "/hosts.ini", "/home/u/inv"])
        let fromVariable = try Settings(
            workspace: ws, currentDirectory: "/elsewhere", environment: ["RUNBOOK_CA_BUNDLE": "ca.pem"])
        #expect(fromVariable.path(.caBundle, home: "/home/u") == "/elsewhere/ca.pem")
    }

    @Test func envFlagsAddToTheSettingInsteadOfReplacingIt() throws {
        let ws = try workspace("env: [NEWRELIC_KEY]\n")
        var flags = SettingFlags()
        flags.set(.env, ["EXTRA", "NEWRELIC_KEY"], flag: "--env")
        let settings = try Settings(workspace: ws, environment: [:], flags: flags)
        #expect(settings.list(.env) == ["NEWRELIC_KEY", "EXTRA"])
        #expect(settings[.env].source.description.hasPrefix("flag --env + "))
        #expect(settings[.env].source.description.hasSuffix("runbook.yml:1"))
    }

    @Test func choicesAndBooleansAreCheckedWhereTheyWereSet() throws {
        let ws = try workspace("pull_policy: Never\n")
        let settings = try Settings(workspace: ws, environment: ["RUNBOOK_IN_IMAGE": "1", "RUNBOOK_ENGINE": "Podman"])
        #expect(settings.string(.pullPolicy) == "never")
        #expect(settings.bool(.inImage))
        #expect(settings.string(.engine) == "podman")
        let error = #expect(throws: RunbookError.self) {
            try Settings(workspace: ws, environment: ["RUNBOOK_PULL_POLICY": "sometimes"])
        }
        #expect(error?.status == .usage)
        #expect(error?.message.contains("RUNBOOK_PULL_POLICY=sometimes: pull_policy 'sometimes' is not one of") == true)
        var flags = SettingFlags()
        flags.set(.engine, "dokcer", flag: "--engine")
        let flagError = #expect(throws: RunbookError.self) {
            try Settings(workspace: ws, environment: [:], flags: flags)
        }
        #expect(
            flagError?.message.contains("--engine: engine 'dokcer' is not one of: docker, podman; did you mean") == true
        )
        #expect(throws: RunbookError.self) { try Settings(workspace: ws, environment: ["RUNBOOK_IN_IMAGE": "maybe"]) }
    }

    @Test(arguments: [
        ("imag: x\n", "runbook.yml:1:1: unknown setting 'imag'; did you mean 'image'?"),
        ("image: [a, b]\n", "runbook.yml:1:8: setting 'image' must be a string, not a list"),
        ("env: {a: b}\n", "runbook.yml:1:6: setting 'env' must be a list, not a mapping"),
        ("- image\n", "runbook.yml:1:1: runbook.yml must be a mapping of settings"),
        ("image: [\n", "runbook.yml:2:1:"),
        ("pull_policy: sometimes\n", "runbook.yml:1:14: pull_policy 'sometimes' is not one of"),
        ("in_image: true\n", "runbook.yml:1:1: unknown setting 'in_image'"),
    ])
    func badFilesAreUsageErrorsWithFileAndLine(yaml: String, expected: String) throws {
        let ws = try workspace(yaml)
        do {
            _ = try Settings(workspace: ws, environment: [:])
            Issue.record("no error for \(yaml)")
        } catch let error as RunbookError {
            #expect(error.status == .usage)
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    /// The README's settings table lists every key with its variable, so the docs cannot drift from the table.
    @Test func readmeListsEverySetting() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for key in SettingKey.allCases {
            let setting = key.setting
            let row = "| `\(setting.name)` | `\(setting.variable)` |"
            #expect(readme.contains(setting.inFile ? row : "| — | `\(setting.variable)` |"), "README lacks \(row)")
        }
    }
}
