//! A check's free-form `details`, turned into labelled entries every renderer can lay out.
//!
//! Details differ per check (failing tests, per-path counts, blocking defects), so they are read
//! by shape, not by check id: a scalar is one `key: value`; a list of scalars is one line; a list
//! of objects keeps every item with the list's full length (a check that cut a list short says how
//! long it was in a sibling `<key>_total`); an object of scalars is one line, and an object holding
//! lists or objects is a group of its own entries. Keys are shown as written, so a reader can find
//! them in the JSON report. Text here is raw (not yet made printable or escaped); each renderer
//! does that for its own output.

use crate::measure::{self, Unit};
use serde_json::{Map, Value};

/// The longest a test's failure message may be inside a list item.
const ITEM_MESSAGE_CHARS: usize = 160;
/// A list of scalars longer than this (joined) is shown item by item.
const INLINE_LIST_CHARS: usize = 100;

/// One labelled entry of a check's details.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Detail {
    /// The key, as in the JSON report.
    pub label: String,
    pub body: Body,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Body {
    /// One value on one line.
    Text(String),
    /// Items, and how many there are in all (more than `items.len()` when the check cut the list
    /// and said how long it was).
    List { items: Vec<String>, total: u64 },
    /// An object whose values are themselves lists or objects (one entry per critical path, ...).
    Group(Vec<Detail>),
}

impl Body {
    /// How many items are not in `items[..shown]`.
    pub(crate) fn more(&self, shown: usize) -> u64 {
        match self {
            Body::Text(_) | Body::Group(_) => 0,
            Body::List { items, total } => {
                let shown = shown.min(items.len()) as u64;
                total.saturating_sub(shown)
            }
        }
    }

    /// An empty list, shown as "none".
    pub(crate) fn is_empty_list(&self) -> bool {
        matches!(self, Body::Text(t) if t == EMPTY)
    }
}

/// What an empty list or object reads as.
const EMPTY: &str = "none";

/// The details of a check, in their order.
pub(crate) fn describe(details: &Map<String, Value>) -> Vec<Detail> {
    details
        .iter()
        .filter(|(key, value)| !is_total_of_a_list(details, key, value))
        .map(|(key, value)| Detail {
            label: key.clone(),
            body: body(details, key, value),
        })
        .collect()
}

/// `<list>_total` next to an array `<list>`: it is read as the list's full length, not shown.
fn is_total_of_a_list(details: &Map<String, Value>, key: &str, value: &Value) -> bool {
    value.is_u64()
        && key
            .strip_suffix("_total")
            .and_then(|list| details.get(list))
            .is_some_and(Value::is_array)
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

fn body(details: &Map<String, Value>, key: &str, value: &Value) -> Body {
    match value {
        Value::Array(items) if !items.is_empty() => {
            let declared = details
                .get(&format!("{key}_total"))
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let total = declared.max(items.len() as u64);
            let joined = inline(value);
            if items.iter().all(is_scalar)
                && total == items.len() as u64
                && joined.chars().count() <= INLINE_LIST_CHARS
            {
                Body::Text(joined)
            } else {
                Body::List {
                    items: items.iter().map(item).collect(),
                    total,
                }
            }
        }
        Value::Object(map) if !map.values().all(is_scalar) => Body::Group(describe(map)),
        other => Body::Text(inline(other)),
    }
}

/// One list item. A test reads `classname.name (outcome): message`; an object with a key-like
/// field reads `KEY — field: value, ...`; anything else as its inline form.
fn item(value: &Value) -> String {
    let Value::Object(map) = value else {
        return inline(value);
    };
    if let Some(name) = map.get("name").and_then(Value::as_str) {
        return test_like(map, name);
    }
    let primary = [
        "key", "id", "check", "suite", "path", "file", "location", "metric", "role",
    ]
    .into_iter()
    .find_map(|k| {
        map.get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(|v| (k, v))
    });
    match primary {
        Some((primary_key, primary_value)) => {
            let rest: Vec<String> = map
                .iter()
                .filter(|(k, v)| k.as_str() != primary_key && !v.is_null())
                .map(|(k, v)| format!("{k}: {}", inline(v)))
                .collect();
            if rest.is_empty() {
                primary_value.to_owned()
            } else {
                format!("{primary_value} — {}", rest.join(", "))
            }
        }
        None => inline(value),
    }
}

fn test_like(map: &Map<String, Value>, name: &str) -> String {
    let classname = map.get("classname").and_then(Value::as_str).unwrap_or("");
    let mut out = if classname.is_empty() {
        name.to_owned()
    } else {
        format!("{classname}.{name}")
    };
    if let Some(outcome) = map.get("outcome").and_then(Value::as_str) {
        out.push_str(&format!(" ({outcome})"));
    }
    if let Some(message) = map.get("message").and_then(Value::as_str) {
        let message = crate::text::first_line(message, ITEM_MESSAGE_CHARS);
        if !message.is_empty() {
            out.push_str(": ");
            out.push_str(&message);
        }
    }
    out
}

/// A value on one line, numbers with thousands separators.
fn inline(value: &Value) -> String {
    match value {
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            n.as_i64().map_or_else(|| n.to_string(), measure::thousands)
        }
        Value::Array(items) if items.is_empty() => EMPTY.to_owned(),
        Value::Array(items) => items.iter().map(inline).collect::<Vec<_>>().join(", "),
        Value::Object(map) if map.is_empty() => EMPTY.to_owned(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", inline(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => measure::value(other, Unit::Plain, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn scalars_lists_and_objects() {
        let d = describe(&map(json!({
            "executed_tests": 1234,
            "failing": [
                {"classname": "a.B", "name": "c", "outcome": "failed", "message": "boom\n at x"},
                {"classname": "", "name": "d", "outcome": "errored"}
            ],
            "failing_total": 7,
            "counts": {"tests": 3, "failed": 1},
            "defects": [{"key": "PAY-1", "severity": "critical", "component": null}],
            "tags": ["x", "y"],
            "empty": [],
        })));
        let text = |label: &str, t: &str| Detail {
            label: label.into(),
            body: Body::Text(t.into()),
        };
        assert_eq!(
            d,
            vec![
                text("executed_tests", "1,234"),
                Detail {
                    label: "failing".into(),
                    body: Body::List {
                        items: vec!["a.B.c (failed): boom …".into(), "d (errored)".into()],
                        total: 7
                    }
                },
                text("counts", "tests: 3, failed: 1"),
                Detail {
                    label: "defects".into(),
                    body: Body::List {
                        items: vec!["PAY-1 — severity: critical".into()],
                        total: 1
                    }
                },
                text("tags", "x, y"),
                text("empty", "none"),
            ]
        );
        assert_eq!(d[1].body.more(1), 6);
        assert!(d[5].body.is_empty_list());
    }

    #[test]
    fn objects_of_objects_are_groups() {
        let d = describe(&map(json!({
            "paths": {
                "payment": {
                    "patterns": ["*Payment*"],
                    "counts": {"tests": 2, "failed": 1},
                    "not_passed": [{"classname": "P", "name": "t", "outcome": "failed"}],
                    "not_passed_total": 1,
                },
                "auth": {"patterns": ["*auth*"], "not_passed": [], "not_passed_total": 0},
            }
        })));
        let Body::Group(paths) = &d[0].body else {
            panic!("{d:?}")
        };
        assert_eq!(paths.len(), 2);
        let Body::Group(payment) = &paths[0].body else {
            panic!("{paths:?}")
        };
        let labels: Vec<&str> = payment.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["patterns", "counts", "not_passed"]);
        assert_eq!(
            payment[2].body,
            Body::List {
                items: vec!["P.t (failed)".into()],
                total: 1
            }
        );
    }

    #[test]
    fn long_scalar_lists_are_listed_item_by_item() {
        let long: Vec<String> = (0..30).map(|i| format!("pattern-{i}")).collect();
        let d = describe(&map(json!({ "patterns": long })));
        assert!(matches!(&d[0].body, Body::List { items, total: 30 } if items.len() == 30));
    }

    #[test]
    fn a_total_without_its_list_is_an_ordinary_value() {
        let d = describe(&map(json!({"tests_total": 5})));
        assert_eq!(d[0].body, Body::Text("5".into()));
    }
}
