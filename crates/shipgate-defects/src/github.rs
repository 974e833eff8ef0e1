//! GitHub and GitHub Enterprise Issues (`GET /repos/{owner}/{repo}/issues`).
//!
//! Pages are followed through the `Link` header's `rel="next"`, one after the other (GitHub's
//! documentation asks clients to follow the links rather than build page numbers). The issues
//! API also lists pull requests; they carry a `pull_request` key and are skipped. `state=all`
//! includes closed issues; the window is applied on `created_at` by the policy, never through the
//! API's `since`, which filters on the last update. How an issue was closed is its `state_reason`
//! (`completed`, `not_planned`, `duplicate`).

use crate::config::SourceConfig;
use crate::error::DefectsError;
use crate::labelled::{IssueFields, raw_defect};
use crate::mapping::RawDefect;
use crate::paging::MAX_PAGES;
use crate::tracker::Tracker;
use serde_json::Value;
use shipgate_http::{Client, next_link};
use shipgate_model::TrackerKind;

/// The public GitHub API; Enterprise Server uses `https://HOST/api/v3`.
pub(crate) const DEFAULT_URL: &str = "https://api.github.com";

const FIELDS: IssueFields = IssueFields {
    number: "number",
    web_url: "html_url",
    resolution: state_reason,
};

/// `state_reason`: `completed`, `not_planned`, `duplicate`, `reopened`, or null (issues closed
/// before GitHub had reasons).
fn state_reason(item: &Value) -> Option<String> {
    item.get("state_reason")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
}

/// GitHub or GitHub Enterprise Issues (`kind: github`).
pub(crate) static GITHUB: Github = Github;

/// GitHub or GitHub Enterprise Issues (`kind: github`).
pub(crate) struct Github;

impl Tracker for Github {
    fn kind(&self) -> TrackerKind {
        TrackerKind::Github
    }

    fn fetch(
        &self,
        config: &SourceConfig,
        client: &Client,
    ) -> Result<Vec<RawDefect>, DefectsError> {
        fetch(config, client)
    }
}

fn fetch(config: &SourceConfig, client: &Client) -> Result<Vec<RawDefect>, DefectsError> {
    let repo = config.require(
        config.settings.repository.as_deref(),
        "repository",
        "`acme/payments`",
    )?;
    let base = config.base_url(DEFAULT_URL);
    let mut params: Vec<(String, String)> = vec![
        ("state".into(), "all".into()),
        ("per_page".into(), "100".into()),
    ];
    params.extend(crate::query_params(config.settings.query.as_deref()));
    let first = format!("{base}/repos/{repo}/issues");
    let mut next = Some((first, params));
    let mut raws = Vec::new();
    for _ in 0..MAX_PAGES {
        let Some((url, params)) = next.take() else {
            return Ok(raws);
        };
        let query: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let page = client.get_json(&url, &query)?;
        let items = page.body.as_array().ok_or_else(|| DefectsError::Shape {
            url: page.url.clone(),
            reason: "the answer is not a list of issues".to_owned(),
        })?;
        for item in items {
            if item.get("pull_request").is_some() {
                continue;
            }
            raws.push(raw_defect(item, config, &FIELDS, &page.url)?);
        }
        // The next link carries every parameter itself.
        next = page
            .header("link")
            .and_then(next_link)
            .map(|u| (u, Vec::new()));
    }
    Err(DefectsError::Shape {
        url: format!("{base}/repos/{repo}/issues"),
        reason: format!("the issue list did not end after {MAX_PAGES} pages"),
    })
}
