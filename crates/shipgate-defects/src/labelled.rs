//! What GitHub and GitLab issues share: a number, a title, `state: closed`, `created_at`,
//! `closed_at`, how it was closed, a milestone and labels, with severity and origin carried by labels under a
//! prefix (`severity:critical`, `origin::production`).

use crate::config::SourceConfig;
use crate::error::DefectsError;
use crate::mapping::{RawDefect, labels_under};
use crate::paging::{field_values, str_field};
use serde_json::Value;

/// The names of the fields that differ between the two APIs.
pub(crate) struct IssueFields {
    /// The issue's number within its repository or project (`number`, `iid`).
    pub number: &'static str,
    /// Its web page (`html_url`, `web_url`).
    pub web_url: &'static str,
    /// How it was closed, in the tracker's words: GitHub's `state_reason`, GitLab's
    /// `duplicate` or `moved`.
    pub resolution: fn(&Value) -> Option<String>,
}

/// One issue of a labelled tracker, read.
pub(crate) fn raw_defect(
    item: &Value,
    config: &SourceConfig,
    names: &IssueFields,
    url: &str,
) -> Result<RawDefect, DefectsError> {
    let number = item
        .get(names.number)
        .and_then(Value::as_u64)
        .ok_or_else(|| DefectsError::Shape {
            url: url.to_owned(),
            reason: format!("an issue has no `{}`", names.number),
        })?;
    let labels = field_values(item.get("labels").unwrap_or(&Value::Null));
    let severity_values = config
        .severity_map()
        .map(|m| labels_under(&labels, &m.field))
        .unwrap_or_default();
    let origin_values = config
        .settings
        .origin
        .as_ref()
        .map(|m| labels_under(&labels, &m.field))
        .unwrap_or_default();
    let introduced_in = match config.settings.introduced_in.as_deref() {
        Some("milestone") => field_values(item.get("milestone").unwrap_or(&Value::Null)),
        Some(prefix) => labels_under(&labels, prefix),
        None => Vec::new(),
    };
    let key = format!("{}{number}", config.key_prefix());
    let date = |name: &str| {
        crate::dates::api_date(item, name).map_err(|reason| DefectsError::Shape {
            url: url.to_owned(),
            reason: format!("issue {key}: {reason}"),
        })
    };
    let (created, resolved) = (date("created_at")?, date("closed_at")?);
    Ok(RawDefect {
        key,
        title: str_field(item, "title", url)?.to_owned(),
        closed: item.get("state").and_then(Value::as_str) == Some("closed"),
        created,
        resolved,
        resolution: (names.resolution)(item),
        components: Vec::new(),
        links: Vec::new(),
        url: item
            .get(names.web_url)
            .and_then(Value::as_str)
            .map(str::to_owned),
        severity_values,
        origin_values,
        introduced_in,
        labels,
    })
}
