import Foundation
import Testing

@testable import RunbookCore

/// Module and argument checks against an image index (a small fixture in the index's own format,
/// modelled on what build-index.py writes): each rule at its line:col, and no false error for any of
/// the ways arguments are written.
@Suite struct ModuleRulesTests {
    private let index: ImageIndex

    init() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/index/index", withExtension: "json"))
        index = try #require(ImageIndex.decode(try Data(contentsOf: url)))
    }

    private func request(
        for playbook: String, files: [String: String] = [:], index: ImageIndex? = nil
    ) throws -> ValidationRequest {
        let folder = try temporaryDirectory()
        try Data(playbook.utf8).write(to: folder.appendingPathComponent("site.yml"))
        for (name, text) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        var request = ValidationRequest(
            paths: [folder.appendingPathComponent("site.yml").path], workspace: folder.path,
            currentDirectory: folder.path, environment: ["HOME": folder.path])
        request.index = index ?? self.index
        return request
    }

    private func findings(
        _ playbook: String, files: [String: String] = [:], index: ImageIndex? = nil,
        rules: Set<String> = PlaybookChecker.ruleCodes
    ) throws -> [String] {
        try PlaybookValidator().validate(request(for: playbook, files: files, index: index)).diagnostics
            .filter { rules.contains($0.rule) }
            .map { "\($0.location.line):\($0.location.column) \($0.severity) \($0.rule)" }
    }

    @Test func eachRuleAtItsPlace() throws {
        let found = try findings(
            """
            - hosts: localhost
              tasks:
                - ansible.builtin.copyy:
                    src: a
                    dest: b
                - cisco.ios.ios_command:
                    commands: show version
                - ansible.builtin.file:
                    path: /tmp/x
                    stat: directory
                - ansible.builtin.file:
                    path: /tmp/x
                    state: folder
                - ansible.builtin.copy:
                    content: hi
                - ansible.builtin.apt:
                    name: nginx
                    update_cache: [true]
                - ec2_instance_info:
                    filters: {}
                - ansible.builtin.file: path=/tmp/x state=touch ownr=root
                - amazon.aws.ec2_instance:
                    network:
                      assign_public_ip: true
                      bogus: 1
                    volumes:
                      - size: 8
                - community.general.ali_instance_facts:
                - community.general.atomic_host:
                    revision: latest
                - amazon.aws.ec2_instanse:
                - pign:
                - weird.collection.thing:
            """)
        #expect(
            found == [
                "3:7 error unknown-module", "6:7 error collection-not-in-image", "10:9 error unknown-argument",
                "13:16 error argument-choice", "14:7 error missing-required-argument", "18:23 error argument-type",
                "19:7 warning redirected-module", "21:29 error unknown-argument", "25:11 error unknown-argument",
                "27:13 error missing-required-argument", "28:7 error removed-module", "29:7 warning deprecated-module",
                "31:7 error unknown-module", "32:7 error unknown-module", "33:7 error collection-not-in-image",
            ], "\(found)")
    }

    /// An argument indented as a task keyword (`msg:` beside `debug:`): Ansible rejects it as an
    /// invalid attribute; the index knows it is the module's argument. Without the index, or when the
    /// other key is no argument of the module, it stays conflicting-actions.
    @Test func anArgumentAtTaskLevelIsNamedAsOne() throws {
        let playbook = """
            - hosts: localhost
              tasks:
                - ansible.builtin.debug:
                  msg: hi
                - debug:
                  verbosity: 1
                - ansible.builtin.debug:
                  nonsense: 1
            """
        let report = try PlaybookValidator().validate(request(for: playbook))
        let found = report.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.rule)" }
        #expect(found == ["4:7 misplaced-argument", "6:7 misplaced-argument", "8:7 conflicting-actions"], "\(found)")
        #expect(
            report.diagnostics.first?.message
                == "'msg' is not a valid attribute for a Task; it is an argument of ansible.builtin.debug: "
                + "indent it under 'ansible.builtin.debug:'")
        var plain = try request(for: playbook)
        plain.index = nil
        #expect(
            try PlaybookValidator().validate(plain).diagnostics.map(\.rule)
                == Array(repeating: "conflicting-actions", count: 3))
    }

    @Test func everyWayOfWritingArgumentsIsAccepted() throws {
        let found = try findings(
            """
            - hosts: localhost
              collections: [amazon.aws]
              module_defaults:
                ansible.builtin.copy:
                  dest: /tmp/default
              tasks:
                - ansible.builtin.command: echo hi creates=/tmp/x
                - ansible.builtin.command:
                    cmd: echo hi
                    chdir: /tmp
                - command: echo hi
                - ansible.builtin.file: "{{ file_arguments }}"
                - ansible.builtin.file:
                  args: "{{ more }}"
                - ansible.builtin.file:
                    dest: /tmp/x
                    state: "{{ wanted }}"
                    recurse: "{{ deep | bool }}"
                - ansible.builtin.apt:
                    pkg: nginx
                    update-cache: yes
                    upgrade: true
                - ansible.builtin.copy:
                    content: defaults give dest
                - ansible.builtin.file:
                  args:
                    path: /tmp/y
                    state: touch
                - action: ansible.builtin.file path=/tmp/z state=touch
                - local_action:
                    module: ansible.builtin.file
                    path: /tmp/z
                    state: touch
                - ec2_instance:
                    name: web
                    volumes:
                      - device_name: /dev/sda1
                        size: 8
                - ansible.builtin.set_fact:
                    anything: goes
                - ansible.builtin.package:
                    name: nginx
                    update_cache: true
                - my_own_module:
                    whatever: 1
                - "{{ module_name }}":
                    x: 1
                - role_module:
                    anything: 1
                - ansible.builtin.file:
                    <<: &where
                      path: /tmp/merged
                    state: touch
            """,
            files: [
                "library/my_own_module.py": "# a module of the workspace\n",
                "roles/tools/library/role_module.py": "# a role's module, usable by the whole play\n",
            ])
        #expect(found.isEmpty, "\(found)")
    }

    /// The rules of the modules' own code (as build-index.py records them from their AnsibleModule
    /// call), judged in ansible-core's order and only where certain.
    @Test func crossArgumentRulesOfTheModulesCode() throws {
        let found = try findings(
            """
            - hosts: localhost
              tasks:
                - ansible.builtin.pip:
                    state: present
                - ansible.builtin.pip:
                    name: boto3
                    requirements: requirements.txt
                - ansible.builtin.yum_repository:
                    name: epel
                - ansible.builtin.yum_repository:
                    name: epel
                    baseurl: https://example.com/epel
                    description: EPEL
                - ansible.builtin.yum_repository:
                    name: epel
                    state: absent
                - ansible.builtin.group:
                    name: ops
                    non_unique: yes
                - ansible.builtin.group:
                    name: ops
                    non_unique: "no"
                - ansible.builtin.git:
                    repo: https://example.com/r.git
                    dest: /srv/r
                    archive_prefix: r/
                - ansible.builtin.debconf:
                    name: tzdata
                    setting: tzdata/Areas
                - ansible.builtin.lineinfile:
                    path: /etc/hosts
                    regex: ^127
                    search_string: "127"
                - ansible.builtin.uri:
                    url: https://example.com
                    body: a
                    src: b
                - amazon.aws.ec2_instance:
                    name: web
                    security_group: sg-1
                    tower_callback:
                      windows: false
                - community.general.bitbucket_access_key:
                    workspace: w
                    repository: r
                    key: k
                    label: l
                    client_id: abc
                    state: present
                - ansible.builtin.systemd_service:
                    state: restarted
                - ansible.builtin.systemd_service:
                    daemon_reload: true
                - ansible.builtin.pip:
                    name: "{{ packages | default(omit) }}"
                    requirements: requirements.txt
                - ansible.builtin.git:
                    repo: https://example.com/r.git
                    dest: /srv/r
                    bare: false
                    separate_git_dir: /srv/git
            """)
        #expect(
            found == [
                "3:7 error argument-required-one-of", "7:9 error mutually-exclusive-arguments",
                "8:7 error argument-required-if", "8:7 error argument-required-if", "19:9 error argument-required-if",
                "26:9 error argument-required-by", "27:7 error arguments-required-together",
                "33:9 error mutually-exclusive-arguments", "42:11 error argument-required-if",
                "51:9 error argument-required-by", "61:9 error mutually-exclusive-arguments",
            ], "\(found)")
        let messages = try PlaybookValidator().validate(
            request(
                for: """
                    - hosts: localhost
                      tasks:
                        - ansible.builtin.yum_repository:
                            name: epel
                        - ansible.builtin.debconf:
                            name: tzdata
                            setting: tzdata/Areas
                    """)
        ).diagnostics.map(\.message)
        #expect(
            messages == [
                "state is present but any of the following are missing (module ansible.builtin.yum_repository): "
                    + "baseurl, mirrorlist, metalink",
                "state is present but all of the following are missing (module ansible.builtin.yum_repository): "
                    + "description",
                "parameters are required together for module ansible.builtin.debconf: question, vtype, value "
                    + "(missing: vtype, value)",
            ], "\(messages)")
    }

    /// The index checks run on a second thread; the report is the one a single thread gives, finding for
    /// finding and in the same order, over every corpus playbook (with this index) and these fixtures.
    @Test func aSecondThreadGivesTheSameReport() throws {
        var paths: [String] = []
        var root = try temporaryDirectory().path
        if let corpus = Corpus.located {
            root = corpus.root.path
            paths = corpus.verdicts.map { corpus.root.appendingPathComponent($0.path).path }
        }
        let fixture = try request(
            for: """
                - hosts: localhost
                  tasks:
                    - ansible.builtin.pip:
                        state: present
                    - ansible.builtin.file: {path: /tmp/x, stat: directory}
                    - debug: msg="{{ x | nosuchfilter }}"
                """)
        for var request in [
            fixture,
            ValidationRequest(paths: paths, workspace: root, currentDirectory: root, environment: ["HOME": root]),
        ] where !request.paths.isEmpty {
            request.index = index
            var single = request
            single.deepChecksInParallel = false
            single.checkerThreads = 1
            var worker = request
            worker.checkerThreads = 1
            let sequential = try PlaybookValidator().validate(single)
            #expect(sequential.diagnostics.contains { PlaybookChecker.ruleCodes.contains($0.rule) })
            // One checker with the deep worker, and 2 or 3 checkers each checking whole playbooks.
            for threads in [1, 2, 3] {
                var other = threads == 1 ? worker : request
                other.checkerThreads = threads
                let report = try PlaybookValidator().validate(other)
                #expect(report.diagnostics == sequential.diagnostics, "\(threads) threads")
                #expect(report.files == sequential.files, "\(threads) threads")
            }
        }
    }

    /// module_defaults may give any argument: only `mutually_exclusive`, which looks at the task's own
    /// arguments, is still judged.
    @Test func moduleDefaultsLeaveOnlyMutualExclusionJudged() throws {
        let found = try findings(
            """
            - hosts: localhost
              module_defaults:
                ansible.builtin.pip:
                  requirements: requirements.txt
              tasks:
                - ansible.builtin.pip:
                    state: present
                - ansible.builtin.yum_repository:
                    name: epel
                - ansible.builtin.pip:
                    name: boto3
                    requirements: other.txt
            """)
        #expect(found == ["12:9 error mutually-exclusive-arguments"], "\(found)")
    }

    @Test func moduleDefaultsOfABlockOrRoleSpareRequiredArguments() throws {
        let found = try findings(
            """
            - hosts: localhost
              tasks:
                - block:
                    - ansible.builtin.copy:
                        content: hi
                  module_defaults:
                    ansible.builtin.copy:
                      dest: /tmp/d
                - ansible.builtin.copy:
                    content: hi
                  module_defaults:
                    ansible.builtin.copy:
                      dest: /tmp/d
                - ansible.builtin.copy:
                    content: missing dest
            """)
        #expect(found == ["14:7 error missing-required-argument"], "\(found)")
    }

    @Test func loopLookupsResolveAgainstTheIndex() throws {
        let found = try findings(
            """
            - hosts: localhost
              tasks:
                - ansible.builtin.debug: msg={{ item }}
                  with_file: [a]
                - ansible.builtin.debug: msg={{ item }}
                  with_fiel: [a]
                - ansible.builtin.debug: msg={{ item }}
                  with_cisco.ios.thing: [a]
                - ansible.builtin.debug: msg={{ item }}
                  with_mine: [a]
            """, files: ["lookup_plugins/mine.py": "# the workspace's own lookup\n"])
        #expect(found == ["6:7 error unknown-lookup", "8:7 error collection-not-in-image"], "\(found)")
    }

    @Test func filtersTestsAndLookupsInTemplatesResolveAgainstTheIndex() throws {
        let found = try findings(
            """
            - hosts: localhost
              tasks:
                - ansible.builtin.debug:
                    msg: "{{ x | to_json }} {{ x | default('a | b') | upper }} {{ y | json_query('a') }}"
                  when: x is defined and x is not match('a')
                - ansible.builtin.debug:
                    msg: "{{ x | to_jsn }}"
                - ansible.builtin.debug:
                    msg: "{{ address | ipaddr }}"
                - ansible.builtin.debug:
                    msg: "{{ lookup('env', 'HOME') }} {{ query('nope') }}"
                  when: x is mtch('a')
                - ansible.builtin.debug:
                    msg: "{%- filter upper %}hi{% endfilter %} {{ x | map('anything') }} {{ x | community.general.json_query('a') }}"
                - ansible.builtin.debug:
                    msg: "{% raw %}{{ x | not_a_filter }}{% endraw %}"
            """)
        #expect(
            found == [
                "7:14 error unknown-filter", "9:14 error collection-not-in-image", "11:14 error unknown-lookup",
                "12:13 error unknown-test",
            ], "\(found)")
        let local = try findings(
            "- hosts: localhost\n  tasks:\n    - ansible.builtin.debug:\n        msg: \"{{ x | mine }}\"\n",
            files: ["filter_plugins/mine.py": "# the workspace's own filters\n"])
        #expect(local.isEmpty, "\(local)")
    }

    @Test func jinjaLexemesKeepDottedNamesAndStrings() {
        var body = "a.b | ns.coll.f('x|y') is not none"
        let tokens = body.withUTF8 { bytes in jinjaLexemes(bytes).map { "\($0.kind) \($0.text(bytes))" } }
        #expect(
            tokens == [
                "name a.b", "symbol |", "name ns.coll.f", "symbol (", "string x|y", "symbol )", "name is", "name not",
                "name none",
            ])
    }

    @Test func templatePluginsAreFoundInEveryForm() {
        let checker = PlaybookChecker(settings: CheckerSettings(workspace: "/w", currentDirectory: "/w"))
        func named(_ body: String) -> [String] {
            checker.templatePlugins(in: body).map { "\($0.kind.rawValue) \($0.name)" }
        }
        // Dotted names run on after `|`; a string's escapes are not its end.
        #expect(
            named("x | ns.coll.a.b | default('q(\\'no\\')') is not ns.coll.t") == [
                "filter ns.coll.a.b", "filter default", "test ns.coll.t",
            ])
        // A statement's whitespace control, then its `filter` keyword.
        #expect(named("- filter upper") == ["filter upper"])
        #expect(named("x - filter upper") == [])
        // A method named lookup is not one; a lookup's name has its escapes reduced.
        #expect(
            named("x.lookup('a') + (x).lookup('b') + lookup('fi\\le') + q(\"env\") + query(name)") == [
                "lookup file", "lookup env",
            ])
        // Templated lookup names and a bare `is not` name nothing; an unterminated string runs to the end.
        #expect(named("lookup('{{ kind }}') is not") == [])
        #expect(named("x is 'a' | lookup('unterminated") == ["filter lookup", "lookup unterminated"])
        // Non-ASCII text is a symbol of its own (never part of a name); its spaces are skipped.
        #expect(named("x\u{00A0}| to_json | é") == ["filter to_json"])
    }

    @Test func collectionRolesAndPlaybooksAreJudgedByTheIndex() throws {
        let found = try findings(
            """
            - ansible.builtin.import_playbook: community.general.site
            - ansible.builtin.import_playbook: community.general.nope
            - ansible.builtin.import_playbook: cisco.ios.backup
            - hosts: localhost
              collections: [community.general]
              roles:
                - community.general.deploy
                - community.general.nosuch
                - cisco.ios.config
                - deploy
                - not_anywhere
            """, rules: PlaybookChecker.ruleCodes.union(["role-not-found"]))
        #expect(
            found == [
                "2:36 error playbook-not-in-image", "3:36 error collection-not-in-image",
                "8:7 error role-not-in-image", "9:7 error role-not-in-image", "11:7 error role-not-found",
            ], "\(found)")
    }

    /// Molecule runs a scenario's playbooks with its driver's modules on the library path: an unknown
    /// bare name there is not judged; a qualified one, and the arguments of a known one, still are.
    @Test func moleculeScenarioPlaybooksMayUseTheDriversModules() throws {
        let folder = try temporaryDirectory()
        let create = folder.appendingPathComponent("molecule/default/create.yml")
        try FileManager.default.createDirectory(
            at: create.deletingLastPathComponent(), withIntermediateDirectories: true)
        let playbook = """
            - hosts: localhost
              tasks:
                - vagrant: {instances: []}
                - community.general.vagrantt:
                - ansible.builtin.debug: {nope: 1}
            """
        try Data(playbook.utf8).write(to: create)
        for (path, expected) in [
            (create.path, ["4:7 unknown-module", "5:31 unknown-argument"]),
            (
                folder.appendingPathComponent("site.yml").path,
                ["3:7 unknown-module", "4:7 unknown-module", "5:31 unknown-argument"]
            ),
        ] {
            if !path.hasSuffix("create.yml") { try Data(playbook.utf8).write(to: URL(fileURLWithPath: path)) }
            var request = ValidationRequest(
                paths: [path], workspace: folder.path, currentDirectory: folder.path, environment: ["HOME": folder.path]
            )
            request.index = index
            let found = try PlaybookValidator().validate(request).diagnostics
                .filter { PlaybookChecker.ruleCodes.contains($0.rule) }
                .map { "\($0.location.line):\($0.location.column) \($0.rule)" }
            #expect(found == expected, "\(path): \(found)")
        }
    }

    /// ansible.cfg's `library` / `action_plugins` folders hold the modules they list, under any
    /// extension: a folder that is missing holds none; one named through a variable may hold anything.
    @Test func configuredLibraryFoldersHoldWhatTheyList() throws {
        let playbook = "- hosts: localhost\n  tasks:\n    - kube: {name: x}\n    - perl_thing:\n"
        let cases: [(config: String, files: [String: String], expected: [String])] = [
            ("library = ./library\n", [:], ["3:7 unknown-module", "4:7 unknown-module"]),
            (
                "library = lib/modules\naction_plugins = lib/action\n",
                ["lib/modules/kube.py": "#\n", "lib/action/perl_thing.pl": "#\n"], []
            ),
            ("library = $MODULES\n", [:], []),
        ]
        for (config, files, expected) in cases {
            let found = try findings(playbook, files: files.merging(["ansible.cfg": "[defaults]\n" + config]) { $1 })
                .map { $0.replacingOccurrences(of: " error", with: "") }
            #expect(found == expected, "\(config): \(found)")
        }
    }

    @Test func withoutAnIndexNothingIsJudged() throws {
        let folder = try temporaryDirectory()
        try Data("- hosts: localhost\n  tasks:\n    - ansible.builtin.copyy:\n".utf8)
            .write(to: folder.appendingPathComponent("site.yml"))
        let report = try PlaybookValidator().validate(
            ValidationRequest(
                paths: [folder.appendingPathComponent("site.yml").path], workspace: folder.path,
                currentDirectory: folder.path))
        #expect(report.diagnostics.filter { PlaybookChecker.ruleCodes.contains($0.rule) }.isEmpty)
    }

    @Test func theIndexIsCopiedOutOnceAndThenReadFromTheCache() async throws {
        let folder = try temporaryDirectory()
        let data = try Data(
            contentsOf: try #require(Bundle.module.url(forResource: "Fixtures/index/index", withExtension: "json")))
        let runner = RecordingRunner([
            .init(
                description: "docker run … cat /opt/runbook/index.json",
                matches: { $0.contains("cat") && $0.contains(ImageIndex.pathInImage) && $0.contains("sha256:abc") },
                answer: { _ in
                    (
                        ProcessOutput(
                            status: 0, standardOutput: String(decoding: data, as: UTF8.self), standardError: ""), []
                    )
                })
        ])
        let cache = ImageIndexCache(environment: ["XDG_CACHE_HOME": folder.path])
        let engine = ContainerEngine(kind: .docker, executable: "docker")
        let first = try await cache.index(image: "x:1", id: "sha256:abc", engine: engine, runner: runner)
        #expect(first?.origin == .copied && first?.index.modules.count == index.modules.count)
        #expect(cache.isCached("sha256:abc"))
        let second = try await cache.index(image: "x:1", id: "sha256:abc", engine: engine, runner: runner)
        #expect(second?.origin == .cached)
        #expect(runner.calls.count == 1 && runner.unmet.isEmpty)
        // The cache keeps each module's spec apart and decodes it on lookup: the same specs come back.
        let cached = try #require(second?.index)
        #expect(cached.modules.keys.sorted() == index.modules.keys.sorted())
        for name in index.modules.keys { #expect(cached.modules[name] == index.modules[name], "\(name)") }
        #expect(cached.routing == index.routing && cached.filters == index.filters)
        #expect(cached.modules["no.such.module"] == nil)
    }
}
