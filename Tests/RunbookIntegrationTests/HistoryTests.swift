import Foundation
import Testing

/// The run history end to end on the real engine: ok, failed and interrupted runs (SIGINT and kill -9)
/// recorded in SQLite, listed, shown and diffed, rendered as HTML in a real headless Chromium, the team
/// history round-tripped through moto's S3 (signature-checking), and the idempotence gate on the SSH host.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct HistoryTests {
    static let token = "hist-token-9d3f7a61c2"

    static let steps = """
        - name: Steps
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Say the token
              ansible.builtin.debug:
                msg: "token={{ lookup('ansible.builtin.env', 'MY_TOKEN') }}"
            - name: Write a file
              ansible.builtin.copy:
                content: "line {{ run_number | default(1) }} {{ lookup('ansible.builtin.env', 'MY_TOKEN') }}\\n"
                dest: /tmp/runbook-history-{{ run_tag }}.txt
                mode: "0600"
            - name: Maybe fail
              ansible.builtin.fail:
                msg: "failing as asked, {{ lookup('ansible.builtin.env', 'MY_TOKEN') }}"
              when: fail_now | default(false) | bool
            - name: Wait when asked
              ansible.builtin.command: sleep {{ pause | default(0) }}
              changed_when: false
        """

    private func history(_ workspace: ApplyWorkspace) -> String {
        workspace.home.appendingPathComponent(".local/share/runbook/history.sqlite").path
    }

    private func sqlite(_ database: String, _ sql: String) throws -> String {
        let result = try ImageEnvironment.shell(["sqlite3", database, sql])
        try #require(result.status == 0, "sqlite3: \(result.output)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func runs(_ workspace: ApplyWorkspace, _ extra: [String] = []) throws -> [[String: Any]] {
        let listed = try workspace.run(["runs", "--format", "json"] + extra)
        try #require(listed.status == 0, "\(listed.output)")
        let json = try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8))
        return try #require(json as? [[String: Any]], "\(listed.standardOutput)")
    }

    @Test func okFailedAndInterruptedRunsAreRecordedShownAndDiffed() throws {
        _ = try ApplyEnvironment.requireImage()
        let tag = UUID().uuidString
        let workspace = try ApplyWorkspace(["Playbooks/steps.yml": Self.steps])
        defer { workspace.cleanUp() }
        let environment = ["MY_TOKEN": Self.token]
        let common = ["--no-credentials", "--env", "MY_TOKEN", "-e", "run_tag=\(tag)"]

        let ok = try workspace.run(["apply", "steps", "--diff"] + common, environment)
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.standardError.contains("recorded as run"), "\(ok.standardError)")
        let failed = try workspace.run(
            ["apply", "steps", "--diff", "-e", "fail_now=true", "-e", "run_number=2"] + common, environment)
        #expect(failed.status == 2, "\(failed.output)")

        // SIGINT: runbook stops the run and records it as interrupted itself.
        let interrupted = try workspace.launch(["apply", "steps", "-e", "pause=60"] + common, environment)
        try #require(
            try interrupted.waitFor(seconds: 120) { interrupted.standardOutput.contains("TASK [Wait when asked]") },
            "\(interrupted.standardOutput)\(interrupted.standardError)")
        Thread.sleep(forTimeInterval: 1)
        kill(interrupted.process.processIdentifier, SIGINT)
        #expect(interrupted.wait(seconds: 60).status == 130)

        // kill -9: nothing records the end; the next reader sees the owner gone and says interrupted.
        let killed = try workspace.launch(["apply", "steps", "-e", "pause=60"] + common, environment)
        try #require(
            try killed.waitFor(seconds: 120) { killed.standardOutput.contains("TASK [Wait when asked]") },
            "\(killed.standardOutput)\(killed.standardError)")
        Thread.sleep(forTimeInterval: 1)
        kill(killed.process.processIdentifier, SIGKILL)
        _ = killed.wait(seconds: 30)

        let listed = try runs(workspace)
        #expect(listed.map { $0["status"] as? String } == ["interrupted", "interrupted", "failed", "ok"], "\(listed)")
        #expect(listed.map { $0["exitStatus"] as? Int } == [nil, 130, 2, 0], "\(listed)")
        let ids = listed.compactMap { $0["id"] as? String }
        try #require(ids.count == 4)
        let (okID, failedID) = (ids[3], ids[2])
        #expect(listed[3]["hosts"] as? Int == 1 && listed[3]["changed"] as? Int == 1, "\(listed[3])")
        #expect(listed[3]["playbook"] as? String == "Playbooks/steps.yml")
        #expect(listed[3]["user"] != nil && listed[3]["host"] != nil && listed[3]["image"] as? String != nil)
        #expect(try runs(workspace, ["--status", "failed"]).compactMap { $0["id"] as? String } == [failedID])
        #expect(try runs(workspace, ["--playbook", "steps.yml", "--last", "2"]).count == 2)
        #expect(try runs(workspace, ["--since", "2099-01-01"]).isEmpty)
        let table = try workspace.run(["runs"])
        #expect(table.status == 0 && table.standardOutput.contains("RUN") && table.standardOutput.contains(okID))

        let shown = try workspace.run(["show", okID])
        #expect(shown.status == 0, "\(shown.output)")
        #expect(shown.standardOutput.contains("changed:\n  localhost: Write a file"), "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("+line 1 ****"), "the diff, masked: \(shown.standardOutput)")
        #expect(shown.standardOutput.contains("hosts × tasks:"))
        let showFailed = try workspace.run(["show", String(failedID.prefix(6))])
        #expect(
            showFailed.standardOutput.contains("failures:\n  localhost: Maybe fail"), "\(showFailed.standardOutput)")
        #expect(showFailed.standardOutput.contains("failing as asked, ****"))

        let diff = try workspace.run(["runs", "diff", okID, failedID])
        #expect(diff.status == 0, "\(diff.output)")
        #expect(
            diff.standardOutput.contains("Maybe fail  (") && diff.standardOutput.contains("skipped → failed"),
            "\(diff.standardOutput)")
        #expect(diff.standardOutput.contains("Wait when asked") && diff.standardOutput.contains("ok → (did not run)"))
        #expect(!diff.standardOutput.contains("Say the token"), "an unchanged task is listed: \(diff.standardOutput)")

        // The database: WAL, intact, and no secret in any of its files.
        let database = history(workspace)
        #expect(try sqlite(database, "PRAGMA journal_mode") == "wal")
        #expect(try sqlite(database, "PRAGMA integrity_check") == "ok")
        #expect(try sqlite(database, "SELECT count(*) FROM results WHERE message LIKE '%****%'") != "0")
        for suffix in ["", "-wal", "-shm"] {
            let bytes = FileManager.default.contents(atPath: database + suffix) ?? Data()
            #expect(bytes.range(of: Data(Self.token.utf8)) == nil, "the token is in history.sqlite\(suffix)")
        }

        // The HTML report of the failed run in a real Chromium.
        let report = try workspace.run(["report", failedID, "--html", "out/report.html"])
        #expect(report.status == 0, "\(report.output)")
        let html = try #require(workspace.read("out/report.html"))
        #expect(!html.contains(Self.token))
        #expect(!html.contains("http://") || !html.contains("src=\"http"), "the page fetches something")
        let page = workspace.url.appendingPathComponent("out/report.html").path
        let browser = try Chromium.render(page, screenshot: workspace.root.appendingPathComponent("shot.png").path)
        #expect(browser.consoleMessages.isEmpty, "console: \(browser.consoleMessages)")
        #expect(
            browser.dom.contains("data-timeline=\"3\""), "the timeline did not draw 3 bars: \(browser.dom.prefix(400))")
        let pixels = try Chromium.count(
            colours: ["d64545", "2e9d5b"], in: workspace.root.appendingPathComponent("shot.png").path)
        #expect(pixels["d64545", default: 0] > 50, "no failed bar in the screenshot: \(pixels)")
        #expect(pixels["2e9d5b", default: 0] > 50, "no ok bar in the screenshot: \(pixels)")
    }

    /// In-image (a CI step whose image is runbook's): the run is recorded too, with the commit read
    /// from the checkout's .git (the image has no git) and the CI job's URL; a SIGTERM'd step is
    /// recorded as interrupted.
    @Test func inImageRunsAreRecordedWithTheCommitAndTheJob() throws {
        let image = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/steps.yml": Self.steps])
        defer { workspace.cleanUp() }
        for argv in [
            ["git", "init", "-q", workspace.path], ["git", "-C", workspace.path, "add", "Playbooks"],
            [
                "git", "-C", workspace.path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm",
                "steps",
            ],
        ] {
            try #require(try ImageEnvironment.shell(argv).status == 0, "\(argv)")
        }
        let commit = try ImageEnvironment.shell(["git", "-C", workspace.path, "rev-parse", "HEAD"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let data = workspace.url.appendingPathComponent("out/data").path
        let step = [
            "docker", "run", "--rm", "--network", "host", "--mount",
            "type=bind,source=\(workspace.path),target=\(workspace.path)", "--workdir", workspace.path,
            "--env", "XDG_DATA_HOME=\(data)", "--env", "GITLAB_CI=true", "--env",
            "CI_JOB_URL=https://gitlab.example/j/7",
            "--env", "MY_TOKEN=\(Self.token)", image, "runbook", "apply", "steps", "--no-credentials", "--env",
            "MY_TOKEN", "-e", "run_tag=x",
        ]
        let result = try ImageEnvironment.shell(step)
        #expect(result.status == 0, "\(result.output)")
        let history = data + "/runbook/history.sqlite"
        let row = try sqlite(
            history, "SELECT status, exit_status, git_commit, ci_provider, ci_job_url, image FROM runs")
        #expect(row == "ok|0|\(commit)|gitlab|https://gitlab.example/j/7|", "\(row)")
        #expect(try sqlite(history, "SELECT count(*) FROM results") == "4")
        let shown = try workspace.run(["show", "last", "--history", history])
        #expect(shown.status == 0 && shown.standardOutput.contains("git: \(commit)"), "\(shown.output)")

        let name = "runbook-it-history-\(UUID().uuidString.prefix(8).lowercased())"
        defer { _ = try? ImageEnvironment.shell(["docker", "rm", "--force", name]) }
        var detached = step
        detached.insert(contentsOf: ["--detach", "--name", name], at: 2)
        detached.removeAll { $0 == "--rm" }
        detached += ["-e", "pause=60"]
        try #require(try ImageEnvironment.shell(detached).status == 0)
        var logs = ""
        for _ in 0..<600 where !logs.contains("TASK [Wait when asked]") {
            Thread.sleep(forTimeInterval: 0.1)
            logs = (try? ImageEnvironment.shell(["docker", "logs", name]).output) ?? ""
        }
        try #require(logs.contains("TASK [Wait when asked]"), "\(logs)")
        _ = try ImageEnvironment.shell(["docker", "kill", "--signal", "TERM", name])
        _ = try ImageEnvironment.shell(["docker", "wait", name])
        #expect(
            try sqlite(history, "SELECT status || ' ' || exit_status FROM runs ORDER BY started DESC LIMIT 1")
                == "interrupted 143")
    }

    @Test func twoRunbooksRecordingAtOnceBothLand() throws {
        _ = try ApplyEnvironment.requireImage()
        let workspace = try ApplyWorkspace(["Playbooks/steps.yml": Self.steps])
        defer { workspace.cleanUp() }
        let tag = UUID().uuidString
        let runs = try (1...2).map { number in
            try workspace.launch(
                ["apply", "steps", "--no-credentials", "-e", "run_tag=\(tag)-\(number)", "-e", "pause=2"],
                ["MY_TOKEN": Self.token])
        }
        for run in runs { #expect(run.wait(seconds: 240).status == 0, "\(run.standardOutput)\(run.standardError)") }
        #expect(try sqlite(history(workspace), "SELECT count(*) FROM runs WHERE status = 'ok'") == "2")
        #expect(try sqlite(history(workspace), "SELECT count(*) FROM results") == "8")
    }

    /// Makes a bucket in moto at `url` with boto3.
    private func makeBucket(_ bucket: String, at url: String, key: String, secret: String) throws {
        _ = try ApplyEnvironment.boto3(
            """
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="eu-west-2",
                aws_access_key_id="\(key)", aws_secret_access_key="\(secret)")
            s3.create_bucket(Bucket="\(bucket)", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
            """, endpoint: url)
    }

    private func applyWritingTo(_ store: String, in workspace: ApplyWorkspace, _ credentials: [String: String]) throws
        -> RunbookFixture.Result
    {
        try workspace.run(
            [
                "apply", "steps", "--env", "MY_TOKEN", "-e", "run_tag=\(UUID().uuidString)", "--diff",
                "--history-store", store,
            ], credentials)
    }

    /// The signature-checking moto accepts runbook's signed PutObject, and the object boto3 reads back
    /// is the run as gzip JSON, masked. (moto's signature check rejects any signed ListObjectsV2 whose
    /// prefix holds a "/", botocore's own included, so listing is checked against botocore's signer in
    /// BotocoreS3CrossCheckTests and round-tripped below on the plain endpoint.)
    @Test func signedPutLandsInS3AsMaskedGzipJSON() throws {
        _ = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMotoAuth()
        let bucket = "runbook-history-\(UUID().uuidString.prefix(8).lowercased())"
        try makeBucket(bucket, at: moto.url, key: moto.keyId, secret: moto.secret)
        let workspace = try ApplyWorkspace(["Playbooks/steps.yml": Self.steps])
        defer { workspace.cleanUp() }
        let applied = try applyWritingTo(
            "s3://\(bucket)/team", in: workspace,
            [
                "AWS_ACCESS_KEY_ID": moto.keyId, "AWS_SECRET_ACCESS_KEY": moto.secret, "AWS_REGION": "eu-west-2",
                "AWS_ENDPOINT_URL": moto.url, "MY_TOKEN": Self.token,
            ])
        #expect(applied.status == 0, "\(applied.output)")
        let written = try #require(
            applied.standardError.split(separator: "\n").first { $0.contains("written to s3://\(bucket)/team/runs/") },
            "\(applied.standardError)")
        let key = String(written.split(separator: "s3://\(bucket)/").last ?? "")
        let object = try ApplyEnvironment.boto3(
            """
            import gzip
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="eu-west-2",
                aws_access_key_id="\(moto.keyId)", aws_secret_access_key="\(moto.secret)")
            got = s3.get_object(Bucket="\(bucket)", Key="\(key)")
            print(got["ContentEncoding"], got["ContentType"])
            print(gzip.decompress(got["Body"].read()).decode())
            """, endpoint: moto.url)
        #expect(object.hasPrefix("gzip application/json"), "\(object)")
        #expect(
            object.contains("\"Say the token\"") && object.contains("****") && !object.contains(Self.token), "\(object)"
        )
        let wrongKey = try applyWritingTo(
            "s3://\(bucket)/team", in: workspace,
            [
                "AWS_ACCESS_KEY_ID": moto.keyId, "AWS_SECRET_ACCESS_KEY": moto.secret, "AWS_REGION": "eu-west-2",
                "AWS_ENDPOINT_URL": moto.url, "AWS_ENDPOINT_URL_S3": moto.url + "/nowhere", "MY_TOKEN": Self.token,
            ])
        #expect(wrongKey.status == 0, "a history store that fails must not fail the run: \(wrongKey.output)")
        #expect(wrongKey.standardError.contains("warning: the run was not written to the history store"))
    }

    @Test func teamHistoryRoundTripsThroughS3() throws {
        _ = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMoto()
        let bucket = "runbook-history-\(UUID().uuidString.prefix(8).lowercased())"
        try makeBucket(bucket, at: moto, key: ApplyEnvironment.accessKey, secret: ApplyEnvironment.secretKey)
        let credentials = [
            "AWS_ACCESS_KEY_ID": ApplyEnvironment.accessKey, "AWS_SECRET_ACCESS_KEY": ApplyEnvironment.secretKey,
            "AWS_REGION": "eu-west-2", "AWS_ENDPOINT_URL": moto, "MY_TOKEN": Self.token,
        ]
        let ci = try ApplyWorkspace(["Playbooks/steps.yml": Self.steps])
        defer { ci.cleanUp() }
        for _ in 0..<2 {
            let applied = try applyWritingTo("s3://\(bucket)/team", in: ci, credentials)
            #expect(applied.status == 0, "\(applied.output)")
        }

        // A laptop with no local history of those runs reads them from S3.
        let laptop = try ApplyWorkspace([:])
        defer { laptop.cleanUp() }
        let listed = try laptop.run(["runs", "--from", "s3://\(bucket)/team", "--format", "json"], credentials)
        #expect(listed.status == 0, "\(listed.output)")
        #expect(listed.standardError.contains("2 new run(s) from s3://\(bucket)/team"), "\(listed.standardError)")
        let ids = ((try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]]) ?? [])
            .compactMap { $0["id"] as? String }
        #expect(ids.count == 2, "\(listed.standardOutput)")
        let id = try #require(ids.first)
        let shown = try laptop.run(["show", id, "--from", "s3://\(bucket)/team"], credentials)
        #expect(shown.status == 0 && shown.standardOutput.contains("run \(id) (apply): ok"), "\(shown.output)")
        #expect(shown.standardOutput.contains("+line 1 ****"), "the diff came through: \(shown.standardOutput)")
        #expect(!shown.standardError.contains("new run"), "the second read fetched the objects again")
        let diff = try laptop.run(["runs", "diff", ids[1], ids[0], "--from", "s3://\(bucket)/team"], credentials)
        #expect(diff.status == 0 && diff.standardOutput.contains("no differences"), "\(diff.output)")
        let report = try laptop.run(["report", id, "--from", "s3://\(bucket)/team", "--html", "r.html"], credentials)
        #expect(report.status == 0 && !(laptop.read("r.html") ?? Self.token).contains(Self.token), "\(report.output)")
        let local = try laptop.run(["runs"])
        #expect(local.status == 66, "the laptop's own history has no runs: \(local.output)")
    }

    @Test func idempotenceGatePassesConfigureEC2AndNamesAnUnguardedCommand() throws {
        _ = try ApplyEnvironment.requireImage()
        let motoURL = try ApplyEnvironment.requireMoto()
        let ssh = try ApplyEnvironment.requireSSHHost()
        let id = UUID().uuidString
        _ = try ApplyEnvironment.createInstances(1, tags: ["Role": "web", "RunbookTest": id])
        let playbook = try String(
            contentsOf: ApplyEnvironment.repositoryRoot.appendingPathComponent("Playbooks/configure-ec2.yml"),
            encoding: .utf8)
        let workspace = try ApplyWorkspace([
            "Playbooks/configure-ec2.yml": playbook,
            "Playbooks/unguarded.yml": """
            - name: Not idempotent
              hosts: target
              gather_facts: false
              tasks:
                - name: Look at the time
                  ansible.builtin.command: date
                - name: Guarded
                  ansible.builtin.command: date
                  changed_when: false
            """,
            "Inventory/hosts.ini": """
            [target]
            sshd ansible_host=\(ssh.host) ansible_port=\(ssh.port) ansible_user=\(ssh.user)
            """,
        ])
        defer { workspace.cleanUp() }
        try workspace.installSSH(key: ssh.key, knownHosts: try String(contentsOfFile: ssh.knownHosts, encoding: .utf8))
        let variables = """
            {"instance_filters": {"instance-state-name": "running", "tag:Role": "web", "tag:RunbookTest": "\(id)"},
             "ssh_host": "\(ssh.host)", "ssh_port": \(ssh.port), "ssh_user": "\(ssh.user)"}
            """
        let credentials = [
            "AWS_ACCESS_KEY_ID": ApplyEnvironment.accessKey, "AWS_SECRET_ACCESS_KEY": ApplyEnvironment.secretKey,
            "AWS_REGION": "eu-west-2", "AWS_ENDPOINT_URL": motoURL,
        ]
        let passed = try workspace.run(
            ["apply", "configure-ec2", "-e", variables, "--idempotence", "--junit", "out/ok.xml"], credentials)
        #expect(passed.status == 0, "\(passed.output)")
        #expect(passed.standardError.contains("idempotence: the second run changed nothing"), "\(passed.standardError)")
        #expect(workspace.read("out/ok.xml")?.contains("second run changes nothing") == true)

        let failed = try workspace.run(
            ["apply", "unguarded", "--no-credentials", "--idempotence", "--json", "out/r.json", "--junit", "out/r.xml"])
        #expect(failed.status == 80, "\(failed.output)")
        #expect(
            failed.standardError.contains("sshd: Look at the time  (")
                && failed.standardError.contains("unguarded.yml:5)"),
            "\(failed.standardError)")
        #expect(!failed.standardError.contains("sshd: Guarded"))
        let json = workspace.read("out/r.json") ?? ""
        #expect(json.contains("\"idempotence\"") && json.contains("\"passed\" : false"), "\(json)")
        let junit = workspace.read("out/r.xml") ?? ""
        #expect(junit.contains("type=\"not-idempotent\"") && junit.contains("[sshd] Look at the time"), "\(junit)")
        let listed = try runs(workspace)
        #expect(
            listed.first?["kind"] as? String == "idempotence" && listed.first?["status"] as? String == "not-idempotent")
        #expect(listed.first?["parent"] as? String == listed.dropFirst().first?["id"] as? String)
    }
}

/// Debian's headless Chromium: the DOM after scripts ran, the console's messages, a screenshot.
enum Chromium {
    struct Rendering {
        var dom: String
        var consoleMessages: [String]
    }

    static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["RUNBOOK_TEST_CHROMIUM"] { return path }
        try #require(!RunbookFixture.inCI, "RUNBOOK_TEST_CHROMIUM is not set (scripts/services/50-chromium.sh)")
        return "/usr/bin/chromium"
    }

    static func render(_ file: String, screenshot: String) throws -> Rendering {
        let flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
            "--user-data-dir=\(NSTemporaryDirectory())/rb-chromium-\(UUID().uuidString)",
        ]
        let dom = try ImageEnvironment.shell(
            ["timeout", "60", try binary()] + flags + ["--dump-dom", "file://" + file])
        try #require(dom.status == 0, "chromium --dump-dom failed: \(dom.output.suffix(2000))")
        let shot = try ImageEnvironment.shell(
            ["timeout", "60", try binary()] + flags + [
                "--window-size=1400,1000", "--screenshot=\(screenshot)", "file://" + file,
            ])
        try #require(shot.status == 0, "chromium --screenshot failed: \(shot.output.suffix(2000))")
        let console = (dom.output + shot.output).split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(
            String.init)
        return Rendering(dom: dom.output, consoleMessages: console)
    }

    /// How many pixels of each colour (hex rrggbb, ±8 per channel) a PNG holds, decoded with Python's zlib.
    static func count(colours: [String], in png: String) throws -> [String: Int] {
        let script = """
            import struct, sys, zlib
            data = open(sys.argv[1], "rb").read()
            pos, idat, w, h = 8, b"", 0, 0
            while pos < len(data):
                n, kind = struct.unpack(">I4s", data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
                if kind == b"IHDR": w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
                if kind == b"IDAT": idat += body
            bpp = 4 if ctype == 6 else 3
            raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
            for y in range(h):
                f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
                for i in range(stride):
                    a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
                    if f == 1: line[i] = (line[i] + a) & 255
                    elif f == 2: line[i] = (line[i] + b) & 255
                    elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
                    elif f == 4:
                        p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                        line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
                rows.append(line); prev = line
            for hexa in sys.argv[2:]:
                r, g, bl = (int(hexa[k:k + 2], 16) for k in (0, 2, 4))
                n = sum(1 for line in rows for x in range(0, stride, bpp)
                        if abs(line[x] - r) <= 8 and abs(line[x + 1] - g) <= 8 and abs(line[x + 2] - bl) <= 8)
                print(hexa, n)
            """
        let result = try ImageEnvironment.shell(["python3", "-c", script, png] + colours)
        try #require(result.status == 0, "decoding the screenshot failed: \(result.output)")
        var counts: [String: Int] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let n = Int(parts[1]) { counts[String(parts[0])] = n }
        }
        return counts
    }
}
