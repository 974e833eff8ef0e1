//! The strict reader against what a plain `serde_json` read lets through: a repeated key
//! anywhere (top level, nested, in a map, a flattened struct, a skipped value, spelled with an
//! escape), and in a form a key the form does not have.

#![expect(
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use shipgate_json::{JsonError, JsonErrorKind, Position, form_from_value, parse_form, parse_value};
use std::collections::BTreeMap;

fn duplicate(e: JsonError) -> (String, String, Option<Position>) {
    match e.kind().clone() {
        JsonErrorKind::DuplicateKey {
            key,
            path,
            position,
        } => (key, path, position),
        other => panic!("expected a duplicate key, got {other:?}"),
    }
}

fn at(line: usize, column: usize) -> Option<Position> {
    Some(Position { line, column })
}

#[test]
fn a_repeated_key_is_refused_at_the_top_level_with_its_position() {
    let text = br#"{"status": "open", "status": "closed"}"#;
    let e = parse_value(text).unwrap_err();
    assert!(
        e.to_string().contains("the key `status` appears twice"),
        "{e}"
    );
    // The column of the second key's closing quote.
    assert_eq!(duplicate(e), ("status".into(), String::new(), at(1, 27)));
}

#[test]
fn a_repeated_key_deep_inside_is_refused_with_the_path_to_its_object() {
    let text = b"{\n  \"defects\": [\n    {\"key\": \"PAY-1\"},\n    {\"key\": \"PAY-2\", \"fields\": {\"status\": \"open\",\n      \"status\": \"closed\"}}\n  ]\n}";
    let (key, path, position) = duplicate(parse_value(text).unwrap_err());
    assert_eq!(key, "status");
    assert_eq!(path, "defects[1].fields");
    assert_eq!(position, at(5, 14));
}

#[test]
fn a_key_spelled_with_an_escape_is_the_same_key() {
    let text = br#"{"status": "open", "st\u0061tus": "closed"}"#;
    assert_eq!(duplicate(parse_value(text).unwrap_err()).0, "status");
}

#[test]
fn a_repeat_among_many_keys_is_found() {
    let mut text = String::from("{");
    for i in 0..100 {
        text.push_str(&format!("\"k{i}\": {i}, "));
    }
    // One of the first keys (compared in place, then moved to the hash set) and a later one.
    for again in ["k3", "k57"] {
        let text = format!("{text}\"{again}\": 0}}");
        assert_eq!(
            duplicate(parse_value(text.as_bytes()).unwrap_err()).0,
            again
        );
    }
}

#[test]
fn the_same_key_in_two_objects_is_not_a_repeat() {
    let text = br#"{"a": {"status": 1}, "b": {"status": 2}, "c": [{"status": 3}, {"status": 4}]}"#;
    assert_eq!(
        parse_value(text).unwrap(),
        json!({"a": {"status": 1}, "b": {"status": 2}, "c": [{"status": 3}, {"status": 4}]})
    );
}

#[test]
fn a_third_party_document_keeps_unknown_keys_and_a_bom_is_skipped() {
    let text = "\u{feff}{\"metrics\": {}, \"added_by_a_newer_tool\": true}";
    assert_eq!(
        parse_value(text.as_bytes()).unwrap(),
        json!({"metrics": {}, "added_by_a_newer_tool": true})
    );
}

#[test]
fn text_that_is_not_one_json_document_is_refused_with_where() {
    let e = parse_value(b"{\"a\": [1, 2,]}").unwrap_err();
    match e.kind() {
        JsonErrorKind::NotJson {
            message,
            path,
            position,
        } => {
            assert_eq!(message, "trailing comma");
            assert_eq!(path, "a[2]");
            assert_eq!(*position, at(1, 13));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "not valid JSON: trailing comma at `a[2]` (line 1, column 13)"
    );
    assert!(parse_value(b"{} {}").is_err(), "trailing characters");
    assert!(parse_value(b"").is_err());
}

// ---- forms -------------------------------------------------------------------------------

#[derive(Debug, Deserialize, PartialEq)]
struct Form {
    version: u32,
    items: Vec<Item>,
    #[serde(default)]
    counts: BTreeMap<String, u64>,
    #[serde(default)]
    details: Option<Value>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Item {
    name: String,
    status: Status,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
enum Status {
    Open,
    Closed,
}

#[test]
fn a_form_reads_into_its_type() {
    let text = br#"{"version": 1, "items": [{"name": "a", "status": "open"}], "counts": {"x": 2}, "details": {"free": {"keys": 1}}}"#;
    let form: Form = parse_form(text).unwrap();
    assert_eq!(form.items[0].status, Status::Open);
    assert_eq!(form.counts["x"], 2);
}

#[test]
fn a_repeated_field_or_map_key_of_a_form_is_refused() {
    let field =
        br#"{"version": 1, "items": [{"name": "a", "status": "open", "status": "closed"}]}"#;
    let (key, path, _) = duplicate(parse_form::<Form>(field).unwrap_err());
    assert_eq!((key.as_str(), path.as_str()), ("status", "items[0]"));
    // A map keeps the last of two values when read with serde_json alone.
    let map = br#"{"version": 1, "items": [], "counts": {"critical": 0, "critical": 3}}"#;
    let (key, path, _) = duplicate(parse_form::<Form>(map).unwrap_err());
    assert_eq!((key.as_str(), path.as_str()), ("critical", "counts"));
    let free = br#"{"version": 1, "items": [], "details": {"a": {"b": 1, "b": 2}}}"#;
    let (key, path, _) = duplicate(parse_form::<Form>(free).unwrap_err());
    assert_eq!((key.as_str(), path.as_str()), ("b", "details.a"));
}

#[test]
fn an_unknown_key_of_a_form_is_refused_with_the_nearest_known_one() {
    let text = b"{\"version\": 1,\n \"items\": [{\"name\": \"a\", \"stauts\": \"open\"}]}";
    let e = parse_form::<Form>(text).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown key `stauts` in `items[0]` (line 2, column 33); did you mean `status`?"
    );
    match e.kind() {
        JsonErrorKind::UnknownKey {
            nearest, expected, ..
        } => {
            assert_eq!(nearest.as_deref(), Some("status"));
            assert_eq!(*expected, ["name", "status"]);
        }
        other => panic!("{other:?}"),
    }
    let e = parse_form::<Form>(br#"{"version": 1, "items": [], "colour": 1}"#).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("the keys are `version`, `items`, `counts`, `details`"),
        "{e}"
    );
}

#[test]
fn a_form_read_from_a_value_is_as_strict_and_names_the_path() {
    let value =
        json!({"version": 1, "items": [{"name": "a", "status": "open", "severity": "high"}]});
    let e = form_from_value::<Form>(value).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown key `severity` in `items[0]`; the keys are `name`, `status`"
    );
    let value = json!({"version": 1, "items": [{"name": "a", "status": "opened"}]});
    let e = form_from_value::<Form>(value).unwrap_err();
    assert!(e.to_string().contains("at `items[0].status`"), "{e}");
    let ok = json!({"version": 1, "items": [{"name": "a", "status": "closed"}]});
    assert_eq!(
        form_from_value::<Form>(ok).unwrap().items[0].status,
        Status::Closed
    );
}

#[test]
fn a_missing_field_names_the_object() {
    let e = parse_form::<Form>(br#"{"version": 1, "items": [{"name": "a"}]}"#).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("missing field `status` at `items[0]`"),
        "{e}"
    );
}

#[derive(Debug, Deserialize)]
struct Flattened {
    name: String,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[test]
fn a_repeated_key_caught_by_a_flattened_map_is_refused() {
    // serde buffers a flattened struct's keys and lets the last of two win.
    let e = parse_form::<Flattened>(br#"{"name": "a", "b": 1, "b": 2}"#).unwrap_err();
    assert_eq!(duplicate(e).0, "b");
    let ok: Flattened = parse_form(br#"{"name": "a", "b": 1}"#).unwrap();
    assert_eq!((ok.name.as_str(), ok.rest.len()), ("a", 1));
}

#[derive(Debug, Deserialize)]
struct Skips {
    #[expect(dead_code, reason = "read to be skipped")]
    skipped: serde::de::IgnoredAny,
}

#[test]
fn a_repeated_key_inside_a_skipped_value_is_refused() {
    let e = parse_form::<Skips>(br#"{"skipped": {"a": {"b": 1, "b": 2}}}"#).unwrap_err();
    let (key, path, _) = duplicate(e);
    assert_eq!((key.as_str(), path.as_str()), ("b", "skipped.a"));
}

#[derive(Debug, Deserialize, PartialEq)]
enum Shape {
    Circle { radius: f64 },
    Square(f64),
}

#[test]
fn an_enum_variant_s_keys_are_checked_too() {
    let ok: Shape = parse_form(br#"{"Circle": {"radius": 1.5}}"#).unwrap();
    assert_eq!(ok, Shape::Circle { radius: 1.5 });
    let e = parse_form::<Shape>(br#"{"Circle": {"radius": 1.5, "radius": 2}}"#).unwrap_err();
    assert_eq!(duplicate(e).0, "radius");
    let e = parse_form::<Shape>(br#"{"Circle": {"radus": 1.5}}"#).unwrap_err();
    assert!(e.to_string().contains("did you mean `radius`?"), "{e}");
    assert_eq!(
        parse_form::<Shape>(br#"{"Square": 2.0}"#).unwrap(),
        Shape::Square(2.0)
    );
}

#[test]
fn keys_read_as_numbers_or_enums_are_handed_over_as_serde_json_would() {
    let numbers: BTreeMap<u32, String> = parse_form(br#"{"1": "a", "20": "b"}"#).unwrap();
    assert_eq!(numbers[&20], "b");
    assert!(parse_form::<BTreeMap<u32, String>>(br#"{"x": "a"}"#).is_err());
    let statuses: BTreeMap<Status, u32> = parse_form(br#"{"open": 1, "closed": 2}"#).unwrap();
    assert_eq!(statuses[&Status::Closed], 2);
    let escaped: BTreeMap<String, u32> = parse_form(br#"{"a\"b": 1}"#).unwrap();
    assert_eq!(escaped["a\"b"], 1);
}

// ---- against serde_json ------------------------------------------------------------------

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z\"\\\\é\u{1F600} ]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
            prop::collection::btree_map("[a-z\"é]{0,4}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// Without a repeated key, the strict read is exactly serde_json's: nothing valid is refused
    /// and nothing is read differently.
    #[test]
    fn without_repeats_it_reads_what_serde_json_reads(value in any_json(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            serde_json::to_string(&value).unwrap()
        };
        prop_assert_eq!(parse_value(text.as_bytes()).unwrap(), value);
    }

    /// A key written twice in any object is refused, wherever the object is and whatever the
    /// two values are.
    #[test]
    fn a_repeat_anywhere_is_refused(
        outer in any_json(),
        key in "[a-z]{1,6}",
        first in any_json(),
        second in any_json(),
        list in any::<bool>(),
    ) {
        let (k, a, b) = (
            serde_json::to_string(&key).unwrap(),
            serde_json::to_string(&first).unwrap(),
            serde_json::to_string(&second).unwrap(),
        );
        let repeated = format!("{{{k}: {a}, \"other\": null, {k}: {b}}}");
        let o = serde_json::to_string(&outer).unwrap();
        let (text, path) = if list {
            (format!("[{o}, {repeated}]"), "[1]".to_owned())
        } else {
            (format!("{{\"x\": {o}, \"inner\": {repeated}}}"), "inner".to_owned())
        };
        let (found, at, _) = duplicate(parse_value(text.as_bytes()).unwrap_err());
        prop_assert_eq!(found, key);
        prop_assert_eq!(at, path);
    }
}

// ---- the guard around this crate -----------------------------------------------------------

/// Reading JSON any other way is a clippy error in the whole workspace (`disallowed-methods`),
/// and reqwest's `json` feature (`Response::json`, serde_json underneath) stays off: the strict
/// reading holds because nothing goes around it.
#[test]
fn the_workspace_forbids_reading_json_around_this_crate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let clippy = std::fs::read_to_string(root.join("clippy.toml")).unwrap();
    for method in [
        "serde_json::from_str",
        "serde_json::from_slice",
        "serde_json::from_reader",
        "serde_json::Deserializer::from_str",
        "serde_json::Deserializer::from_slice",
        "serde_json::Deserializer::from_reader",
    ] {
        assert!(
            clippy.contains(&format!("{{ path = \"{method}\", reason = ")),
            "clippy.toml must disallow {method}"
        );
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let reqwest = manifest
        .lines()
        .find(|l| l.starts_with("reqwest = "))
        .expect("the workspace's reqwest");
    assert!(
        !reqwest.contains("\"json\""),
        "reqwest's json feature would read answers around shipgate-json: {reqwest}"
    );
}

/// A type that checks its own keys, as `parse_self_checked` requires: a derived struct that
/// refuses unknown fields, one level nested.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct SelfChecked {
    status: String,
    inner: Option<SelfCheckedInner>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct SelfCheckedInner {
    value: f64,
}

impl shipgate_json::RefusesRepeatedKeys for SelfChecked {}

#[test]
fn the_self_checked_path_refuses_a_repeated_field_at_every_level_and_an_unknown_key() {
    use shipgate_json::parse_self_checked;
    let ok: SelfChecked = parse_self_checked(br#"{"status":"open","inner":{"value":2}}"#).unwrap();
    assert_eq!(ok.status, "open");
    assert_eq!(ok.inner, Some(SelfCheckedInner { value: 2.0 }));
    // serde's derive refuses a repeated field: the promise `RefusesRepeatedKeys` rests on it.
    for text in [
        &br#"{"status":"open","status":"closed"}"#[..],
        br#"{"status":"open","inner":{"value":2,"value":0}}"#,
        br#"{"status":"open","inner":{"value":2},"inner":{"value":0}}"#,
        br#"{"status":"open","st\u0061tus":"closed"}"#,
    ] {
        let e = parse_self_checked::<SelfChecked>(text).unwrap_err();
        assert!(e.to_string().contains("duplicate field"), "{e}");
    }
    // An unknown key is refused, not skipped: its value could hide a repeat nobody checks.
    let e =
        parse_self_checked::<SelfChecked>(br#"{"status":"open","x":{"a":1,"a":2}}"#).unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
    // Trailing text is refused as in every other read.
    assert!(parse_self_checked::<SelfChecked>(br#"{"status":"open"} {}"#).is_err());
}
