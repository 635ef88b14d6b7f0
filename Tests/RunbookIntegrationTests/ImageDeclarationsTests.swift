import Foundation
import Testing

/// A workspace's requirements.yml, python_packages, system_packages and execution-environment.yml,
/// built into a real image by a real engine and used by a real playbook run.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct ImageDeclarationsTests {
    static let gitPassword = "rb-git-password-7c1e94"
    static let galaxyToken = "rb-galaxy-token-52af0d"

    /// A loopback git server (git's "dumb" HTTP protocol over a bare repository) that answers only
    /// with basic auth, like a private Git host.
    final class GitServer {
        let process = Process()
        let port: String

        init(root: URL, user: String, password: String) throws {
            let script = """
                import base64, functools, http.server, sys
                root, user, password = sys.argv[1:4]
                expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
                class Handler(http.server.SimpleHTTPRequestHandler):
                    def do_GET(self):
                        if self.headers.get("Authorization") != expected:
                            self.send_response(401)
                            self.send_header("WWW-Authenticate", 'Basic realm="git"')
                            self.send_header("Content-Length", "0")
                            self.end_headers()
                            return
                        super().do_GET()
                    def log_message(self, *args):
                        pass
                server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
                print(server.server_address[1], flush=True)
                server.serve_forever()
                """
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, root.path, user, password]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = Data()
            while let byte = try pipe.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
                line.append(byte)
            }
            port = String(decoding: line, as: UTF8.self)
        }

        deinit { process.terminate() }
    }

    private func sh(_ argv: [String], in folder: URL? = nil) throws -> String {
        let command = folder.map { ["sh", "-c", "cd \"$0\" && exec \"$@\"", $0.path] + argv } ?? argv
        let result = try ImageEnvironment.shell(command)
        try #require(result.status == 0, "\(argv.joined(separator: " ")): \(result.output)")
        return result.output
    }

    private func write(_ root: URL, _ files: [String: String]) throws {
        for (name, text) in files {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    /// dist/ with a collection tarball made by `ansible-galaxy collection build` (in the test image)
    /// and a role tarball, and a bare git repository of another role under `served/`.
    private func makeArtifacts(_ root: URL, image: String) throws {
        try write(
            root,
            [
                "src/acme/tools/galaxy.yml": """
                namespace: acme
                name: tools
                version: 1.0.0
                readme: README.md
                authors: [runbook tests]
                dependencies:
                  ansible.utils: ">=2.0.0"

                """,
                "src/acme/tools/README.md": "# acme.tools\n",
                "src/acme/tools/meta/runtime.yml": "requires_ansible: \">=2.15.0\"\n",
                "src/acme/tools/plugins/filter/shout.py": """
                def shout(text):
                    return str(text).upper() + "!"


                class FilterModule:
                    def filters(self):
                        return {"shout": shout}

                """,
                "src/acme/tools/plugins/modules/greet.py": """
                #!/usr/bin/python
                DOCUMENTATION = r'''
                module: greet
                short_description: Says hello
                description: Returns a greeting.
                options:
                  name:
                    description: Who to greet.
                    type: str
                    required: true
                author: runbook tests
                '''
                from ansible.module_utils.basic import AnsibleModule


                def main():
                    module = AnsibleModule(argument_spec={"name": {"type": "str", "required": True}})
                    module.exit_json(changed=False, greeting="hello " + module.params["name"])


                if __name__ == "__main__":
                    main()

                """,
                "src/roles/hello/tasks/main.yml":
                    "- name: the role from the tarball\n  ansible.builtin.debug:\n    msg: hello\n",
                "src/roles/hello/meta/main.yml": "galaxy_info:\n  author: t\n  description: t\n  license: MIT\n"
                    + "  min_ansible_version: \"2.15\"\n  platforms: []\ndependencies: []\n",
                "src/gitrole/tasks/main.yml":
                    "- name: the role from git\n  ansible.builtin.debug:\n    msg: from git\n",
                "src/gitrole/meta/main.yml": "galaxy_info:\n  author: t\n  description: t\n  license: MIT\n"
                    + "  min_ansible_version: \"2.15\"\n  platforms: []\ndependencies: []\n",
            ])
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("dist"), withIntermediateDirectories: true)
        _ = try sh([
            "docker", "run", "--rm", "--network", "host", "-v", "\(root.path):/ws", "-w", "/ws/src/acme/tools",
            "--user", "\(getuid()):\(getgid())", "-e", "HOME=/tmp", image,
            "ansible-galaxy", "collection", "build", "--output-path", "/ws/dist",
        ])
        _ = try sh(
            ["tar", "-C", root.appendingPathComponent("src/roles").path, "-czf", "dist/hello-role.tar.gz", "hello"],
            in: root)
        let role = root.appendingPathComponent("src/gitrole")
        _ = try sh(["git", "init", "-q", "-b", "main"], in: role)
        _ = try sh(["git", "add", "."], in: role)
        _ = try sh(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "role"], in: role)
        _ = try sh(["git", "clone", "-q", "--bare", role.path, root.appendingPathComponent("served/gitrole.git").path])
        _ = try sh(["git", "--git-dir", root.appendingPathComponent("served/gitrole.git").path, "update-server-info"])
    }

    private static let playbook = """
        - name: uses what the workspace declared
          hosts: localhost
          connection: local
          gather_facts: false
          roles:
            - acme_hello
            - acme_git
          tasks:
            - name: filter from the collection tarball
              ansible.builtin.assert:
                that: "('hi' | acme.tools.shout) == 'HI!'"
            - name: ipaddr from ansible.utils (a dependency of ansible.netcommon) with netaddr
              ansible.builtin.assert:
                that: "('192.168.0.1/24' | ansible.utils.ipaddr('network')) == '192.168.0.0'"
            - name: rsync from system_packages
              ansible.builtin.command: rsync --version
              changed_when: false
            - name: module from the collection tarball
              acme.tools.greet:
                name: runbook
              register: greeting
            - name: the module answered
              ansible.builtin.assert:
                that: greeting.greeting == 'hello runbook'

        """

    private func requirements(port: String) -> String {
        """
        ---
        collections:
          # From the ansible wheel; ansible.utils comes along as its dependency.
          - name: ansible.netcommon
          - name: ./dist/acme-tools-1.0.0.tar.gz
            type: file
        roles:
          - src: ./dist/hello-role.tar.gz
            name: acme_hello
          - src: git+http://runbook:\(Self.gitPassword)@127.0.0.1:\(port)/gitrole.git
            name: acme_git
            version: main

        """
    }

    @Test func workspaceDeclarationsAreBuiltInUsedAndHashedWithoutLeakingSecrets() throws {
        let image = try ApplyEnvironment.requireImage()
        let root = try FileManager.default.url(
            for: .itemReplacementDirectory, in: .userDomainMask, appropriateFor: URL(fileURLWithPath: "/tmp"),
            create: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = root.appendingPathComponent("ws")
        try makeArtifacts(workspace, image: image)
        let server = try GitServer(
            root: workspace.appendingPathComponent("served"), user: "runbook", password: Self.gitPassword)
        try #require(Int(server.port) != nil, "git server did not start")
        try write(
            workspace,
            [
                "requirements.yml": requirements(port: server.port),
                "runbook.yml": "collections: [amazon.aws]\npython_packages: [netaddr]\nsystem_packages: [rsync]\n",
                "site.yml": Self.playbook,
            ])
        let repository = ImageEnvironment.uniqueRepository("declared")
        defer { ImageEnvironment.removeRepository(repository) }
        let tag = "\(repository):release"
        let galaxy: [String: String?] = [
            "ANSIBLE_GALAXY_SERVER_LIST": "private",
            "ANSIBLE_GALAXY_SERVER_PRIVATE_URL": "http://127.0.0.1:9/api/",
            "ANSIBLE_GALAXY_SERVER_PRIVATE_TOKEN": Self.galaxyToken,
            "RUNBOOK_CA_BUNDLE": ImageEnvironment.caBundle,
        ]
        func runbook(_ arguments: [String], in folder: URL = workspace, _ extra: [String: String?] = [:]) throws
            -> RunbookFixture.Result
        {
            try RunbookFixture.run(arguments, in: folder, environment: galaxy.merging(extra) { $1 })
        }

        let built = try runbook(["image", "ensure", "--tag", tag])
        try #require(built.status == 0, "\(built.output)")
        #expect(built.standardOutput.hasPrefix("built \(tag) sha256:"))
        let labels = try sh(["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", tag])
        #expect(
            labels.contains("acme.tools=1.0.0") && labels.contains("ansible.netcommon=")
                && labels.contains("ansible.utils="))
        #expect(labels.contains("acme_git=main") && labels.contains("acme_hello=-"))

        // The playbook uses every declaration.
        let applied = try runbook(["apply", "site.yml", "--image", tag, "--no-credentials", "--history", "off"])
        #expect(applied.status == 0, "\(applied.output)")
        #expect(applied.output.contains("localhost  ok=7 changed=0 failed=0"), "\(applied.output)")

        // Secrets: the git password and the Galaxy token reached the build stage only.
        let logPath = try #require(
            built.standardError.components(separatedBy: "log: ").dropFirst().first?.split(separator: "\n").first)
        let log = try String(contentsOfFile: String(logPath), encoding: .utf8)
        #expect(log.contains("acme_git (main) was installed successfully"))
        let inside = try ImageEnvironment.shell([
            "docker", "run", "--rm", tag, "sh", "-c",
            "command -v git && exit 1; command -v rsync && ls /usr/share/ansible/roles/",
        ])
        #expect(inside.status == 0 && inside.output.contains("acme_git"), "\(inside.output)")
        let history = try sh(["docker", "history", "--no-trunc", tag])
        let inspect = try sh(["docker", "image", "inspect", tag])
        let saved = root.appendingPathComponent("image.tar")
        _ = try sh(["docker", "save", "--output", saved.path, tag])
        for secret in [Self.gitPassword, Self.galaxyToken] {
            #expect(!log.contains(secret), "\(secret) in the build log")
            #expect(!history.contains(secret) && !inspect.contains(secret), "\(secret) in history or inspect")
            let count = try ImageEnvironment.shell(["grep", "-c", "-a", secret, saved.path])
            #expect(count.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(secret) in a layer")
        }
        #expect(!history.contains("build-secrets") && !history.contains("ca-bundle"))

        // Staleness: each input is named when it changes; the next ensure rebuilds.
        let id = try #require(ImageEnvironment.imageID(tag))
        try write(
            workspace,
            [
                "runbook.yml":
                    "collections: [amazon.aws]\npython_packages: [netaddr, passlib]\nsystem_packages: [rsync]\n"
            ])
        let python = try runbook(["image", "status", "--tag", tag])
        #expect(python.status == 1 && python.standardOutput.contains("changed:  python_packages"), "\(python.output)")
        try write(
            workspace,
            [
                "runbook.yml": "collections: [amazon.aws]\npython_packages: [netaddr]\nsystem_packages: [rsync]\n",
                "requirements.yml": requirements(port: server.port).replacingOccurrences(
                    of: "version: main", with: "version: HEAD"),
            ])
        let changed = try runbook(["image", "status", "--tag", tag])
        #expect(changed.standardOutput.contains("changed:  requirements"), "\(changed.output)")
        let rebuilt = try runbook(["image", "ensure", "--tag", tag])
        #expect(rebuilt.status == 0 && rebuilt.standardOutput.hasPrefix("built "), "\(rebuilt.output)")
        try write(workspace, ["requirements.yml": requirements(port: server.port)])
        let back = try runbook(["image", "ensure", "--tag", tag])
        #expect(back.standardOutput.hasPrefix("retagged "), "\(back.output)")
        #expect(ImageEnvironment.imageID(tag) == id)

        // Bad input: exit 70 with the declaring line and the log; the tag keeps its image.
        try write(workspace, ["bad.yml": "collections:\n  - name: ansible.netcommon\n    version: \">=99.0.0\"\n"])
        let cases: [([String], String)] = [
            (["--requirements", "bad.yml"], "bad.yml:2:5: error: ansible.netcommon:>=99.0.0 is not available"),
            (["--python-package", "nosuchpkg-rb13"], "error: pip: no release of 'nosuchpkg-rb13' on the index"),
            (["--system-package", "nosuch-deb-rb13"], "error: apt: Debian has no package 'nosuch-deb-rb13'"),
        ]
        for (flags, expected) in cases {
            let broken = try runbook(["image", "ensure", "--tag", tag] + flags)
            #expect(broken.status == 70, "\(flags): \(broken.output)")
            #expect(broken.standardError.contains(expected), "\(broken.standardError) lacks \(expected)")
            #expect(broken.standardError.contains("are as they were; full log: "))
            #expect(ImageEnvironment.imageID(tag) == id)
        }

        // An execution-environment.yml declaring the same content names the same image.
        let ee = root.appendingPathComponent("ee")
        try FileManager.default.createDirectory(at: ee, withIntermediateDirectories: true)
        _ = try sh(["cp", "-R", workspace.appendingPathComponent("dist").path, ee.path])
        let base = ProcessInfo.processInfo.environment["RUNBOOK_BASE_IMAGE"] ?? "python:3.11-slim-bookworm"
        let roles = requirements(port: server.port).components(separatedBy: "roles:\n")[1]
            .split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
        try write(
            ee,
            [
                "runbook.yml": "collections: [amazon.aws]\n",
                "bindep.txt": "rsync [platform:dpkg]\nrsync-rpm [platform:rpm]\ngcc [compile platform:rpm]\n",
                "execution-environment.yml": """
                ---
                version: 3
                images:
                  base_image:
                    name: \(base)
                dependencies:
                  ansible_core:
                    package_pip: ansible-core>=2.17
                  galaxy:
                    collections:
                      - name: ansible.netcommon
                      - name: ./dist/acme-tools-1.0.0.tar.gz
                        type: file
                    roles:
                \(roles)
                  python:
                    - netaddr
                  system: bindep.txt

                """,
            ])
        let same = try runbook(["image", "status", "--tag", tag], in: ee, ["RUNBOOK_BASE_IMAGE": nil])
        #expect(same.status == 0 && same.standardOutput.contains("current:  yes"), "\(same.output)")
        let config = try runbook(["config"], in: ee, ["RUNBOOK_BASE_IMAGE": nil])
        #expect(config.standardOutput.contains("system package  rsync (bindep.txt:1)"), "\(config.standardOutput)")
    }
}
