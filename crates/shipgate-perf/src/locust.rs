//! Locust: the `_stats.csv` file written by `locust --csv PREFIX`.
//!
//! One row per request (`Type`, `Name`) and the `Aggregated` row over all of them. Metrics are
//! named after the request's `Name` (`/checkout.p95`), or `Type Name` when the same name is
//! used with several methods; the aggregate is `Aggregated`. Locust writes summaries only (no
//! raw samples), with its percentiles rounded to its response-time buckets.

use crate::collect::{Collector, requests_of};
use crate::error::PerfError;
use crate::provenance;
use crate::reader::{CUT_INSIDE_ITS_LAST_ROW, Input, LastByte, Reader, Sample};
use shipgate_model::{PerfEvidence, PerfFormat, PerfUnit, RequestBasis, RunThresholds};
use std::collections::BTreeMap;
use std::io::BufRead;

const TOOL: &str = "Locust";
const FORMAT: &str = "Locust --csv stats";

/// The summary columns and the stat each becomes.
const COLUMNS: &[(&str, &str, PerfUnit)] = &[
    ("Request Count", "count", PerfUnit::Count),
    ("Failure Count", "errors", PerfUnit::Count),
    ("Median Response Time", "med", PerfUnit::Milliseconds),
    ("Average Response Time", "avg", PerfUnit::Milliseconds),
    ("Min Response Time", "min", PerfUnit::Milliseconds),
    ("Max Response Time", "max", PerfUnit::Milliseconds),
    ("Requests/s", "throughput", PerfUnit::PerSecond),
];

/// Locust's `--csv` `_stats.csv`, recognised by its header row and read as it streams.
pub(crate) static LOCUST_STATS: LocustStats = LocustStats;

/// The reader of Locust stats files.
pub(crate) struct LocustStats;

impl Reader for LocustStats {
    fn format(&self) -> PerfFormat {
        PerfFormat::Locust
    }

    fn describe(&self) -> &'static str {
        "a Locust `--csv` stats file"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Head(head) = sample else {
            return false;
        };
        let line = head.first_line_text();
        !head.is_json_object()
            && (line.starts_with("Type,Name,") || line.starts_with("\"Type\",\"Name\","))
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read(input.stream(path)?, path)
    }
}

/// Reads the stats CSV.
pub(crate) fn read<R: BufRead + ?Sized>(
    reader: &mut R,
    path: &str,
) -> Result<PerfEvidence, PerfError> {
    let mut c = Collector::new(PerfFormat::Locust, path, FORMAT);
    let mut tracked = LastByte::new(reader);
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(&mut tracked);
    let header: Vec<String> = csv
        .headers()
        .map_err(|e| c.invalid("line 1", format!("not valid CSV: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    let find = |name: &str| header.iter().position(|h| h == name);
    let (Some(type_col), Some(name_col)) = (find("Type"), find("Name")) else {
        return Err(c.invalid("line 1", "the header row has no `Type` and `Name` columns; shipgate reads the `_stats.csv` of Locust 1.0 and later"));
    };
    let mut rows: Vec<(usize, String, String, csv::StringRecord)> = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            c.invalid(format!("line {line}"), format!("not valid CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let kind = record.get(type_col).unwrap_or("").trim().to_owned();
        let name = record.get(name_col).unwrap_or("").trim().to_owned();
        rows.push((line, kind, name, record));
    }
    drop(csv);
    if !tracked.ends_a_line() {
        let last = tracked.line();
        return Err(c.invalid(format!("line {last}"), CUT_INSIDE_ITS_LAST_ROW));
    }
    // A name used with several methods (GET and POST /cart) is told apart by its method.
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, name, _) in &rows {
        *uses.entry(name.as_str()).or_default() += 1;
    }
    let names: Vec<String> = rows
        .iter()
        .map(|(_, kind, name, _)| {
            if uses.get(name.as_str()).copied().unwrap_or(0) > 1 && !kind.is_empty() {
                format!("{kind} {name}")
            } else {
                name.clone()
            }
        })
        .collect();
    let mut aggregated_requests: Option<f64> = None;
    for ((line, _, _, record), name) in rows.iter().zip(&names) {
        let at = format!("line {line}");
        let number = |col: usize| -> Result<Option<f64>, PerfError> {
            let text = record.get(col).unwrap_or("").trim();
            if text.is_empty() || text == "N/A" {
                return Ok(None);
            }
            text.parse::<f64>().map(Some).map_err(|_| {
                c.invalid(
                    &at,
                    format!("`{text}` in column `{}` is not a number", header[col]),
                )
            })
        };
        let mut values: Vec<(String, PerfUnit, f64)> = Vec::new();
        for (column, stat, unit) in COLUMNS {
            if let Some(col) = find(column)
                && let Some(v) = number(col)?
            {
                values.push(((*stat).to_owned(), unit.clone(), v));
            }
        }
        let get = |stat: &str, values: &[(String, PerfUnit, f64)]| {
            values.iter().find(|(s, _, _)| s == stat).map(|v| v.2)
        };
        let count = get("count", &values);
        let errors = get("errors", &values);
        if name == "Aggregated" {
            aggregated_requests = count;
        }
        if count.is_some_and(|n| n > 0.0) {
            for (col, h) in header.iter().enumerate() {
                // Percentile columns: `50%`, `99.9%`, `100%`.
                let Some(p) = h.strip_suffix('%') else {
                    continue;
                };
                if p.parse::<f64>().is_err() {
                    continue;
                }
                if let Some(v) = number(col)? {
                    values.push((format!("p{p}"), PerfUnit::Milliseconds, v));
                }
            }
            if let Some(errors) = errors {
                let n = count.unwrap_or(1.0);
                values.push(("error_rate".to_owned(), PerfUnit::Ratio, errors / n));
            }
        } else {
            // A request that never ran has no times (Locust writes 0 or N/A); only its count.
            values.retain(|(s, _, _)| s == "count" || s == "errors");
        }
        for (stat, unit, v) in values {
            c.value(name, &stat, unit, v, &at)?;
        }
        // Locust logs a failed request's response time like a successful one's: its times
        // count every request.
        if let (Some(count), Some(errors)) = (count, errors) {
            c.requests(name, requests_of(count, errors, RequestBasis::All));
        }
    }
    if aggregated_requests.is_none_or(|n| n == 0.0) {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: FORMAT.to_owned(),
            what: "requests (the `Aggregated` row is missing or counts 0)".to_owned(),
        });
    }
    c.finish(provenance(TOOL, FORMAT), RunThresholds::NotRecorded)
}
