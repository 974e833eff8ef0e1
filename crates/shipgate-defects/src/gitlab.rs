//! GitLab Issues (`GET /api/v4/projects/:id/issues`), gitlab.com or self-managed.
//!
//! GitLab pages by number. When the first answer carries `x-total-pages`, the remaining pages are
//! fetched concurrently; past 10,000 issues GitLab leaves out `x-total` and `x-total-pages`, and
//! the pages are then followed through `x-next-page` one after the other until it is empty.
//! Labels are plain strings; scoped labels (`origin::production`) are read with the label prefix
//! `origin::` as the field.

use crate::config::SourceConfig;
use crate::error::DefectsError;
use crate::labelled::{IssueFields, raw_defect};
use crate::mapping::RawDefect;
use crate::paging::{MAX_PAGES, fetch_concurrently};
use shipgate_http::{Client, JsonResponse};

/// gitlab.com; self-managed instances use their own base URL.
pub(crate) const DEFAULT_URL: &str = "https://gitlab.com";

const FIELDS: IssueFields = IssueFields {
    number: "iid",
    web_url: "web_url",
};

pub(crate) fn fetch(
    config: &SourceConfig,
    client: &Client,
) -> Result<Vec<RawDefect>, DefectsError> {
    let project = config
        .project
        .as_deref()
        .ok_or_else(|| DefectsError::Config {
            kind: "gitlab",
            message: "`project` is not set (the project's id or path, e.g. `acme/payments`)"
                .to_owned(),
        })?;
    let base = config
        .url
        .as_deref()
        .unwrap_or(DEFAULT_URL)
        .trim_end_matches('/');
    let url = format!("{base}/api/v4/projects/{}/issues", encode_path(project));
    let extra = crate::query_params(config.query.as_deref());
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
    let mut answers = vec![page(1)?];
    let total_pages = answers[0]
        .header("x-total-pages")
        .and_then(|v| v.trim().parse::<u64>().ok());
    match total_pages {
        Some(total) => {
            let rest: Vec<u64> = (2..=total).take(MAX_PAGES).collect();
            answers.extend(fetch_concurrently(&rest, page)?);
        }
        None => {
            let mut pages = 1;
            while let Some(next) = answers
                .last()
                .and_then(|a| a.header("x-next-page"))
                .and_then(|v| v.trim().parse::<u64>().ok())
            {
                pages += 1;
                if pages > MAX_PAGES {
                    return Err(DefectsError::Shape {
                        url,
                        reason: format!("the issue list did not end after {MAX_PAGES} pages"),
                    });
                }
                answers.push(page(next)?);
            }
        }
    }
    let mut raws = Vec::new();
    for answer in &answers {
        let items = answer.body.as_array().ok_or_else(|| DefectsError::Shape {
            url: answer.url.clone(),
            reason: "the answer is not a list of issues".to_owned(),
        })?;
        for item in items {
            raws.push(raw_defect(item, config, &FIELDS, &answer.url)?);
        }
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
