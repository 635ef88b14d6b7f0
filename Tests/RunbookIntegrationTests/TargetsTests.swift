import Foundation
import Testing

/// `apply --target` with real ansible in the image against moto: two targets in two accounts (dev with a
/// keys profile, prod with a role in another account assumed from it), each creating a VPC that must
/// land in its own account and region; `--parallel 2` with both containers up at once; an account guard
/// that stops a target (77) and, without `--keep-going`, the ones after it; `creds --target all`.
@Suite(.serialized, .enabled(if: ApplyEnvironment.enabled))
struct TargetsTests {
    private static let playbook = """
        - name: Per target
          hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - name: Caller
              amazon.aws.aws_caller_info:
              register: me
            - name: Network
              amazon.aws.ec2_vpc_net:
                name: "runbook-{{ run_id }}-{{ stage }}"
                cidr_block: 10.42.0.0/16
                tags: {stage: "{{ stage }}"}
            - name: Hold
              ansible.builtin.pause:
                seconds: "{{ hold | default(0) | int }}"
            - name: Report
              ansible.builtin.debug:
                msg: "target-account={{ me.account }} target-stage={{ stage }} target-replicas={{ replicas | type_debug }}"
        """

    private static let prodAccount = "111111111111"
    private static let devAccount = "123456789012"

    private static func file(bad: Bool) -> String {
        """
        inventory: ["localhost,"]
        targets:
        \(bad ? "  guarded:\n    profile: dev\n    expect_account: \"999999999999\"\n    extra_vars: {stage: guarded}\n" : "")\
          dev:
            profile: dev
            region: eu-west-2
            expect_account: "\(devAccount)"
            extra_vars: {stage: dev, replicas: 1}
          prod:
            profile: dev
            role_arn: arn:aws:iam::\(prodAccount):role/deploy
            region: eu-west-1
            expect_account: \(prodAccount)
            limit: localhost
            extra_vars:
              stage: prod
              replicas: 3
        """
    }

    private func workspace(bad: Bool = false) throws -> ApplyWorkspace {
        let workspace = try ApplyWorkspace(["Playbooks/site.yml": Self.playbook, "runbook.yml": Self.file(bad: bad)])
        let aws = workspace.home.appendingPathComponent(".aws")
        try workspace.write(
            "credentials",
            "[dev]\naws_access_key_id = \(ApplyEnvironment.accessKey)\naws_secret_access_key = \(ApplyEnvironment.secretKey)\n",
            in: aws, mode: 0o600)
        return workspace
    }

    private func environment(_ moto: String) -> [String: String] { ["AWS_ENDPOINT_URL": moto] }

    /// The names of the VPCs tagged runbook-RUN-* in an account and region, as moto has them.
    private func vpcs(_ run: String, account: String, region: String) throws -> [String] {
        let assume =
            account == Self.devAccount
            ? "client = ec2"
            : """
            sts = boto3.client("sts", endpoint_url=sys.argv[1], region_name=sys.argv[2])
            c = sts.assume_role(RoleArn="arn:aws:iam::\(account):role/deploy", RoleSessionName="check")["Credentials"]
            client = boto3.client("ec2", endpoint_url=sys.argv[1], region_name=sys.argv[2],
                aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                aws_session_token=c["SessionToken"])
            """
        let output = try ApplyEnvironment.boto3(
            """
            \(assume)
            for vpc in client.describe_vpcs()["Vpcs"]:
                for tag in vpc.get("Tags", []):
                    if tag["Key"] == "Name" and tag["Value"].startswith("runbook-\(run)-"):
                        print(tag["Value"])
            """, region: region)
        return output.split(separator: "\n").map(String.init).sorted()
    }

    @Test func eachTargetRunsInItsOwnAccountAndRegion() throws {
        _ = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMoto()
        let workspace = try workspace()
        defer { workspace.cleanUp() }
        let run = UUID().uuidString.prefix(8).lowercased()
        let result = try workspace.run(
            [
                "apply", "site", "--target", "all", "-e", "run_id=\(run)", "--junit", "out/r.xml", "--json",
                "out/r.json",
            ],
            environment(moto))
        #expect(result.status == 0, "\(result.output)")
        // Output prefixed by the target, each with its own account, variables typed as in a vars file.
        #expect(result.standardOutput.contains("[dev ]"), "\(result.output)")
        #expect(
            result.standardOutput.contains(
                "[dev ]     \"msg\": \"target-account=\(Self.devAccount) target-stage=dev target-replicas=int\""),
            "\(result.output)")
        #expect(
            result.standardOutput.contains(
                "[prod]     \"msg\": \"target-account=\(Self.prodAccount) target-stage=prod target-replicas=int\""),
            "\(result.output)")
        // prod's keys are the role's, not the profile's.
        #expect(result.standardError.contains("[prod] runbook: credentials: role arn:aws:iam::\(Self.prodAccount)"))
        #expect(result.standardError.contains("assumed-role/deploy/runbook-prod-"), "\(result.standardError)")
        // The table.
        let table = try #require(result.standardError.components(separatedBy: "runbook: targets\n").last)
        let rows = table.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.first == ["target", "account", "exit", "changed", "failed"], "\(table)")
        #expect(rows.dropFirst().first == ["dev", Self.devAccount, "0", "1", "0"], "\(table)")
        #expect(rows.dropFirst(2).first == ["prod", Self.prodAccount, "0", "1", "0"], "\(table)")
        // The VPCs landed in the target's account and region only.
        #expect(try vpcs(String(run), account: Self.devAccount, region: "eu-west-2") == ["runbook-\(run)-dev"])
        #expect(try vpcs(String(run), account: Self.prodAccount, region: "eu-west-1") == ["runbook-\(run)-prod"])
        #expect(try vpcs(String(run), account: Self.devAccount, region: "eu-west-1").isEmpty)
        #expect(try vpcs(String(run), account: Self.prodAccount, region: "eu-west-2").isEmpty)
        // Results files per target, each suite named by its target.
        for target in ["dev", "prod"] {
            let junit = try #require(workspace.read("out/r.\(target).xml"), "no JUnit file for \(target)")
            #expect(junit.contains("Playbooks/site.yml (target \(target))"), "\(junit)")
            let json = try #require(workspace.read("out/r.\(target).json"))
            let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            #expect(document?["target"] as? String == target)
        }
        #expect(workspace.read("out/r.xml") == nil)
        // Nothing secret in the output: the profile's secret never, the role's session token never.
        #expect(!result.output.contains(ApplyEnvironment.secretKey))
    }

    @Test func parallelTargetsRunAtTheSameTime() throws {
        _ = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMoto()
        let workspace = try workspace()
        defer { workspace.cleanUp() }
        let run = UUID().uuidString.prefix(8).lowercased()
        let launched = try workspace.launch(
            [
                "apply", "site", "--target", "dev", "--target", "prod", "--parallel", "2", "-e", "run_id=\(run)", "-e",
                "hold=8",
            ], environment(moto))
        // Both targets' containers are up at once.
        let both = try launched.waitFor(seconds: 120) { try ApplyEnvironment.containers(of: workspace).count == 2 }
        let result = launched.wait()
        #expect(both, "the two targets' containers never ran together: \(result.output)")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.standardOutput.contains("[dev ]") && result.standardOutput.contains("[prod]"))
        #expect(try vpcs(String(run), account: Self.prodAccount, region: "eu-west-1") == ["runbook-\(run)-prod"])
        #expect(try ApplyEnvironment.containers(of: workspace).isEmpty)
    }

    @Test func aWrongAccountStopsItsTargetAndTheOnesAfterIt() throws {
        _ = try ApplyEnvironment.requireImage()
        let moto = try ApplyEnvironment.requireMoto()
        let workspace = try workspace(bad: true)
        defer { workspace.cleanUp() }
        let run = UUID().uuidString.prefix(8).lowercased()
        let stopped = try workspace.run(["apply", "site", "--target", "all", "-e", "run_id=\(run)"], environment(moto))
        #expect(stopped.status == 77, "\(stopped.output)")
        #expect(
            stopped.standardError.contains(
                "[guarded] runbook: error: these credentials are for account \(Self.devAccount)"),
            "\(stopped.output)")
        #expect(stopped.standardError.contains("not run: an earlier target failed"), "\(stopped.output)")
        #expect(!stopped.standardOutput.contains("target-stage="), "a later target ran: \(stopped.output)")
        #expect(try vpcs(String(run), account: Self.devAccount, region: "eu-west-2").isEmpty)

        let kept = try workspace.run(
            ["apply", "site", "--target", "all", "--keep-going", "-e", "run_id=\(run)"], environment(moto))
        #expect(kept.status == 77, "\(kept.output)")
        let table = try #require(kept.standardError.components(separatedBy: "runbook: targets\n").last)
        let rows = table.split(separator: "\n").map { $0.split(separator: " ").prefix(3).map(String.init) }
        #expect(
            rows == [
                ["target", "account", "exit"], ["guarded", "-", "77"], ["dev", Self.devAccount, "0"],
                ["prod", Self.prodAccount, "0"],
            ], "\(table)")

        // creds checks every target's guard in one go.
        let creds = try workspace.run(["creds", "--online", "--target", "all"], environment(moto))
        #expect(creds.status == 77, "\(creds.output)")
        #expect(creds.standardOutput.contains("[prod   ] account     \(Self.prodAccount)"), "\(creds.output)")
        #expect(creds.standardError.contains("  guarded  -"), "\(creds.output)")
        #expect(creds.standardError.contains("  prod     \(Self.prodAccount)  eu-west-1  ok"), "\(creds.output)")
        let good = try workspace.run(["creds", "--online", "--target", "dev", "--target", "prod"], environment(moto))
        #expect(good.status == 0, "\(good.output)")
        let json = try workspace.run(
            ["creds", "--online", "--target", "dev", "--target", "prod", "--format", "json"], environment(moto))
        let documents = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        #expect(documents.map { Set($0.keys) } == ["dev", "prod"], "\(json.output)")
        // An unknown target is a usage error naming the known ones.
        let unknown = try workspace.run(["apply", "site", "--target", "prd"], environment(moto))
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("did you mean 'prod'?"), "\(unknown.output)")
    }
}
