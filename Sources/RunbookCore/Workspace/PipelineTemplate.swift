/// The CI systems runbook writes pipeline definitions for.
public enum PipelineKind: String, Sendable, CaseIterable {
    case bitbucket
    case github
    case gitlab

    /// The file the pipeline definition goes in.
    public var fileName: String {
        switch self {
        case .bitbucket: "bitbucket-pipelines.yml"
        case .github: ".github/workflows/runbook.yml"
        case .gitlab: ".gitlab-ci.yml"
        }
    }
}

/// A pipeline definition whose step runs `runbook apply` in the ansible-aws image, with JUnit results
/// in the CI's test reports and AWS credentials from the CI's OIDC token (or its secret variables).
public struct PipelineTemplate: Sendable {
    /// The CI system.
    public var kind: PipelineKind
    /// The image the step runs in (must be pullable by the CI: push it with `runbook image push`).
    public var image: String
    /// The playbook the step applies.
    public var playbook: String
    /// `--fan-out slices=N`: the apply job as N parallel jobs, one `--slice I/N` each, then a job that
    /// merges their JUnit files.
    public var slices: Int?

    /// Makes a template.
    public init(
        kind: PipelineKind, image: String, playbook: String = "Playbooks/configure-ec2.yml", slices: Int? = nil
    ) {
        self.kind = kind
        self.image = image
        self.playbook = playbook
        self.slices = slices
    }

    /// The most parallel jobs `--fan-out slices=N` writes (GitLab's `parallel` allows 200).
    public static let maximumSlices = 200

    /// Parses `--fan-out`: `slices=N` with N from 2 to `maximumSlices`.
    public static func slices(fanOut: String) throws -> Int {
        if fanOut == "targets" {
            throw RunbookError.usage(
                "--fan-out targets needs named targets in runbook.yml, which this runbook does not have yet; "
                    + "use --fan-out slices=N")
        }
        guard fanOut.hasPrefix("slices="), let count = Int(fanOut.dropFirst("slices=".count)),
            (2...maximumSlices).contains(count)
        else {
            throw RunbookError.usage("--fan-out '\(fanOut)' is not slices=N with N from 2 to \(maximumSlices)")
        }
        return count
    }

    /// The pipeline file's text.
    public var text: String {
        switch kind {
        case .bitbucket: bitbucket
        case .github: github
        case .gitlab: gitlab
        }
    }

    private var bitbucket: String {
        """
        # Bitbucket Pipelines: configure AWS with Ansible through runbook.
        # Repository variables: AWS_ROLE_ARN (a role trusting Bitbucket's OIDC provider) and AWS_REGION.
        # With `oidc: true` the step gets BITBUCKET_STEP_OIDC_TOKEN, which runbook exchanges for the role's
        # credentials itself. Without OIDC, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY as secured
        # variables instead. JUnit results in test-results/ show in the Tests tab.\(bitbucketFanOutComment)
        pipelines:
          branches:
            main:
        \(bitbucketApply)
          pull-requests:
            '**':
              - step:
                  name: Validate playbooks
                  image: \(image)
                  script:
                    - runbook validate --format text

        """
    }

    private var bitbucketFanOutComment: String {
        guard let slices else { return "" }
        return """

            # The apply step runs as \(slices) parallel steps, each on one slice of the inventory's hosts
            # (runbook apply --slice I/\(slices)); Bitbucket runs the merge step only when every slice passed.
            """
    }

    private var bitbucketApply: String {
        guard let slices else {
            return """
                      - step:
                          name: Configure EC2 with Ansible
                          image: \(image)
                          oidc: true
                          script:
                            - runbook apply \(playbook) --junit test-results/runbook.xml --json runbook-results.json
                          artifacts:
                            - runbook-results.json
                """
        }
        // Built line by line: each line's indentation is the YAML's.
        var lines = ["      - parallel:"]
        for index in 1...slices {
            lines += [
                "          - step:",
                "              name: Configure EC2 with Ansible (slice \(index)/\(slices))",
                "              image: \(image)",
                "              oidc: true",
                "              script:",
                "                - runbook apply \(playbook) --slice \(index)/\(slices) "
                    + "--junit test-results/runbook-\(index).xml --json runbook-results/slice-\(index).json",
                "              artifacts:",
                "                - runbook-results/slice-\(index).json",
                "                - test-results/runbook-\(index).xml",
            ]
        }
        lines += [
            "      - step:",
            "          name: Merge the slices' JUnit results",
            "          image: \(image)",
            "          script:",
            "            - runbook merge-junit --output runbook-results/junit.xml test-results/runbook-*.xml",
            "          artifacts:",
            "            - runbook-results/junit.xml",
        ]
        return lines.joined(separator: "\n")
    }

    private var github: String {
        """
        # GitHub Actions: configure AWS with Ansible through runbook.
        # Repository variables: AWS_ROLE_ARN (a role trusting GitHub's OIDC provider) and AWS_REGION.
        # `id-token: write` lets runbook ask GitHub for the job's OIDC token and exchange it for the role's
        # credentials itself (audience sts.amazonaws.com).
        name: runbook
        on:
          push:
            branches: [main]
          pull_request:
          workflow_dispatch:
        permissions:
          id-token: write
          contents: read
          checks: write
        jobs:
          validate:
            runs-on: ubuntu-latest
            container: \(image)
            steps:
              - uses: actions/checkout@v4
              - run: runbook validate --format github
        \(githubApply)
        """
    }

    private var githubApply: String {
        guard let slices else {
            return """
                  apply:
                    if: github.ref == 'refs/heads/main'
                    needs: validate
                    runs-on: ubuntu-latest
                    container: \(image)
                    env:
                      AWS_ROLE_ARN: ${{ vars.AWS_ROLE_ARN }}
                      AWS_REGION: ${{ vars.AWS_REGION }}
                    steps:
                      - uses: actions/checkout@v4
                      - run: runbook apply \(playbook) --junit results/runbook.xml --json results/runbook.json
                      - uses: actions/upload-artifact@v4
                        if: always()
                        with:
                          name: runbook-results
                          path: results/
                      - uses: mikepenz/action-junit-report@v4
                        if: always()
                        with:
                          report_paths: results/runbook.xml

                """
        }
        let list = (1...slices).map(String.init).joined(separator: ", ")
        return """
              # One job per slice of the inventory's hosts (runbook apply --slice I/\(slices)), then one report.
              apply:
                if: github.ref == 'refs/heads/main'
                needs: validate
                runs-on: ubuntu-latest
                container: \(image)
                strategy:
                  fail-fast: false
                  matrix:
                    slice: [\(list)]
                env:
                  AWS_ROLE_ARN: ${{ vars.AWS_ROLE_ARN }}
                  AWS_REGION: ${{ vars.AWS_REGION }}
                steps:
                  - uses: actions/checkout@v4
                  - run: runbook apply \(playbook) --slice ${{ matrix.slice }}/\(slices) --junit results/runbook-${{ matrix.slice }}.xml --json results/runbook-${{ matrix.slice }}.json
                  - uses: actions/upload-artifact@v4
                    if: always()
                    with:
                      name: runbook-results-${{ matrix.slice }}
                      path: results/
              report:
                if: always() && github.ref == 'refs/heads/main'
                needs: apply
                runs-on: ubuntu-latest
                container: \(image)
                steps:
                  - uses: actions/download-artifact@v4
                    with:
                      pattern: runbook-results-*
                      path: results/
                      merge-multiple: true
                  - run: runbook merge-junit --output results/runbook.xml results/runbook-*.xml
                  - uses: actions/upload-artifact@v4
                    with:
                      name: runbook-results
                      path: results/runbook.xml
                  - uses: mikepenz/action-junit-report@v4
                    with:
                      report_paths: results/runbook.xml

            """
    }

    private var gitlab: String {
        """
        # GitLab CI: configure AWS with Ansible through runbook.
        # CI/CD variables: AWS_ROLE_ARN (a role trusting GitLab's OIDC provider) and AWS_REGION.
        # runbook reads the job's id_token from AWS_OIDC_TOKEN (the oidc_token_variable setting) and
        # exchanges it for the role's credentials itself.
        stages: [validate, apply\(slices == nil ? "" : ", report")]

        validate:
          stage: validate
          image: \(image)
          script:
            - runbook validate

        apply:
          stage: apply
          image: \(image)
          rules:
            - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
          id_tokens:
            AWS_OIDC_TOKEN:
              aud: sts.amazonaws.com
        \(gitlabApply)
        """
    }

    private var gitlabApply: String {
        guard let slices else {
            return """
                  script:
                    - runbook apply \(playbook) --junit results/runbook.xml --json results/runbook.json
                  artifacts:
                    when: always
                    paths: [results/]
                    reports:
                      junit: results/runbook.xml

                """
        }
        return """
              # One job per slice of the inventory's hosts: CI_NODE_INDEX of CI_NODE_TOTAL.
              parallel: \(slices)
              script:
                - runbook apply \(playbook) --slice "$CI_NODE_INDEX/$CI_NODE_TOTAL" --junit "results/runbook-$CI_NODE_INDEX.xml" --json "results/runbook-$CI_NODE_INDEX.json"
              artifacts:
                when: always
                paths: [results/]

            report:
              stage: report
              image: \(image)
              rules:
                - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
                  when: always
              needs: [apply]
              script:
                - runbook merge-junit --output results/runbook.xml results/runbook-*.xml
              artifacts:
                when: always
                paths: [results/runbook.xml]
                reports:
                  junit: results/runbook.xml

            """
    }
}
