import Foundation
import Synchronization
import Testing

@testable import RunbookCore

@Suite struct TargetTests {
    private func workspace(_ yaml: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("runbook.yml"))
        return dir.path
    }

    private func usageMessage(_ yaml: String) throws -> String {
        let ws = try workspace(yaml)
        do {
            _ = try Settings(workspace: ws, environment: [:])
        } catch let error as RunbookError {
            #expect(error.status == .usage)
            return error.message.replacingOccurrences(of: ws + "/", with: "")
        }
        Issue.record("no error for:\n\(yaml)")
        return ""
    }

    static let file = """
        profile: base
        region: us-east-1
        env: [SHARED]
        inventory: inventories/all
        targets:
          dev: &dev
            profile: dev
            region: eu-west-2
            expect_account: 123456789012
          prod-eu:
            <<: *dev
            role_arn: arn:aws:iam::111111111111:role/deploy
            expect_account: "111111111111"
            inventory: [inventories/prod, "web1,web2,"]
            limit: web
            env: [DATADOG_API_KEY, SHARED]
            extra_vars:
              stage: prod
              replicas: 3
              enabled: yes
              empty: ~
              quoted: "3"
              text: a, b
              list: [1, "two", {k: v}]
          bare:

        """

    @Test func targetsAreReadWithTheirSettingsLimitAndExtraVariables() throws {
        let ws = try workspace(Self.file)
        let settings = try Settings(workspace: ws, environment: [:])
        #expect(settings.targets.map(\.name) == ["dev", "prod-eu", "bare"])
        let prod = try #require(settings.targets.first { $0.name == "prod-eu" })
        // The merge key brings dev's values; prod-eu's own win.
        #expect(prod.settings[.profile]?.values == ["dev"])
        #expect(prod.settings[.region]?.values == ["eu-west-2"])
        #expect(prod.settings[.expectAccount]?.values == ["111111111111"])
        #expect(prod.settings[.inventory]?.values == ["inventories/prod", "web1,web2,"])
        #expect(prod.limit == "web")
        #expect(
            prod.extraVars == [
                #"{stage: prod, replicas: 3, enabled: yes, empty: null, quoted: "3", text: "a, b", list: [1, "two", {k: v}]}"#
            ])
        #expect(prod.location.line == 10)
        #expect(settings.targets.first { $0.name == "bare" }?.settings.isEmpty == true)
    }

    @Test func aTargetSitsBetweenTheFlagsAndTheEnvironment() throws {
        let ws = try workspace(Self.file)
        var flags = SettingFlags()
        flags.set(.region, "ap-south-1", flag: "--region")
        flags.set(.env, ["FROM_FLAG"], flag: "--env")
        let base = try Settings(workspace: ws, environment: ["RUNBOOK_PROFILE": "from-env"], flags: flags)
        #expect(base.string(.profile) == "from-env")
        let prod = try base.selecting(try #require(base.targets.first { $0.name == "prod-eu" }))
        #expect(prod.target?.name == "prod-eu")
        #expect(prod.string(.profile) == "dev")
        #expect(prod[.profile].source.description == "target prod-eu, \(ws)/runbook.yml:7")
        #expect(prod.string(.region) == "ap-south-1")
        #expect(prod.string(.roleArn) == "arn:aws:iam::111111111111:role/deploy")
        // env adds to the lower layers' names (once each), the flag adds to that.
        #expect(prod.list(.env) == ["SHARED", "DATADOG_API_KEY", "FROM_FLAG"])
        // Relative paths of a target are relative to the workspace; a host list stays whole.
        #expect(prod.paths(.inventory, home: "/h").first == ws + "/inventories/prod")
        let bare = try base.selecting(try #require(base.targets.first { $0.name == "bare" }))
        #expect(bare.string(.profile) == "from-env")
        #expect(bare.paths(.inventory, home: "/h") == [ws + "/inventories/all"])
    }

    @Test func selectionFollowsTheCommandLineAndAllMeansEveryTarget() throws {
        let targets = try Settings(workspace: try workspace(Self.file), environment: [:]).targets
        #expect(
            try Target.select(["bare", "dev", "bare"], from: targets, file: "runbook.yml").map(\.name) == [
                "bare", "dev",
            ])
        #expect(
            try Target.select(["all"], from: targets, file: "runbook.yml").map(\.name) == ["dev", "prod-eu", "bare"])
        #expect(try Target.select([], from: targets, file: "runbook.yml").isEmpty)
        #expect(throws: RunbookError.self) { try Target.select(["prod"], from: targets, file: "runbook.yml") }
        do {
            _ = try Target.select(["prod-e"], from: targets, file: "runbook.yml")
        } catch let error as RunbookError {
            #expect(error.status == .usage)
            #expect(error.message.contains("did you mean 'prod-eu'"))
            #expect(error.message.contains("targets: dev, prod-eu, bare, or all"))
        }
        do {
            _ = try Target.select(["dev"], from: [], file: "runbook.yml")
        } catch let error as RunbookError {
            #expect(error.message == "--target dev: runbook.yml defines no targets (add a targets: mapping)")
        }
    }

    @Test func badTargetsNameTheirPlace() throws {
        #expect(try usageMessage("targets: [dev]\n").hasPrefix("runbook.yml:1:10: targets must be a mapping"))
        #expect(try usageMessage("targets:\n  all: {}\n").hasPrefix("runbook.yml:2:3: target name 'all'"))
        #expect(try usageMessage("targets:\n  -x: {}\n").hasPrefix("runbook.yml:2:3: target name '-x'"))
        #expect(
            try usageMessage("targets:\n  dev: {}\n  dev: {}\n")
                == "runbook.yml:3:3: target 'dev' is defined twice (also at line 2)")
        #expect(try usageMessage("targets:\n  dev: web\n").hasPrefix("runbook.yml:2:8: target 'dev' must be a mapping"))
        let unknown = try usageMessage("targets:\n  dev:\n    regoin: eu-west-1\n")
        #expect(unknown.hasPrefix("runbook.yml:3:5: target 'dev' cannot set 'regoin'; did you mean 'region'?"))
        #expect(
            try usageMessage("targets:\n  dev:\n    image: x\n").hasPrefix(
                "runbook.yml:3:5: target 'dev' cannot set 'image'"))
        #expect(
            try usageMessage("targets:\n  dev:\n    profile: [a, b]\n")
                == "runbook.yml:3:14: setting 'profile' must be a string, not a list")
        #expect(
            try usageMessage("targets:\n  dev:\n    limit: {a: 1}\n").hasPrefix(
                "runbook.yml:3:12: limit of target 'dev' must be a host pattern"))
        #expect(
            try usageMessage("targets:\n  dev:\n    extra_vars: [[1]]\n").hasPrefix(
                "runbook.yml:3:18: items of extra_vars of target 'dev' must be strings or mappings"))
        #expect(try usageMessage("targtes: {}\n").contains("did you mean 'targets'?"))
    }

    @Test func limitsIntersectInAnsiblesPatternLanguage() throws {
        let names = ("of target t", "--limit")
        #expect(try HostLimit.intersect(nil, "web", names: names) == "web")
        #expect(try HostLimit.intersect("web", nil, names: names) == "web")
        #expect(try HostLimit.intersect("eu", "web1", names: names) == "eu,&web1")
        #expect(try HostLimit.intersect("eu:us:!db", "web", names: names) == "eu,us,&web,!db")
        #expect(try HostLimit.intersect("web", "eu:us:&prod", names: names) == "eu,us,&web,&prod")
        #expect(try HostLimit.intersect("all:!db", "web:app", names: names) == "web,app,!db")
        #expect(try HostLimit.intersect("@hosts.txt", "web", names: names) == "@hosts.txt,&web")
        #expect(throws: RunbookError.self) { try HostLimit.intersect("a:b", "c:d", names: names) }
        #expect(throws: RunbookError.self) { try HostLimit.intersect("@x", "@y", names: names) }
        // What the combined pattern selects is what both select, checked with runbook's own evaluator.
        let text = "[eu]\nweb1\ndb1\n[us]\nweb2\ndb2\n[web]\nweb1\nweb2\n[db]\ndb1\ndb2\n"
        let inventory = try #require(
            InventoryReader().parse(Array(text.utf8), path: "hosts.ini").matcher as? StaticInventory)
        let both = try #require(try HostLimit.intersect("eu:us:!db", "web", names: names))
        #expect(inventory.selectedHosts(both)?.sorted() == ["web1", "web2"])
        let one = try #require(try HostLimit.intersect("eu", "web:db", names: names))
        #expect(inventory.selectedHosts(one)?.sorted() == ["db1", "web1"])
    }

    @Test func severalTargetsGetTheirOwnFilesTheWorstStatusAndATable() {
        #expect(TargetRuns.fileName("results/runbook.xml", target: "prod") == "results/runbook.prod.xml")
        #expect(TargetRuns.fileName("out", target: "dev") == "out.dev")
        #expect(TargetRuns.fileName("/a.b/.hidden", target: "dev") == "/a.b/.hidden.dev")
        #expect(TargetRuns.worst([0, 2, 4]) == 4)
        #expect(TargetRuns.worst([77, 130, 250]) == 130)
        #expect(TargetRuns.worst([]) == 0)
        let table = TargetRuns.table([
            .init(target: "dev", account: "123456789012", status: 0, changed: 3, failed: 0),
            .init(target: "prod-eu", account: nil, status: 77, note: "wrong account"),
            .init(target: "qa", note: "not run: an earlier target failed"),
        ])
        #expect(
            table == """
                runbook: targets
                  target   account       exit  changed  failed
                  dev      123456789012  0     3        0
                  prod-eu  -             77    -        -       wrong account
                  qa       -             -     -        -       not run: an earlier target failed

                """)
    }

    @Test func aPrefixedConsolePrefixesEveryLine() {
        let written = Mutex<[String]>([])
        let console = Console { _, text in written.withLock { $0.append(text) } }.prefixed("[dev] ")
        console.err("one\ntwo\n")
        console.out("partial")
        console.line(OutputLine(.standardOutput, ""))
        #expect(written.withLock { $0 } == ["[dev] one\n[dev] two\n", "[dev] partial", "[dev] \n"])
    }
}
