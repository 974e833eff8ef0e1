//! Jira's CSV export ("Export → CSV (all fields)"), read offline.
//!
//! What the export does that a reader must handle: a UTF-8 byte order mark; one column per value
//! of a multi-value field, all with the same header (`Labels,Labels,Labels`, `Component/s`,
//! `Sprint`); custom fields under `Custom field (Defect origin)`; dates in the exporting user's
//! time zone and format (`12/Mar/24 9:41 AM`); links as `Inward issue link (Tests)` columns.

use crate::dates::{ExportDateError, export_date};
use crate::error::DefectsError;
use crate::mapping::{Maps, RawDefect, normalise};
use shipgate_model::{Defect, DefectLink, Zone};

/// The columns of one export, and the positions of each header (repeated headers included).
struct Columns {
    headers: Vec<String>,
}

impl Columns {
    /// Every column whose header is `name` (ignoring case), or `Custom field (name)`, or one of
    /// Jira's spellings of a system field (`components` → `Component/s`).
    fn find(&self, name: &str) -> Vec<usize> {
        let want = name.trim();
        let aliases: &[&str] = match want.to_ascii_lowercase().as_str() {
            "key" | "issuekey" => &["Issue key"],
            "summary" => &["Summary"],
            "components" | "component" => &["Component/s"],
            "fixversions" | "fix version" | "fixversion" => &["Fix Version/s"],
            "versions" | "affects version" | "affectedversion" => &["Affects Version/s"],
            "resolutiondate" => &["Resolved"],
            _ => &[],
        };
        let custom = format!("Custom field ({want})");
        self.headers
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                let h = h.trim();
                h.eq_ignore_ascii_case(want)
                    || h.eq_ignore_ascii_case(&custom)
                    || aliases.iter().any(|a| h.eq_ignore_ascii_case(a))
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn similar(&self, name: &str) -> Vec<String> {
        crate::similar::similar(name, self.headers.iter().map(String::as_str))
    }
}

fn values(record: &csv::StringRecord, columns: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for &i in columns {
        if let Some(v) = record.get(i) {
            let v = v.trim();
            if !v.is_empty() && !out.iter().any(|o| o == v) {
                out.push(v.to_owned());
            }
        }
    }
    out
}

/// The line a record starts on. The csv crate ends a record at the `\r` of a CRLF and counts
/// the line at the `\n` only when it reads the next record, so in Jira's CRLF exports it
/// places every record one line early; a record that starts at that `\n` is on the next line.
fn record_line(bytes: &[u8], p: &csv::Position) -> u64 {
    let at_newline = usize::try_from(p.byte())
        .ok()
        .and_then(|i| bytes.get(i))
        .is_some_and(|b| *b == b'\n');
    p.line() + u64::from(at_newline)
}

/// Reads a Jira CSV export. `path` names the file in messages.
pub(crate) fn read(
    bytes: &[u8],
    path: &str,
    maps: Maps<'_>,
    introduced_in: Option<&str>,
    tz: Option<&Zone>,
) -> Result<Vec<Defect>, DefectsError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let format_error = |line: Option<u64>, reason: String| {
        DefectsError::FileFormat {
        path: path.to_owned(),
        line,
        reason,
        remedy: "export from Jira's issue search with Export → CSV (all fields), and keep the file as Jira wrote it".to_owned(),
    }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| format_error(Some(1), e.to_string()))?
        .iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let columns = Columns { headers };
    let required = |name: &str| -> Result<usize, DefectsError> {
        columns.find(name).first().copied().ok_or_else(|| {
            format_error(
                Some(1),
                format!("it has no `{name}` column, so it is not a Jira CSV export"),
            )
        })
    };
    let key_col = required("Issue key")?;
    let title_col = required("Summary")?;
    let created_col = required("Created")?;
    let resolved_cols = columns.find("Resolved");
    let resolution_cols = columns.find("Resolution");
    let category_cols = columns.find("Status Category");
    let field = |setting: &str, name: &str| -> Result<Vec<usize>, DefectsError> {
        let found = columns.find(name);
        if found.is_empty() {
            return Err(DefectsError::UnknownField {
                field: name.to_owned(),
                setting: setting.to_owned(),
                location: path.to_owned(),
                known: columns.similar(name),
            });
        }
        Ok(found)
    };
    let severity_cols = match maps.severity {
        Some(m) => field("sources.defects.severity.field", &m.field)?,
        None => Vec::new(),
    };
    let origin_cols = match maps.origin {
        Some(m) => field("sources.defects.origin.field", &m.field)?,
        None => Vec::new(),
    };
    let introduced_cols = match introduced_in {
        Some(f) => field("sources.defects.introduced_in", f)?,
        None => Vec::new(),
    };
    let component_cols = columns.find("Component/s");
    let label_cols = columns.find("Labels");
    let links: Vec<(usize, String)> = columns
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let rest = h.trim();
            let (dir, rest) = if let Some(r) = rest.strip_prefix("Inward issue link (") {
                ("inward", r)
            } else if let Some(r) = rest.strip_prefix("Outward issue link (") {
                ("outward", r)
            } else {
                return None;
            };
            Some((i, format!("{} ({dir})", rest.trim_end_matches(')'))))
        })
        .collect();

    // A date refused for its zone needs another remedy than a malformed export.
    let date_error = |line: Option<u64>, column: &str, key: &str, e: ExportDateError| {
        match e {
        ExportDateError::Unreadable(why) => {
            format_error(line, format!("`{column}` of {key}: {why}"))
        }
        ExportDateError::NoZone(why) => DefectsError::FileFormat {
            path: path.to_owned(),
            line,
            reason: format!("`{column}` of {key}: {why}"),
            remedy: "set `sources.defects.timezone` to the exporting user's time zone (their Jira profile's, e.g. `Europe/Berlin` or `UTC`)".to_owned(),
        },
        ExportDateError::Zone(why) => DefectsError::FileFormat {
            path: path.to_owned(),
            line,
            reason: format!("`{column}` of {key}: {why}"),
            remedy: "fetch from the tracker instead (`kind: jira`: its dates carry an offset), or export as a user whose Jira profile time zone is UTC and set `sources.defects.timezone: UTC`".to_owned(),
        },
    }
    };
    let mut defects = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line());
            format_error(line, e.to_string())
        })?;
        let line = record.position().map(|p| record_line(bytes, p));
        let cell = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
        let key = cell(key_col);
        if key.is_empty() {
            return Err(format_error(line, "a row has no issue key".to_owned()));
        }
        let created_text = cell(created_col);
        let shown_key = key.clone();
        let created =
            export_date(&created_text, tz).map_err(|e| date_error(line, "Created", &key, e))?;
        let resolved_text = values(&record, &resolved_cols).into_iter().next();
        let resolved = match &resolved_text {
            Some(t) => Some(export_date(t, tz).map_err(|e| date_error(line, "Resolved", &key, e))?),
            None => None,
        };
        // Jira writes `Unresolved` (or nothing) for an issue without a resolution.
        let resolution = values(&record, &resolution_cols)
            .into_iter()
            .next()
            .filter(|r| !r.eq_ignore_ascii_case("unresolved"));
        let closed = match values(&record, &category_cols).first() {
            Some(category) => category.eq_ignore_ascii_case("done"),
            None => resolved.is_some() || resolution.is_some(),
        };
        let raw = RawDefect {
            title: cell(title_col),
            closed,
            created: Some(created),
            resolved,
            resolution,
            components: values(&record, &component_cols),
            labels: values(&record, &label_cols),
            links: links
                .iter()
                .filter_map(|(i, relation)| {
                    let k = record.get(*i)?.trim();
                    (!k.is_empty()).then(|| DefectLink {
                        relation: relation.clone(),
                        key: k.to_owned(),
                    })
                })
                .collect(),
            url: None,
            severity_values: values(&record, &severity_cols),
            origin_values: values(&record, &origin_cols),
            introduced_in: values(&record, &introduced_cols),
            key,
        };
        // Every row has a creation date by now; were one ever lost, the defect must not be.
        let defect = normalise(raw, maps).ok_or_else(|| {
            format_error(line, format!("{shown_key} has no readable creation date"))
        })?;
        defects.push(defect);
    }
    Ok(defects)
}
