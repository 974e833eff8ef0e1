//! The UAT sections of a policy: `sources.uat` (the sign-off record and its signature, and the
//! GitHub deployment approvals of the workflow run) and `checks.uat` (`uat.signoff`), and their
//! cross-field rules.

use crate::values::{DurationSpec, OptionalText};
use schemars::JsonSchema;
use serde::Deserialize;
use shipgate_model::DeploymentReview;
use shipgate_model::{Level, OnMissing};
use std::collections::BTreeMap;

/// `sources.uat`: the UAT sign-off record and how it is signed, the GitHub deployment approvals
/// of the workflow run, or both. A required role is approved by either.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UatSources {
    /// The sign-off record (YAML, or the same shape as JSON), e.g. `release/uat-signoff.yaml`.
    /// Its detached SSH signature, when there is one, is the same path with `.sig` appended
    /// (what `ssh-keygen -Y sign -n shipgate-uat FILE` writes).
    pub signoff: Option<String>,
    /// An allowed-signers file (the format of `ssh-keygen -Y verify -f`): the keys whose
    /// signature of the record is accepted. Without it a signature is not verified.
    pub allowed_signers: Option<String>,
    /// Whether the record must carry a signature that verifies (default `false`). Needs
    /// `allowed_signers`. A signature that is present and does not verify always blocks.
    pub require_signature: Option<bool>,
    /// The deployment approvals of the current GitHub Actions workflow run (environment
    /// protection rules with required reviewers), mapped to roles by user and team.
    pub github_approvals: Option<GithubApprovals>,
}

/// `sources.uat.github_approvals`: who approved the deployment of this workflow run to an
/// environment, read from `GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GithubApprovals {
    /// The repository, `owner/name`: `${GITHUB_REPOSITORY}`. Required; empty
    /// (`${GITHUB_REPOSITORY:-}` outside a pipeline): the approvals are missing evidence.
    #[serde(default)]
    pub repository: OptionalText,
    /// The workflow run: `${GITHUB_RUN_ID}`. Required; empty (`${GITHUB_RUN_ID:-}`): the
    /// approvals are missing evidence.
    #[serde(default)]
    pub run_id: OptionalText,
    /// The environment whose deployment approvals count (`production`), or a list of them
    /// (`[uat-qa, uat-product]`: GitHub lets one reviewer release a waiting job, so two roles
    /// approve through two environments). Approvals of other environments are listed and do
    /// not count. Compared without regard to case.
    #[serde(default)]
    pub environment: Vec<String>,
    /// The environment variable holding the token (`GITHUB_TOKEN`): it needs `actions: read`
    /// on the repository, and, when `roles` name teams, read access to the organisation's
    /// team memberships.
    pub token_env: String,
    /// The API's base URL (default `https://api.github.com`; GitHub Enterprise Server
    /// `https://HOST/api/v3`).
    pub url: Option<String>,
    /// Who approves for which role: `{qa-lead: {users: [sam-ortiz], teams: [acme/qa]}}`. An
    /// approver who is in no role's list counts for nothing.
    pub roles: BTreeMap<String, RoleApprovers>,
    /// The longest one request may take (default `30s`).
    pub timeout: Option<DurationSpec>,
    /// How many times a request is repeated after a 5xx, a 429, a timeout or a broken
    /// connection (default 4, at most 10).
    pub retries: Option<u32>,
    /// A PEM file of extra CA certificates to trust (GitHub Enterprise Server behind a
    /// company's own CA), relative to the policy file's folder.
    pub ca_bundle: Option<String>,
}

/// The users and teams whose approval stands for one role.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleApprovers {
    /// GitHub logins (`sam-ortiz`), compared without regard to case.
    #[serde(default)]
    pub users: Vec<String>,
    /// Teams, `org/team-slug` (`acme/qa-leads`): an active member's approval counts.
    #[serde(default)]
    pub teams: Vec<String>,
}

/// The public GitHub API.
pub const GITHUB_API_URL: &str = "https://api.github.com";

impl GithubApprovals {
    /// The repository, trimmed; empty when the policy's value expanded to nothing.
    pub fn repository(&self) -> &str {
        self.repository.get().unwrap_or("")
    }

    /// The run id, trimmed; empty when the policy's value expanded to nothing.
    pub fn run_id(&self) -> &str {
        self.run_id.get().unwrap_or("")
    }

    /// The API's base URL, without a trailing `/`.
    pub fn api_url(&self) -> &str {
        self.url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .unwrap_or(GITHUB_API_URL)
            .trim_end_matches('/')
    }

    /// The environments whose approvals count, trimmed.
    pub fn environments(&self) -> Vec<&str> {
        self.environment.iter().map(|e| e.trim()).collect()
    }

    /// Whether `review` is of one of the environments whose approvals count.
    pub fn covers(&self, review: &DeploymentReview) -> bool {
        self.environment.iter().any(|e| review.covers(e))
    }

    /// The environments for messages: `` `production` `` or `` `uat-qa` or `uat-product` ``.
    pub fn environment_names(&self) -> String {
        self.environments()
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// Who approves for `role` (role names compared without regard to case).
    pub fn approvers(&self, role: &str) -> Option<&RoleApprovers> {
        self.roles
            .iter()
            .find(|(name, _)| name.trim().eq_ignore_ascii_case(role.trim()))
            .map(|(_, approvers)| approvers)
    }

    /// Every team named in `roles`, once, sorted.
    pub fn teams(&self) -> Vec<String> {
        let mut teams: Vec<String> = self
            .roles
            .values()
            .flat_map(|r| r.teams.iter().map(|t| t.trim().to_owned()))
            .collect();
        teams.sort_by_key(|t| t.to_ascii_lowercase());
        teams.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        teams
    }
}

impl UatSources {
    /// Whether a verified signature is required.
    pub fn signature_required(&self) -> bool {
        self.require_signature.unwrap_or(false)
    }
}

/// `checks.uat` → `uat.signoff`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UatSection {
    /// The roles that must each have signed with the meaning `approval`
    /// (`[product-owner, qa-lead]`). Compared without regard to case.
    pub required_roles: Vec<String>,
    /// No signature may be older than this at evaluation time (`14d`).
    pub max_age: Option<DurationSpec>,
    /// Whether a `conditional` decision passes (default `false`: it blocks).
    pub allow_conditional: Option<bool>,
    /// Separation of duties: whether each required role must be approved by a different person
    /// (default `false`). Signers' names and GitHub logins are compared ignoring case, spaces
    /// and punctuation, so `Sam Ortiz` in the record and `sam-ortiz` in GitHub are one person.
    pub distinct_approvers: Option<bool>,
    /// `error` (default) or `warn`.
    pub level: Option<Level>,
    /// `fail` (default) or `warn` when the sign-off is missing or unreadable.
    pub on_missing: Option<OnMissing>,
}

#[cfg(test)]
mod tests {
    use crate::{Policy, Problem};

    fn problems(text: &str) -> Vec<Problem> {
        match Policy::parse(text, &|_| None) {
            Ok(_) => panic!("expected problems in:\n{text}"),
            Err(e) => e.problems().to_vec(),
        }
    }

    const BASE: &str = "version: 1\nrelease: {name: api, version: '1.0'}\n";

    #[test]
    fn a_uat_policy_loads() {
        let p = Policy::parse(
            &format!("{BASE}sources:\n  uat:\n    signoff: uat.yaml\n    allowed_signers: allowed_signers\n    require_signature: true\nchecks:\n  uat:\n    required_roles: [product-owner, qa-lead]\n    max_age: 14d\n"),
            &|_| None,
        )
        .unwrap();
        assert!(p.needs_uat());
        assert!(p.check_ids().contains(&"uat.signoff".to_owned()));
        assert!(p.sources.uat.as_ref().unwrap().signature_required());
    }

    #[test]
    fn the_check_needs_its_source_and_roles() {
        let p = problems(&format!("{BASE}checks:\n  uat:\n    required_roles: []\n"));
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("add `sources.uat.signoff`")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("list the roles")),
            "{messages:?}"
        );
    }

    #[test]
    fn a_required_signature_needs_allowed_signers() {
        let p = problems(&format!(
            "{BASE}sources:\n  uat: {{signoff: uat.yaml, require_signature: true}}\nchecks:\n  uat: {{required_roles: [qa-lead]}}\n"
        ));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(p[0].path, "sources.uat.require_signature");
        assert_eq!(p[0].mark.line, 4);
    }

    #[test]
    fn misspelt_keys_get_a_suggestion() {
        let p = problems(&format!(
            "{BASE}sources:\n  uat: {{signoff: uat.yaml, allowed_signer: a}}\nchecks:\n  uat: {{required_role: [qa-lead]}}\n"
        ));
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("did you mean `allowed_signers`?")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("did you mean `required_roles`?")),
            "{messages:?}"
        );
    }

    const GITHUB: &str = "sources:\n  uat:\n    github_approvals:\n      repository: acme/pay\n      run_id: '42'\n      environment: production\n      token_env: GITHUB_TOKEN\n      roles:\n        QA-Lead: {users: [sam], teams: [acme/qa, Acme/QA]}\n        product-owner: {teams: [acme/po]}\n";

    #[test]
    fn a_policy_with_github_approvals_alone_loads() {
        let p = Policy::parse(
            &format!("{BASE}{GITHUB}checks:\n  uat: {{required_roles: [qa-lead, product-owner], max_age: 14d}}\n"),
            &|_| None,
        )
        .unwrap();
        assert!(p.needs_uat());
        let gh = p
            .sources
            .uat
            .as_ref()
            .unwrap()
            .github_approvals
            .as_ref()
            .unwrap();
        assert_eq!(gh.api_url(), "https://api.github.com");
        assert_eq!(gh.approvers("qa-lead").unwrap().users, ["sam"]);
        assert_eq!(
            gh.teams(),
            ["acme/po", "acme/qa"],
            "once each, ignoring case"
        );
        assert_eq!((gh.repository(), gh.run_id()), ("acme/pay", "42"));
    }

    #[test]
    fn an_empty_run_outside_a_pipeline_loads_and_a_missing_key_does_not() {
        let text = format!("{BASE}{GITHUB}checks:\n  uat: {{required_roles: [qa-lead]}}\n")
            .replace("'42'", "'${GITHUB_RUN_ID:-}'");
        let p = Policy::parse(&text, &|_| None).unwrap();
        let gh = p.sources.uat.unwrap().github_approvals.unwrap();
        assert_eq!(gh.run_id(), "");
        let p = problems(&text.replace("      run_id: '${GITHUB_RUN_ID:-}'\n", ""));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(
            p[0].message
                .contains("missing required key `run_id`; write `run_id: ${GITHUB_RUN_ID}`"),
            "{p:#?}"
        );
    }

    #[test]
    fn a_role_no_source_can_approve_is_a_policy_error() {
        let p = problems(&format!(
            "{BASE}{GITHUB}checks:\n  uat: {{required_roles: [qa-lead, release-manager]}}\n"
        ));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(p[0].path, "checks.uat.required_roles[1]");
        assert!(
            p[0].message
                .contains("no one can approve as `release-manager`")
        );
        // With a sign-off record, the record may carry the role.
        let with_record = format!(
            "{BASE}{GITHUB}checks:\n  uat: {{required_roles: [qa-lead, release-manager]}}\n"
        )
        .replace(
            "  uat:\n    github_approvals:",
            "  uat:\n    signoff: uat.yaml\n    github_approvals:",
        );
        assert!(Policy::parse(&with_record, &|_| None).is_ok());
    }

    #[test]
    fn a_uat_source_needs_a_record_or_approvals_and_signature_keys_need_the_record() {
        let p = problems(&format!(
            "{BASE}sources:\n  uat: {{require_signature: false}}\nchecks:\n  uat: {{required_roles: [qa-lead]}}\n"
        ));
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("name the sign-off record (`signoff: release/uat-signoff.yaml`), the GitHub deployment approvals")), "{messages:?}");
        assert!(
            messages
                .iter()
                .any(|m| m
                    .contains("`require_signature` is about the signature of the sign-off record")),
            "{messages:?}"
        );
    }

    #[test]
    fn every_bad_approvals_setting_is_reported_with_its_line() {
        let text = format!(
            "{BASE}sources:\n  uat:\n    github_approvals:\n      url: api.github.com\n      repository: acme/pay/x\n      run_id: 12a\n      environment: [' ']\n      token_env: ghp_x\n      timeout: 0s\n      retries: 11\n      roles:\n        qa-lead: {{users: [sam smith], teams: [qa]}}\nchecks:\n  uat: {{required_roles: [qa-lead]}}\n"
        );
        let p = problems(&text);
        let found: Vec<(usize, &str)> = p.iter().map(|p| (p.mark.line, p.path.as_str())).collect();
        assert_eq!(
            found,
            [
                (6, "sources.uat.github_approvals.url"),
                (7, "sources.uat.github_approvals.repository"),
                (8, "sources.uat.github_approvals.run_id"),
                (9, "sources.uat.github_approvals.environment[0]"),
                (10, "sources.uat.github_approvals.token_env"),
                (11, "sources.uat.github_approvals.timeout"),
                (12, "sources.uat.github_approvals.retries"),
                (14, "sources.uat.github_approvals.roles.qa-lead.users[0]"),
                (14, "sources.uat.github_approvals.roles.qa-lead.teams[0]"),
            ],
            "{p:#?}"
        );
    }
}
