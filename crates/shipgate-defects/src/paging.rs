//! What the trackers' paging has in common: fetching the remaining pages of an offset-paged API
//! concurrently once the first page told how many there are, a bound on the number of pages,
//! and reading values out of JSON fields.

use crate::error::DefectsError;
use serde_json::Value;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Requests in flight at once on an offset-paged API: enough to hide latency, few enough not to
/// trip a tracker's rate limit.
pub(crate) const CONCURRENT_PAGES: usize = 4;

/// The most pages read from one query (a million issues at 100 a page): a server whose paging
/// never ends must not keep the gate running forever.
pub(crate) const MAX_PAGES: usize = 10_000;

/// Fetches `pages` (page numbers or offsets) with up to [`CONCURRENT_PAGES`] requests at once and
/// returns the results in the order of `pages`. The first error wins and stops the others from
/// starting new requests.
pub(crate) fn fetch_concurrently<T: Send>(
    pages: &[u64],
    fetch: impl Fn(u64) -> Result<T, DefectsError> + Sync,
) -> Result<Vec<T>, DefectsError> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..pages.len()).map(|_| None).collect());
    let failed: Mutex<Option<DefectsError>> = Mutex::new(None);
    let workers = CONCURRENT_PAGES.min(pages.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    if failed.lock().map_or(true, |f| f.is_some()) {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&page) = pages.get(i) else { return };
                    match fetch(page) {
                        Ok(t) => {
                            if let Ok(mut r) = results.lock() {
                                r[i] = Some(t);
                            }
                        }
                        Err(e) => {
                            if let Ok(mut f) = failed.lock() {
                                f.get_or_insert(e);
                            }
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }
    let results = results.into_inner().unwrap_or_default();
    let expected = results.len();
    let done: Vec<T> = results.into_iter().flatten().collect();
    if done.len() != expected {
        return Err(DefectsError::Config {
            kind: "tracker",
            message: "a page fetch stopped without an answer".to_owned(),
        });
    }
    Ok(done)
}

/// The text values of a JSON field as trackers write them: a string; a number; an option
/// (`{"value": "Production"}`), a named object (`{"name": "Highest"}`); a list of any of those
/// (labels, components, multi-selects, sprints); Jira Server's old sprint strings
/// (`com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=3,...,name=Sprint 14,...]`).
pub(crate) fn field_values(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(value, &mut out);
    out.retain(|v| !v.trim().is_empty());
    out.dedup();
    out
}

fn collect(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(sprint_name(s).unwrap_or(s).trim().to_owned()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(b) => out.push(b.to_string()),
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Value::Object(map) => {
            for key in ["value", "name", "title", "key", "displayName"] {
                if let Some(v) = map.get(key).filter(|v| !v.is_null()) {
                    collect(v, out);
                    return;
                }
            }
        }
        Value::Null => {}
    }
}

fn sprint_name(s: &str) -> Option<&str> {
    if !s.contains("[id=") {
        return None;
    }
    let start = s.find(",name=")? + ",name=".len();
    let rest = &s[start..];
    let end = rest
        .find(",startDate=")
        .or_else(|| rest.find(",goal="))
        .or_else(|| rest.find(','))
        .or_else(|| rest.find(']'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// A string field of an object, or an error naming what is missing.
pub(crate) fn str_field<'a>(
    item: &'a Value,
    name: &str,
    url: &str,
) -> Result<&'a str, DefectsError> {
    item.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| DefectsError::Shape {
            url: url.to_owned(),
            reason: format!("an issue has no `{name}`"),
        })
}

/// The array under `name`, or an error saying the answer is not this API's.
pub(crate) fn array_field<'a>(
    body: &'a Value,
    name: &str,
    url: &str,
) -> Result<&'a Vec<Value>, DefectsError> {
    body.get(name)
        .and_then(Value::as_array)
        .ok_or_else(|| DefectsError::Shape {
            url: url.to_owned(),
            reason: format!("the answer has no `{name}` list"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_of_every_field_shape() {
        assert_eq!(field_values(&json!("High")), ["High"]);
        assert_eq!(
            field_values(&json!({"value": "Production", "id": "10050"})),
            ["Production"]
        );
        assert_eq!(
            field_values(&json!({"name": "Highest", "id": "1"})),
            ["Highest"]
        );
        assert_eq!(
            field_values(&json!([{"name": "Payments"}, {"name": "Ledger"}])),
            ["Payments", "Ledger"]
        );
        assert_eq!(field_values(&json!(null)), Vec::<String>::new());
        assert_eq!(field_values(&json!(3)), ["3"]);
        assert_eq!(
            field_values(&json!([
                "com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=3,rapidViewId=1,state=CLOSED,name=Sprint 14,startDate=2024-01-01T00:00:00.000Z,endDate=<null>]"
            ])),
            ["Sprint 14"]
        );
        assert_eq!(
            field_values(&json!([{"id": 37, "name": "PAY Sprint 9", "state": "closed"}])),
            ["PAY Sprint 9"]
        );
    }

    #[test]
    fn concurrent_pages_come_back_in_order_and_the_first_error_wins() {
        let pages: Vec<u64> = (0..23).collect();
        let got = fetch_concurrently(&pages, |p| Ok(p * 10)).unwrap();
        assert_eq!(got, pages.iter().map(|p| p * 10).collect::<Vec<_>>());
        let err = fetch_concurrently(&pages, |p| {
            if p == 7 {
                Err(DefectsError::Shape {
                    url: "u".into(),
                    reason: "page 7".into(),
                })
            } else {
                Ok(p)
            }
        })
        .unwrap_err();
        assert!(err.to_string().contains("page 7"));
        assert!(
            fetch_concurrently(&[], Ok::<u64, DefectsError>)
                .unwrap()
                .is_empty()
        );
    }
}
