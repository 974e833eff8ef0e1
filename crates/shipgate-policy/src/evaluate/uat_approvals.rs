//! The GitHub deployment approvals part of `uat.signoff`: which reviews of the workflow run
//! count for which role (`sources.uat.github_approvals.roles`), and what blocks.
//!
//! Fail-closed rules: only an `approved` review of one of the policy's environments counts,
//! and only for a role whose `users` list the reviewer or whose `teams` GitHub showed the
//! reviewer to be an active member of; a `rejected` review of those environments by anyone
//! blocks;
//! the approvals must be of the run and repository the policy names, of the release's commit
//! when it has one, and (GitHub publishing no time per review) of a run created within
//! `max_age`.

use super::findings::{self, Finding, age, older_than};
use crate::policy::Policy;
use crate::uat::GithubApprovals;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::{
    DeploymentApprovals, DeploymentReview, MembershipState, ReviewState, commits_match,
};
use std::time::Duration;

/// One approval that counts for a role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RoleApproval<'a> {
    /// The role, as written in `roles`.
    pub role: &'a str,
    /// The reviewer's login.
    pub user: &'a str,
    /// `listed user` or `member of acme/qa`.
    pub via: String,
}

/// Reports what blocks in the approvals, and returns the approvals that count, one per role
/// and reviewer (none when the approvals cannot be tied to this run, commit and time).
pub(crate) fn review<'a>(
    policy: &Policy,
    gh: &'a GithubApprovals,
    approvals: &'a DeploymentApprovals,
    max_age: Option<Duration>,
    now: Timestamp,
    found: &mut Vec<Finding>,
) -> Vec<RoleApproval<'a>> {
    let run_name = format!("workflow run {}", approvals.run.id);
    let approving: Vec<&DeploymentReview> = approvals
        .reviews
        .iter()
        .filter(|r| r.state == ReviewState::Approved && gh.covers(r))
        .collect();
    // Each of these makes the approvals unusable: none of them counts for a role.
    let unusable = [
        run_finding(gh, approvals),
        commit_finding(policy, approvals, &run_name),
        time_finding(gh, approvals, &run_name, &approving, max_age, now),
    ];
    let usable = unusable.iter().all(Option::is_none);
    found.extend(unusable.into_iter().flatten());
    found.extend(rejection_findings(gh, approvals, &run_name));
    if !usable {
        return Vec::new();
    }
    let mut counted = Vec::new();
    for r in approving {
        for (role, approvers) in &gh.roles {
            if let Some(via) = mapped(approvals, approvers, &r.user) {
                counted.push(RoleApproval {
                    role: role.as_str(),
                    user: r.user.as_str(),
                    via,
                });
            }
        }
    }
    counted
}

/// The approvals are of another run or repository than the policy names.
fn run_finding(gh: &GithubApprovals, approvals: &DeploymentApprovals) -> Option<Finding> {
    let run = &approvals.run;
    let wanted_run = gh.run_id();
    (run.id.to_string() != wanted_run
        || !approvals.repository.eq_ignore_ascii_case(gh.repository()))
    .then(|| Finding::new(
        "github run",
        format!(
            "the deployment approvals are of run {} of `{}`, not run {wanted_run} of `{}`, the run the policy names",
            run.id,
            approvals.repository,
            gh.repository()
        ),
        "approvals count only for the run being gated: set `run_id: ${GITHUB_RUN_ID}` and `repository: ${GITHUB_REPOSITORY}`",
    ))
}

/// The run names no commit, or another than the release's (when the release names one).
fn commit_finding(
    policy: &Policy,
    approvals: &DeploymentApprovals,
    run_name: &str,
) -> Option<Finding> {
    let commit = policy
        .release
        .commit
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())?;
    match approvals.run.head_sha.as_deref() {
        None => Some(Finding::new(
            "github commit",
            format!("GitHub names no commit for {run_name}, and the release is commit `{commit}`"),
            "run the gate in the workflow run that builds the release's commit",
        )),
        Some(sha) if !commits_match(sha, commit) => Some(Finding::new(
            "github commit",
            format!("{run_name} built commit `{sha}`, not `{commit}`, the commit being released"),
            "approve the deployment in the workflow run that builds the commit being released",
        )),
        Some(_) => None,
    }
}

/// The run was created after the evaluation time, or too long ago for its approvals to be
/// shown younger than `max_age`.
fn time_finding(
    gh: &GithubApprovals,
    approvals: &DeploymentApprovals,
    run_name: &str,
    approving: &[&DeploymentReview],
    max_age: Option<Duration>,
    now: Timestamp,
) -> Option<Finding> {
    let run = &approvals.run;
    if run.created_at > now {
        Some(Finding::new(
            "github time",
            format!(
                "{run_name} was created at {}, after the evaluation time {now}",
                run.created_at
            ),
            "check the clock of the machine that runs the gate",
        ))
    } else if let Some(max) = max_age
        && older_than(now, run.created_at, max)
        && !approving.is_empty()
    {
        let env = gh.environment_names();
        Some(Finding::new(
            "github time",
            format!(
                "the deployment approvals of {run_name} cannot be shown to be younger than `max_age` {}: GitHub does not say when a review was given, and the run was created {} ago ({})",
                findings::limit(max),
                age(now, run.created_at),
                run.created_at
            ),
            format!(
                "start a new workflow run for the release (a re-run keeps the old run and its approvals) and approve its deployment to {env}"
            ),
        ))
    } else {
        None
    }
}

/// One finding per rejection of a deployment the policy covers.
fn rejection_findings(
    gh: &GithubApprovals,
    approvals: &DeploymentApprovals,
    run_name: &str,
) -> Vec<Finding> {
    approvals
        .reviews
        .iter()
        .filter(|r| r.state == ReviewState::Rejected && gh.covers(r))
        .map(|r| Finding::new(
            format!("github review by {}", r.user),
            format!(
                "{} rejected the deployment to {} in {run_name}{}",
                r.user,
                r.environments
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(" and "),
                r.comment
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| format!(" (\"{c}\")"))
                    .unwrap_or_default()
            ),
            format!("resolve what {} rejected, then start a new workflow run and have its deployment approved (a rejection stays in the run's history)", r.user),
        ))
        .collect()
}

/// How `user` stands for a role: listed by login, or an active member of one of its teams.
fn mapped(
    approvals: &DeploymentApprovals,
    approvers: &crate::uat::RoleApprovers,
    user: &str,
) -> Option<String> {
    if approvers
        .users
        .iter()
        .any(|u| u.trim().eq_ignore_ascii_case(user))
    {
        return Some("listed user".to_owned());
    }
    approvers
        .teams
        .iter()
        .map(|t| t.trim())
        .find(|t| approvals.membership(t, user) == Some(MembershipState::Active))
        .map(|t| format!("member of {t}"))
}

/// Why a required role has no counted GitHub approval (a clause that reads after "the role
/// `qa-lead`"), and who could give one.
pub(crate) fn missing_role(
    gh: &GithubApprovals,
    approvals: &DeploymentApprovals,
    role: &str,
) -> (String, String) {
    let env = gh.environment_names();
    let run = format!("workflow run {}", approvals.run.id);
    let who = match gh.approvers(role) {
        None => {
            return (
                "has no one to approve it in GitHub: `sources.uat.github_approvals.roles` does not name it".to_owned(),
                format!("add the users or teams who approve as `{role}` to `sources.uat.github_approvals.roles`"),
            );
        }
        Some(a) => who_could(a),
    };
    let others: Vec<String> = approvals
        .reviews
        .iter()
        .filter(|r| r.state == ReviewState::Approved && gh.covers(r))
        .map(|r| r.user.clone())
        .collect();
    let seen = if others.is_empty() {
        String::new()
    } else {
        format!(
            " (approved by {}, who do{} not approve as `{role}`)",
            others.join(", "),
            if others.len() == 1 { "es" } else { "" }
        )
    };
    let page = approvals
        .run
        .html_url
        .as_deref()
        .map(|u| format!(" on {u}"))
        .unwrap_or_default();
    (
        format!("has no approval of the deployment to {env} in {run} by {who}{seen}"),
        format!("{who} approves the deployment to {env} (Review deployments{page})"),
    )
}

/// `sam-ortiz or an active member of acme/qa`.
fn who_could(a: &crate::uat::RoleApprovers) -> String {
    let mut parts: Vec<String> = a.users.iter().map(|u| format!("`{}`", u.trim())).collect();
    parts.extend(
        a.teams
            .iter()
            .map(|t| format!("an active member of `{}`", t.trim())),
    );
    match parts.as_slice() {
        [] => "no one".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The approvals as the report shows them: the run, and each review with what it counted for.
pub(crate) fn details(
    gh: &GithubApprovals,
    approvals: &DeploymentApprovals,
    counted: &[RoleApproval<'_>],
    now: Timestamp,
) -> Value {
    let env = gh.environment_names();
    let run = &approvals.run;
    let mut d = Map::new();
    d.insert("location".into(), json!(approvals.location));
    d.insert("repository".into(), json!(approvals.repository));
    d.insert("environments".into(), json!(gh.environments()));
    let mut r = Map::new();
    r.insert("id".into(), json!(run.id));
    if let Some(name) = &run.name {
        r.insert("name".into(), json!(name));
    }
    if let Some(url) = &run.html_url {
        r.insert("url".into(), json!(url));
    }
    r.insert("head_sha".into(), json!(run.head_sha));
    r.insert("created_at".into(), json!(run.created_at.to_string()));
    if run.created_at <= now {
        r.insert("age".into(), json!(age(now, run.created_at)));
    }
    if let Some(attempt) = run.run_attempt {
        r.insert("attempt".into(), json!(attempt));
    }
    d.insert("run".into(), Value::Object(r));
    let reviews: Vec<Value> = approvals
        .reviews
        .iter()
        .map(|review| {
            let mut m = Map::new();
            m.insert("user".into(), json!(review.user));
            m.insert("state".into(), json!(review.state.as_str()));
            m.insert("environments".into(), json!(review.environments));
            if let Some(c) = review.comment.as_deref().filter(|c| !c.trim().is_empty()) {
                m.insert("comment".into(), json!(c));
            }
            let roles: Vec<String> = counted
                .iter()
                .filter(|c| c.user == review.user && review.state == ReviewState::Approved)
                .map(|c| format!("{} ({})", c.role, c.via))
                .collect();
            let effect = if !gh.covers(review) {
                format!("not counted: not for {env}")
            } else {
                match review.state {
                    ReviewState::Rejected => "blocks: a rejection".to_owned(),
                    ReviewState::Pending => "not counted: a comment, not an approval".to_owned(),
                    ReviewState::Approved if roles.is_empty() => {
                        "not counted: approves as no role".to_owned()
                    }
                    ReviewState::Approved => format!("counts for {}", roles.join(", ")),
                }
            };
            m.insert("effect".into(), json!(effect));
            Value::Object(m)
        })
        .collect();
    d.insert("reviews".into(), Value::Array(reviews));
    if !approvals.memberships.is_empty() {
        d.insert(
            "memberships".into(),
            Value::Array(
                approvals
                    .memberships
                    .iter()
                    .map(|m| json!({"team": m.team, "user": m.user, "state": m.state.as_str()}))
                    .collect(),
            ),
        );
    }
    Value::Object(d)
}

#[cfg(test)]
mod tests {
    use crate::Policy;
    use crate::evaluate::evaluate;
    use proptest::prelude::*;
    use shipgate_model::{
        CheckResult, CheckStatus, DeploymentApprovals, DeploymentReview, EvidenceProblem,
        EvidenceSet, ExitCode, MembershipState, ReviewState, SignatureMeaning, Signoff,
        SourceState, TeamMembership, UatDecision, UatEvidence, UatSignature, WorkflowRun,
    };
    use shipgate_test_support::{now, parsed};

    const APPROVALS: &str = "    github_approvals:\n      repository: acme/pay\n      run_id: '42'\n      environment: Production\n      token_env: GITHUB_TOKEN\n      roles:\n        Product-Owner: {users: [Dana]}\n        qa-lead: {users: [], teams: [acme/qa]}\n";

    fn policy_with(release: &str, uat: &str, check: &str) -> Policy {
        let text = format!(
            "version: 1\nrelease: {release}\nsources:\n  uat:\n{uat}checks:\n  uat:\n    required_roles: [product-owner, qa-lead]\n{check}"
        );
        parsed(&text, Policy::parse(&text, &|_| None))
    }

    fn policy() -> Policy {
        policy_with(
            "{name: pay, version: '1.0'}",
            APPROVALS,
            "    max_age: 14d\n",
        )
    }

    fn review(user: &str, state: ReviewState, env: &str) -> DeploymentReview {
        DeploymentReview {
            user: user.into(),
            state,
            environments: vec![env.into()],
            comment: None,
        }
    }

    fn approvals(reviews: Vec<DeploymentReview>) -> DeploymentApprovals {
        let mut a = DeploymentApprovals::new(
            "https://api.github.com/repos/acme/pay/actions/runs/42/approvals",
            "acme/pay",
            WorkflowRun {
                id: 42,
                name: Some("release".into()),
                html_url: Some("https://github.com/acme/pay/actions/runs/42".into()),
                head_sha: Some("3f2a9c1d0e4b5a6978877665544332211aabbccd".into()),
                created_at: "2026-11-24T08:00:00Z".parse().unwrap(),
                run_attempt: Some(1),
            },
            reviews,
        );
        a.memberships = vec![
            TeamMembership {
                team: "acme/qa".into(),
                user: "sam".into(),
                state: MembershipState::Active,
            },
            TeamMembership {
                team: "acme/qa".into(),
                user: "lee".into(),
                state: MembershipState::Pending,
            },
        ];
        a
    }

    fn both_approve() -> DeploymentApprovals {
        approvals(vec![
            review("dana", ReviewState::Approved, "production"),
            review("sam", ReviewState::Approved, "production"),
        ])
    }

    fn run_with(policy: &Policy, evidence: EvidenceSet) -> (CheckResult, ExitCode) {
        let v = evaluate(policy, &evidence, now());
        let c = v
            .checks
            .iter()
            .find(|c| c.id == "uat.signoff")
            .unwrap()
            .clone();
        (c, v.exit_code())
    }

    fn check(policy: &Policy, a: DeploymentApprovals) -> CheckResult {
        run_with(
            policy,
            EvidenceSet {
                uat_approvals: SourceState::Loaded(a),
                ..EvidenceSet::default()
            },
        )
        .0
    }

    fn abouts(c: &CheckResult) -> Vec<String> {
        c.details["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["about"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn listed_users_and_active_team_members_approve_their_roles() {
        let c = check(&policy(), both_approve());
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
        assert_eq!(
            c.observed,
            serde_json::json!(["product-owner", "qa-lead"]),
            "role names and environments ignore case"
        );
        assert_eq!(
            c.message,
            "approved for pay 1.0 by product-owner (dana in GitHub, listed user), qa-lead (sam in GitHub, member of acme/qa) (the deployment to `Production` in workflow run 42, created 2 hours ago)"
        );
    }

    #[test]
    fn an_approver_in_no_role_or_a_pending_member_counts_for_nothing() {
        let c = check(
            &policy(),
            approvals(vec![
                review("dana", ReviewState::Approved, "production"),
                review("lee", ReviewState::Approved, "production"),
                review("octocat", ReviewState::Approved, "production"),
            ]),
        );
        assert_eq!(c.status, CheckStatus::Fail);
        assert_eq!(abouts(&c), ["role qa-lead"]);
        assert!(
            c.message.contains("by an active member of `acme/qa` (approved by dana, lee, octocat, who do not approve as `qa-lead`)"),
            "{}",
            c.message
        );
    }

    #[test]
    fn a_rejection_of_the_environment_blocks_and_of_another_does_not() {
        let mut a = both_approve();
        a.reviews
            .push(review("lee", ReviewState::Rejected, "staging"));
        assert_eq!(check(&policy(), a.clone()).status, CheckStatus::Pass);
        a.reviews
            .push(review("octocat", ReviewState::Rejected, "production"));
        a.reviews[3].comment = Some("not yet".into());
        let c = check(&policy(), a);
        assert_eq!(abouts(&c), ["github review by octocat"]);
        assert!(
            c.message.contains(
                "octocat rejected the deployment to `production` in workflow run 42 (\"not yet\")"
            ),
            "{}",
            c.message
        );
    }

    #[test]
    fn two_roles_approve_through_two_environments() {
        // GitHub releases a waiting job on the first required reviewer's approval, so two roles
        // approve two environments (two jobs) of the run.
        let p = policy_with(
            "{name: pay, version: '1.0'}",
            &APPROVALS.replace(
                "environment: Production",
                "environment: [uat-qa, UAT-Product]",
            ),
            "",
        );
        let mut a = approvals(vec![
            review("dana", ReviewState::Approved, "uat-product"),
            review("sam", ReviewState::Approved, "uat-qa"),
            review("lee", ReviewState::Rejected, "production"),
        ]);
        let c = check(&p, a.clone());
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
        assert!(
            c.message.ends_with("(the deployment to `uat-qa` or `UAT-Product` in workflow run 42, created 2 hours ago)"),
            "{}",
            c.message
        );
        assert_eq!(
            c.details["github_approvals"]["environments"],
            serde_json::json!(["uat-qa", "UAT-Product"])
        );
        a.reviews
            .push(review("kim", ReviewState::Rejected, "uat-qa"));
        let c = check(&p, a);
        assert_eq!(abouts(&c), ["github review by kim"]);
        assert!(
            c.message
                .contains("kim rejected the deployment to `uat-qa` in workflow run 42"),
            "{}",
            c.message
        );
    }

    #[test]
    fn approvals_of_another_run_or_repository_never_count() {
        let mut a = both_approve();
        a.run.id = 43;
        let c = check(&policy(), a);
        assert_eq!(
            abouts(&c),
            ["github run", "role product-owner", "role qa-lead"]
        );
        let mut a = both_approve();
        a.repository = "acme/other".into();
        let c = check(&policy(), a);
        assert!(
            c.message
                .contains("run 42 of `acme/other`, not run 42 of `acme/pay`"),
            "{}",
            c.message
        );
    }

    #[test]
    fn the_run_must_have_built_the_release_commit() {
        let with = |commit: &str| {
            policy_with(
                &format!("{{name: pay, version: '1.0', commit: {commit}}}"),
                APPROVALS,
                "",
            )
        };
        assert_eq!(
            check(&with("3f2a9c1"), both_approve()).status,
            CheckStatus::Pass
        );
        let c = check(&with("9e8d7c6"), both_approve());
        assert_eq!(abouts(&c)[0], "github commit");
        assert_eq!(c.observed, serde_json::json!([]));
        let mut a = both_approve();
        a.run.head_sha = None;
        let c = check(&with("3f2a9c1"), a);
        assert!(
            c.message
                .contains("GitHub names no commit for workflow run 42"),
            "{}",
            c.message
        );
    }

    #[test]
    fn max_age_is_measured_from_the_run_s_creation() {
        let mut a = both_approve();
        a.run.created_at = "2026-11-10T10:00:00Z".parse().unwrap();
        assert_eq!(
            check(&policy(), a.clone()).status,
            CheckStatus::Pass,
            "exactly max_age"
        );
        a.run.created_at = "2026-11-10T09:59:59Z".parse().unwrap();
        let c = check(&policy(), a.clone());
        assert_eq!(
            abouts(&c),
            ["github time", "role product-owner", "role qa-lead"]
        );
        let unlimited = policy_with("{name: pay, version: '1.0'}", APPROVALS, "");
        assert_eq!(
            check(&unlimited, a.clone()).status,
            CheckStatus::Pass,
            "no max_age, no age"
        );
        a.run.created_at = "2026-11-24T10:00:01Z".parse().unwrap();
        let c = check(&unlimited, a);
        assert_eq!(abouts(&c)[0], "github time");
        assert!(
            c.message.contains("after the evaluation time"),
            "{}",
            c.message
        );
    }

    #[test]
    fn no_review_at_all_names_every_role() {
        let c = check(&policy(), approvals(vec![]));
        assert_eq!(abouts(&c), ["role product-owner", "role qa-lead"]);
        assert!(c.remedy.unwrap().contains("`Dana` approves the deployment to `Production` (Review deployments on https://github.com/acme/pay/actions/runs/42)"));
    }

    const BOTH: &str = "    signoff: uat.yaml\n";

    fn record(roles: &[&str]) -> UatEvidence {
        UatEvidence {
            path: "uat.yaml".into(),
            release: "pay".into(),
            version: "1.0".into(),
            commit: None,
            decision: UatDecision::Approved,
            scope: None,
            conditions: vec![],
            signoffs: roles
                .iter()
                .map(|r| Signoff {
                    name: format!("Signer of {r}"),
                    role: (*r).into(),
                    at: "2026-11-23T10:00:00Z".parse().unwrap(),
                    meaning: SignatureMeaning::Approval,
                    note: None,
                })
                .collect(),
            signature: UatSignature::Unsigned {
                expected: "uat.yaml.sig".into(),
            },
        }
    }

    fn both(
        rec: SourceState<UatEvidence>,
        a: SourceState<DeploymentApprovals>,
    ) -> (CheckResult, ExitCode) {
        let p = policy_with(
            "{name: pay, version: '1.0'}",
            &format!("{BOTH}{APPROVALS}"),
            "",
        );
        run_with(
            &p,
            EvidenceSet {
                uat: rec,
                uat_approvals: a,
                ..EvidenceSet::default()
            },
        )
    }

    #[test]
    fn either_source_approves_a_role_and_the_record_s_own_rules_still_apply() {
        let qa_only = approvals(vec![review("sam", ReviewState::Approved, "production")]);
        let (c, code) = both(
            SourceState::Loaded(record(&["product-owner"])),
            SourceState::Loaded(qa_only.clone()),
        );
        assert_eq!(
            (c.status, code),
            (CheckStatus::Pass, ExitCode::Ready),
            "{c:#?}"
        );
        assert!(c.message.starts_with("approved for pay 1.0 by product-owner (Signer of product-owner), qa-lead (sam in GitHub, member of acme/qa)"), "{}", c.message);
        let mut rejected = record(&["product-owner"]);
        rejected.decision = UatDecision::Rejected;
        let (c, _) = both(SourceState::Loaded(rejected), SourceState::Loaded(qa_only));
        assert_eq!(abouts(&c), ["decision"]);
        assert!(c.message.starts_with("the UAT sign-off `uat.yaml` and the GitHub deployment approvals of workflow run 42 do not approve"), "{}", c.message);
    }

    fn problem(what: &str) -> EvidenceProblem {
        EvidenceProblem {
            source: "uat".into(),
            location: None,
            message: format!("{what} is not there"),
            remedy: format!("bring {what}"),
        }
    }

    #[test]
    fn each_configured_source_must_be_there() {
        let (c, code) = both(
            SourceState::Missing(problem("the record")),
            SourceState::Loaded(both_approve()),
        );
        assert_eq!(
            (c.status, code),
            (CheckStatus::Missing, ExitCode::Blocked),
            "approvals alone do not stand in for a configured record"
        );
        let (c, _) = both(
            SourceState::Missing(problem("the record")),
            SourceState::Missing(problem("the approvals")),
        );
        assert_eq!(
            c.message,
            "the record is not there; and the approvals is not there"
        );
        assert_eq!(
            c.remedy.as_deref(),
            Some("bring the record; bring the approvals")
        );
        let (c, code) = both(
            SourceState::Missing(problem("the record")),
            SourceState::Unreadable(vec![problem("the approvals")]),
        );
        assert_eq!(
            (c.status, code),
            (CheckStatus::Error, ExitCode::EvidenceError)
        );
        assert_eq!(c.details["problems_total"], 2);
        let (c, _) = both(SourceState::Loaded(record(&[])), SourceState::NotConfigured);
        assert_eq!(
            c.status,
            CheckStatus::Missing,
            "configured but not loaded is no pass"
        );
    }

    #[test]
    fn provenance_sees_the_run_s_time_and_commit() {
        let text = format!(
            "version: 1\nrelease: {{name: pay, version: '1.0', commit: 9e8d7c6}}\nsources:\n  uat:\n{APPROVALS}checks:\n  provenance:\n    max_age: {{uat: 1h}}\n"
        );
        let p = Policy::parse(&text, &|_| None).unwrap();
        let v = evaluate(
            &p,
            &EvidenceSet {
                uat_approvals: SourceState::Loaded(both_approve()),
                ..EvidenceSet::default()
            },
            now(),
        );
        let c = v
            .checks
            .iter()
            .find(|c| c.id == "evidence.provenance")
            .unwrap();
        assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
        let messages: Vec<&str> = c.details["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["message"].as_str().unwrap())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains("is 2 hours old")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("not `9e8d7c6`")),
            "{messages:?}"
        );
    }

    fn review_strategy() -> impl Strategy<Value = DeploymentReview> {
        (
            prop::sample::select(vec!["dana", "sam", "lee", "octocat"]),
            prop::sample::select(vec![
                ReviewState::Approved,
                ReviewState::Rejected,
                ReviewState::Pending,
            ]),
            prop::sample::select(vec!["production", "staging"]),
        )
            .prop_map(|(u, s, e)| review(u, s, e))
    }

    proptest! {
        /// The check passes exactly when Dana and Sam approved production and no one rejected
        /// it; adding a rejection of production never turns blocked into ready.
        #[test]
        fn only_mapped_approvals_without_a_rejection_pass(
            reviews in proptest::collection::vec(review_strategy(), 0..8),
        ) {
            let on = |u: &str, s: ReviewState| reviews
                .iter()
                .any(|r| r.user == u && r.state == s && r.covers("production"));
            let expected = on("dana", ReviewState::Approved)
                && on("sam", ReviewState::Approved)
                && !reviews.iter().any(|r| r.state == ReviewState::Rejected && r.covers("production"));
            let c = check(&policy(), approvals(reviews.clone()));
            prop_assert_eq!(c.status == CheckStatus::Pass, expected);
            let mut more = reviews;
            more.push(review("octocat", ReviewState::Rejected, "production"));
            prop_assert_eq!(check(&policy(), approvals(more)).status, CheckStatus::Fail);
        }
    }
}
