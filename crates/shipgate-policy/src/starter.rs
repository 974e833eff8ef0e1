//! Starter policies written by `shipgate init`: commented, valid, and meant to be edited.

/// Which starter policy to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Test results only: pass rate, suite size, critical paths, flaky tests.
    Basic,
    /// Stricter thresholds for payment and health systems, with critical paths for payment,
    /// authentication and data integrity.
    Fintech,
}

impl Profile {
    /// Every profile, as `shipgate init --profile` lists them.
    pub const ALL: [Profile; 2] = [Profile::Basic, Profile::Fintech];

    /// The name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Basic => "basic",
            Profile::Fintech => "fintech",
        }
    }

    /// What the starter policy checks, for `--help`.
    pub fn describe(self) -> &'static str {
        match self {
            Profile::Basic => "Test results: pass rate, suite size, a critical path, flaky tests",
            Profile::Fintech => {
                "Stricter: payment, authentication and data-integrity critical paths"
            }
        }
    }
}

/// The text of a starter policy.
pub fn starter_policy(profile: Profile) -> &'static str {
    match profile {
        Profile::Basic => BASIC,
        Profile::Fintech => FINTECH,
    }
}

const BASIC: &str = r#"# shipgate release readiness policy (version 1).
# Reference: https://github.com/shipgate/shipgate/blob/main/docs/policy.md
# Check it with `shipgate validate`; run it with `shipgate check` (add --dry-run to try it out).
# yaml-language-server: $schema=shipgate.schema.json   (write it with `shipgate schema > shipgate.schema.json`)
version: 1

release:
  name: my-service
  # ${VAR} comes from the environment; ${VAR:-default} when it may be unset.
  version: ${RELEASE_VERSION:-dev}
  commit: ${GITHUB_SHA:-}

sources:
  tests:
    # Globs, relative to this file's folder. Every match is read and merged.
    junit: ["reports/**/*.xml"]
    # How your runner writes retries (docs/retries.md): per-testcase or repeated-testcases.
    # retries: per-testcase
    # Earlier runs, one folder per run named by run number (flaky tests across runs).
    # history: ["history/*/**/*.xml"]
    # Known-flaky tests, each with an owner, a ticket and an expiry (docs/policy.md).
    # quarantine: quarantine.yaml
  # Load-test results, compared with the last good release (docs/performance-evidence.md):
  # performance:
  #   current:  { path: perf/summary.json }    # k6, JMeter, Locust, Gatling: recognised
  #   baseline: { path: perf/baseline.json }   # shipgate perf baseline promote RUN --out perf/baseline.json

risk:
  # Tests on a critical path must all run and pass; a path with no matching test fails.
  # Patterns match `classname.name`; `*` matches anything, dots included.
  critical_paths:
    authentication: { tests: ["*auth*", "*login*"] }

checks:
  regression:
    min_pass_rate: 98%   # (passed + flaky) / executed; skipped tests never count as passes
    min_tests: 1         # raise this to your suite's size so it cannot silently shrink
    max_skipped_rate: 5% # skipping must not absorb regressions (also: max_skipped: N)
  flaky:
    max_rate: 2%         # tests that failed and then passed on a rerun
  # performance:          # one check per metric; limits carry units (300ms, 1%, 250)
  #   - metric: http_req_duration.p95
  #     max: 300ms
  #     max_regression: 10%   # blocks only if the slowdown is significant, not noise
  #     min_change: 20ms

# Accepted risks. A waiver needs a reason, an approver and an expiry date.
# waivers:
#   - check: flaky.rate
#     reason: INFRA-42 quarantines the flaky search tests this sprint
#     approved_by: qa-lead@example.com
#     expires: 2026-12-31
"#;

const FINTECH: &str = r#"# shipgate release readiness policy (version 1), fintech / healthtech profile.
# Reference: https://github.com/shipgate/shipgate/blob/main/docs/policy.md
# Check it with `shipgate validate`; run it with `shipgate check` (add --dry-run to try it out).
version: 1

release:
  name: payments-api
  version: ${RELEASE_VERSION:-dev}
  commit: ${GITHUB_SHA:-}

sources:
  tests:
    junit: ["reports/**/*.xml"]
  # The UAT sign-off kept with the release (docs/policy.md#sourcesuat), signed with
  # `ssh-keygen -Y sign -n shipgate-uat -f KEY release/uat-signoff.yaml`.
  # uat:
  #   signoff: release/uat-signoff.yaml
  #   allowed_signers: release/allowed_signers
  #   require_signature: true
  #   # Or/and: who approved this run's deployment to a protected GitHub environment
  #   # (docs/ci/github.md). Either source approves a role.
  #   github_approvals:
  #     repository: ${GITHUB_REPOSITORY}
  #     run_id: ${GITHUB_RUN_ID:-}
  #     environment: production
  #     token_env: GITHUB_TOKEN
  #     roles:
  #       qa-lead: { teams: [acme/qa-leads] }

risk:
  # Never skipped, never quarantined, 100% pass. Patterns match `classname.name`.
  critical_paths:
    payment:        { tests: ["*payment*", "*Payment*", "*checkout*", "*Checkout*"] }
    authentication: { tests: ["*auth*", "*Auth*", "*login*", "*Login*"] }
    data-integrity: { tests: ["*ledger*", "*Ledger*", "*migration*", "*Migration*"] }

checks:
  regression:
    min_pass_rate: 99%
    min_tests: 1          # set to your suite's size so that it cannot silently shrink
    max_skipped_rate: 2%  # skipping must not absorb regressions
    max_skipped: 50       # and neither may a large suite hide many skips in a small share
  critical_paths:
    min_tests_per_path: 1
  flaky:
    max_rate: 1%
  # uat:                  # with sources.uat: product owner and QA lead approve this version
  #   required_roles: [product-owner, qa-lead]
  #   max_age: 14d
  #   distinct_approvers: true   # separation of duties: one person, one role
  # provenance:           # evidence from an old build or another commit blocks
  #   max_age: { tests: 1d, uat: 14d }
  #   commit: require

# waivers:
#   - check: flaky.rate
#     reason: PAY-812 fixes the flaky settlement test in the 2.4.1 hotfix; risk accepted
#     approved_by: cto@example.com
#     expires: 2026-12-31
"#;
