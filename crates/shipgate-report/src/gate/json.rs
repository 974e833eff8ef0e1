//! The JSON format: exactly the serialisation of [`Report`], the release's audit record.
//!
//! Its field names are a public contract (`schema_version` 1); the tests below pin them.

use crate::ReportError;
use shipgate_model::Report;

/// Renders the report as pretty-printed JSON with a trailing newline.
pub fn render_json(report: &Report) -> Result<String, ReportError> {
    let mut json = serde_json::to_string_pretty(report).map_err(|source| ReportError::Json {
        what: "report",
        source,
    })?;
    json.push('\n');
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use serde_json::Value;

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    /// The key names of the JSON report are what pipelines and auditors read: renaming one is a
    /// breaking change that needs a new `schema_version`.
    #[test]
    fn key_names_are_the_published_contract() {
        let report = fixtures::blocked();
        let v: Value =
            shipgate_json::parse_value(render_json(&report).unwrap().as_bytes()).unwrap();
        assert_eq!(
            keys(&v),
            [
                "schema_version",
                "tool",
                "release",
                "decision",
                "exit_code",
                "evaluated_at",
                "dry_run",
                "policy",
                "inputs",
                "checks",
                "stats",
                "waivers"
            ]
        );
        assert_eq!(v["schema_version"], 1);
        assert_eq!(keys(&v["tool"]), ["name", "version"]);
        assert_eq!(keys(&v["release"]), ["name", "version", "commit"]);
        assert_eq!(v["decision"], "blocked");
        assert_eq!(v["exit_code"], 1);
        assert_eq!(v["evaluated_at"], "2026-11-24T10:00:00Z");
        assert_eq!(keys(&v["policy"]), ["path", "sha256"]);
        assert_eq!(keys(&v["inputs"][0]), ["source", "path", "sha256", "bytes"]);
        assert_eq!(
            keys(&v["stats"]["tests"]),
            [
                "total",
                "passed",
                "failed",
                "errored",
                "skipped",
                "flaky",
                "suite_errors",
                "files"
            ]
        );
        assert_eq!(
            keys(&v["waivers"][0]),
            ["check", "reason", "approved_by", "expires", "state"]
        );

        let checks = v["checks"].as_array().unwrap();
        // A passing check carries no remedy and no waiver.
        let pass = checks.iter().find(|c| c["status"] == "pass").unwrap();
        assert_eq!(
            keys(pass),
            [
                "id",
                "status",
                "level",
                "blocking",
                "observed",
                "threshold",
                "unit",
                "message",
                "details"
            ]
        );
        let waived = checks.iter().find(|c| c["status"] == "waived").unwrap();
        assert_eq!(
            keys(waived),
            [
                "id",
                "status",
                "level",
                "blocking",
                "observed",
                "threshold",
                "unit",
                "message",
                "remedy",
                "details",
                "waiver"
            ]
        );
        assert_eq!(
            keys(&waived["waiver"]),
            ["reason", "approved_by", "expires"]
        );
        let statuses: Vec<&str> = checks
            .iter()
            .map(|c| c["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            [
                "fail", "pass", "fail", "warn", "waived", "missing", "error", "pass"
            ],
            "the JSON keeps the catalogue order; only the human formats reorder"
        );
    }

    #[test]
    fn round_trips_to_the_same_report() {
        let report = fixtures::blocked();
        let json = render_json(&report).unwrap();
        assert!(json.ends_with("}\n"));
        // As a replay reads it: a form, strictly.
        let back: Report = shipgate_json::parse_form(json.as_bytes()).unwrap();
        assert_eq!(back, report);
    }

    #[test]
    fn blocked_report() {
        insta::assert_snapshot!(render_json(&fixtures::blocked()).unwrap());
    }
}
