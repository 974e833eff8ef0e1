//! Jira Cloud (REST v3) and Jira Data Center / Server (REST v2).
//!
//! Cloud searches with `POST /rest/api/3/search/jql`, which pages with an opaque
//! `nextPageToken` until `isLast` (the old `/rest/api/3/search` answers 410 on Cloud): each page
//! needs the previous one's token, so Cloud pages are fetched one after the other. Data Center
//! searches with `GET /rest/api/2/search` and `startAt`/`maxResults`/`total`: once the first page
//! says how many issues there are, the other pages are fetched concurrently. Both resolve field
//! names (`Defect origin`) to ids (`customfield_10042`) through `/field`, and ask only for the
//! fields the gate reads. A name that several fields share (Jira allows it, and each
//! team-managed project makes its own fields) is an error that lists their ids: the policy then
//! names the id. The `resolution` is read so that issues closed as not being defects
//! (`Duplicate`) can be left out of the counts.

use crate::config::SourceConfig;
use crate::error::DefectsError;
use crate::mapping::RawDefect;
use crate::paging::{MAX_PAGES, array_field, fetch_concurrently, field_values, str_field};
use crate::tracker::{Tracker, User};
use serde_json::{Value, json};
use shipgate_http::{Auth, Client, Credential};
use shipgate_model::{DefectLink, TrackerKind};
use std::collections::HashSet;

/// Jira Cloud (`kind: jira`).
pub(crate) static JIRA_CLOUD: Jira = Jira { cloud: true };
/// Jira Data Center or Server (`kind: jira-dc`).
pub(crate) static JIRA_DATA_CENTER: Jira = Jira { cloud: false };

/// Jira, Cloud or Data Center: one search, two APIs.
pub(crate) struct Jira {
    cloud: bool,
}

impl Tracker for Jira {
    fn kind(&self) -> TrackerKind {
        if self.cloud {
            TrackerKind::Jira
        } else {
            TrackerKind::JiraDc
        }
    }

    /// Basic auth with the account's email (Cloud) or user name (Data Center) when `user_env`
    /// names one; a Data Center personal access token alone is a bearer token.
    fn auth(&self, token: Credential, user: Option<User>) -> Auth {
        match user {
            Some(user) => Auth::Basic {
                user: user.name,
                user_env: user.env,
                token,
            },
            None => Auth::Bearer(token),
        }
    }

    fn fetch(
        &self,
        config: &SourceConfig,
        client: &Client,
    ) -> Result<Vec<RawDefect>, DefectsError> {
        fetch(config, client, self.cloud)
    }
}

const PAGE_SIZE: u64 = 100;
const SYSTEM_FIELDS: [&str; 8] = [
    "summary",
    "status",
    "created",
    "resolution",
    "resolutiondate",
    "components",
    "labels",
    "issuelinks",
];

/// The field ids to ask for, resolved from the policy's names.
struct Fields {
    severity: Option<String>,
    origin: Option<String>,
    introduced_in: Option<String>,
}

impl Fields {
    fn all(&self) -> Vec<String> {
        let mut all: Vec<String> = SYSTEM_FIELDS.iter().map(|f| (*f).to_owned()).collect();
        for f in [&self.severity, &self.origin, &self.introduced_in]
            .into_iter()
            .flatten()
        {
            if !all.contains(f) {
                all.push(f.clone());
            }
        }
        all
    }
}

fn fetch(
    config: &SourceConfig,
    client: &Client,
    cloud: bool,
) -> Result<Vec<RawDefect>, DefectsError> {
    let base = config
        .require(
            config.settings.url.as_deref(),
            "url",
            "`https://acme.atlassian.net`",
        )?
        .trim_end_matches('/');
    let jql = config.require(
        config.settings.query.as_deref(),
        "query",
        "the JQL `project = PAY AND issuetype = Bug`",
    )?;
    let api = if cloud { "rest/api/3" } else { "rest/api/2" };
    let fields = resolve_fields(config, client, base, api)?;
    let names = fields.all();
    let issues = if cloud {
        search_cloud(client, base, jql, &names)?
    } else {
        search_dc(client, base, &ordered_by_key(jql), &names)?
    };
    let shown = shipgate_http::redact_url(base);
    let shown = shown.trim_end_matches('/');
    issues
        .iter()
        .map(|issue| raw_defect(issue, &fields, shown))
        .collect()
}

fn resolve_fields(
    config: &SourceConfig,
    client: &Client,
    base: &str,
    api: &str,
) -> Result<Fields, DefectsError> {
    let wanted = [
        config
            .severity_map()
            .map(|m| ("sources.defects.severity.field", m.field)),
        config
            .settings
            .origin
            .as_ref()
            .map(|m| ("sources.defects.origin.field", m.field.clone())),
        config
            .settings
            .introduced_in
            .clone()
            .map(|f| ("sources.defects.introduced_in", f)),
    ];
    let url = format!("{base}/{api}/field");
    let answer = client.get_json(&url, &[])?;
    let known = answer.body.as_array().ok_or_else(|| DefectsError::Shape {
        url: answer.url.clone(),
        reason: "the field list is not a list".to_owned(),
    })?;
    let shown = shipgate_http::redact_url(base);
    let id_of = |f: &Value| f.get("id").and_then(Value::as_str).map(str::to_owned);
    let resolve = |(setting, name): (&str, String)| -> Result<String, DefectsError> {
        let name = name.trim();
        if known.iter().any(|f| id_of(f).as_deref() == Some(name)) {
            return Ok(name.to_owned());
        }
        let named: Vec<&Value> = known
            .iter()
            .filter(|f| {
                f.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
            })
            .collect();
        match named.as_slice() {
            [] => Err(DefectsError::UnknownField {
                field: name.to_owned(),
                setting: setting.to_owned(),
                location: shown.clone(),
                known: crate::similar::similar(
                    name,
                    known
                        .iter()
                        .filter_map(|f| f.get("name").and_then(Value::as_str)),
                ),
            }),
            [one] => id_of(one).ok_or_else(|| DefectsError::Shape {
                url: answer.url.clone(),
                reason: format!("the field `{name}` has no `id`"),
            }),
            // Jira allows several custom fields with one name (each team-managed project makes
            // its own); taking the first would read whichever Jira lists first.
            several => {
                let mut candidates: Vec<String> = several.iter().map(|f| describe(f)).collect();
                candidates.sort();
                Err(DefectsError::AmbiguousField {
                    field: name.to_owned(),
                    setting: setting.to_owned(),
                    location: shown.clone(),
                    candidates,
                })
            }
        }
    };
    let [severity, origin, introduced_in] = wanted;
    Ok(Fields {
        severity: severity.map(resolve).transpose()?,
        origin: origin.map(resolve).transpose()?,
        introduced_in: introduced_in.map(resolve).transpose()?,
    })
}

/// A field of `/field` as an ambiguity lists it: its id, its type, and the team-managed project
/// it belongs to (`customfield_10042 (select, team-managed project 10001)`).
fn describe(field: &Value) -> String {
    let id = field.get("id").and_then(Value::as_str).unwrap_or("(no id)");
    let mut about = Vec::new();
    let kind = field
        .pointer("/schema/custom")
        .and_then(Value::as_str)
        .and_then(|c| c.rsplit(':').next())
        .or_else(|| field.pointer("/schema/type").and_then(Value::as_str));
    if let Some(kind) = kind {
        about.push(kind.to_owned());
    }
    if let Some(project) = field.pointer("/scope/project/id").and_then(Value::as_str) {
        about.push(format!("team-managed project {project}"));
    }
    if about.is_empty() {
        id.to_owned()
    } else {
        format!("{id} ({})", about.join(", "))
    }
}

fn search_cloud(
    client: &Client,
    base: &str,
    jql: &str,
    fields: &[String],
) -> Result<Vec<Value>, DefectsError> {
    let url = format!("{base}/rest/api/3/search/jql");
    let mut issues = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut body = json!({ "jql": jql, "fields": fields, "maxResults": PAGE_SIZE });
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let page = client.post_json(&url, &body)?;
        issues.extend(
            array_field(&page.body, "issues", &page.url)?
                .iter()
                .cloned(),
        );
        let next = page
            .body
            .get("nextPageToken")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let is_last = page.body.get("isLast").and_then(Value::as_bool);
        // The last page may carry `isLast: true`, or simply no token (JRACLOUD-92184). A page
        // that says it is not the last but gives no token is not read as the end.
        match (is_last, next) {
            (Some(false), None) => {
                return Err(DefectsError::Shape {
                    url: page.url,
                    reason: "a page says `isLast: false` but has no `nextPageToken`, so the rest of the search cannot be read".to_owned(),
                });
            }
            (Some(true), _) | (None, None) => return Ok(issues),
            (_, Some(n)) if token.as_deref() == Some(n.as_str()) => {
                return Err(DefectsError::Shape {
                    url: page.url,
                    reason: "the server returned the same `nextPageToken` twice, so its paging would never end".to_owned(),
                });
            }
            (_, Some(n)) => token = Some(n),
        }
    }
    Err(DefectsError::Shape {
        url,
        reason: format!("the search did not end after {MAX_PAGES} pages"),
    })
}

/// The JQL with ` ORDER BY key` appended when it orders nothing itself. Data Center pages by
/// offset, and without an order the server may return the issues in a different order for each
/// page request, so that one issue is read twice and another never.
fn ordered_by_key(jql: &str) -> String {
    let words: Vec<String> = jql
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    if words.windows(2).any(|w| w[0] == "order" && w[1] == "by") {
        jql.to_owned()
    } else {
        format!("{} ORDER BY key", jql.trim())
            .trim_start()
            .to_owned()
    }
}

fn search_dc(
    client: &Client,
    base: &str,
    jql: &str,
    fields: &[String],
) -> Result<Vec<Value>, DefectsError> {
    let url = format!("{base}/rest/api/2/search");
    let fields = fields.join(",");
    let page = |start: u64, size: u64| -> Result<Value, DefectsError> {
        let (start, size) = (start.to_string(), size.to_string());
        let answer = client.get_json(
            &url,
            &[
                ("jql", jql),
                ("startAt", &start),
                ("maxResults", &size),
                ("fields", &fields),
            ],
        )?;
        array_field(&answer.body, "issues", &answer.url)?;
        Ok(answer.body)
    };
    let first = page(0, PAGE_SIZE)?;
    let total = first
        .get("total")
        .and_then(Value::as_u64)
        .ok_or_else(|| DefectsError::Shape {
            url: url.clone(),
            reason: "the answer has no `total`".to_owned(),
        })?;
    // The server may cap `maxResults` below what was asked (`jira.search.views.default.max`).
    let size = first
        .get("maxResults")
        .and_then(Value::as_u64)
        .filter(|s| *s > 0)
        .unwrap_or(PAGE_SIZE);
    let mut issues: Vec<Value> = first
        .get("issues")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let starts: Vec<u64> = (1..)
        .map(|i| i * size)
        .take_while(|s| *s < total)
        .take(MAX_PAGES)
        .collect();
    for body in fetch_concurrently(&starts, |s| page(s, size))? {
        issues.extend(
            body.get("issues")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
    }
    // Issues created, deleted or moved while paging shift the pages: one issue may be read on
    // two pages and another on none. Each issue counts once, and a short read is not evidence.
    // (A count that matches cannot prove that nothing changed while the pages were read.)
    let mut seen = HashSet::new();
    issues.retain(|issue| match issue.get("key").and_then(Value::as_str) {
        Some(key) => seen.insert(key.to_owned()),
        None => true,
    });
    if (issues.len() as u64) < total {
        return Err(DefectsError::Shape {
            url,
            reason: format!(
                "the search reported {total} issues but {} were returned (the issues changed while the pages were read); re-run the gate",
                issues.len()
            ),
        });
    }
    Ok(issues)
}

fn raw_defect(issue: &Value, fields: &Fields, base: &str) -> Result<RawDefect, DefectsError> {
    let key = str_field(issue, "key", base)?.to_owned();
    let f = issue.get("fields").unwrap_or(&Value::Null);
    let get = |id: &Option<String>| {
        id.as_ref()
            .map(|i| field_values(f.get(i).unwrap_or(&Value::Null)))
            .unwrap_or_default()
    };
    let date = |name: &str| {
        crate::dates::api_date(f, name).map_err(|reason| DefectsError::Shape {
            url: base.to_owned(),
            reason: format!("issue {key}: {reason}"),
        })
    };
    let resolved = date("resolutiondate")?;
    let created = date("created")?;
    let category = f
        .pointer("/status/statusCategory/key")
        .and_then(Value::as_str);
    let closed = match category {
        Some(c) => c == "done",
        None => resolved.is_some(),
    };
    let links = f
        .get("issuelinks")
        .and_then(Value::as_array)
        .map(|links| {
            links
                .iter()
                .filter_map(|l| {
                    let (side, words) = if l.get("inwardIssue").is_some() {
                        ("inwardIssue", "inward")
                    } else {
                        ("outwardIssue", "outward")
                    };
                    let key = l.get(side)?.get("key")?.as_str()?;
                    let relation = l
                        .pointer(&format!("/type/{words}"))
                        .and_then(Value::as_str)
                        .unwrap_or("relates to");
                    Some(DefectLink {
                        relation: relation.to_owned(),
                        key: key.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let resolution = f
        .get("resolution")
        .map(field_values)
        .and_then(|v| v.into_iter().next());
    Ok(RawDefect {
        resolution,
        title: f
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        closed,
        created,
        resolved,
        components: field_values(f.get("components").unwrap_or(&Value::Null)),
        labels: field_values(f.get("labels").unwrap_or(&Value::Null)),
        links,
        url: Some(format!("{base}/browse/{key}")),
        severity_values: get(&fields.severity),
        origin_values: get(&fields.origin),
        introduced_in: get(&fields.introduced_in),
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::ordered_by_key;

    #[test]
    fn data_center_queries_are_ordered_by_key_unless_they_order_themselves() {
        assert_eq!(
            ordered_by_key("project = PAY AND issuetype = Bug"),
            "project = PAY AND issuetype = Bug ORDER BY key"
        );
        assert_eq!(
            ordered_by_key(" project = PAY \n"),
            "project = PAY ORDER BY key"
        );
        assert_eq!(ordered_by_key(""), "ORDER BY key");
        for ordered in [
            "project = PAY ORDER BY created DESC",
            "project = PAY order by key",
            "project = PAY Order\tBy priority",
        ] {
            assert_eq!(ordered_by_key(ordered), ordered);
        }
    }
}
