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

    /// Makes a template.
    public init(kind: PipelineKind, image: String, playbook: String = "Playbooks/configure-ec2.yml") {
        self.kind = kind
        self.image = image
        self.playbook = playbook
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
        # variables instead. JUnit results in test-results/ show in the Tests tab.
        pipelines:
          branches:
            main:
              - step:
                  name: Configure EC2 with Ansible
                  image: \(image)
                  oidc: true
                  script:
                    - runbook apply \(playbook) --junit test-results/runbook.xml --json runbook-results.json
                  artifacts:
                    - runbook-results.json
          pull-requests:
            '**':
              - step:
                  name: Validate playbooks
                  image: \(image)
                  script:
                    - runbook validate --format text

        """
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

    private var gitlab: String {
        """
        # GitLab CI: configure AWS with Ansible through runbook.
        # CI/CD variables: AWS_ROLE_ARN (a role trusting GitLab's OIDC provider) and AWS_REGION.
        # runbook reads the job's id_token from AWS_OIDC_TOKEN (the oidc_token_variable setting) and
        # exchanges it for the role's credentials itself.
        stages: [validate, apply]

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
          script:
            - runbook apply \(playbook) --junit results/runbook.xml --json results/runbook.json
          artifacts:
            when: always
            paths: [results/]
            reports:
              junit: results/runbook.xml

        """
    }
}
