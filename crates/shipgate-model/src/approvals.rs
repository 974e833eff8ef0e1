//! GitHub deployment approvals of one workflow run, as read by `shipgate-uat`: the run (when it
//! was created, which commit it built), every review in its history (who approved or rejected
//! the deployment to which environments), and the team memberships looked up for the
//! approvers.
//!
//! This is a second UAT source beside the sign-off record ([`crate::UatEvidence`]): a team can
//! have QA approve the deployment to a protected environment in GitHub instead of (or besides)
//! signing a file. Which user or team stands for which role is the policy's business; this
//! data only says what GitHub answered. It is also the form a release record stores
//! (`evidence/fetched/uat-approvals/github-approvals.json`), so that a replay reads it back
//! offline.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The `format` of the stored approvals.
pub const APPROVALS_FORMAT: &str = "shipgate-github-approvals";

/// The version of the stored approvals' shape.
pub const APPROVALS_FORMAT_VERSION: u32 = 1;

/// What a reviewer decided about a deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewState {
    /// The deployment was approved.
    Approved,
    /// The deployment was rejected.
    Rejected,
    /// A comment without a decision.
    Pending,
}

impl ReviewState {
    /// The word GitHub uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Approved => "approved",
            ReviewState::Rejected => "rejected",
            ReviewState::Pending => "pending",
        }
    }
}

/// One entry of the run's review history (`GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentReview {
    /// The reviewer's login (`user.login`).
    pub user: String,
    /// Approved, rejected or pending (a comment only).
    pub state: ReviewState,
    /// The environments the review was for, by name.
    pub environments: Vec<String>,
    /// The reviewer's comment, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl DeploymentReview {
    /// Whether the review was for `environment` (GitHub's environment names do not depend on
    /// case).
    pub fn covers(&self, environment: &str) -> bool {
        self.environments
            .iter()
            .any(|e| e.trim().eq_ignore_ascii_case(environment.trim()))
    }
}

/// Whether a user is a member of a team, as GitHub answered
/// (`GET /orgs/{org}/teams/{team_slug}/memberships/{username}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MembershipState {
    /// A member.
    Active,
    /// Invited, not yet a member: does not count.
    Pending,
    /// Not a member, or a team the token cannot see (GitHub answers 404 to both).
    NotMember,
}

impl MembershipState {
    /// `active`, `pending` or `not-member`.
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipState::Active => "active",
            MembershipState::Pending => "pending",
            MembershipState::NotMember => "not-member",
        }
    }
}

/// One membership looked up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamMembership {
    /// The team, `org/team-slug`.
    pub team: String,
    /// The user's login.
    pub user: String,
    /// What GitHub answered.
    pub state: MembershipState,
}

/// The workflow run whose approvals were read (`GET /repos/{owner}/{repo}/actions/runs/{run_id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowRun {
    /// The run's id.
    pub id: u64,
    /// The workflow's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The run's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_url: Option<String>,
    /// The commit the run built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_sha: Option<String>,
    /// When the run was created. GitHub does not say when each review was given; a review of
    /// this run cannot be older than this, so it is the time `max_age` is measured from.
    #[serde(with = "crate::instant::strict")]
    pub created_at: Timestamp,
    /// The attempt the run is at (re-runs keep the run's id and its review history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_attempt: Option<u64>,
}

/// The deployment approvals of one workflow run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentApprovals {
    /// Always [`APPROVALS_FORMAT`].
    pub format: String,
    /// Always [`APPROVALS_FORMAT_VERSION`].
    pub version: u32,
    /// The review history's URL (never with credentials).
    pub location: String,
    /// The repository, `owner/name`.
    pub repository: String,
    /// The run.
    pub run: WorkflowRun,
    /// Every review in the run's history, in the order GitHub listed them.
    pub reviews: Vec<DeploymentReview>,
    /// The team memberships looked up for the approvers, sorted by team and user.
    #[serde(default)]
    pub memberships: Vec<TeamMembership>,
    /// When the approvals were fetched.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::instant::strict::option"
    )]
    pub fetched_at: Option<Timestamp>,
}

impl DeploymentApprovals {
    /// Approvals in the current format.
    pub fn new(
        location: &str,
        repository: &str,
        run: WorkflowRun,
        reviews: Vec<DeploymentReview>,
    ) -> Self {
        Self {
            format: APPROVALS_FORMAT.to_owned(),
            version: APPROVALS_FORMAT_VERSION,
            location: location.to_owned(),
            repository: repository.to_owned(),
            run,
            reviews,
            memberships: Vec::new(),
            fetched_at: None,
        }
    }

    /// What GitHub answered about `user` in `team` (`None`: not looked up). Logins and team
    /// names do not depend on case.
    pub fn membership(&self, team: &str, user: &str) -> Option<MembershipState> {
        self.memberships
            .iter()
            .find(|m| m.team.eq_ignore_ascii_case(team) && m.user.eq_ignore_ascii_case(user))
            .map(|m| m.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approvals() -> DeploymentApprovals {
        let mut a = DeploymentApprovals::new(
            "https://api.github.com/repos/acme/pay/actions/runs/7/approvals",
            "acme/pay",
            WorkflowRun {
                id: 7,
                name: Some("release".into()),
                html_url: None,
                head_sha: Some("3f2a9c1".into()),
                created_at: "2026-11-24T09:00:00Z".parse().unwrap(),
                run_attempt: Some(1),
            },
            vec![DeploymentReview {
                user: "sam".into(),
                state: ReviewState::Approved,
                environments: vec!["Production".into()],
                comment: None,
            }],
        );
        a.memberships.push(TeamMembership {
            team: "acme/qa".into(),
            user: "Sam".into(),
            state: MembershipState::Active,
        });
        a
    }

    #[test]
    fn environments_and_memberships_ignore_case() {
        let a = approvals();
        assert!(a.reviews[0].covers("production"));
        assert!(!a.reviews[0].covers("staging"));
        assert_eq!(
            a.membership("ACME/qa", "sam"),
            Some(MembershipState::Active)
        );
        assert_eq!(a.membership("acme/po", "sam"), None);
    }

    #[test]
    #[expect(
        clippy::disallowed_methods,
        reason = "the type's own serde contract, apart from shipgate-json's checks"
    )]
    fn the_stored_form_reads_back_and_refuses_unknown_keys() {
        let a = approvals();
        let text = serde_json::to_string(&a).unwrap();
        assert!(text.contains("\"format\":\"shipgate-github-approvals\""));
        let back: DeploymentApprovals = serde_json::from_str(&text).unwrap();
        assert_eq!(back, a);
        let extra = text.replacen("\"repository\"", "\"repo\":1,\"repository\"", 1);
        assert!(serde_json::from_str::<DeploymentApprovals>(&extra).is_err());
        // A stored run time is read back only as an instant with its zone.
        let created = format!("\"created_at\":\"{}\"", a.run.created_at);
        assert!(text.contains(&created), "{text}");
        let zoneless = text.replacen(&created, "\"created_at\":\"2026-11-24T08:00:00\"", 1);
        let e = serde_json::from_str::<DeploymentApprovals>(&zoneless).unwrap_err();
        assert!(e.to_string().contains("no time zone"), "{e}");
    }
}
