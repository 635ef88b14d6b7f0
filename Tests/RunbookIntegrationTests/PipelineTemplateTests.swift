import Foundation
import Testing

/// The pipeline files `runbook ci` writes, checked against each CI's published schema (check-jsonschema's
/// vendored copies) and then run: every job's commands in the test image, in a fresh container per
/// job as the CI runs them, with the variables that CI gives a job of that shape. The OIDC token
/// exists only when the file asks for it (GitHub's `id-token: write`, Bitbucket's `oidc: true`,
/// GitLab's `id_tokens`); GitHub's comes from a loopback endpoint speaking its token-request
/// protocol; moto's STS answers AssumeRoleWithWebIdentity.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled, "needs a Docker engine (scripts/services/10-docker.sh)"))
struct PipelineTemplateTests {
    /// What one CI's file becomes: its schema, and a change that must break it.
    struct Case: Sendable, CustomStringConvertible {
        var kind: String
        var schema: String
        var breakFrom: String
        var breakTo: String
        /// The variables the CI gives every job (beyond the repository variables).
        var ciVariables: [String: String]
        /// The session name runbook gives the role.
        var session: String
        var description: String { kind }
    }

    static let cases = [
        Case(
            kind: "github", schema: "vendor.github-workflows", breakFrom: "runs-on:", breakTo: "run-on:",
            ciVariables: ["GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_RUN_ID": "4242"],
            session: "runbook-github-4242"),
        Case(
            kind: "bitbucket", schema: "vendor.bitbucket-pipelines", breakFrom: "oidc: true",
            breakTo: "oidc: sometimes",
            ciVariables: ["CI": "true", "BITBUCKET_BUILD_NUMBER": "77", "BITBUCKET_REPO_SLUG": "infra"],
            session: "runbook-bitbucket-77"),
        Case(
            kind: "gitlab", schema: "vendor.gitlab-ci", breakFrom: "script:", breakTo: "scripts:",
            ciVariables: ["CI": "true", "GITLAB_CI": "true", "CI_JOB_ID": "9001"],
            session: "runbook-gitlab-9001"),
    ]

    /// The repository (or CI/CD) variables the templates' comments ask for.
    static let repositoryVariables = [
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci-deploy", "AWS_REGION": "eu-west-2",
    ]

    static let playbook = """
        - name: Who the pipeline is
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Caller
              amazon.aws.aws_caller_info:
              register: me
            - name: Report
              ansible.builtin.debug:
                msg: "pipeline-arn={{ me.arn }}"
        """

    /// The fanned-out pipelines' playbook: every host of the inventory, each reporting its name.
    static let slicedPlaybook = """
        - name: Who the pipeline is, per host
          hosts: all
          connection: local
          gather_facts: false
          tasks:
            - name: Caller
              amazon.aws.aws_caller_info:
              register: me
            - name: Report
              ansible.builtin.debug:
                msg: "pipeline-arn={{ me.arn }} pipeline-host={{ inventory_hostname }}"
        """

    /// Nine hosts: with 3 slices, every slice has some (see HostSliceTests for the assignment).
    static let slicedHosts = (1...9).map { "app-\($0)" }

    /// The pipelines fanned out by target: each target's stage and who it is.
    static let targetsPlaybook = """
        - name: Who the pipeline is, per target
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Caller
              amazon.aws.aws_caller_info:
              register: me
            - name: Report
              ansible.builtin.debug:
                msg: "pipeline-arn={{ me.arn }} pipeline-stage={{ stage }} pipeline-region={{ lookup('env', 'AWS_REGION') }}"
        """

    /// Two targets: dev with the pipeline's own role, prod with a role in another account assumed from it
    /// (and that account's guard).
    static let targetsFile = """
        targets:
          dev:
            region: eu-west-2
            extra_vars: {stage: dev}
          prod:
            role_arn: arn:aws:iam::111111111111:role/deploy
            region: eu-west-1
            expect_account: "111111111111"
            extra_vars: {stage: prod}
        """

    /// Reads a pipeline file as its CI would and prints its jobs as JSON: name, the commands of its
    /// steps (GitHub `${{ vars.X }}` and `${{ matrix.X }}` expressions substituted; any other
    /// expression is an error), the job's own env, the OIDC variables it gets, and the artifact paths it
    /// names. Fanned-out jobs become one job each: GitHub's `strategy.matrix`, Bitbucket's `parallel`
    /// steps, GitLab's `parallel: N` (with CI_NODE_INDEX and CI_NODE_TOTAL, as GitLab sets them).
    static let extractor = #"""
        import json, re, sys, yaml
        doc = yaml.safe_load(open(sys.argv[1]))
        kind, variables, oidc = sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
        def subst(text, matrix={}):
            def one(match):
                expr = match.group(1).strip()
                if expr.startswith("vars.") and expr[5:] in variables:
                    return variables[expr[5:]]
                if expr.startswith("matrix.") and expr[7:] in matrix:
                    return str(matrix[expr[7:]])
                raise SystemExit("unresolved expression in a run step: " + expr)
            return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))
        jobs = []
        if kind == "github":
            granted = (doc.get("permissions") or {}).get("id-token") == "write"
            for name, job in doc["jobs"].items():
                granted_here = (job.get("permissions") or {}).get("id-token", "write" if granted else "none") == "write"
                combos = [{}]
                for key, values in ((job.get("strategy") or {}).get("matrix") or {}).items():
                    combos = [dict(combo, **{key: value}) for combo in combos for value in values]
                for combo in combos:
                    env = {k: subst(v, combo) for k, v in (job.get("env") or {}).items()}
                    artifacts = []
                    for step in job["steps"]:
                        with_ = step.get("with") or {}
                        for key in ("path", "report_paths"):
                            if key in with_ and step.get("uses", "").split("@")[0] != "actions/download-artifact":
                                artifacts.append(subst(with_[key], combo))
                    suffix = "".join("-%s" % value for value in combo.values())
                    jobs.append({"name": name + suffix, "image": job.get("container"), "env": env,
                                 "commands": [subst(s["run"], combo) for s in job["steps"] if "run" in s],
                                 "oidc": oidc if granted_here else {}, "artifacts": artifacts,
                                 "repository_variables": {}})
        elif kind == "bitbucket":
            def steps_of(items):
                for item in items:
                    if "parallel" in item:
                        group = item["parallel"]
                        yield from steps_of(group.get("steps", []) if isinstance(group, dict) else group)
                    else:
                        yield item["step"]
            # Pull-request steps (validation) first, then the branch pipeline in its order.
            groups = list(doc["pipelines"].get("pull-requests", {}).values()) + list(doc["pipelines"].get("branches", {}).values())
            for items in groups:
                for step in steps_of(items):
                    jobs.append({"name": step["name"], "image": step.get("image"), "env": {},
                                 "commands": step["script"],
                                 "oidc": {"BITBUCKET_STEP_OIDC_TOKEN": oidc["token"]} if step.get("oidc") is True else {},
                                 "artifacts": step.get("artifacts", []), "repository_variables": variables})
        elif kind == "gitlab":
            stages = doc.get("stages", [])
            named = [(name, job) for name, job in doc.items() if isinstance(job, dict) and "script" in job]
            named.sort(key=lambda pair: stages.index(pair[1].get("stage", "test")))
            for name, job in named:
                artifacts = list((job.get("artifacts") or {}).get("paths", []))
                junit = ((job.get("artifacts") or {}).get("reports") or {}).get("junit")
                if junit:
                    artifacts.append(junit)
                id_tokens = job.get("id_tokens") or {}
                parallel = job.get("parallel")
                if parallel is None:
                    nodes = [{}]
                elif isinstance(parallel, int):
                    nodes = [{"CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": str(parallel)}
                             for index in range(1, parallel + 1)]
                else:
                    # parallel: matrix: one job per combination of each entry's values.
                    nodes = []
                    for entry in parallel["matrix"]:
                        combos = [{}]
                        for key, values in entry.items():
                            values = values if isinstance(values, list) else [values]
                            combos = [dict(combo, **{key: str(value)}) for combo in combos for value in values]
                        nodes += combos
                for node in nodes:
                    suffix = "".join("-%s" % value for key, value in node.items() if key != "CI_NODE_TOTAL")
                    jobs.append({"name": name + suffix, "image": job.get("image"),
                                 "env": node, "commands": job["script"],
                                 "oidc": {var: oidc["token"] for var in id_tokens},
                                 "audiences": [str(spec.get("aud")) for spec in id_tokens.values()],
                                 "artifacts": artifacts, "repository_variables": variables})
        print(json.dumps(jobs))
        """#

    /// One job as the extractor read it.
    struct Job: Decodable {
        var name: String
        var image: String?
        var env: [String: String]
        var commands: [String]
        var oidc: [String: String]
        var artifacts: [String]
        var repository_variables: [String: String]
        /// GitLab: the `aud` of each id_token the job asks for.
        var audiences: [String]?
    }

    /// Without a fan-out, one apply job. `slices=3`: three apply jobs on the slices of nine hosts, each host
    /// in one job, and a report job whose merged JUnit holds every slice's suite. `targets`: one apply
    /// job per target of the workspace's runbook.yml, prod's role (another account) assumed from the
    /// pipeline's, and the report.
    @Test(arguments: cases, ["", "slices=3", "targets"])
    func theTemplatePassesItsSchemaAndRunsInTheImage(_ ci: Case, fanOut: String) throws {
        let slices = fanOut == "slices=3" ? 3 : 0
        let targets = fanOut == "targets" ? ["dev", "prod"] : []
        let image = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMoto()
        let checker = try #require(
            ApplyEnvironment.environment["RUNBOOK_TEST_CHECK_JSONSCHEMA"],
            "RUNBOOK_TEST_CHECK_JSONSCHEMA is not set (scripts/services/40-check-jsonschema.sh)")
        let inventory =
            "all:\n  hosts:\n" + Self.slicedHosts.map { "    \($0):\n      ansible_connection: local\n" }.joined()
        let files: [String: String] =
            switch fanOut {
            case "targets": ["Playbooks/check.yml": Self.targetsPlaybook, "runbook.yml": Self.targetsFile]
            case "": ["Playbooks/check.yml": Self.playbook]
            default: ["Playbooks/check.yml": Self.slicedPlaybook, "Inventory/hosts.yml": inventory]
            }
        let workspace = try ApplyWorkspace(files)
        defer { workspace.cleanUp() }

        let printed = try workspace.run(
            ["ci", ci.kind, "--image", image, "--playbook", "Playbooks/check.yml"]
                + (fanOut.isEmpty ? [] : ["--fan-out", fanOut]))
        try #require(printed.status == 0, "\(printed.output)")
        let file = "pipeline-\(ci.kind).yml"
        try workspace.write(file, printed.standardOutput)
        #expect(printed.standardOutput.contains(ci.breakFrom))
        try workspace.write(
            "broken-\(file)", printed.standardOutput.replacingOccurrences(of: ci.breakFrom, with: ci.breakTo))

        let valid = try ImageEnvironment.shell([
            checker, "--builtin-schema", ci.schema, workspace.url.appendingPathComponent(file).path,
        ])
        #expect(valid.status == 0, "\(ci.kind) template fails its schema: \(valid.output)")
        let broken = try ImageEnvironment.shell([
            checker, "--builtin-schema", ci.schema, workspace.url.appendingPathComponent("broken-\(file)").path,
        ])
        #expect(broken.status == 1, "the schema check cannot fail: \(broken.output)")

        let endpoint = try GitHubTokenEndpoint(folder: workspace.root)
        let oidc = [
            "ACTIONS_ID_TOKEN_REQUEST_URL": endpoint.url + "/token?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": endpoint.requestToken, "token": "ci-oidc-token-\(ci.kind)",
        ]
        let oidcForKind = ci.kind == "github" ? oidc.filter { $0.key != "token" } : oidc
        let extracted = try inImage(
            image, workspace,
            [
                "python3", "-c", Self.extractor, file, ci.kind, try json(Self.repositoryVariables),
                try json(oidcForKind),
            ], environment: [:])
        try #require(extracted.status == 0, "\(extracted.output)")
        let jobs = try JSONDecoder().decode([Job].self, from: Data(extracted.standardOutput.utf8))
        // validate and apply; fanned out: validate, one apply per slice or target, and the report.
        let fannedOut = slices + targets.count
        try #require(jobs.count == (fannedOut == 0 ? 2 : fannedOut + 2), "\(extracted.standardOutput)")
        var slicedHostsRun: [String] = []
        var stagesRun: [String] = []

        for job in jobs {
            #expect(job.image == image, "job \(job.name) does not run in the image")
            var environment = ci.ciVariables.merging(job.repository_variables) { $1 }
            environment.merge(job.env) { $1 }
            environment.merge(job.oidc) { $1 }
            // The test's plumbing: STS is moto, and there is no instance metadata to fall back on.
            environment["AWS_ENDPOINT_URL"] = moto
            environment["AWS_EC2_METADATA_DISABLED"] = "true"
            let script = (["set -e"] + job.commands).joined(separator: "\n")
            let result = try inImage(image, workspace, ["sh", "-c", script], environment: environment)
            #expect(result.status == 0, "\(ci.kind) job \(job.name): \(result.output)")
            let applies = job.commands.contains { $0.contains("runbook apply") }
            for artifact in job.artifacts {
                #expect(
                    exists(artifact, in: workspace.url),
                    "\(ci.kind) job \(job.name) names artifact \(artifact), which the run did not write")
            }
            if slices > 0 && applies {
                slicedHostsRun += result.output.components(separatedBy: "pipeline-host=").dropFirst().map {
                    String($0.prefix { $0 != "\"" && !$0.isWhitespace })
                }
            }
            let stage = result.output.components(separatedBy: "pipeline-stage=").dropFirst().first.map {
                String($0.prefix { !$0.isWhitespace && $0 != "\"" })
            }
            if let stage { stagesRun.append(stage) }
            if applies && stage == "prod" {
                // The target's role, in its own account, assumed from the pipeline's role.
                #expect(
                    result.output.contains("pipeline-arn=arn:aws:sts::111111111111:assumed-role/deploy/runbook-prod-"),
                    "\(ci.kind) job \(job.name): \(result.output)")
                #expect(result.output.contains("pipeline-region=eu-west-1"), "\(result.output)")
            } else if applies {
                #expect(
                    result.output.contains(
                        "pipeline-arn=arn:aws:sts::123456789012:assumed-role/ci-deploy/\(ci.session)"),
                    "\(ci.kind) job \(job.name): \(result.output)")
                #expect(!job.oidc.isEmpty, "the apply job gets no OIDC token from the file")
                #expect((job.audiences ?? []).allSatisfy { $0 == "sts.amazonaws.com" }, "\(job.audiences ?? [])")
                #expect(!result.output.contains("ci-oidc-token-"), "the OIDC token was printed")
                #expect(!result.output.contains(endpoint.requestToken), "the token request token was printed")
                #expect(!job.artifacts.isEmpty)
            }
        }
        if slices > 0 {
            #expect(slicedHostsRun.sorted() == Self.slicedHosts.sorted(), "each host once: \(slicedHostsRun)")
            let merged = workspace.read(ci.kind == "bitbucket" ? "runbook-results/junit.xml" : "results/runbook.xml")
            let text = try #require(merged, "\(ci.kind): the report job wrote no merged JUnit file")
            // Two tasks per host, nine hosts, three suites.
            #expect(text.contains("<testsuites name=\"runbook\" tests=\"18\" failures=\"0\""), "\(text)")
            for index in 1...slices { #expect(text.contains("Playbooks/check.yml (slice \(index)/\(slices))")) }
        }
        if !targets.isEmpty {
            #expect(stagesRun.sorted() == targets, "one job per target: \(stagesRun)")
            let merged = workspace.read(ci.kind == "bitbucket" ? "runbook-results/junit.xml" : "results/runbook.xml")
            let text = try #require(merged, "\(ci.kind): the report job wrote no merged JUnit file")
            // Two tasks on localhost, two targets.
            #expect(text.contains("<testsuites name=\"runbook\" tests=\"4\" failures=\"0\""), "\(text)")
            for target in targets { #expect(text.contains("Playbooks/check.yml (target \(target))"), "\(text)") }
        }
        // GitHub's token was asked for with the request token, the audience and the api version.
        if ci.kind == "github" {
            #expect(endpoint.log.contains("/token?api-version=2.0&audience=sts.amazonaws.com True"), "\(endpoint.log)")
            #expect(!endpoint.log.contains("False"), "\(endpoint.log)")
        } else {
            #expect(endpoint.log.isEmpty)
        }
    }

    /// A job with AWS_ROLE_ARN but without the file's OIDC grant: the warning names what to add and
    /// the apply fails for credentials (77), not for the playbook.
    @Test(arguments: cases)
    func withoutTheOIDCGrantTheWarningSaysWhatToAdd(_ ci: Case) throws {
        let image = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMoto()
        let workspace = try ApplyWorkspace(["Playbooks/check.yml": Self.playbook])
        defer { workspace.cleanUp() }
        var environment = ci.ciVariables.merging(Self.repositoryVariables) { $1 }
        environment["AWS_ENDPOINT_URL"] = moto
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        let result = try inImage(
            image, workspace, ["runbook", "apply", "Playbooks/check.yml"], environment: environment)
        #expect(result.status == 77, "\(result.output)")
        let hint =
            switch ci.kind {
            case "github": "add `permissions: id-token: write`"
            case "bitbucket": "add `oidc: true`"
            default: "add `id_tokens: {AWS_OIDC_TOKEN: {aud: sts.amazonaws.com}}`"
            }
        #expect(result.output.contains(hint), "\(result.output)")
    }

    /// Whether `artifact` (a path, a folder, or a glob such as `results/runbook-*.xml`) names a file the run wrote.
    private func exists(_ artifact: String, in folder: URL) -> Bool {
        let path = folder.appendingPathComponent(artifact).path
        guard artifact.contains("*") else { return FileManager.default.fileExists(atPath: path) }
        let parent = (path as NSString).deletingLastPathComponent
        let pattern = (path as NSString).lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        return names.contains { fnmatch(pattern, $0, 0) == 0 }
    }

    private func json(_ value: [String: String]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    /// `argv` in a fresh container of `image`, in the workspace (mounted at its own path), as this user.
    /// Variables go in through an env file, so no value is in this process's argv.
    private func inImage(
        _ image: String, _ workspace: ApplyWorkspace, _ argv: [String], environment: [String: String]
    ) throws -> RunbookFixture.Result {
        let envFile = workspace.root.appendingPathComponent("job-\(UUID().uuidString).env")
        var lines = ["HOME=\(workspace.home.path)"]
        lines += environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: envFile)
        defer { try? FileManager.default.removeItem(at: envFile) }
        let result = try ImageEnvironment.shell(
            [
                "docker", "run", "--rm", "--network", "host", "--user", "\(getuid()):\(getgid())",
                "--mount", "type=bind,source=\(workspace.root.path),target=\(workspace.root.path)",
                "--workdir", workspace.path, "--env-file", envFile.path, image,
            ] + argv)
        return RunbookFixture.Result(status: result.status, standardOutput: result.output, standardError: "")
    }
}

/// GitHub Actions' token-request endpoint on loopback: GET `…&audience=A` with `Authorization: bearer
/// <request token>` answers `{"count": 1, "value": "<token>"}`; a wrong or missing bearer is 401.
/// Each request's path and whether its bearer matched go to the log.
private final class GitHubTokenEndpoint {
    static let script = """
        import http.server, json, os, sys
        expected = "bearer " + sys.argv[1]
        log = open(sys.argv[2], "a", buffering=1)
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                ok = self.headers.get("Authorization") == expected
                log.write("%s %s\\n" % (self.path, ok))
                if not ok:
                    self.send_response(401); self.end_headers(); return
                data = json.dumps({"count": 1, "value": "ci-oidc-token-github"}).encode()
                self.send_response(200); self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        with open(sys.argv[3] + ".new", "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(sys.argv[3] + ".new", sys.argv[3])
        server.serve_forever()
        """

    let process = Process()
    let requestToken = "gh-request-" + UUID().uuidString.lowercased()
    let port: Int
    let logFile: String

    init(folder: URL) throws {
        logFile = folder.appendingPathComponent("github-token.log").path
        let portFile = folder.appendingPathComponent("github-token.port").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The request token through the environment would be tidier, but this is the test's own
        // fake secret: it is in argv of the endpoint only, and must not show in the job's output.
        process.arguments = ["python3", "-c", Self.script, requestToken, logFile, portFile]
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var written: Int?
        for _ in 0..<100 where written == nil && process.isRunning {
            written = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
            if written == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        port = try #require(written, "the loopback token endpoint did not start")
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    deinit {
        kill(process.processIdentifier, SIGKILL)
    }
}
