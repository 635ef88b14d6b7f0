import Foundation
import Testing

/// Every argument finding deep validation makes over the shared corpus (with the integration image's
/// index), each with what ansible itself says when a task like it runs in that image: one playbook
/// holds a task per finding (the corpus task's module and offending arguments), run for real.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct CorpusArgumentFindingsTests {
    /// A corpus finding and the task that reproduces it, with ansible's message for that task.
    struct Finding {
        var place: String
        var task: String
        var ansibleSays: String
    }

    static let findings: [Finding] = [
        Finding(
            place: "ansible-ansible-examples/language_features/file_secontext.yml:11:13 unknown-argument",
            task: "ansible.builtin.file: {path: /tmp/rb-exports, context: default}",
            ansibleSays: "Unsupported parameters for (ansible.builtin.file) module: context."),
        Finding(
            place: "ansible-ansible-examples/language_features/file_secontext.yml:18:13 unknown-argument",
            task: "ansible.builtin.file: {path: /tmp/rb-exports, context: default}",
            ansibleSays: "Unsupported parameters for (ansible.builtin.file) module: context."),
        Finding(
            place: "ansible-ansible-examples/mongodb/roles/common/tasks/main.yml:32:8 unknown-argument",
            task: "ansible.builtin.pip: {name: pymongo, state: latest, use_mirrors: 'no'}",
            ansibleSays: "Unsupported parameters for (ansible.builtin.pip) module: use_mirrors."),
        Finding(
            place:
                "ansible-ansible-examples/wordpress-nginx/roles/wordpress/tasks/main.yml:19:3 missing-required-argument",
            task: "ansible.builtin.get_url: {url: 'https://api.wordpress.org/secret-key/1.1/salt/'}",
            ansibleSays: "missing required arguments: dest"),
        Finding(
            place: "ansible-lint-examples/playbooks/example.yml:22:28 unknown-argument",
            task: "ansible.builtin.git: {version: a1b2c3d4, repo: xyz, bobbins: d}",
            ansibleSays: "Unsupported parameters for (ansible.builtin.git) module: bobbins."),
        Finding(
            place: "ansible-lint-examples/playbooks/noqa.yml:6:12 unknown-argument",
            task: "ansible.builtin.git: {repo: xyz, src: /path/to/git/repo, dest: checkout}",
            ansibleSays: "Unsupported parameters for (ansible.builtin.git) module: src."),
        Finding(
            place: "ansible-lint-examples/playbooks/package-check-failure.yml:27:9 mutually-exclusive-arguments",
            task: "ansible.builtin.apt: {name: sudo, state: latest, upgrade: true, only_upgrade: false}",
            ansibleSays: "parameters are mutually exclusive: deb|package|upgrade"),
        Finding(
            place: "ansible-lint-examples/playbooks/package-check-success.yml:28:9 mutually-exclusive-arguments",
            task: "ansible.builtin.apt: {name: sudo, state: latest, upgrade: true, only_upgrade: true}",
            ansibleSays: "parameters are mutually exclusive: deb|package|upgrade"),
        Finding(
            place: "ansible-lint-examples/playbooks/rule-args-module-fail.yml:7:7 missing-required-argument",
            task: "ansible.builtin.git: {dest: /home/www, accept_hostkey: true, version: master, update: false}",
            ansibleSays: "missing required arguments: repo"),
        Finding(
            place: "ansible-lint-examples/playbooks/rule-args-module-fail.yml:16:9 argument-required-by",
            task: "ansible.builtin.systemd: {enabled: true, masked: false}",
            ansibleSays: "missing parameter(s) required by 'enabled': name"),
        Finding(
            place: "ansible-lint-examples/playbooks/rule-args-module-fail.yml:17:9 argument-required-by",
            task: "ansible.builtin.systemd: {masked: false}",
            ansibleSays: "missing parameter(s) required by 'masked': name"),
        Finding(
            place: "ansible-lint-examples/playbooks/rule-args-module-fail.yml:22:9 unknown-argument",
            task: "ansible.builtin.systemd: {foo: true}",
            ansibleSays: "Unsupported parameters for (ansible.builtin.systemd) module: foo."),
        Finding(
            place: "ansible-lint-examples/playbooks/rule-args-module-fail.yml:28:9 unknown-argument",
            task: "ansible.builtin.setup: {foo: {bar: true}}",
            ansibleSays: "Unsupported parameters for (ansible.builtin.setup) module: foo."),
        Finding(
            place: "ansible-lint-examples/playbooks/rule-args-module-fail.yml:36:16 argument-choice",
            task: "ansible.builtin.file: {path: /opt/software/deployment, state: away, mode: '0600'}",
            ansibleSays: "value of state must be one of: absent, directory, file, hard, link, touch, got: away"),
        Finding(
            place: "ansible-lint-examples/playbooks/rule-jinja-fail.yml:9:13 unknown-argument",
            task: "ansible.builtin.debug: {foo: 1, msg: hi}",
            ansibleSays: "action.debug) module: foo."),
        // Ansible fails this one too, with an error of its own rather than a parameter message.
        Finding(
            place: "ansible-lint-examples/playbooks/rule-no-free-form-fail.yml:15:9 unknown-argument",
            task: "ansible.builtin.raw: {args: '123'}",
            ansibleSays: "'NoneType' object is not iterable"),
        Finding(
            place: "ansible-lint-examples/playbooks/rule-no-tabs.yml:15:9 unknown-argument",
            task: "ansible.builtin.debug: {\"ms\\tg\": x}",
            ansibleSays: "action.debug) module: ms\tg."),
        Finding(
            place: "ansible-lint-examples/playbooks/strict-mode.yml:6:7 missing-required-argument",
            task: "ansible.builtin.stat: {path2: x}",
            ansibleSays: "missing required arguments: path"),
        Finding(
            place: "ansible-lint-examples/playbooks/strict-mode.yml:7:9 unknown-argument",
            task: "ansible.builtin.stat: {path: /tmp, path2: x}",
            ansibleSays: "Unsupported parameters for (ansible.builtin.stat) module: path2."),
        Finding(
            place: "ansible-lint-examples/playbooks/tasks/directory with spaces/main.yml:3:3 missing-required-argument",
            task: "ansible.builtin.assert: {fail_msg: x}", ansibleSays: "missing required arguments: that"),
        Finding(
            place: "ansible-lint-examples/playbooks/tasks/included-with-lint.yml:3:3 missing-required-argument",
            task: "ansible.builtin.assert: {fail_msg: x}", ansibleSays: "missing required arguments: that"),
        Finding(
            place: "ansible-lint-examples/playbooks/tasks/simple_task.yml:3:3 missing-required-argument",
            task: "ansible.builtin.assert: {fail_msg: x}", ansibleSays: "missing required arguments: that"),
        Finding(
            place: "ansible-lint-examples/playbooks/transform-jinja.transformed.yml:13:13 unknown-argument",
            task: "ansible.builtin.debug: {foo: 1, msg: hi}", ansibleSays: "action.debug) module: foo."),
        Finding(
            place: "ansible-lint-examples/playbooks/transform-jinja.yml:13:13 unknown-argument",
            task: "ansible.builtin.debug: {foo: 1, msg: hi}", ansibleSays: "action.debug) module: foo."),
    ]

    static let argumentRules: Set<String> = [
        "unknown-argument", "missing-required-argument", "argument-type", "argument-choice",
        "mutually-exclusive-arguments", "arguments-required-together", "argument-required-one-of",
        "argument-required-if", "argument-required-by",
    ]

    /// The corpus: `$RUNBOOK_CORPUS`, else `../shared/corpus` beside the repository.
    static var corpus: URL? {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder =
            ProcessInfo.processInfo.environment["RUNBOOK_CORPUS"].map { URL(fileURLWithPath: $0) }
            ?? repository.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("verdicts.tsv").path)
            ? folder : nil
    }

    /// The corpus's verdicts table: a row of tab-separated columns per file, the header first.
    static func verdicts(_ corpus: URL) throws -> [[String]] {
        let table = try String(contentsOf: corpus.appendingPathComponent("verdicts.tsv"), encoding: .utf8)
        return table.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// Deep validation of every corpus file in one call, against `image`.
    static func deepDiagnostics(_ corpus: URL, image: String) throws -> [[String: Any]] {
        let files = try verdicts(corpus).dropFirst().compactMap(\.first)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("rb-corpus-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let result = try RunbookFixture.run(
            ["validate", "--image", image, "--format", "json"] + files, in: corpus,
            environment: ["XDG_CACHE_HOME": cache.path, "RUNBOOK_NETWORK": "host"])
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
            "\(result.standardError)")
        return try #require(json["diagnostics"] as? [[String: Any]])
    }

    /// The modules runbook finds no plugin for anywhere in the `ansible` package, beyond those the
    /// syntax-check with the package's collections names (which stops at a file's first error): each in
    /// a file that check rejects for something else first, or reaches only at run time.
    static let unknownBeyondSyntaxCheck: [String: String] = [
        "this_module_does_not_exist": "ansible-lint-examples/playbooks/4114: after the missing role it rejects first",
        "zuul_return": "ansible-lint-examples mocks it through its own config; Ansible has no such module",
        "funny": "ansible-lint-examples/playbooks/tasks/x.yml, a tasks file reached by a dynamic include",
        "textfsm_parser": "a module of the ansible-network.network-engine role, which is not installed",
    ]

    /// Module names: every one the syntax-check with the `ansible` package's collections cannot
    /// resolve is reported (unknown, removed, or from a collection the image leaves out), and runbook
    /// calls no other module unknown than those and the few listed above.
    @Test func everyModuleAnsibleCannotResolveIsReported() throws {
        let image = try ApplyEnvironment.requireImage()
        let corpus = try #require(Self.corpus, "the shared corpus is missing (set RUNBOOK_CORPUS)")
        let rows = try Self.verdicts(corpus)
        let column = try #require(rows.first?.firstIndex(of: "syntax_check_error_with_collections"))
        let unresolved = Set(
            rows.dropFirst().compactMap { row -> String? in
                guard row.count > column, let start = row[column].range(of: "couldn't resolve module/action '"),
                    let end = row[column][start.upperBound...].firstIndex(of: "'")
                else { return nil }
                return String(row[column][start.upperBound..<end])
            })
        #expect(unresolved.count > 10)
        let diagnostics = try Self.deepDiagnostics(corpus, image: image)
        let moduleFindings = diagnostics.filter {
            ["unknown-module", "removed-module", "collection-not-in-image"].contains($0["rule"] as? String ?? "")
        }
        for name in unresolved.sorted() {
            #expect(
                moduleFindings.contains { ($0["message"] as? String ?? "").contains("'\(name)'") },
                "ansible cannot resolve '\(name)', and runbook does not say so")
        }
        let unknown = Set(
            moduleFindings.filter { $0["rule"] as? String == "unknown-module" }.compactMap { entry -> String? in
                let message = entry["message"] as? String ?? ""
                guard let start = message.range(of: "module/action '"),
                    let end = message[start.upperBound...].firstIndex(of: "'")
                else { return nil }
                return String(message[start.upperBound..<end])
            })
        #expect(unknown.subtracting(unresolved) == Set(Self.unknownBeyondSyntaxCheck.keys), "\(unknown.sorted())")
    }

    @Test func everyArgumentFindingIsOneAnsibleRejects() throws {
        let image = try ApplyEnvironment.requireImage()
        let corpus = try #require(Self.corpus, "the shared corpus is missing (set RUNBOOK_CORPUS)")
        let diagnostics = try Self.deepDiagnostics(corpus, image: image)
        let found = diagnostics.compactMap { entry -> String? in
            guard let rule = entry["rule"] as? String, Self.argumentRules.contains(rule),
                let file = entry["file"] as? String, let line = entry["line"] as? Int,
                let column = entry["column"] as? Int
            else { return nil }
            return "\(file):\(line):\(column) \(rule)"
        }
        #expect(found.sorted() == Self.findings.map(\.place).sorted(), "\(found.joined(separator: "\n"))")

        // Ansible, in the same image, fails a task like each of them, with the message listed.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rb-findings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var playbook = "- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n"
        for (number, finding) in Self.findings.enumerated() {
            playbook += "    - {name: finding-\(number), ignore_errors: true, \(finding.task)}\n"
        }
        try Data(playbook.utf8).write(to: folder.appendingPathComponent("findings.yml"))
        let real = try ImageEnvironment.shell([
            "docker", "run", "--rm", "--network", "none", "--env", "HOME=/tmp", "--env", "ANSIBLE_NOCOLOR=1",
            "--volume", "\(folder.path):/findings:ro", image, "ansible-playbook", "-i", "localhost,",
            "/findings/findings.yml",
        ])
        #expect(
            real.output.contains("failed=0") && real.output.contains("ignored=\(Self.findings.count)"),
            "\(real.output)")
        let sections = real.output.components(separatedBy: "TASK [finding-").dropFirst()
        #expect(sections.count == Self.findings.count, "\(real.output)")
        for (number, section) in sections.enumerated() where number < Self.findings.count {
            let finding = Self.findings[number]
            #expect(section.hasPrefix("\(number)]"), "\(section)")
            #expect(section.contains(finding.ansibleSays), "\(finding.place): \(section)")
        }
    }
}
