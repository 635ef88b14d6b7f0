import Foundation
import Testing

@testable import RunbookCore

/// Patterns of real team repositories that runbook must judge as Ansible does, each in a workspace
/// written for the test.
@Suite struct RepositoryPatternTests {
    private let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rb-repo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    private func write(_ files: [String: String]) throws {
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    private func validate(
        _ paths: [String], inventories: [String] = [], environment: [String: String] = [:],
        requirementsInImage: Bool = false, index: ImageIndex? = nil, threads: Int? = nil
    ) throws -> ValidationReport {
        var request = ValidationRequest(
            paths: paths, inventories: inventories, workspace: root.path, currentDirectory: root.path,
            environment: environment)
        request.requirementsInImage = requirementsInImage
        request.index = index
        request.checkerThreads = threads
        return try PlaybookValidator().validate(request)
    }

    private func findings(_ report: ValidationReport) -> [String] {
        findings(report.diagnostics)
    }

    private func findings(_ diagnostics: some Sequence<Diagnostic>) -> [String] {
        diagnostics.map { "\($0.location.file):\($0.location.line):\($0.location.column) \($0.rule)" }
    }

    /// A playbook another imports is also checked on its own when given (or found) itself, as
    /// ansible-playbook would run it: what the importer's earlier plays create does not hide its
    /// findings, whatever the order of the paths and however many threads check them.
    @Test func aPlaybookIsJudgedOnItsOwnWhoeverImportsItAndInAnyOrder() throws {
        try write([
            "hosts.ini": "[web]\nw1\n",
            "setup.yml": """
            - hosts: web
              tasks:
                - ansible.builtin.add_host: {name: db1, groups: fresh}
            - ansible.builtin.import_playbook: fresh.yml
            """,
            "fresh.yml": "- hosts: fresh\n  tasks:\n    - ansible.builtin.ping:\n",
        ])
        var reports: [[String]] = []
        for paths in [["setup.yml", "fresh.yml"], ["fresh.yml", "setup.yml"]] {
            for threads in [1, 2] {
                reports.append(findings(try validate(paths, inventories: ["hosts.ini"], threads: threads)))
            }
        }
        #expect(reports[0] == ["fresh.yml:1:10 hosts-no-match"], "\(reports[0])")
        #expect(reports.allSatisfy { $0 == reports[0] }, "\(reports)")
    }

    @Test func metaDependencyLoopNamesTheChainWithEachLink() throws {
        try write([
            "site.yml": "- hosts: all\n  roles:\n    - a\n",
            "roles/a/meta/main.yml": "dependencies:\n  - role: b\n",
            "roles/b/meta/main.yml": "dependencies:\n  - c\n",
            "roles/c/meta/main.yml": "dependencies:\n  - a\n",
        ])
        let report = try validate(["site.yml"])
        let cycle = try #require(report.diagnostics.first { $0.rule == "role-dependency-cycle" })
        #expect(cycle.message.contains("a → b → c → a"))
        #expect(cycle.message.contains("roles/a/meta/main.yml:2, roles/b/meta/main.yml:2, roles/c/meta/main.yml:2"))
        #expect(cycle.location.file == "roles/c/meta/main.yml")
        #expect(report.diagnostics.count == 1)
    }

    @Test func includeRoleBackIntoTheRoleIsNotACycleButAnImportedDependencyIs() throws {
        try write([
            "site.yml": "- hosts: all\n  roles:\n    - app\n",
            "roles/app/tasks/main.yml": "- ansible.builtin.include_role:\n    name: app\n    tasks_from: install\n",
            "roles/app/tasks/install.yml":
                "- ansible.builtin.import_role:\n    name: app\n    tasks_from: configure\n",
            "roles/app/tasks/configure.yml":
                "- ansible.builtin.include_role:\n    name: app\n    tasks_from: install\n",
        ])
        #expect(findings(try validate(["site.yml"])) == [])
    }

    @Test func includeKeywordsFollowInvalidTaskAttributeFailed() throws {
        try write([
            "site.yml": "- hosts: all\n  tasks:\n    - include_tasks: more.yml\n      become: true\n",
            "more.yml": "- ansible.builtin.debug: msg=hi\n",
        ])
        let strict = try validate(["site.yml"])
        #expect(strict.diagnostics.map(\.severity) == [.error])
        #expect(
            strict.diagnostics.first?.message.hasPrefix("'become' is not a valid attribute for a TaskInclude") == true)
        let relaxed = try validate(["site.yml"], environment: ["ANSIBLE_INVALID_TASK_ATTRIBUTE_FAILED": "false"])
        #expect(relaxed.diagnostics.map(\.severity) == [.warning])
        try write(["ansible.cfg": "[defaults]\ninvalid_task_attribute_failed = False\n"])
        #expect(try validate(["site.yml"]).diagnostics.map(\.severity) == [.warning])
    }

    @Test func missingHandlerFollowsErrorOnMissingHandler() throws {
        try write(["site.yml": "- hosts: all\n  tasks:\n    - ansible.builtin.command: date\n      notify: restart\n"])
        #expect(try validate(["site.yml"]).diagnostics.map(\.severity) == [.error])
        let relaxed = try validate(["site.yml"], environment: ["ANSIBLE_ERROR_ON_MISSING_HANDLER": "no"])
        #expect(relaxed.diagnostics.map(\.severity) == [.warning])
        #expect(
            relaxed.diagnostics.first?.message.hasSuffix("(error_on_missing_handler is off: Ansible only warns)")
                == true)
        try write(["ansible.cfg": "[defaults]\nerror_on_missing_handler = False\n"])
        #expect(try validate(["site.yml"]).diagnostics.map(\.severity) == [.warning])
        // The environment wins over ansible.cfg, as in Ansible.
        let forced = try validate(["site.yml"], environment: ["ANSIBLE_ERROR_ON_MISSING_HANDLER": "true"])
        #expect(forced.diagnostics.map(\.severity) == [.error])
    }

    @Test func iniInventoryNamedYml() throws {
        try write([
            "inventory/hosts.yml": "[web]\nweb1 ansible_host=10.0.0.1\n\n[db]\ndb1\n",
            "inventories/prod/hosts.yaml": "[app]\napp1\n",
            "molecule/default/inventory/hosts.yml": "[molecule]\ninstance\n",
            "site.yml": "- hosts: web\n  tasks: []\n- hosts: nosuch\n  tasks: []\n",
        ])
        let report = try validate(["site.yml"], inventories: ["inventory/hosts.yml"])
        #expect(findings(report) == ["site.yml:3:10 hosts-no-match"])
        // A folder walk leaves inventory folders to -i instead of judging their files as playbooks.
        let walk = try validate(["."])
        #expect(!walk.files.contains { $0.contains("inventor") })
        #expect(!findings(walk).contains { $0.contains("inventor") })
        // A .yml that is neither YAML nor INI is still reported, with the YAML error.
        try write(["broken.yml": "[web\nweb1: [\n"])
        let broken = try validate(["site.yml"], inventories: ["broken.yml"])
        #expect(broken.diagnostics.contains { $0.location.file == "broken.yml" && $0.severity == .error })
    }

    @Test func hostsNoMatchOncePerPlayAndOnlyForNamesNothingHas() throws {
        try write([
            "hosts.ini": "[web]\nweb1\n[empty]\n[db]\n",
            "site.yml": """
            - hosts: [web, typo1]
              tasks: []
            - hosts: [typo2, typo3]
              tasks: []
            - hosts: empty
              tasks: []
            - hosts: localhost
              tasks:
                - ansible.builtin.add_host:
                    name: 10.0.0.5
                    groups: launched
            - hosts: launched
              tasks: []
            - hosts: web:&db
              tasks: []

            """,
        ])
        let report = try validate(["site.yml"], inventories: ["hosts.ini"])
        #expect(findings(report) == ["site.yml:3:10 hosts-no-match"])
        #expect(report.diagnostics.first?.message.contains("'typo2', 'typo3' match no group or host") == true)
        // A group_by with a templated key makes later patterns unjudgeable: no warning at all.
        try write([
            "dynamic.yml":
                "- hosts: web\n  tasks:\n    - group_by:\n        key: \"os_{{ ansible_facts.os_family }}\"\n"
                + "- hosts: os_Debian\n  tasks: []\n"
        ])
        #expect(findings(try validate(["dynamic.yml"], inventories: ["hosts.ini"])) == [])
    }

    @Test func walkWarnsOnlyAboutRealLoopsAndBrokenYAMLLinks() throws {
        try write(["plays/site.yml": "- hosts: all\n  tasks: []\n"])
        let manager = FileManager.default
        try manager.createSymbolicLink(atPath: root.path + "/alias", withDestinationPath: root.path + "/plays")
        try manager.createSymbolicLink(atPath: root.path + "/plays/up", withDestinationPath: root.path + "/plays")
        try manager.createSymbolicLink(atPath: root.path + "/dangling.txt", withDestinationPath: "/nonexistent")
        try manager.createSymbolicLink(atPath: root.path + "/dangling.yml", withDestinationPath: "/nonexistent")
        let rules = try validate(["."]).diagnostics.map { "\($0.location.file) \($0.rule)" }.sorted()
        // `alias` is walked first (names in order), so the loop is met under it.
        #expect(rules == ["alias/up walk-symlink-loop", "dangling.yml walk-broken-link"])
    }

    /// A role repository's Molecule scenarios name the role under test as Molecule makes it findable
    /// (by the repository folder's name, and as `namespace.role_name` of meta/main.yml's galaxy_info, or
    /// the author written as one word, or the folder's name without "ansible-"). ansible-playbook alone
    /// does not find it, so it stays an error, and the message says why it works under Molecule. (The
    /// repositories sit in `repos/`: from the workspace root, where a user runs ansible-playbook, Ansible
    /// would find `ansible-role-web` as a path.)
    @Test func moleculeScenariosSayWhichRoleIsUnderTest() throws {
        let converge = { (name: String) in "- hosts: all\n  roles:\n    - \(name)\n" }
        try write([
            "repos/ansible-role-web/meta/main.yml": "galaxy_info:\n  role_name: web\n  author: acme\n",
            "repos/ansible-role-web/tasks/main.yml": "- ansible.builtin.debug:\n    msg: hi\n",
            "repos/ansible-role-web/molecule/default/converge.yml": converge("acme.web"),
            "repos/ansible-role-web/molecule/default/by-folder.yml": converge("ansible-role-web"),
            "repos/ansible-role-web/molecule/default/other.yml": converge("acme.db"),
            "repos/ansible-role-web/tests/test.yml": converge("acme.web"),
            "repos/ansible-db/meta/main.yml": "galaxy_info:\n  namespace: corp\n  author: Jane Doe\n",
            "repos/ansible-db/molecule/default/converge.yml": converge("corp.db"),
            "repos/ansible-cache/meta/main.yml": "galaxy_info:\n  author: Jane Doe\n",
            "repos/ansible-cache/molecule/default/converge.yml": converge("cache"),
            "repos/ansible-cache/molecule/default/namespaced.yml": converge("Jane Doe.cache"),
            "repos/plain/molecule/default/converge.yml": converge("plain"),
        ])
        let report = try validate(["repos/ansible-role-web", "repos/ansible-db", "repos/ansible-cache", "repos/plain"])
        let underTest = report.diagnostics.filter { $0.message.contains("the role this Molecule scenario tests") }
            .map { "\($0.location.file) \($0.rule)" }
        #expect(
            underTest == [
                "repos/ansible-cache/molecule/default/converge.yml role-not-found",
                "repos/ansible-db/molecule/default/converge.yml role-not-found",
                "repos/ansible-role-web/molecule/default/by-folder.yml role-not-found",
                "repos/ansible-role-web/molecule/default/converge.yml role-not-found",
            ], "\(report.diagnostics.map(\.message))")
        #expect(report.diagnostics.allSatisfy { $0.rule == "role-not-found" })
        #expect(report.errorCount == 8, "\(findings(report))")
        let web = try #require(
            report.diagnostics.first { $0.location.file.hasPrefix("repos/ansible-role-web/molecule/default/c") })
        #expect(
            web.message.contains("it is repos/ansible-role-web/, the role this Molecule scenario tests"),
            "\(web.message)")
    }

    @Test func rolesDeclaredInRequirementsButNotInstalledSaySo() throws {
        try write([
            "requirements.yml": """
            roles:
              - name: apache
                src: https://github.com/example/ansible-role-apache.git
              - src: git+https://github.com/example/ansible-role-ntp.git,v1.0
            collections:
              - name: community.general

            """,
            "site.yml": "- hosts: all\n  roles:\n    - apache\n    - ansible-role-ntp\n    - unknown\n",
            "sub/requirements.yml": "- src: https://github.com/example/ansible-role-nginx.git\n",
            "sub/web.yml": "- hosts: all\n  roles:\n    - ansible-role-nginx\n",
        ])
        // Without the image, as ansible-playbook sees it: not installed (runbook's image would have them).
        let plain = try validate(["site.yml"])
        #expect(plain.diagnostics.map(\.rule) == ["role-not-installed", "role-not-installed", "role-not-found"])
        #expect(plain.diagnostics.first?.message.contains("declared in requirements.yml:2 but not installed") == true)
        #expect(plain.diagnostics.first?.message.contains("`runbook apply` installs it into the image") == true)
        // apply's first pass, before the image is built from these requirements: left to the index.
        let beforeImage = try validate(["site.yml"], requirementsInImage: true)
        #expect(beforeImage.diagnostics.map(\.rule) == ["role-not-found"])
        // With the image's index: judged by the roles the image got.
        var index = try #require(
            ImageIndex.decode(
                Data(
                    #"{"version":1,"ansible_core":"2.19.0","collections":{},"available":[],"modules":{},"routing":{},"lookups":[],"filters":[],"tests":[]}"#
                        .utf8)))
        index.imageRoles = ["apache"]
        let withIndex = try validate(["site.yml"], index: index)
        #expect(withIndex.diagnostics.map(\.rule) == ["role-not-in-image", "role-not-found"])
        #expect(
            withIndex.diagnostics.first?.message.contains("'ansible-role-ntp' is declared in requirements.yml:4")
                == true)
        // Another folder's requirements.yml is not installed by runbook: say so, in apply too.
        let nested = try validate(["sub/web.yml"], requirementsInImage: true)
        #expect(nested.diagnostics.map(\.rule) == ["role-not-installed"])
        #expect(
            nested.diagnostics.first?.message.contains("declared in sub/requirements.yml:1 but not installed") == true)
    }

    /// Ansible's last resort takes a role name as a path from the folder it runs in. A project run
    /// from its own folder (the one with `ansible.cfg`) reaches `../roles/web` from a playbook one level
    /// down; a folder above the workspace without an `ansible.cfg` is not one a user runs from.
    @Test func aRolePathFromTheFolderAnsibleRunsInIsFound() throws {
        try write([
            "project/ansible.cfg": "[defaults]\n",
            "project/roles/web/tasks/main.yml": "- ansible.builtin.ping:\n",
            "project/extra/web.yml": """
            - hosts: all
              roles:
                - roles/web
              tasks:
                - ansible.builtin.include_role: {name: roles/web}
                - ansible.builtin.include_role: {name: roles/nothing}
            """,
            "shared/web/tasks/main.yml": "- ansible.builtin.ping:\n",
            "other/site.yml": "- hosts: all\n  roles:\n    - shared/web\n",
        ])
        // The workspace is the playbook's folder: the project folder is found by its ansible.cfg.
        var request = ValidationRequest(
            paths: [root.path + "/project/extra/web.yml"], workspace: root.path + "/project/extra",
            currentDirectory: root.path + "/project/extra")
        let report = try PlaybookValidator().validate(request)
        #expect(findings(report) == ["web.yml:6:44 role-not-found"], "\(findings(report))")
        request.paths = [root.path + "/other/site.yml"]
        request.workspace = root.path + "/other"
        request.currentDirectory = root.path + "/other"
        let other = try PlaybookValidator().validate(request)
        #expect(findings(other) == ["site.yml:3:7 role-not-found"], "\(findings(other))")
        // The same folder with an ansible.cfg is where the project runs from.
        try write(["ansible.cfg": "[defaults]\n"])
        #expect(try PlaybookValidator().validate(request).diagnostics.isEmpty)
    }

    /// Roles of requirements.yml installed into a folder of their own (`-p roles/galaxy`) and named
    /// by path (`galaxy/web`): not installed here says which entry and the install command.
    @Test func pathFormRolesOfARequirementsFileSayHowToInstallThem() throws {
        try write([
            "requirements.yml": "- src: git+https://example.invalid/ansible-role-web.git\n  name: web\n",
            "site.yml": "- hosts: all\n  roles:\n    - galaxy/web\n    - galaxy/other\n",
        ])
        let report = try validate(["site.yml"])
        #expect(report.diagnostics.map(\.rule) == ["role-not-installed", "role-not-found"], "\(findings(report))")
        #expect(
            report.diagnostics.first?.message
                == "role 'galaxy/web' is 'web' of requirements.yml:1, not installed here; install it with "
                + "`ansible-galaxy role install -r requirements.yml -p roles/galaxy`")
        // Once installed there, it is found.
        try write(["roles/galaxy/web/tasks/main.yml": "- ansible.builtin.ping:\n"])
        #expect(try validate(["site.yml"]).diagnostics.map(\.rule) == ["role-not-found"])
    }

    /// A project folder inside the workspace, run from its own folder, with playbooks in subfolders:
    /// its `ansible.cfg` applies to them (here its roles_path), as the playbook's own and the
    /// workspace's do.
    @Test func theNearestProjectConfigAboveAPlaybookApplies() throws {
        try write([
            "project/shared/web/tasks/main.yml": "- ansible.builtin.ping:\n",
            "project/plays/nested/site.yml": "- hosts: all\n  roles:\n    - web\n",
        ])
        #expect(try validate(["project/plays/nested/site.yml"]).diagnostics.map(\.rule) == ["role-not-found"])
        try write(["project/ansible.cfg": "[defaults]\nroles_path = shared\n"])
        #expect(try validate(["project/plays/nested/site.yml"]).diagnostics.isEmpty)
    }

    /// `~` in an `ansible.cfg` path list is the run's `HOME` (Ansible expands it with Python's
    /// expanduser, which reads HOME), not the passwd entry of whoever runs runbook.
    @Test func aConfiguredPathUnderTildeIsUnderTheRunsHome() throws {
        try write([
            "home/ci/shared-roles/web/tasks/main.yml": "- ansible.builtin.ping:\n",
            "ansible.cfg": "[defaults]\nroles_path = ~/shared-roles\n",
            "site.yml": "- hosts: all\n  roles:\n    - web\n",
        ])
        #expect(try validate(["site.yml"], environment: ["HOME": root.path + "/home/ci"]).diagnostics.isEmpty)
        #expect(
            try validate(["site.yml"], environment: ["HOME": root.path + "/home/other"]).diagnostics.map(\.rule)
                == ["role-not-found"])
    }

    /// A role's task file notifying a handler only some plays have: one finding, naming the first
    /// play (in the order of the paths) that lacks it, however many threads check them.
    @Test func aSharedRoleFileGetsOneMissingHandlerFindingNamingThePlay() throws {
        try write([
            "roles/app/tasks/main.yml": "- ansible.builtin.command: date\n  notify: reload nginx\n",
            "a.yml": "- hosts: all\n  roles: [app]\n",
            "b.yml": "- hosts: all\n  roles: [app]\n",
            "c.yml":
                "- hosts: all\n  roles: [app]\n  handlers:\n    - name: reload nginx\n      ansible.builtin.debug:\n",
        ])
        for threads in [1, 2] {
            let report = try validate(["c.yml", "b.yml", "a.yml"], threads: threads)
            #expect(findings(report) == ["roles/app/tasks/main.yml:2:11 notify-no-handler"], "\(findings(report))")
            #expect(
                report.diagnostics.first?.message.hasSuffix("in the play at b.yml:1; the play has no handlers") == true)
        }
    }

    /// A role expanded again in a later play is replayed from its first expansion (RoleExpansion):
    /// what it contributes must not depend on what the first play already had. Here the first play
    /// already knew web's handler name (from dns) and already had an unjudgeable handler source, and
    /// the later plays, without them, still get both from web and dyn; the last play's missing
    /// handler is still found.
    @Test func aReplayedRoleGivesTheLaterPlayEverythingItsExpansionDid() throws {
        try write([
            "roles/dns/handlers/main.yml": "- name: daemon-reload\n  ansible.builtin.debug:\n",
            "roles/web/handlers/main.yml": "- name: daemon-reload\n  ansible.builtin.debug:\n",
            "roles/web/tasks/main.yml": "- ansible.builtin.command: date\n  notify: daemon-reload\n",
            "roles/dyn/meta/main.yml": "dependencies:\n  - \"{{ dep }}\"\n",
            "roles/dyn/tasks/main.yml": "- ansible.builtin.command: date\n  notify: from-elsewhere\n",
            "roles/lone/tasks/main.yml": "- ansible.builtin.command: date\n  notify: nowhere\n",
            "site.yml": """
            - hosts: all
              roles: [dns, web]
            - hosts: all
              roles: [web]
            - hosts: all
              roles: ["{{ r }}", dyn]
            - hosts: all
              roles: [dyn]
            - hosts: all
              roles: [lone]
            - hosts: all
              roles: [lone]
            """,
        ])
        for threads in [1, 2] {
            let report = try validate(["site.yml", "site.yml"], threads: threads)
            #expect(findings(report) == ["roles/lone/tasks/main.yml:2:11 notify-no-handler"], "\(findings(report))")
        }
    }

    /// Checkers on several threads share their role records: a checker that replays a role another
    /// recorded still lists the role's files and reports its findings, so each playbook's outcome,
    /// and the whole report, is the one a single checker gives.
    @Test func aRoleRecordedByAnotherCheckerGivesItsFilesAndFindings() throws {
        try write([
            "roles/common/meta/main.yml": "dependencies: [base]\n",
            "roles/base/tasks/main.yml": "- ansible.builtin.command: \"echo {{ x }\"\n",
            "roles/common/tasks/main.yml": """
            - ansible.builtin.include_tasks: extra.yml
            - ansible.builtin.command: date
              notify: restart
            - ansible.builtin.debug: {msg: hi, msg: again}
            """,
            "roles/common/tasks/extra.yml": "- ansible.builtin.debug: {msg: \"{{ y\"}\n",
            "roles/common/handlers/main.yml": "- name: restart\n  ansible.builtin.debug:\n",
            "a.yml": "- hosts: all\n  roles: [common]\n",
            "b.yml": "- hosts: all\n  roles: [common]\n",
            // The role's files checked once (tasks_from: not recorded) before the play that records it.
            "c.yml": """
            - hosts: all
              tasks:
                - ansible.builtin.include_role: {name: common, tasks_from: main}
                - ansible.builtin.include_role: {name: base}
            - hosts: all
              roles: [common]
            """,
        ])
        func run(_ path: String, on checker: PlaybookChecker) -> (findings: [String], files: [String]) {
            let before = (checker.diagnostics.count, checker.filesRead.count)
            checker.checkPlaybook(root.appendingPathComponent(path).path)
            return (findings(checker.diagnostics[before.0...]).sorted(), Array(checker.filesRead[before.1...]))
        }
        var settings = CheckerSettings(workspace: root.path, currentDirectory: root.path)
        let alone = run("b.yml", on: PlaybookChecker(settings: settings))
        #expect(alone.findings.count == 3, "\(alone.findings)")
        #expect(alone.files.count == 6, "\(alone.files)")
        settings.shared = SharedLookups()
        let first = PlaybookChecker(settings: settings)
        let second = PlaybookChecker(settings: settings)
        #expect(run("a.yml", on: first).findings == alone.findings)
        let replayed = run("b.yml", on: second)
        #expect(replayed.findings == alone.findings)
        #expect(replayed.files == alone.files)
        // Replayed again by the same checker: nothing new, as for a role it expanded itself.
        #expect(run("a.yml", on: second).files == ["a.yml"])
        // A record made by a checker that had already scanned the role's templates still holds them.
        settings.shared = SharedLookups()
        #expect(run("c.yml", on: PlaybookChecker(settings: settings)).findings.count == 3)
        #expect(run("b.yml", on: PlaybookChecker(settings: settings)).findings == alone.findings)
        // As a unit of a run, a playbook's outcome is whole even on a checker that met the role before
        // (checkers take units in any order; the merge keeps each first sight in the units' order).
        let checker = PlaybookChecker(settings: settings)
        for path in ["a.yml", "b.yml"] {
            let log = UnitLog()
            checker.unit = log
            checker.checkPlaybook(root.appendingPathComponent(path).path)
            checker.unit = nil
            #expect(findings(log.diagnostics).sorted() == alone.findings)
            #expect(log.files == [path] + alone.files.dropFirst())
        }
        let single = try validate(["a.yml", "b.yml", "a.yml", "b.yml"], threads: 1)
        for threads in [2, 3] {
            let report = try validate(["a.yml", "b.yml", "a.yml", "b.yml"], threads: threads)
            #expect(findings(report) == findings(single))
            #expect(report.files == single.files)
        }
    }
}

/// Who checks which unit of a run on several threads.
@Suite struct UnitQueueTests {
    /// Each taker starts on its own stretch of consecutive units, in order; one done takes from the
    /// back of the fullest stretch; every unit is handed out exactly once.
    @Test func everyUnitOnceEachTakerOnItsOwnStretchFirst() {
        let queue = UnitQueue(count: 10, takers: 2)
        #expect(queue.next(for: 0) == 0)
        #expect(queue.next(for: 1) == 5)
        #expect(queue.next(for: 0) == 1)
        var taken = [0, 5, 1]
        // Taker 1 empties its stretch (6...9), then takes from the back of taker 0's (4, 3, 2).
        while let unit = queue.next(for: 1) { taken.append(unit) }
        #expect(taken == [0, 5, 1, 6, 7, 8, 9, 4, 3, 2])
        #expect(queue.next(for: 0) == nil)
        for (count, takers) in [(0, 2), (1, 3), (7, 3), (100, 8), (5, 1)] {
            let queue = UnitQueue(count: count, takers: takers)
            var handed: [Int] = []
            var taker = 0
            var idle = 0
            while idle < takers {
                if let unit = queue.next(for: taker) {
                    handed.append(unit)
                    idle = 0
                } else {
                    idle += 1
                }
                taker = (taker + 1) % takers
            }
            #expect(handed.sorted() == Array(0..<count), "\(count) units, \(takers) takers")
        }
    }
}
