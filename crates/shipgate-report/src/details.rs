//! A check's free-form `details`, turned into labelled entries every renderer can lay out.
//!
//! Details differ per check (failing tests, per-path counts, blocking defects), so they are read
//! by shape, not by check id: a scalar is one `label: value`, a list keeps every item with its full
//! length, an object becomes one item per key. Text here is raw (not yet made printable or
//! escaped); each renderer does that for its own output.

use crate::measure::{self, Unit};
use serde_json::{Map, Value};

/// The longest a test's failure message may be inside a list item.
const ITEM_MESSAGE_CHARS: usize = 160;

/// One labelled entry of a check's details.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Detail {
    /// The key, with `_` read as a space.
    pub label: String,
    pub body: Body,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Body {
    /// One value.
    Text(String),
    /// Items, and how many there are in all (more than `items.len()` when the check cut the list
    /// and said how long it was).
    List { items: Vec<String>, total: u64 },
}

impl Body {
    /// How many items are not in `items[..shown]`.
    pub(crate) fn more(&self, shown: usize) -> u64 {
        match self {
            Body::Text(_) => 0,
            Body::List { items, total } => {
                let shown = shown.min(items.len()) as u64;
                total.saturating_sub(shown)
            }
        }
    }
}

/// The details of a check, in their order.
pub(crate) fn describe(details: &Map<String, Value>) -> Vec<Detail> {
    details
        .iter()
        .filter(|(key, value)| !is_total_of_a_list(details, key, value))
        .map(|(key, value)| Detail {
            label: key.replace('_', " "),
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

fn body(details: &Map<String, Value>, key: &str, value: &Value) -> Body {
    match value {
        Value::Array(items) if !items.is_empty() => {
            let declared = details
                .get(&format!("{key}_total"))
                .and_then(Value::as_u64)
                .unwrap_or(0);
            Body::List {
                items: items.iter().map(item).collect(),
                total: declared.max(items.len() as u64),
            }
        }
        Value::Object(map) if !map.is_empty() => Body::List {
            items: map
                .iter()
                .map(|(k, v)| format!("{k}: {}", inline(v)))
                .collect(),
            total: map.len() as u64,
        },
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
    let primary = ["key", "id", "check", "path", "metric", "role"]
        .into_iter()
        .find_map(|k| map.get(k).and_then(Value::as_str).map(|v| (k, v)));
    match primary {
        Some((primary_key, primary_value)) => {
            let rest: Vec<String> = map
                .iter()
                .filter(|(k, _)| k.as_str() != primary_key)
                .map(|(k, v)| format!("{}: {}", k.replace('_', " "), inline(v)))
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
        Value::Array(items) if items.is_empty() => "none".to_owned(),
        Value::Array(items) => items.iter().map(inline).collect::<Vec<_>>().join(", "),
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
            "per_path": {"payment": {"tests": 3, "failed": 1}},
            "defects": [{"key": "PAY-1", "severity": "critical"}],
            "tags": ["x", "y"],
            "empty": [],
        })));
        assert_eq!(
            d,
            vec![
                Detail {
                    label: "executed tests".into(),
                    body: Body::Text("1,234".into())
                },
                Detail {
                    label: "failing".into(),
                    body: Body::List {
                        items: vec!["a.B.c (failed): boom …".into(), "d (errored)".into()],
                        total: 7
                    }
                },
                Detail {
                    label: "per path".into(),
                    body: Body::List {
                        items: vec!["payment: tests: 3, failed: 1".into()],
                        total: 1
                    }
                },
                Detail {
                    label: "defects".into(),
                    body: Body::List {
                        items: vec!["PAY-1 — severity: critical".into()],
                        total: 1
                    }
                },
                Detail {
                    label: "tags".into(),
                    body: Body::List {
                        items: vec!["x".into(), "y".into()],
                        total: 2
                    }
                },
                Detail {
                    label: "empty".into(),
                    body: Body::Text("none".into())
                },
            ]
        );
        assert_eq!(d[1].body.more(1), 6);
    }

    #[test]
    fn a_total_without_its_list_is_an_ordinary_value() {
        let d = describe(&map(json!({"tests_total": 5})));
        assert_eq!(d[0].body, Body::Text("5".into()));
    }
}
