//! GitLab Issues (`GET /api/v4/projects/:id/issues`), gitlab.com or self-managed.
//!
//! GitLab pages by number. When the first answer carries `x-total-pages`, the remaining pages are
//! fetched concurrently; past 10,000 issues GitLab leaves out `x-total` and `x-total-pages`, and
//! the pages are then followed through `x-next-page` one after the other until it is empty.
//! An issue read on two pages (it moved while paging) counts once; fewer distinct issues than
//! `x-total`, an empty page before the last, or more pages than [`MAX_PAGES`] is an error.
//! Labels are plain strings; scoped labels (`origin::production`) are read with the label prefix
//! `origin::` as the field. A closed issue's resolution is `duplicate` (closed with `/duplicate`)
//! or `moved` (moved to another project).

use crate::config::SourceConfig;
use crate::error::DefectsError;
use crate::labelled::{IssueFields, raw_defect};
use crate::mapping::RawDefect;
use crate::paging::{MAX_PAGES, fetch_concurrently};
use crate::tracker::Tracker;
use serde_json::Value;
use shipgate_http::{Auth, Client, Credential, JsonResponse};
use shipgate_model::TrackerKind;
use std::collections::HashSet;

/// gitlab.com; self-managed instances use their own base URL.
pub(crate) const DEFAULT_URL: &str = "https://gitlab.com";

const FIELDS: IssueFields = IssueFields {
    number: "iid",
    web_url: "web_url",
    resolution: closed_as,
};

/// `duplicate` for an issue closed as a duplicate (`_links.closed_as_duplicate_of`, GitLab 15.1
/// and later, when the token can see the other issue), `moved` for one moved to another project
/// (`moved_to_id`); GitLab gives no other reason for a close.
fn closed_as(item: &Value) -> Option<String> {
    let set = |v: Option<&Value>| v.is_some_and(|v| !v.is_null());
    if set(item.pointer("/_links/closed_as_duplicate_of")) {
        Some("duplicate".to_owned())
    } else if set(item.get("moved_to_id")) {
        Some("moved".to_owned())
    } else {
        None
    }
}

/// GitLab Issues, gitlab.com or self-managed (`kind: gitlab`).
pub(crate) static GITLAB: Gitlab = Gitlab;

/// GitLab Issues, gitlab.com or self-managed (`kind: gitlab`).
pub(crate) struct Gitlab;

impl Tracker for Gitlab {
    fn kind(&self) -> TrackerKind {
        TrackerKind::Gitlab
    }

    /// GitLab's own header for personal, project and group access tokens.
    fn auth(&self, token: Credential, _user: Option<crate::tracker::User>) -> Auth {
        Auth::Header {
            name: "PRIVATE-TOKEN".to_owned(),
            token,
        }
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
    let project = config.require(
        config.settings.project.as_deref(),
        "project",
        "the project's id or path, `acme/payments`",
    )?;
    let base = config.base_url(DEFAULT_URL);
    let url = format!("{base}/api/v4/projects/{}/issues", encode_path(project));
    let extra = crate::query_params(config.settings.query.as_deref());
    let page = |n: u64| -> Result<JsonResponse, DefectsError> {
        let n = n.to_string();
        let mut query: Vec<(&str, &str)> = vec![
            ("scope", "all"),
            ("state", "all"),
            ("per_page", "100"),
            ("order_by", "created_at"),
            ("sort", "asc"),
            ("page", &n),
        ];
        query.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        Ok(client.get_json(&url, &query)?)
    };
    let first = page(1)?;
    let number =
        |a: &JsonResponse, name: &str| a.header(name).and_then(|v| v.trim().parse::<u64>().ok());
    let total = number(&first, "x-total");
    let total_pages = number(&first, "x-total-pages");
    // (page number, answer), in page order.
    let mut answers = vec![(1, first)];
    match total_pages {
        Some(pages) if pages > MAX_PAGES as u64 => {
            return Err(DefectsError::Shape {
                url,
                reason: format!(
                    "GitLab says the issue list has {pages} pages, more than the {MAX_PAGES} read; narrow the query"
                ),
            });
        }
        Some(pages) => {
            let rest: Vec<u64> = (2..=pages).collect();
            let fetched = fetch_concurrently(&rest, page)?;
            answers.extend(rest.into_iter().zip(fetched));
        }
        None => {
            while let Some(next) = answers.last().and_then(|(_, a)| number(a, "x-next-page")) {
                if answers.len() >= MAX_PAGES {
                    return Err(DefectsError::Shape {
                        url,
                        reason: format!("the issue list did not end after {MAX_PAGES} pages"),
                    });
                }
                answers.push((next, page(next)?));
            }
        }
    }
    let last = answers.len() - 1;
    let mut raws = Vec::new();
    let mut seen = HashSet::new();
    for (i, (number, answer)) in answers.iter().enumerate() {
        let items = answer.body.as_array().ok_or_else(|| DefectsError::Shape {
            url: answer.url.clone(),
            reason: "the answer is not a list of issues".to_owned(),
        })?;
        // Issues deleted or moved while paging leave a hole; a page is empty only at the end.
        if items.is_empty() && i < last {
            return Err(DefectsError::Shape {
                url: answer.url.clone(),
                reason: format!(
                    "page {number} of the issue list is empty but a later page is not (the issues changed while the pages were read); re-run the gate"
                ),
            });
        }
        for item in items {
            let raw = raw_defect(item, config, &FIELDS, &answer.url)?;
            // An issue that moved to the next page while paging is read twice: count it once.
            if seen.insert(raw.key.clone()) {
                raws.push(raw);
            }
        }
    }
    // With the total GitLab states (it leaves it out past 10,000 issues), a short read is not
    // evidence. A count that matches cannot prove that nothing changed while paging.
    if let Some(total) = total
        && (raws.len() as u64) < total
    {
        return Err(DefectsError::Shape {
            url,
            reason: format!(
                "GitLab reported {total} issues but {} were returned (the issues changed while the pages were read); re-run the gate",
                raws.len()
            ),
        });
    }
    Ok(raws)
}

/// A project path as one URL path segment (`acme/payments` → `acme%2Fpayments`); an id stays.
fn encode_path(project: &str) -> String {
    let mut out = String::new();
    for b in project.trim().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn project_paths_are_one_segment() {
        assert_eq!(super::encode_path("acme/pay ments"), "acme%2Fpay%20ments");
        assert_eq!(super::encode_path("278964"), "278964");
    }
}
