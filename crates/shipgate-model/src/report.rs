//! The JSON report (`--format json`, `report.json`): the audit record of one release decision.
//!
//! The field names are a public contract (`schema_version: 1`); renderers in `shipgate-report`
//! turn this one structure into every output format.

use crate::evidence::InputRecord;
use crate::verdict::{CheckResult, Decision, Stats, Verdict, WaiverRecord};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The version of the report's shape. Bumped only on a breaking change.
pub const SCHEMA_VERSION: u32 = 1;

/// The tool that made the decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Always `shipgate`.
    pub name: String,
    /// The version of the binary.
    pub version: String,
}

/// The release being gated, from the policy's `release` section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseInfo {
    /// The product or service.
    pub name: String,
    /// The version being released.
    pub version: Option<String>,
    /// The commit being released.
    pub commit: Option<String>,
}

/// The policy the decision was made against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// The path as given.
    pub path: String,
    /// Hex SHA-256 of the policy file's bytes.
    pub sha256: String,
}

/// The complete report of one evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool and its version.
    pub tool: Tool,
    /// The release gated.
    pub release: ReleaseInfo,
    /// Ready or blocked.
    pub decision: Decision,
    /// The exit code of the evaluation (before `--dry-run` is applied).
    pub exit_code: u8,
    /// When the evaluation ran (UTC): the instant waivers and evidence ages were judged at.
    #[serde(with = "crate::instant::strict")]
    pub evaluated_at: Timestamp,
    /// When the report was actually produced, present only when a live run was told to evaluate
    /// as of another instant (`--now`): the audit record then shows both.
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        with = "crate::instant::strict::option"
    )]
    pub generated_at: Option<Timestamp>,
    /// Whether this was a dry run (the process exits 0 whatever the decision).
    #[serde(default)]
    pub dry_run: bool,
    /// The policy.
    pub policy: PolicyInfo,
    /// Every input read, with its hash.
    pub inputs: Vec<InputRecord>,
    /// Every check.
    pub checks: Vec<CheckResult>,
    /// Totals of the evidence.
    pub stats: Stats,
    /// Every waiver of the policy and what became of it.
    pub waivers: Vec<WaiverRecord>,
}

impl Report {
    /// Assembles a report from a verdict and its context.
    pub fn new(
        tool_version: &str,
        release: ReleaseInfo,
        policy: PolicyInfo,
        inputs: Vec<InputRecord>,
        verdict: Verdict,
        evaluated_at: Timestamp,
    ) -> Self {
        let exit_code = verdict.exit_code().code();
        Self {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "shipgate".to_owned(),
                version: tool_version.to_owned(),
            },
            release,
            decision: verdict.decision,
            exit_code,
            evaluated_at,
            generated_at: None,
            dry_run: false,
            policy,
            inputs,
            checks: verdict.checks,
            stats: verdict.stats,
            waivers: verdict.waivers,
        }
    }

    /// The checks that block, in report order.
    pub fn blocking(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.blocking)
    }
}
