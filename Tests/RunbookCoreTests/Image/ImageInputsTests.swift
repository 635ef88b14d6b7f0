import Foundation
import Testing

@testable import RunbookCore

/// requirements.yml, execution-environment.yml, bindep and package settings as the image build reads them.
@Suite struct ImageInputsTests {
    private let root: URL

    init() throws {
        root = try temporaryDirectory()
    }

    private func write(_ files: [String: String]) throws {
        for (name, text) in files {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    private func inputs(_ file: [SettingKey: [String]] = [:], environment: [String: String] = [:]) throws
        -> ImageInputs
    {
        let location = SourceLocation(file: root.path + "/runbook.yml", line: 1, column: 1)
        let values = file.mapValues { SettingValue(values: $0, source: .file(location)) }
        let settings = try Settings(workspace: root.path, environment: [:], file: values)
        return try ImageInputs.resolve(settings, home: "/root", environment: environment, ansibleCore: "2.19.14")
    }

    @Test func requirementsAreTypedAsAnsibleGalaxyTypesThem() throws {
        try write([
            "dist/acme-tools-1.0.0.tar.gz": "tarball",
            "src/coll/galaxy.yml": "namespace: acme\nname: dev\nversion: 0.1.0\n",
            "roles/requirements.yml": "- src: geerlingguy.docker\n- include: more.yml\n",
            "more.yml": "- src: https://git.example.com/team/role-ntp.git\n  version: v2\n",
            "requirements.yml": """
            collections:
              - ansible.netcommon
              - name: community.crypto
                version: ">=2.0.0,<3"
              - name: ./dist/acme-tools-1.0.0.tar.gz
                type: file
              - name: src/coll
              - name: https://token:s3cr3t-value@git.example.com/team/coll.git
                type: git
                version: main
            roles:
              - src: ./dist/acme-tools-1.0.0.tar.gz
                name: local_role
              - git+https://github.com/example/ansible-role-apache.git,v1.0,apache

            """,
        ])
        let found = try inputs()
        #expect(
            found.requirements.map { Paths.display($0.path, from: root.path) } == [
                "requirements.yml", "roles/requirements.yml",
            ])
        let collections = found.collections.map { "\($0.kind.rawValue) \($0.name ?? "-") \($0.version)" }
        #expect(
            collections == [
                "galaxy ansible.netcommon *", "galaxy community.crypto >=2.0.0,<3", "file - *", "dir - *", "git - main",
            ])
        #expect(found.collections[2].location.line == 5)
        let roles = found.roles.map {
            "\($0.name) \($0.scm ?? "-") \($0.version.isEmpty ? "-" : $0.version) \($0.isLocalFile)"
        }
        #expect(
            roles == [
                "local_role - - true", "apache git v1.0 false", "geerlingguy.docker - - false", "role-ntp - v2 false",
            ])
        // Git needs the build stage's git; the URL's password is a secret, and hashed without it.
        #expect(found.buildPackageNames == ["git"])
        #expect(found.secrets.contains("s3cr3t-value"))
        #expect(!found.requirementsDigestText.contains("s3cr3t-value"))
        #expect(found.requirementsDigestText.contains("dist/acme-tools-1.0.0.tar.gz@"))
    }

    @Test func badRequirementsNameTheirLine() throws {
        let cases: [(String, String)] = [
            (
                "collections:\n  - name: nosuch/path.tar.gz\n",
                "requirements.yml:2:11: error: 'nosuch/path.tar.gz' is neither"
            ),
            ("collections:\n  - name: ../outside\n", "requirements.yml:2:11: error: '../outside'"),
            ("roles:\n  - src: ./r.tar.gz\n", "requirements.yml:2:5: error: a role from a local tarball needs a name"),
            ("extra: []\n", "requirements.yml:1:1: error: 'extra' is not a requirements key"),
            ("collections:\n  - name: a.b\n    type: svn\n", "requirements.yml:3:11: error: type 'svn' is not one of"),
            (
                "collections:\n  - name: a.b\n    versoin: 1\n",
                "requirements.yml:3:5: error: 'versoin' is not a collection"
            ),
        ]
        try FileManager.default.createDirectory(
            at: root.deletingLastPathComponent().appendingPathComponent("outside"), withIntermediateDirectories: true)
        try write(["r.tar.gz": "x"])
        for (text, expected) in cases {
            try write(["requirements.yml": text])
            let error = #expect(throws: RunbookError.self) { try inputs() }
            #expect(error?.status == .dataError, "\(text)")
            #expect(
                error?.message.hasPrefix(expected) == true, "\(error?.message ?? "") does not start with \(expected)")
        }
    }

    @Test func packagesComeFromSettingsAndRequirementsFiles() throws {
        try write(["py/requirements.txt": "# for ipaddr\nnetaddr>=1.0  # comment\n\npasslib\n"])
        let found = try inputs([
            .pythonPackages: ["dnspython==2.6.1", "py/requirements.txt"], .systemPackages: ["rsync"],
        ])
        #expect(found.pythonPackages.map(\.text) == ["dnspython==2.6.1", "netaddr>=1.0", "passlib"])
        #expect(found.pythonPackages[1].origin == "py/requirements.txt:2")
        #expect(found.systemPackageNames == ["rsync"])

        let option = #expect(throws: RunbookError.self) { try inputs([.pythonPackages: ["--index-url=x"]]) }
        #expect(option?.status == .dataError)
        let apt = #expect(throws: RunbookError.self) { try inputs([.systemPackages: ["Rsync;rm"]]) }
        #expect(apt?.status == .usage)
        #expect(apt?.message.contains("system_packages") == true)
    }

    @Test func executionEnvironmentMapsOntoTheSameInputs() throws {
        try write([
            "dist/acme-tools-1.0.0.tar.gz": "tarball",
            "bindep.txt": """
            rsync [platform:dpkg]
            rsync [platform:rpm]
            python3-dev [platform:dpkg compile]
            libxml2 [platform:rpm]
            jq
            docs-tool [doc]

            """,
            "execution-environment.yml": """
            ---
            version: 3
            images:
              base_image:
                name: registry.example.com/ee-base:1
            dependencies:
              ansible_core:
                package_pip: ansible-core>=2.17,<2.20
              ansible_runner:
                package_pip: ansible-runner
              galaxy:
                collections:
                  - name: ./dist/acme-tools-1.0.0.tar.gz
                    type: file
              python:
                - netaddr
              system: bindep.txt

            """,
        ])
        let found = try inputs()
        let ee = try #require(found.executionEnvironment)
        #expect(ee.baseImage == "registry.example.com/ee-base:1")
        #expect(found.pythonPackages.map(\.text) == ["ansible-runner", "netaddr"])
        #expect(found.systemPackageNames == ["jq", "rsync"])
        #expect(found.buildPackageNames == ["python3-dev"])
        #expect(found.systemPackages.first?.origin == "bindep.txt:1")

        // The same entries in a requirements.yml and runbook.yml hash the same.
        try FileManager.default.removeItem(at: root.appendingPathComponent("execution-environment.yml"))
        try write(["requirements.yml": "collections:\n  - name: ./dist/acme-tools-1.0.0.tar.gz\n    type: file\n"])
        let plain = try inputs([.pythonPackages: ["ansible-runner", "netaddr"], .systemPackages: ["rsync", "jq"]])
        #expect(plain.requirementsDigestText == found.requirementsDigestText)
        #expect(plain.pythonDigestText == found.pythonDigestText)
        #expect(plain.systemPackageNames == found.systemPackageNames)
    }

    @Test func executionEnvironmentKeysRunbookCannotHonourAreListedInOneError() throws {
        try write([
            "execution-environment.yml": """
            version: 3
            dependencies:
              ansible_core:
                package_pip: ansible-core==2.14.0
              python_interpreter:
                package_system: python39
            additional_build_steps:
              append_final:
                - RUN echo hi
            options:
              package_manager_path: /usr/bin/microdnf

            """
        ])
        let error = #expect(throws: RunbookError.self) { try inputs() }
        #expect(error?.status == .dataError)
        let message = error?.message ?? ""
        for expected in [
            "execution-environment.yml:3:3: dependencies.ansible_core (asks for ansible-core==2.14.0; the image has "
                + "ansible-core 2.19.14)",
            "execution-environment.yml:5:3: dependencies.python_interpreter",
            "execution-environment.yml:7:1: additional_build_steps",
            "execution-environment.yml:11:3: options.package_manager_path",
        ] {
            #expect(message.contains(expected), "\(message) lacks \(expected)")
        }
        // `off` ignores the file.
        #expect(try inputs([.executionEnvironment: ["off"]]).executionEnvironment == nil)
        try write(["execution-environment.yml": "version: 1\n"])
        let old = #expect(throws: RunbookError.self) { try inputs() }
        #expect(old?.message.contains("version 3") == true)
    }

    @Test func buildFailuresPointAtTheDeclaration() throws {
        var found = ImageInputs(workspace: root.path)
        found.pythonPackages = [PackageLine("NoSuchPkg==1.0", origin: "requirements.txt:3")]
        found.systemPackages = [PackageLine("nosuchdeb", origin: "system_packages (runbook.yml:4)")]
        let log = """
            Step 12/30 : RUN pip install
            ERROR: Could not find a version that satisfies the requirement NoSuchPkg==1.0 (from versions: none)
            ERROR: No matching distribution found for NoSuchPkg==1.0
            #9 1.20 E: Unable to locate package nosuchdeb
            runbook-build: requirements.yml:4:5: error: ansible.netcommon:>=99 is not available
            """
        let explained = try #require(BuildFailure.explain(log: log, inputs: found))
        #expect(
            explained.split(separator: "\n") == [
                "requirements.txt:3: error: pip: no release of 'NoSuchPkg==1.0' on the index",
                "system_packages (runbook.yml:4): error: apt: Debian has no package 'nosuchdeb'",
                "requirements.yml:4:5: error: ansible.netcommon:>=99 is not available",
            ])
        #expect(BuildFailure.explain(log: "Step 1/2 : FROM x\nsomething else\n", inputs: found) == nil)
        // A pip conflict under BuildKit: the step's `#N seconds` prefix is not part of the message.
        let conflict =
            "#12 3.40 ERROR: Cannot install NoSuchPkg==1.0 and boto3==1.43.11 because these package versions have conflicting dependencies."
        #expect(
            BuildFailure.explain(log: conflict, inputs: found)
                == "requirements.txt:3: error: pip: these requirements conflict with each other or with the image's "
                + "(ansible-core, boto3, botocore): ERROR: Cannot install NoSuchPkg==1.0 and boto3==1.43.11 because "
                + "these package versions have conflicting dependencies.")
        // docker's classic builder colours a step's standard error, as it printed it here.
        let coloured =
            "\u{1B}[91mE\u{1B}[0m\u{1B}[91m: \u{1B}[0m\u{1B}[91mUnable to locate package nosuchdeb\u{1B}[0m\u{1B}[91m"
        #expect(
            BuildFailure.explain(log: coloured, inputs: found)
                == "system_packages (runbook.yml:4): error: apt: Debian has no package 'nosuchdeb'")
    }

    @Test func statusNamesTheInputsThatChanged() throws {
        let definition = ImageDefinition.embedded
        let settings = ImageSettings(reference: try #require(ImageReference("a/b:c")))
        let label = definition.inputsLabel(settings)
        #expect(definition.changedInputs(settings, label: label) == [])
        var changed = settings
        changed.inputs.pythonPackages = [PackageLine("netaddr", origin: "x")]
        changed.inputs.systemPackages = [PackageLine("rsync", origin: "x")]
        #expect(definition.changedInputs(changed, label: label) == ["python_packages", "system_packages"])
        #expect(definition.contentHash(changed) != definition.contentHash(settings))
        #expect(definition.changedInputs(changed, label: nil) == nil)
        // Galaxy variables are handed over but change nothing in the image.
        var tokens = settings
        tokens.inputs.buildEnvironment = ["ANSIBLE_GALAXY_SERVER_X_TOKEN": "t"]
        #expect(definition.contentHash(tokens) == definition.contentHash(settings))
    }
}
