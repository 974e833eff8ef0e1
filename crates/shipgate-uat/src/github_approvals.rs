//! GitHub deployment approvals of one workflow run → [`DeploymentApprovals`].
//!
//! Three GitHub REST calls, through `shipgate-http` (timeouts, retries, secrets):
//!
//! - `GET /repos/{owner}/{repo}/actions/runs/{run_id}`: the run (its creation time and commit);
//! - `GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals` ("Get the review history for
//!   a workflow run"): a list of `{state, comment, environments[], user}`. The API documents no
//!   paging for it; a `Link: rel="next"` is followed anyway, should GitHub page it;
//! - `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`, for each approver of the
//!   environment and each team the policy maps to a role: GitHub lists users, not teams, so a
//!   team's approval is an approval by one of its active members. `404` means "not a member"
//!   (GitHub answers the same when the token cannot see the team), which counts for nothing.
//!
//! No `X-GitHub-Api-Version` is sent, so GitHub answers in its default version (2022-11-28),
//! whose review entries carry `state`. One published example of a later version names the
//! field `issue_state`; it is read too, and an entry with neither is an error, never a pass.

use crate::error::UatError;
use jiff::Timestamp;
use serde_json::Value;
use shipgate_http::{Auth, Client, ClientOptions, Credential, Secret, next_link, redact_url};
use shipgate_model::approvals::{APPROVALS_FORMAT, APPROVALS_FORMAT_VERSION};
use shipgate_model::{
    DeploymentApprovals, DeploymentReview, Instant, MembershipState, ReviewState, TeamMembership,
    WorkflowRun,
};

/// The most pages of review history read; more is an error, never a partial history.
const MAX_PAGES: usize = 50;

/// Looks up an environment variable (the caller decides where from).
pub type EnvLookup<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// What to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalsConfig {
    /// The API's base URL (`https://api.github.com`, `https://HOST/api/v3`).
    pub url: String,
    /// `owner/name`. Empty: there is no run to read (missing evidence).
    pub repository: String,
    /// The workflow run's id. Empty: there is no run to read (missing evidence).
    pub run_id: String,
    /// The environments whose approvers' team memberships are looked up.
    pub environments: Vec<String>,
    /// The teams (`org/team-slug`) whose membership is looked up for each approver.
    pub teams: Vec<String>,
    /// The environment variable holding the token.
    pub token_env: String,
    /// Timeouts, retries, CA bundle.
    pub http: ClientOptions,
}

impl ApprovalsConfig {
    fn base(&self) -> &str {
        self.url.trim().trim_end_matches('/')
    }

    /// The review history's URL, as reports name it (never with credentials).
    pub fn location(&self) -> String {
        redact_url(&format!(
            "{}/repos/{}/actions/runs/{}/approvals",
            self.base(),
            self.repository.trim(),
            self.run_id.trim()
        ))
    }
}

/// How to read.
pub struct ApprovalsOptions<'a> {
    /// No network: the approvals are then missing evidence.
    pub offline: bool,
    /// Resolves `token_env`.
    pub env: EnvLookup<'a>,
    /// Recorded as when the approvals were fetched.
    pub fetched_at: Option<Timestamp>,
}

/// Fetches the run, its review history and the approvers' team memberships.
pub fn fetch_approvals(
    config: &ApprovalsConfig,
    options: &ApprovalsOptions<'_>,
) -> Result<DeploymentApprovals, UatError> {
    let location = config.location();
    let repository = config.repository.trim();
    let run_text = config.run_id.trim();
    for (key, value, example) in [
        ("repository", repository, "${GITHUB_REPOSITORY}"),
        ("run_id", run_text, "${GITHUB_RUN_ID}"),
    ] {
        if value.is_empty() {
            return Err(UatError::NoRun { key, example });
        }
    }
    if options.offline {
        return Err(UatError::Offline { location });
    }
    let run_id: u64 = run_text.parse().map_err(|_| UatError::ApprovalsShape {
        url: location.clone(),
        reason: format!("`{run_text}` is not a workflow run id"),
    })?;
    let token = match (options.env)(config.token_env.trim()) {
        Some(v) if !v.trim().is_empty() => Credential {
            env: config.token_env.trim().to_owned(),
            secret: Secret::new(v.trim()),
        },
        _ => {
            return Err(UatError::MissingToken {
                env: config.token_env.trim().to_owned(),
            });
        }
    };
    let client = Client::new(config.http.clone(), Auth::Bearer(token))?;
    let base = config.base();
    let run = fetch_run(
        &client,
        &format!("{base}/repos/{repository}/actions/runs/{run_id}"),
        run_id,
    )?;
    let reviews = fetch_reviews(&client, &location)?;
    let memberships = fetch_memberships(&client, base, config, &reviews)?;
    tracing::debug!(
        reviews = reviews.len(),
        memberships = memberships.len(),
        "deployment approvals fetched"
    );
    let mut approvals = DeploymentApprovals::new(&location, repository, run, reviews);
    approvals.memberships = memberships;
    approvals.fetched_at = options.fetched_at;
    Ok(approvals)
}

fn shape(url: &str, reason: impl Into<String>) -> UatError {
    UatError::ApprovalsShape {
        url: redact_url(url),
        reason: reason.into(),
    }
}

fn fetch_run(client: &Client, url: &str, run_id: u64) -> Result<WorkflowRun, UatError> {
    let answer = client.get_json(url, &[])?;
    let body = &answer.body;
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
    let id = body
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| shape(url, "the answer is not a workflow run (it has no `id`)"))?;
    if id != run_id {
        return Err(shape(
            url,
            format!("the answer is run {id}, not run {run_id}"),
        ));
    }
    let created =
        text("created_at").ok_or_else(|| shape(url, "the workflow run has no `created_at`"))?;
    let created_at = Instant::parse(&created)
        .map_err(|e| shape(url, format!("the run's `created_at`: {e}")))?
        .timestamp();
    Ok(WorkflowRun {
        id,
        name: text("name"),
        html_url: text("html_url"),
        head_sha: text("head_sha").filter(|s| !s.trim().is_empty()),
        created_at,
        run_attempt: body.get("run_attempt").and_then(Value::as_u64),
    })
}

fn fetch_reviews(client: &Client, first: &str) -> Result<Vec<DeploymentReview>, UatError> {
    let mut reviews = Vec::new();
    let mut next = Some(first.to_owned());
    for _ in 0..MAX_PAGES {
        let Some(url) = next.take() else {
            return Ok(reviews);
        };
        let page = client.get_json(&url, &[])?;
        let items = page
            .body
            .as_array()
            .ok_or_else(|| shape(&page.url, "the answer is not a list of reviews"))?;
        for (i, item) in items.iter().enumerate() {
            reviews.push(review(item).map_err(|reason| {
                shape(
                    &page.url,
                    format!("review {} of the answer: {reason}", i + 1),
                )
            })?);
        }
        next = page.header("link").and_then(next_link);
    }
    Err(shape(
        first,
        format!("the review history did not end after {MAX_PAGES} pages"),
    ))
}

/// One entry of the review history, or why it cannot be read.
fn review(item: &Value) -> Result<DeploymentReview, String> {
    let state = item
        .get("state")
        .or_else(|| item.get("issue_state"))
        .and_then(Value::as_str)
        .ok_or("it has no `state`")?;
    let state = match state {
        "approved" => ReviewState::Approved,
        "rejected" => ReviewState::Rejected,
        "pending" => ReviewState::Pending,
        other => {
            return Err(format!(
                "its `state` is `{other}`, not approved, rejected or pending"
            ));
        }
    };
    let user = item
        .pointer("/user/login")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .ok_or("it has no `user.login`")?;
    if !is_name(user) {
        return Err(format!("its `user.login` `{user}` is not a GitHub login"));
    }
    let environments = item
        .get("environments")
        .and_then(Value::as_array)
        .ok_or("it has no list of `environments`")?
        .iter()
        .map(|e| {
            e.get("name")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or("an environment has no `name`")
        })
        .collect::<Result<Vec<_>, _>>()?;
    let comment = item
        .get("comment")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty())
        .map(str::to_owned);
    Ok(DeploymentReview {
        user: user.to_owned(),
        state,
        environments,
        comment,
    })
}

fn fetch_memberships(
    client: &Client,
    base: &str,
    config: &ApprovalsConfig,
    reviews: &[DeploymentReview],
) -> Result<Vec<TeamMembership>, UatError> {
    let mut approvers: Vec<&str> = reviews
        .iter()
        .filter(|r| {
            r.state == ReviewState::Approved && config.environments.iter().any(|e| r.covers(e))
        })
        .map(|r| r.user.as_str())
        .collect();
    approvers.sort_by_key(|u| u.to_ascii_lowercase());
    approvers.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let mut memberships = Vec::new();
    for team in &config.teams {
        let team = team.trim();
        let Some((org, slug)) = team
            .split_once('/')
            .filter(|(o, s)| is_name(o) && is_name(s))
        else {
            return Err(shape(base, format!("`{team}` is not `org/team-slug`")));
        };
        for user in &approvers {
            let url = format!("{base}/orgs/{org}/teams/{slug}/memberships/{user}");
            let state = match client.get_json(&url, &[]) {
                Ok(answer) => match answer.body.get("state").and_then(Value::as_str) {
                    Some("active") => MembershipState::Active,
                    Some("pending") => MembershipState::Pending,
                    other => {
                        return Err(shape(
                            &answer.url,
                            format!(
                                "the membership's `state` is {}, not active or pending",
                                other.map_or("missing".to_owned(), |s| format!("`{s}`"))
                            ),
                        ));
                    }
                },
                Err(shipgate_http::HttpError::NotFound { .. }) => MembershipState::NotMember,
                Err(e) => return Err(e.into()),
            };
            memberships.push(TeamMembership {
                team: team.to_owned(),
                user: (*user).to_owned(),
                state,
            });
        }
    }
    memberships.sort_by(|a, b| {
        (a.team.to_ascii_lowercase(), a.user.to_ascii_lowercase())
            .cmp(&(b.team.to_ascii_lowercase(), b.user.to_ascii_lowercase()))
    });
    Ok(memberships)
}

/// A login, organisation or team slug as GitHub writes them; anything else would change the
/// path of the URL it is put in.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Writes approvals as a release record stores them: pretty-printed JSON ending in a newline.
/// The same approvals always give the same bytes.
pub fn write_approvals_json(approvals: &DeploymentApprovals) -> String {
    let mut text = serde_json::to_string_pretty(approvals).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads approvals stored by [`write_approvals_json`]. `path` names the file in messages.
pub fn read_approvals_json(bytes: &[u8], path: &str) -> Result<DeploymentApprovals, UatError> {
    let stored = |reason: String| UatError::StoredApprovals {
        path: path.to_owned(),
        reason,
    };
    // Strict: a key given twice, or one the stored form does not have, is refused.
    let value = shipgate_json::parse_value(bytes).map_err(|e| stored(e.to_string()))?;
    let format = value.get("format").and_then(Value::as_str);
    if format != Some(APPROVALS_FORMAT) {
        return Err(stored(format!(
            "its `format` is {}, not `{APPROVALS_FORMAT}`",
            format.map_or("missing".to_owned(), |f| format!("`{f}`"))
        )));
    }
    let version = value.get("version").and_then(Value::as_u64);
    if version != Some(u64::from(APPROVALS_FORMAT_VERSION)) {
        return Err(stored(format!(
            "its `version` is {}, and this shipgate reads version {APPROVALS_FORMAT_VERSION}",
            version.map_or("missing".to_owned(), |v| v.to_string())
        )));
    }
    shipgate_json::form_from_value(value).map_err(|e| stored(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_documented_review_entry_reads() {
        // The example of "Get the review history for a workflow run" (docs.github.com), cut to
        // the fields read and one of the user's URLs.
        let item = json!({
            "state": "approved",
            "comment": "Ship it!",
            "environments": [{
                "id": 161088068, "node_id": "MDExOkVudmlyb25tZW50MTYxMDg4MDY4", "name": "staging",
                "url": "https://api.github.com/repos/github/hello-world/environments/staging",
                "html_url": "https://github.com/github/hello-world/deployments/activity_log?environments_filter=staging",
                "created_at": "2020-11-23T22:00:40Z", "updated_at": "2020-11-23T22:00:40Z"
            }],
            "user": {"login": "octocat", "id": 1, "node_id": "MDQ6VXNlcjE=", "type": "User", "site_admin": false,
                     "url": "https://api.github.com/users/octocat"}
        });
        let r = review(&item).unwrap();
        assert_eq!(r.user, "octocat");
        assert_eq!(r.state, ReviewState::Approved);
        assert_eq!(r.environments, vec!["staging".to_owned()]);
        assert_eq!(r.comment.as_deref(), Some("Ship it!"));
        let mut renamed = item.clone();
        let state = renamed.as_object_mut().unwrap().remove("state").unwrap();
        renamed["issue_state"] = state;
        assert_eq!(review(&renamed).unwrap(), r);
    }

    #[test]
    fn an_entry_that_cannot_be_read_is_an_error_never_a_pass() {
        let ok = json!({"state": "rejected", "comment": "", "environments": [{"name": "production"}], "user": {"login": "sam"}});
        assert_eq!(review(&ok).unwrap().comment, None);
        for (edit, says) in [
            (json!({"state": null}), "no `state`"),
            (json!({"state": "approve"}), "`approve`"),
            (json!({"user": null}), "`user.login`"),
            (json!({"user": {"login": "a/../b"}}), "not a GitHub login"),
            (json!({"environments": "production"}), "`environments`"),
            (json!({"environments": [{"id": 1}]}), "no `name`"),
        ] {
            let mut item = ok.clone();
            for (k, v) in edit.as_object().unwrap() {
                item[k] = v.clone();
            }
            let err = review(&item).unwrap_err();
            assert!(err.contains(says), "{edit}: {err}");
        }
    }

    #[test]
    fn stored_approvals_read_back_and_a_foreign_file_is_refused() {
        let a = DeploymentApprovals::new(
            "https://api.github.com/repos/acme/pay/actions/runs/7/approvals",
            "acme/pay",
            WorkflowRun {
                id: 7,
                name: None,
                html_url: None,
                head_sha: Some("3f2a9c1".into()),
                created_at: "2026-11-24T09:00:00Z".parse().unwrap(),
                run_attempt: None,
            },
            vec![],
        );
        let text = write_approvals_json(&a);
        assert!(text.ends_with("}\n"));
        assert_eq!(read_approvals_json(text.as_bytes(), "x").unwrap(), a);
        let err = read_approvals_json(
            b"{\"format\": \"shipgate-defects\", \"version\": 1}",
            "x.json",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("not `shipgate-github-approvals`"),
            "{err}"
        );
        let err = read_approvals_json(b"[", "x.json").unwrap_err();
        assert!(err.to_string().contains("x.json"), "{err}");
    }

    #[test]
    fn stored_approvals_with_a_key_twice_or_an_unknown_key_are_refused() {
        let a = DeploymentApprovals::new(
            "https://api.github.com/repos/acme/pay/actions/runs/7/approvals",
            "acme/pay",
            WorkflowRun {
                id: 7,
                name: None,
                html_url: None,
                head_sha: Some("3f2a9c1".into()),
                created_at: "2026-11-24T09:00:00Z".parse().unwrap(),
                run_attempt: None,
            },
            vec![DeploymentReview {
                state: ReviewState::Rejected,
                user: "sam".into(),
                environments: vec!["production".into()],
                comment: None,
            }],
        );
        let text = write_approvals_json(&a);
        assert!(text.contains("\"state\": \"rejected\""), "{text}");
        // A rejection given again as an approval, last.
        let twice = text.replacen(
            "\"state\": \"rejected\"",
            "\"state\": \"rejected\", \"state\": \"approved\"",
            1,
        );
        let err = read_approvals_json(twice.as_bytes(), "x.json").unwrap_err();
        assert!(
            err.to_string()
                .contains("the key `state` appears twice in `reviews[0]` (line"),
            "{err}"
        );
        let typo = text.replacen("\"head_sha\"", "\"head_shaa\"", 1);
        let err = read_approvals_json(typo.as_bytes(), "x.json").unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown key `head_shaa` in `run`; did you mean `head_sha`?"),
            "{err}"
        );
    }

    #[test]
    fn no_run_and_offline_are_missing_and_an_unset_token_is_named() {
        let config = ApprovalsConfig {
            url: "https://api.github.com/".into(),
            repository: "acme/pay".into(),
            run_id: String::new(),
            environments: vec!["production".into()],
            teams: vec![],
            token_env: "GITHUB_TOKEN".into(),
            http: ClientOptions::default(),
        };
        let options = ApprovalsOptions {
            offline: false,
            env: &|_| None,
            fetched_at: None,
        };
        let err = fetch_approvals(&config, &options).unwrap_err();
        assert!(err.is_missing());
        assert!(
            err.to_string()
                .contains("`run_id` in `sources.uat.github_approvals` is empty"),
            "{err}"
        );
        let config = ApprovalsConfig {
            run_id: "42".into(),
            ..config
        };
        assert_eq!(
            config.location(),
            "https://api.github.com/repos/acme/pay/actions/runs/42/approvals"
        );
        let offline = fetch_approvals(
            &config,
            &ApprovalsOptions {
                offline: true,
                ..options
            },
        )
        .unwrap_err();
        assert!(offline.is_missing());
        assert!(offline.to_string().contains("--offline"), "{offline}");
        let err = fetch_approvals(&config, &options).unwrap_err();
        assert!(!err.is_missing());
        assert!(
            err.to_string().contains("`GITHUB_TOKEN` is not set"),
            "{err}"
        );
    }
}
