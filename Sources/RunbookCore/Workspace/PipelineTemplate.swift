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
    /// How the apply job fans out over the CI's parallel jobs.
    public enum FanOut: Sendable, Hashable {
        /// One job per `--slice I/N` of the inventory's hosts.
        case slices(Int)
        /// One job per `--target NAME` of runbook.yml.
        case targets([String])

        /// Parses `--fan-out`: `targets` (the workspace's `targets`, at least one) or `slices=N` with N
        /// from 2 to `maximumSlices`.
        public init(parsing text: String, targets: [String], file: String) throws {
            if text == "targets" {
                guard !targets.isEmpty else {
                    throw RunbookError.usage(
                        "--fan-out targets: \(file) defines no targets (add a targets: mapping), or use --fan-out slices=N"
                    )
                }
                self = .targets(targets)
                return
            }
            guard text.hasPrefix("slices="), let count = Int(text.dropFirst("slices=".count)),
                (2...maximumSlices).contains(count)
            else {
                throw RunbookError.usage(
                    "--fan-out '\(text)' is not targets or slices=N with N from 2 to \(maximumSlices)")
            }
            self = .slices(count)
        }

        /// The jobs' values: slice numbers or target names.
        var values: [String] {
            switch self {
            case .slices(let count): (1...count).map(String.init)
            case .targets(let names): names
            }
        }

        /// The values as a YAML flow list's items: numbers plain, names quoted (so `on` or `1.0` stays a name).
        var listed: String {
            switch self {
            case .slices: values.joined(separator: ", ")
            case .targets(let names): names.map { "\"\($0)\"" }.joined(separator: ", ")
            }
        }

        /// The matrix key (GitHub) and what one job is called.
        var key: String {
            switch self {
            case .slices: "slice"
            case .targets: "target"
            }
        }

        /// The apply options for the job whose value is `value` (a literal or a CI expression).
        func options(_ value: String) -> String {
            switch self {
            case .slices(let count): "--slice \(value)/\(count)"
            case .targets: "--target \(value)"
            }
        }

        /// What a job is, for names and comments: `slice 2/3`, `target prod`.
        func label(_ value: String) -> String {
            switch self {
            case .slices(let count): "slice \(value)/\(count)"
            case .targets: "target \(value)"
            }
        }

        /// One line for the file's comment.
        var comment: String {
            switch self {
            case .slices(let count):
                "one job per slice of the inventory's hosts (runbook apply --slice I/\(count))"
            case .targets:
                "one job per target of runbook.yml (runbook apply --target NAME: its own role_arn, region, inventory)"
            }
        }
    }

    /// The CI system.
    public var kind: PipelineKind
    /// The image the step runs in (must be pullable by the CI: push it with `runbook image push`).
    public var image: String
    /// The playbook the step applies.
    public var playbook: String
    /// `--fan-out`: the apply job as parallel jobs, one per slice or target, then a job that merges their
    /// JUnit files.
    public var fanOut: FanOut?

    /// Makes a template.
    public init(
        kind: PipelineKind, image: String, playbook: String = "Playbooks/configure-ec2.yml", fanOut: FanOut? = nil
    ) {
        self.kind = kind
        self.image = image
        self.playbook = playbook
        self.fanOut = fanOut
    }

    /// The most parallel jobs `--fan-out slices=N` writes (GitLab's `parallel` allows 200).
    public static let maximumSlices = 200

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
        guard let fanOut else { return "" }
        return """

            # The apply step runs as parallel steps, \(fanOut.comment);
            # Bitbucket runs the merge step only when every one of them passed.
            """
    }

    private var bitbucketApply: String {
        guard let fanOut else {
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
        for value in fanOut.values {
            lines += [
                "          - step:",
                "              name: Configure EC2 with Ansible (\(fanOut.label(value)))",
                "              image: \(image)",
                "              oidc: true",
                "              script:",
                "                - runbook apply \(playbook) \(fanOut.options(value)) "
                    + "--junit test-results/runbook-\(value).xml --json runbook-results/\(fanOut.key)-\(value).json",
                "              artifacts:",
                "                - runbook-results/\(fanOut.key)-\(value).json",
                "                - test-results/runbook-\(value).xml",
            ]
        }
        lines += [
            "      - step:",
            "          name: Merge the JUnit results",
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
        guard let fanOut else {
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
        let key = fanOut.key
        let list = fanOut.listed
        let value = "${{ matrix.\(key) }}"
        return """
              # \(fanOut.comment), then one report.
              apply:
                if: github.ref == 'refs/heads/main'
                needs: validate
                runs-on: ubuntu-latest
                container: \(image)
                strategy:
                  fail-fast: false
                  matrix:
                    \(key): [\(list)]
                env:
                  AWS_ROLE_ARN: ${{ vars.AWS_ROLE_ARN }}
                  AWS_REGION: ${{ vars.AWS_REGION }}
                steps:
                  - uses: actions/checkout@v4
                  - run: runbook apply \(playbook) \(fanOut.options(value)) --junit results/runbook-\(value).xml --json results/runbook-\(value).json
                  - uses: actions/upload-artifact@v4
                    if: always()
                    with:
                      name: runbook-results-\(value)
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
        stages: [validate, apply\(fanOut == nil ? "" : ", report")]

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
        guard let fanOut else {
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
        let parallel: String
        let options: String
        let stem: String
        switch fanOut {
        case .slices(let count):
            parallel = """
                  # \(fanOut.comment): CI_NODE_INDEX of CI_NODE_TOTAL.
                  parallel: \(count)
                """
            options = "--slice \"$CI_NODE_INDEX/$CI_NODE_TOTAL\""
            stem = "$CI_NODE_INDEX"
        case .targets:
            parallel = """
                  # \(fanOut.comment): TARGET in each job.
                  parallel:
                    matrix:
                      - TARGET: [\(fanOut.listed)]
                """
            options = "--target \"$TARGET\""
            stem = "$TARGET"
        }
        return """
            \(parallel)
              script:
                - runbook apply \(playbook) \(options) --junit "results/runbook-\(stem).xml" --json "results/runbook-\(stem).json"
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
