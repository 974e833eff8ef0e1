//! Redmine REST (`GET /issues.json`, `X-Redmine-API-Key`).
//!
//! Redmine pages with `offset`/`limit` and says `total_count`, so once the first page is in, the
//! others are fetched concurrently. `status_id=*` includes closed issues. Whether a status is
//! closed comes from `/issue_statuses.json` (`is_closed`), because an issue keeps its `closed_on`
//! after it is reopened; a closed issue's status name (`Closed`, `Rejected`) is its resolution.
//! Severity and origin come from `priority`, `tracker`, `category`,
//! `status`, `fixed_version` or a custom field by name or id (`Defect origin`, `3`, `cf_3`).

use crate::config::SourceConfig;
use crate::error::DefectsError;
use crate::mapping::RawDefect;
use crate::paging::{MAX_PAGES, array_field, fetch_concurrently, field_values, str_field};
use crate::tracker::Tracker;
use serde_json::Value;
use shipgate_http::{Auth, Client, Credential, JsonResponse};
use shipgate_model::TrackerKind;
use std::collections::HashSet;

/// Redmine's largest page (`limit` is capped at 100 by default).
const PAGE_SIZE: u64 = 100;

/// Redmine (`kind: redmine`).
pub(crate) static REDMINE: Redmine = Redmine;

/// Redmine (`kind: redmine`).
pub(crate) struct Redmine;

impl Tracker for Redmine {
    fn kind(&self) -> TrackerKind {
        TrackerKind::Redmine
    }

    /// Redmine's API key header.
    fn auth(&self, token: Credential, _user: Option<crate::tracker::User>) -> Auth {
        Auth::Header {
            name: "X-Redmine-API-Key".to_owned(),
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
    let base = config
        .require(
            config.settings.url.as_deref(),
            "url",
            "`https://redmine.acme.example`",
        )?
        .trim_end_matches('/');
    let closed = closed_statuses(client, base)?;
    let url = format!("{base}/issues.json");
    let mut extra = crate::query_params(config.settings.query.as_deref());
    if let Some(p) = &config.settings.project {
        extra.push(("project_id".to_owned(), p.clone()));
    }
    let page = |offset: u64| -> Result<JsonResponse, DefectsError> {
        let offset = offset.to_string();
        let limit = PAGE_SIZE.to_string();
        let mut query: Vec<(&str, &str)> = vec![
            ("status_id", "*"),
            ("sort", "id"),
            ("limit", &limit),
            ("offset", &offset),
        ];
        query.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let answer = client.get_json(&url, &query)?;
        array_field(&answer.body, "issues", &answer.url)?;
        Ok(answer)
    };
    let first = page(0)?;
    let total = first
        .body
        .get("total_count")
        .and_then(Value::as_u64)
        .ok_or_else(|| DefectsError::Shape {
            url: first.url.clone(),
            reason: "the answer has no `total_count`".to_owned(),
        })?;
    let size = first
        .body
        .get("limit")
        .and_then(Value::as_u64)
        .filter(|l| *l > 0)
        .unwrap_or(PAGE_SIZE);
    let offsets: Vec<u64> = (1..)
        .map(|i| i * size)
        .take_while(|o| *o < total)
        .take(MAX_PAGES)
        .collect();
    let mut answers = vec![first];
    answers.extend(fetch_concurrently(&offsets, page)?);
    let shown = shipgate_http::redact_url(base);
    let shown = shown.trim_end_matches('/');
    let mut raws = Vec::new();
    let mut seen = HashSet::new();
    for answer in &answers {
        for item in array_field(&answer.body, "issues", &answer.url)? {
            let raw = raw_defect(item, config, &closed, shown, &answer.url)?;
            // An issue created while paging shifts the pages by one: never count it twice.
            if seen.insert(raw.key.clone()) {
                raws.push(raw);
            }
        }
    }
    if (raws.len() as u64) < total {
        return Err(DefectsError::Shape {
            url,
            reason: format!(
                "Redmine reported {total} issues but {} were returned; re-run the gate",
                raws.len()
            ),
        });
    }
    Ok(raws)
}

fn closed_statuses(client: &Client, base: &str) -> Result<HashSet<u64>, DefectsError> {
    let answer = client.get_json(&format!("{base}/issue_statuses.json"), &[])?;
    Ok(array_field(&answer.body, "issue_statuses", &answer.url)?
        .iter()
        .filter(|s| s.get("is_closed").and_then(Value::as_bool) == Some(true))
        .filter_map(|s| s.get("id").and_then(Value::as_u64))
        .collect())
}

/// The values of a field: a standard one by name, else a custom field by id or name.
fn values(item: &Value, field: &str) -> Vec<String> {
    let field = field.trim();
    let standard = [
        "priority",
        "tracker",
        "category",
        "status",
        "fixed_version",
        "project",
    ];
    if let Some(name) = standard.iter().find(|s| s.eq_ignore_ascii_case(field)) {
        return field_values(item.get(*name).unwrap_or(&Value::Null));
    }
    let id = field
        .strip_prefix("cf_")
        .unwrap_or(field)
        .parse::<u64>()
        .ok();
    item.get("custom_fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|cf| match id {
            Some(id) => cf.get("id").and_then(Value::as_u64) == Some(id),
            None => cf
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(field)),
        })
        .map(|cf| field_values(cf.get("value").unwrap_or(&Value::Null)))
        .unwrap_or_default()
}

fn raw_defect(
    item: &Value,
    config: &SourceConfig,
    closed: &HashSet<u64>,
    base: &str,
    url: &str,
) -> Result<RawDefect, DefectsError> {
    let id = item
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| DefectsError::Shape {
            url: url.to_owned(),
            reason: "an issue has no `id`".to_owned(),
        })?;
    let status = item.pointer("/status/id").and_then(Value::as_u64);
    let key = format!("{}{id}", config.key_prefix());
    let date = |name: &str| {
        crate::dates::api_date(item, name).map_err(|reason| DefectsError::Shape {
            url: url.to_owned(),
            reason: format!("issue {key}: {reason}"),
        })
    };
    let (created, closed_on) = (date("created_on")?, date("closed_on")?);
    let is_closed = status.is_some_and(|s| closed.contains(&s))
        || item.pointer("/status/is_closed").and_then(Value::as_bool) == Some(true);
    Ok(RawDefect {
        key,
        title: str_field(item, "subject", url)?.to_owned(),
        closed: is_closed,
        created,
        resolved: if is_closed { closed_on } else { None },
        // Redmine has no resolution: a closed issue's status is how it was closed (`Closed`,
        // `Rejected`).
        resolution: if is_closed {
            item.pointer("/status/name")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
        } else {
            None
        },
        components: field_values(item.get("category").unwrap_or(&Value::Null)),
        labels: Vec::new(),
        links: Vec::new(),
        url: Some(format!("{base}/issues/{id}")),
        severity_values: config
            .severity_map()
            .map(|m| values(item, &m.field))
            .unwrap_or_default(),
        origin_values: config
            .settings
            .origin
            .as_ref()
            .map(|m| values(item, &m.field))
            .unwrap_or_default(),
        introduced_in: config
            .settings
            .introduced_in
            .as_deref()
            .map(|f| values(item, f))
            .unwrap_or_default(),
    })
}
