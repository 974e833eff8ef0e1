//! `uat.signoff`, configured from `checks.uat` (its sources' rules are in `crate::uat`).

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::uat;
use crate::raw::{CheckSettings, RawPolicy};
use crate::validator::Validator;
use shipgate_model::CheckResult;
use std::sync::Arc;
use std::time::Duration;

pub(crate) static SIGNOFF: CheckKind = CheckKind {
    info: CheckInfo {
        id: "uat.signoff",
        title: "UAT sign-off",
        measures: "the UAT sign-off record of `sources.uat.signoff`: its decision, the release, version and commit it names, who signed in which role with which meaning and when, and its SSH signature (`FILE.sig`, verified against `sources.uat.allowed_signers`); and/or the GitHub deployment approvals of the workflow run (`sources.uat.github_approvals`): who approved or rejected the deployment to the policy's environment, mapped to roles by user and team. A required role is approved by either source.",
        blocks_when: "the decision is not `approved` (`conditional` passes only with `allow_conditional: true`); a role of `required_roles` has no signature with `meaning: approval`; the record names another release or version than the policy's `release`, or (when the release has a commit) names no commit or another one; a signature is older than `max_age` or dated after the evaluation; the record's signature does not verify; or `require_signature` is set and the record is unsigned; or, with `distinct_approvers`, one person stands for two required roles. With GitHub approvals: a required role has neither a signature nor an approval of the deployment to `environment` by a user or active team member `roles` maps to it; anyone rejected that deployment; the run is not the policy's run, built another commit than `release.commit`, or (GitHub giving no time per review) was created longer ago than `max_age`. A missing or unreadable source blocks (exit 4 when unreadable or GitHub cannot be reached).",
        configure: "sources.uat.signoff, allowed_signers, require_signature, github_approvals (repository, run_id, environment, token_env, roles); checks.uat.required_roles, max_age, allow_conditional, distinct_approvers (one person per required role); level; on_missing.",
        fix: "Record the sign-off for the version (and commit) being released, with an approval from each required role, and sign it with `ssh-keygen -Y sign -n shipgate-uat -f KEY FILE` when the policy requires a signature; or have a user or team mapped to the role approve the deployment in the workflow run (Review deployments). Each problem in the details names the role or field and what to do.",
        why: "Automated tests check that the code does what it was written to do; UAT checks that what it does is right for the business. Skipping it lets business-logic defects through, and an auditor asks who approved which version, when.",
    },
    section: "checks.uat",
    keys: &["required_roles"],
    configure,
};

/// The configured `uat.signoff`.
#[derive(Clone, Debug)]
pub(crate) struct UatSignoff {
    /// The roles that must each approve, trimmed; never empty.
    pub required_roles: Vec<String>,
    /// No signature may be older than this, when set.
    pub max_age: Option<Duration>,
    /// Whether a `conditional` decision passes.
    pub allow_conditional: bool,
    /// Whether each required role must be approved by a different person.
    pub distinct_approvers: bool,
    /// Level and missing-evidence rule.
    pub settings: CheckSettings,
}

fn configure(raw: &RawPolicy, _: &mut Validator<'_>) -> Vec<Arc<dyn Check>> {
    // The rules of `required_roles` and `max_age` are checked with the sources in
    // `crate::uat`; a check with no role to approve is not built.
    let Some(u) = &raw.checks.uat else {
        return Vec::new();
    };
    let roles: Vec<String> = u
        .required_roles
        .iter()
        .map(|r| r.trim().to_owned())
        .collect();
    if roles.is_empty() || roles.iter().any(String::is_empty) {
        return Vec::new();
    }
    vec![Arc::new(UatSignoff {
        required_roles: roles,
        max_age: u.max_age.map(|a| a.get()),
        allow_conditional: u.allow_conditional.unwrap_or(false),
        distinct_approvers: u.distinct_approvers.unwrap_or(false),
        settings: CheckSettings::new(u.level, u.on_missing),
    })]
}

impl Check for UatSignoff {
    fn kind(&self) -> &'static CheckKind {
        &SIGNOFF
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs {
            uat: true,
            ..Needs::NOTHING
        }
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        uat::signoff(e.policy, self, e.evidence, e.now)
    }
}
