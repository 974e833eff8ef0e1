//! The quarantine file (`sources.tests.quarantine`): a YAML list of known-flaky tests, each with
//! an owner, a ticket and an expiry, read with line numbers so every problem names its line.
//!
//! ```yaml
//! - pattern: "com.acme.search.*IT.*"
//!   owner: search-team@acme.example
//!   ticket: SEARCH-231
//!   expires: 2026-12-15
//!   reason: the sandbox index is rebuilt during the run   # optional
//! ```
//!
//! The text comes from the caller (the evaluator reads the file); whether an entry has expired
//! or touches a critical path is decided at evaluation time.

use crate::values::{Expiry, Pattern};
use serde::Deserialize;
use shipgate_model::{Quarantine, QuarantineEntry};
use shipgate_yaml::{NodeValue, Problem};

/// One entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    pattern: Pattern,
    owner: String,
    ticket: String,
    expires: Expiry,
    reason: Option<String>,
}

/// Parses a quarantine file. An empty file is an empty list. Every problem is returned at once,
/// each with its line.
pub fn parse_quarantine(text: &str, path: &str) -> Result<Quarantine, Vec<Problem>> {
    let tree = shipgate_yaml::parse(text)?;
    let items = match &tree.value {
        NodeValue::Null => {
            return Ok(Quarantine {
                path: path.to_owned(),
                entries: Vec::new(),
            });
        }
        NodeValue::Seq(items) => items,
        _ => {
            return Err(vec![Problem::new(
                tree.mark,
                "",
                "a quarantine file is a YAML list of entries, each with `pattern`, `owner`, `ticket` and `expires`",
            )]);
        }
    };
    let decoded = shipgate_yaml::from_node::<Vec<Entry>>(&tree);
    let mut problems = decoded.problems;
    // Blank owners and tickets are refused by the reader, at their lines, like every other
    // empty value.
    let mut entries = Vec::new();
    if let (Some(list), true) = (decoded.value, problems.is_empty()) {
        for (entry, node) in list.into_iter().zip(items) {
            entries.push(QuarantineEntry {
                pattern: entry.pattern.0,
                owner: entry.owner.trim().to_owned(),
                ticket: entry.ticket.trim().to_owned(),
                expires: entry.expires.as_str().to_owned(),
                expires_at: entry.expires.ends_at(),
                reason: entry
                    .reason
                    .map(|r| r.trim().to_owned())
                    .filter(|r| !r.is_empty()),
                line: node.mark.line,
            });
        }
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| (a.mark, &a.path).cmp(&(b.mark, &b.path)));
        return Err(problems);
    }
    Ok(Quarantine {
        path: path.to_owned(),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
# known-flaky tests
- pattern: \"com.acme.search.*IT.*\"
  owner: search-team@acme.example
  ticket: SEARCH-231
  expires: 2026-12-15
  reason: the sandbox index is rebuilt during the run
- pattern: \"*test_export_pdf*\"
  owner: reports@acme.example
  ticket: REP-9
  expires: 2026-11-30T12:00:00Z
";

    fn problems(text: &str) -> Vec<Problem> {
        match parse_quarantine(text, "quarantine.yaml") {
            Ok(q) => panic!("expected problems, got {q:#?}"),
            Err(p) => p,
        }
    }

    #[test]
    fn entries_are_read_with_their_lines() {
        let q = parse_quarantine(GOOD, "quarantine.yaml").unwrap();
        assert_eq!(q.path, "quarantine.yaml");
        assert_eq!(q.entries.len(), 2);
        let e = &q.entries[0];
        assert_eq!(e.pattern.as_str(), "com.acme.search.*IT.*");
        assert_eq!(
            (e.owner.as_str(), e.ticket.as_str()),
            ("search-team@acme.example", "SEARCH-231")
        );
        assert_eq!(e.line, 2);
        assert_eq!(e.expires, "2026-12-15");
        assert!(!e.has_expired("2026-12-15T23:59:59Z".parse().unwrap()));
        assert!(e.has_expired("2026-12-16T00:00:00Z".parse().unwrap()));
        assert_eq!(q.entries[1].line, 7);
        assert_eq!(q.entries[1].reason, None);
    }

    /// A zoneless expiry would quarantine the test until midnight UTC: refused at its line.
    #[test]
    fn an_entry_expiring_at_a_zoneless_time_is_refused_at_its_line() {
        for written in [
            "2026-11-30T12:00:00",
            "2026-11-30 12:00:00",
            "\"2026-11-30 12:00\"",
        ] {
            let p = problems(&GOOD.replace("2026-11-30T12:00:00Z", written));
            assert_eq!(p.len(), 1, "{written}: {p:#?}");
            assert_eq!((p[0].mark.line, p[0].path.as_str()), (10, "[1].expires"));
            assert!(p[0].message.contains("no time zone"), "{}", p[0].message);
        }
        let zoned = GOOD.replace(
            "2026-11-30T12:00:00Z",
            "2026-11-30T07:00:00[America/New_York]",
        );
        let q = parse_quarantine(&zoned, "quarantine.yaml").unwrap();
        assert_eq!(q.entries[1].expires_at.to_string(), "2026-11-30T12:00:00Z");
    }

    #[test]
    fn an_empty_file_is_an_empty_list() {
        assert!(parse_quarantine("", "q.yaml").unwrap().entries.is_empty());
        assert!(
            parse_quarantine("# nothing quarantined\n", "q.yaml")
                .unwrap()
                .entries
                .is_empty()
        );
        assert!(
            parse_quarantine("[]\n", "q.yaml")
                .unwrap()
                .entries
                .is_empty()
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = GOOD
            .replace("  owner: search-team@acme.example\n", "")
            .replace("expires: 2026-11-30T12:00:00Z", "expires: next week")
            .replace("  ticket: REP-9\n", "  ticket: REP-9\n  tikcet: REP-10\n");
        let p = problems(&text);
        let found: Vec<(usize, &str)> = p
            .iter()
            .map(|p| (p.mark.line, p.message.as_str()))
            .collect();
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(
            found[0].1.contains("missing") && found[0].1.contains("owner"),
            "{found:#?}"
        );
        assert_eq!(found[1].0, 9);
        assert!(found[1].1.contains("unknown key `tikcet`"), "{found:#?}");
        assert!(found[1].1.contains("did you mean `ticket`"), "{found:#?}");
        assert_eq!(found[2].0, 10);
        assert!(found[2].1.contains("is not a date"), "{found:#?}");
    }

    #[test]
    fn empty_owners_and_tickets_and_patterns_are_refused() {
        let p =
            problems("- pattern: \"*x*\"\n  owner: \" \"\n  ticket: \"\"\n  expires: 2026-12-31\n");
        let lines: Vec<usize> = p.iter().map(|p| p.mark.line).collect();
        assert_eq!(lines, [2, 3], "{p:#?}");
        assert!(p[0].message.contains("the value is empty"), "{p:#?}");
        assert_eq!(p[0].path, "[0].owner");
        assert_eq!(p[1].path, "[0].ticket");
        let p = problems("- pattern: \"\"\n  owner: a\n  ticket: T-1\n  expires: 2026-12-31\n");
        assert!(p[0].message.contains("the value is empty"), "{p:#?}");
        let p = problems("- pattern: \"*x*\"\n  owner: ~\n  ticket: T-1\n  expires: 2026-12-31\n");
        assert!(p[0].message.contains("found nothing"), "{p:#?}");
    }

    #[test]
    fn a_mapping_or_bad_yaml_is_refused() {
        let p = problems("quarantine:\n  - pattern: x\n");
        assert!(p[0].message.contains("a YAML list of entries"), "{p:#?}");
        let p = problems("- pattern: [x\n");
        assert!(p[0].message.contains("not valid YAML"), "{p:#?}");
    }
}
