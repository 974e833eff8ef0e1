//! The defect JSON form: a normalised defect set written so that the `file` source reads it back
//! exactly (`docs/policy.md`, "The defect JSON form").

use crate::error::DefectsError;
use shipgate_model::DefectEvidence;
use shipgate_model::defects::{DEFECTS_FORMAT, DEFECTS_FORMAT_VERSION};

/// Writes a defect set in the JSON form: pretty-printed, defects sorted by key, ending in a
/// newline. The same set always gives the same bytes.
pub fn write_json(evidence: &DefectEvidence) -> String {
    let mut sorted = evidence.clone();
    sorted.sort();
    let mut text = serde_json::to_string_pretty(&sorted).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads the JSON form. `path` names the file in messages.
pub fn read_json(bytes: &[u8], path: &str) -> Result<DefectEvidence, DefectsError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let remedy = "write the file in the defect JSON form (docs/policy.md), e.g. with `shipgate inspect defects --format json > defects.json`".to_owned();
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| DefectsError::FileFormat {
            path: path.to_owned(),
            line: Some(e.line() as u64),
            reason: format!("not valid JSON: {e}"),
            remedy: remedy.clone(),
        })?;
    let format = value.get("format").and_then(|f| f.as_str());
    if format != Some(DEFECTS_FORMAT) {
        return Err(DefectsError::FileFormat {
            path: path.to_owned(),
            line: None,
            reason: format!(
                "its `format` is {}, not `{DEFECTS_FORMAT}`",
                format.map_or("missing".to_owned(), |f| format!("`{f}`"))
            ),
            remedy,
        });
    }
    let version = value.get("version").and_then(|v| v.as_u64());
    if version != Some(u64::from(DEFECTS_FORMAT_VERSION)) {
        return Err(DefectsError::FileFormat {
            path: path.to_owned(),
            line: None,
            reason: format!(
                "its `version` is {}, and this shipgate reads version {DEFECTS_FORMAT_VERSION}",
                version.map_or("missing".to_owned(), |v| v.to_string())
            ),
            remedy: "upgrade shipgate, or write the file again with this version".to_owned(),
        });
    }
    serde_json::from_value(value).map_err(|e| DefectsError::FileFormat {
        path: path.to_owned(),
        line: None,
        reason: e.to_string(),
        remedy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::{
        Defect, DefectLink, DefectStatus, NotADefect, NotADefectBy, Origin, Severity,
    };

    fn sample() -> DefectEvidence {
        let d = |key: &str, sev, origin, status| Defect {
            key: key.into(),
            title: format!("title of {key} with \"quotes\" and ünïcode"),
            severity: sev,
            severity_raw: vec!["Highest".into()],
            origin,
            origin_raw: vec![],
            status,
            created: "2026-09-01T09:41:00Z".parse().unwrap(),
            resolved: (status == DefectStatus::Closed)
                .then(|| "2026-09-03T10:00:00Z".parse().unwrap()),
            resolution: (status == DefectStatus::Closed).then(|| "Duplicate".into()),
            not_a_defect: (status == DefectStatus::Closed).then(|| NotADefect {
                by: NotADefectBy::Resolution,
                value: "Duplicate".into(),
            }),
            components: vec!["Payments".into()],
            labels: vec![],
            links: vec![DefectLink {
                relation: "is tested by".into(),
                key: "PAY-200".into(),
            }],
            introduced_in: vec!["Sprint 14".into()],
            url: Some(format!("https://acme.atlassian.net/browse/{key}")),
        };
        let mut e = DefectEvidence::new(
            "jira",
            "https://acme.atlassian.net",
            Some("project = PAY".into()),
            vec![
                d(
                    "PAY-10",
                    Severity::Critical,
                    Origin::Production,
                    DefectStatus::Open,
                ),
                d(
                    "PAY-9",
                    Severity::Unknown,
                    Origin::PreProduction,
                    DefectStatus::Closed,
                ),
            ],
        );
        e.fetched_at = Some("2026-11-24T10:00:00Z".parse().unwrap());
        e
    }

    #[test]
    fn the_json_form_reads_back_exactly_and_writes_the_same_bytes() {
        let e = sample();
        let text = write_json(&e);
        let back = read_json(text.as_bytes(), "d.json").unwrap();
        assert_eq!(back, e);
        assert_eq!(write_json(&back), text);
        assert_eq!(back.defects[0].key, "PAY-9", "sorted numerically");
        assert!(
            text.contains("\"not_a_defect\": {\n        \"by\": \"resolution\",\n        \"value\": \"Duplicate\"\n      }"),
            "{text}"
        );
    }

    #[test]
    fn another_format_or_version_is_refused_with_why() {
        let e = read_json(b"{\"defects\": []}", "d.json").unwrap_err();
        assert!(e.to_string().contains("`format` is missing"), "{e}");
        let text = write_json(&sample()).replace("\"version\": 1", "\"version\": 2");
        let e = read_json(text.as_bytes(), "d.json").unwrap_err();
        assert!(e.to_string().contains("version 1"), "{e}");
        let e = read_json(b"{\n\"format\": ", "d.json").unwrap_err();
        assert!(e.to_string().contains("at line 2"), "{e}");
        let text = write_json(&sample()).replace("\"critical\"", "\"catastrophic\"");
        let e = read_json(text.as_bytes(), "d.json").unwrap_err();
        assert!(e.to_string().contains("catastrophic"), "{e}");
    }
}
