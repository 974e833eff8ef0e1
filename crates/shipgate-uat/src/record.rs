//! The sign-off record: YAML (or the same shape as JSON) → [`UatEvidence`], with every problem
//! and its line.

use crate::error::UatError;
use serde::Deserialize;
use shipgate_model::{Instant, SignatureMeaning, Signoff, UatDecision, UatEvidence, UatSignature};
use shipgate_yaml::{Node, NodeValue, Problem};

/// The file format. Unknown keys are refused, so a misspelt `comit:` is never silently ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordFile {
    release: String,
    version: String,
    commit: Option<String>,
    decision: UatDecision,
    scope: Option<String>,
    #[serde(default)]
    conditions: Vec<String>,
    signoffs: Vec<SignoffFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignoffFile {
    name: String,
    role: String,
    /// Read by the one date-time reader: a time without a zone is ambiguous by up to a day.
    at: Instant,
    meaning: SignatureMeaning,
    note: Option<String>,
}

/// Reads a sign-off record. `path` names the file in messages and in the evidence. Every problem
/// is reported at once, each with its line; a record with any problem is refused as a whole.
///
/// The evidence's signature is [`UatSignature::Unsigned`] until the caller looks for one (see
/// [`crate::verify_signature`]).
pub fn parse_record(path: &str, bytes: &[u8]) -> Result<UatEvidence, UatError> {
    let text = std::str::from_utf8(bytes).map_err(|e| UatError::NotUtf8 {
        path: path.to_owned(),
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let invalid = |problems: Vec<Problem>| UatError::Invalid {
        path: path.to_owned(),
        problems,
    };
    let tree = shipgate_yaml::parse(text).map_err(invalid)?;
    if !matches!(tree.value, NodeValue::Map(_)) {
        let message = if tree.is_null() {
            "the sign-off record is empty; see docs/policy.md#sourcesuat for its fields"
        } else {
            "a sign-off record is a mapping with `release`, `version`, `decision` and `signoffs`"
        };
        return Err(invalid(vec![Problem::new(tree.mark, "", message)]));
    }
    let decoded = shipgate_yaml::from_node::<RecordFile>(&tree);
    let mut problems = decoded.problems;
    problems.extend(semantic_problems(&tree));
    problems.sort_by(|a, b| (a.mark, &a.path).cmp(&(b.mark, &b.path)));
    problems.dedup();
    match decoded.value {
        Some(file) if problems.is_empty() => Ok(UatEvidence {
            path: path.to_owned(),
            release: file.release.trim().to_owned(),
            version: file.version.trim().to_owned(),
            commit: file
                .commit
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
            decision: file.decision,
            scope: file.scope,
            conditions: file.conditions,
            signoffs: file
                .signoffs
                .into_iter()
                .map(|s| Signoff {
                    name: s.name.trim().to_owned(),
                    role: s.role.trim().to_owned(),
                    at: s.at.timestamp(),
                    meaning: s.meaning,
                    note: s.note,
                })
                .collect(),
            signature: UatSignature::Unsigned {
                expected: crate::signature_path(path),
            },
        }),
        _ => Err(invalid(problems)),
    }
}

/// Keys every record needs. The deserializer stops at the first one missing at the top level,
/// so they are looked for here too, to name every one at once.
const REQUIRED: [&str; 4] = ["release", "version", "decision", "signoffs"];

/// Rules the types cannot say (required keys; conditions only with a conditional decision),
/// read from the tree so that they are reported even when another key has a problem.
fn semantic_problems(tree: &Node) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut at = |node: &Node, path: &str, message: String| {
        problems.push(Problem::new(node.mark, path, message));
    };
    // Blank names, roles, releases and versions are refused by the reader (shipgate-yaml), like
    // every empty value.
    for key in REQUIRED {
        if tree.get(key).is_none() {
            at(tree, "", format!("missing required key `{key}`"));
        }
    }
    let decision = tree.get("decision");
    let conditions: Vec<&str> = match tree.get("conditions").map(|n| &n.value) {
        Some(NodeValue::Seq(items)) => items.iter().filter_map(Node::as_str).collect(),
        Some(NodeValue::Scalar(s, _)) => vec![s.as_str()],
        _ => Vec::new(),
    };
    match decision.and_then(Node::as_str) {
        Some("conditional") if conditions.iter().all(|c| c.trim().is_empty()) => at(
            decision.unwrap_or(tree),
            "decision",
            "a `conditional` decision lists its conditions under `conditions`".to_owned(),
        ),
        Some(word @ ("approved" | "rejected")) if !conditions.is_empty() => at(
            tree.get("conditions").unwrap_or(tree),
            "conditions",
            format!(
                "`conditions` belong to a `conditional` decision, but the decision is `{word}`; change the decision or remove the conditions"
            ),
        ),
        _ => {}
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const RECORD: &str = "\
release: payments-api
version: 2.4.0
commit: 3f2a9c1
decision: approved
scope: Checkout, refunds, 3-D Secure
signoffs:
  - name: Dana Reyes
    role: product-owner
    at: 2026-11-20T15:04:00Z
    meaning: approval
  - name: Sam Ortiz
    role: qa-lead
    at: 2026-11-21T10:12:00+01:00
    meaning: approval
    note: regression pack 14 green
";

    fn problems(text: &str) -> Vec<Problem> {
        match parse_record("uat.yaml", text.as_bytes()) {
            Err(UatError::Invalid { problems, .. }) => problems,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn the_brief_s_record_reads() {
        let r = parse_record("uat.yaml", RECORD.as_bytes()).unwrap();
        assert_eq!(r.release, "payments-api");
        assert_eq!(r.version, "2.4.0");
        assert_eq!(r.commit.as_deref(), Some("3f2a9c1"));
        assert_eq!(r.decision, UatDecision::Approved);
        assert_eq!(r.signoffs.len(), 2);
        assert_eq!(
            r.signoffs[1].at,
            "2026-11-21T09:12:00Z".parse::<jiff::Timestamp>().unwrap()
        );
        assert_eq!(
            r.signoffs[1].note.as_deref(),
            Some("regression pack 14 green")
        );
    }

    #[test]
    fn the_same_shape_as_json_reads_the_same() {
        let json = r#"{
  "release": "payments-api", "version": "2.4.0", "commit": "3f2a9c1",
  "decision": "approved", "scope": "Checkout, refunds, 3-D Secure",
  "signoffs": [
    {"name": "Dana Reyes", "role": "product-owner", "at": "2026-11-20T15:04:00Z", "meaning": "approval"},
    {"name": "Sam Ortiz", "role": "qa-lead", "at": "2026-11-21T10:12:00+01:00", "meaning": "approval",
     "note": "regression pack 14 green"}
  ]
}"#;
        assert_eq!(
            parse_record("uat", json.as_bytes()).unwrap(),
            parse_record("uat", RECORD.as_bytes()).unwrap()
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = RECORD
            .replace("commit: 3f2a9c1\n", "comit: 3f2a9c1\n")
            .replace("decision: approved", "decision: aproved")
            .replace("at: 2026-11-20T15:04:00Z", "at: 2026-11-20")
            .replace("meaning: approval\n  - name", "meaning: approve\n  - name")
            .replace("name: Sam Ortiz", "name: ' '");
        let p = problems(&text);
        let found: Vec<(usize, &str)> = p.iter().map(|p| (p.mark.line, p.path.as_str())).collect();
        assert_eq!(
            found,
            vec![
                (3, "comit"),
                (4, "decision"),
                (9, "signoffs[0].at"),
                (10, "signoffs[0].meaning"),
                (11, "signoffs[1].name"),
            ],
            "{p:#?}"
        );
        assert!(p[0].message.contains("did you mean `commit`?"));
        assert!(p[1].message.contains("did you mean `approved`"));
        assert!(p[2].message.contains("a date alone"), "{}", p[2].message);
        assert!(p[3].message.contains("did you mean `approval`"));
        assert!(p[4].message.contains("the value is empty"), "{p:#?}");
    }

    /// A signature time without a zone could be a day younger than it is: refused at its line,
    /// as is a zone that disagrees with its offset; a zone that is right is honoured.
    #[test]
    fn a_signoff_time_without_a_zone_is_refused_at_its_line() {
        for (written, word) in [
            ("2026-11-21T10:12:00", "no time zone"),
            ("2026-11-21 10:12:00", "no time zone"),
            ("\"2026-11-21T10:12:00\"", "no time zone"),
            (
                "2026-11-21T10:12:00+03:00[Europe/Berlin]",
                "`Europe/Berlin` is at `+01:00`",
            ),
            ("2026-11-21T10:12:00[Europe/Berln]", "not a time zone"),
            ("2026-11-21T24:00:00Z", "`24:00`"),
        ] {
            let text = RECORD.replace("at: 2026-11-21T10:12:00+01:00", &format!("at: {written}"));
            let p = problems(&text);
            assert_eq!(p.len(), 1, "{written}: {p:#?}");
            assert_eq!((p[0].mark.line, p[0].path.as_str()), (13, "signoffs[1].at"));
            assert!(p[0].message.contains(word), "{written}: {}", p[0].message);
        }
        let zoned = RECORD.replace(
            "at: 2026-11-21T10:12:00+01:00",
            "at: 2026-11-21T10:12:00[Europe/Berlin]",
        );
        assert_eq!(
            parse_record("uat.yaml", zoned.as_bytes()).unwrap(),
            parse_record("uat.yaml", RECORD.as_bytes()).unwrap()
        );
    }

    #[test]
    fn missing_keys_are_named() {
        let p = problems("release: x\ndecision: approved\n");
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages.contains(&"missing required key `version`"),
            "{messages:?}"
        );
        assert!(
            messages.contains(&"missing required key `signoffs`"),
            "{messages:?}"
        );
    }

    #[test]
    fn conditions_go_with_a_conditional_decision_only() {
        let p = problems(&RECORD.replace("decision: approved", "decision: conditional"));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(p[0].message.contains("lists its conditions"));
        let p = problems(&RECORD.replace(
            "decision: approved\n",
            "decision: approved\nconditions: [fix PAY-9 by Friday]\n",
        ));
        assert!(p[0].message.contains("change the decision"), "{p:#?}");
        let ok = RECORD.replace(
            "decision: approved\n",
            "decision: conditional\nconditions: [fix PAY-9 by Friday]\n",
        );
        let r = parse_record("uat.yaml", ok.as_bytes()).unwrap();
        assert_eq!(r.conditions, vec!["fix PAY-9 by Friday".to_owned()]);
    }

    #[test]
    fn empty_non_mapping_and_non_utf8_records_are_refused() {
        assert!(problems("")[0].message.contains("is empty"));
        assert!(problems("- a\n")[0].message.contains("a mapping"));
        assert!(
            problems("release: [x\n")[0]
                .message
                .contains("not valid YAML")
        );
        let err = parse_record("uat.yaml", b"release: \xff\n").unwrap_err();
        assert!(
            matches!(err, UatError::NotUtf8 { offset: 9, .. }),
            "{err:?}"
        );
    }

    /// `name: ~` is YAML's null, not a signer called "~": a record that leaves a required value
    /// out must never sign as the literal text of the null.
    #[test]
    fn a_null_value_is_nothing_not_the_text_of_the_null() {
        let text = RECORD
            .replace("name: Dana Reyes", "name: ~")
            .replace("role: qa-lead", "role: null")
            .replace("release: payments-api", "release: NULL");
        let p = problems(&text);
        let found: Vec<(usize, &str)> = p.iter().map(|p| (p.mark.line, p.path.as_str())).collect();
        assert_eq!(
            found,
            vec![
                (1, "release"),
                (7, "signoffs[0].name"),
                (12, "signoffs[1].role")
            ],
            "{p:#?}"
        );
        assert!(
            p.iter()
                .all(|p| p.message.contains("expected a value, found nothing")),
            "{p:#?}"
        );
        // Quoted, it is a name like any other.
        let quoted = RECORD.replace("name: Dana Reyes", "name: '~'");
        let r = parse_record("uat.yaml", quoted.as_bytes()).unwrap();
        assert_eq!(r.signoffs[0].name, "~");
    }

    #[test]
    fn a_version_keeps_its_text_and_a_bom_is_accepted() {
        let text = format!(
            "\u{feff}{}",
            RECORD.replace("version: 2.4.0", "version: 2.10")
        );
        let r = parse_record("uat.yaml", text.as_bytes()).unwrap();
        assert_eq!(r.version, "2.10");
    }
}
