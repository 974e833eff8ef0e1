//! Locust's `--csv PREFIX` `PREFIX_stats_history.csv`: a row every few seconds (Locust's
//! `CSV_STATS_INTERVAL_SEC`) for the whole run (`Aggregated`), and with `--csv-full-history`
//! one for each request too.
//!
//! The layout is Locust's `StatsCSV._stats_history_data_rows` (`locust/stats.py`): `Timestamp,
//! User Count, Type, Name, Requests/s, Failures/s`, the percentiles of the last seconds only
//! (`50%` ... `100%`, Locust's response-time cache), then the totals so far (`Total Request
//! Count, Total Failure Count, Total Median Response Time, Total Average Response Time, Total
//! Min Response Time, Total Max Response Time`). shipgate reads each name's last row, its
//! totals: count, errors, error rate, median, average, min and max over the run. The
//! percentile columns describe a window of seconds, not the run, and are not read; nor is the
//! throughput, which Locust writes for the window. The last row is the last periodic write and
//! can miss the run's last requests: Locust's `--json` holds the whole run.
//!
//! Totals only grow: a row whose totals are below an earlier row's of the same name (two runs'
//! histories appended into one file) is refused.
//!
//! When the run happened is the first row's `Timestamp`, as for the other formats the run's
//! start: Locust writes `int(time.time())`, whole Unix seconds, on every row, its first row when
//! the run starts (the second of its `--json` `start_time`). A `Timestamp` that is empty, not
//! whole seconds, past 9,999,999,999 (milliseconds, which would read as a run centuries from now
//! and look fresh to `max_age`), or earlier than the row before it (an edited or merged file) is
//! refused with its line: the run's age is never left out or guessed.
//!
//! The file has no end marker, but each write of it ends with its `Aggregated` row (Locust
//! writes the requests' rows, then `stats.total`'s, at Locust 2.20 and 2.47): a file whose last
//! row is another was cut inside a write, and is refused, since its names' last rows and its
//! `Aggregated` row would describe different moments. A file cut just after an `Aggregated` row
//! cannot be told from a run that ended there.
//!
//! This module must not judge the run.

use crate::collect::{Collector, requests_of};
use crate::error::PerfError;
use crate::provenance;
use crate::reader::{CUT_INSIDE_ITS_LAST_ROW, Input, LastByte, Reader, Sample};
use jiff::Timestamp;
use shipgate_model::{PerfEvidence, PerfFormat, PerfUnit, RequestBasis, RunThresholds};
use std::collections::BTreeMap;
use std::io::BufRead;

const TOOL: &str = "Locust";
const FORMAT: &str = "Locust --csv stats history";
const AGGREGATED: &str = "Aggregated";
/// The largest `Timestamp` read as Unix seconds (2286-11-20): a time in milliseconds is larger
/// from April 1970 on, and is refused rather than read as a run in the far future.
const MAX_SECONDS: i64 = 9_999_999_999;

/// The totals columns, and the stat each becomes.
const TOTALS: &[(&str, &str, PerfUnit)] = &[
    ("Total Median Response Time", "med", PerfUnit::Milliseconds),
    ("Total Average Response Time", "avg", PerfUnit::Milliseconds),
    ("Total Min Response Time", "min", PerfUnit::Milliseconds),
    ("Total Max Response Time", "max", PerfUnit::Milliseconds),
];

/// Locust's `_stats_history.csv`, recognised by its header row and read as it streams.
pub(crate) static LOCUST_HISTORY: LocustHistory = LocustHistory;

/// The reader of Locust stats histories.
pub(crate) struct LocustHistory;

impl Reader for LocustHistory {
    fn format(&self) -> PerfFormat {
        PerfFormat::Locust
    }

    fn describe(&self) -> &'static str {
        "a Locust `--csv` stats history"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Head(head) = sample else {
            return false;
        };
        let line = head.first_line_text();
        !head.is_json_object()
            && (line.starts_with("Timestamp,User Count,Type,Name,")
                || line.starts_with("\"Timestamp\",\"User Count\",\"Type\",\"Name\","))
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read(input.stream(path)?, path)
    }
}

/// A name's last row: where it is, and its totals.
struct Last {
    line: u64,
    count: f64,
    errors: f64,
    times: Vec<(&'static str, PerfUnit, f64)>,
}

/// Reads the history.
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
    let need = |name: &str| {
        find(name).ok_or_else(|| {
            c.invalid(
                "line 1",
                format!("the header row has no `{name}` column; shipgate reads the `_stats_history.csv` of Locust 1.0 and later"),
            )
        })
    };
    let (type_col, name_col) = (need("Type")?, need("Name")?);
    let timestamp_col = need("Timestamp")?;
    let (count_col, errors_col) = (need("Total Request Count")?, need("Total Failure Count")?);
    let time_cols: Vec<(&'static str, PerfUnit, usize)> = TOTALS
        .iter()
        .map(|(col, stat, unit)| need(col).map(|i| (*stat, unit.clone(), i)))
        .collect::<Result<_, _>>()?;
    let mut last: BTreeMap<(String, String), Last> = BTreeMap::new();
    // The file's last row: its line, and whether it is the `Aggregated` row a write ends with.
    let mut final_row: Option<(u64, String, bool)> = None;
    // The first row's time (the run's start), and the latest row's with its line.
    let mut started: Option<Timestamp> = None;
    let mut latest: Option<(i64, u64)> = None;
    let mut record = csv::StringRecord::new();
    loop {
        let more = csv.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            c.invalid(format!("line {line}"), format!("not valid CSV: {e}"))
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, csv::Position::line);
        let at = format!("line {line}");
        let number = |col: usize| -> Result<Option<f64>, PerfError> {
            let text = record.get(col).unwrap_or("").trim();
            if text.is_empty() || text == "N/A" {
                return Ok(None);
            }
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(Some)
                .ok_or_else(|| {
                    c.invalid(
                        &at,
                        format!("`{text}` in column `{}` is not a number", header[col]),
                    )
                })
        };
        let seconds = timestamp(record.get(timestamp_col).unwrap_or("")).map_err(|why| {
            c.invalid(
                &at,
                format!("the `Timestamp` {why}; Locust writes the time of each row in whole Unix seconds, which shipgate needs to tell when the run happened"),
            )
        })?;
        if let Some((before, before_line)) = latest
            && seconds < before
        {
            return Err(c.invalid(
                &at,
                format!("the `Timestamp` {seconds} is earlier than line {before_line}'s ({before}): Locust writes its rows in time order, so this file was edited or holds more than one run"),
            ));
        }
        latest = Some((seconds, line));
        if started.is_none() {
            started = Some(Timestamp::from_second(seconds).map_err(|e| {
                c.invalid(&at, format!("the `Timestamp` {seconds} is not a time: {e}"))
            })?);
        }
        let kind = record.get(type_col).unwrap_or("").trim().to_owned();
        let name = record.get(name_col).unwrap_or("").trim().to_owned();
        // Locust always writes both counts; an empty or `N/A` one is an edited or cut file, never
        // "no failures".
        let required = |col: usize| {
            number(col)?.ok_or_else(|| c.invalid(&at, format!("column `{}` is empty", header[col])))
        };
        let count = required(count_col)?;
        let errors = required(errors_col)?;
        if errors > count {
            return Err(c.invalid(
                &at,
                format!("{errors} failures among {count} requests: Locust counts every request, failed or not"),
            ));
        }
        let mut times = Vec::new();
        for (stat, unit, col) in &time_cols {
            if let Some(v) = number(*col)? {
                times.push((*stat, unit.clone(), v));
            }
        }
        final_row = Some((line, name.clone(), kind.is_empty() && name == AGGREGATED));
        let key = (kind, name);
        if let Some(before) = last.get(&key)
            && (count < before.count || errors < before.errors)
        {
            return Err(c.invalid(
                &at,
                format!(
                    "`{}` has {count} requests and {errors} failures, fewer than on line {} ({} and {}): the totals of one run only grow, so this file holds more than one run",
                    key.1, before.line, before.count, before.errors
                ),
            ));
        }
        last.insert(
            key,
            Last {
                line,
                count,
                errors,
                times,
            },
        );
    }
    drop(csv);
    if !tracked.ends_a_line() {
        let last = tracked.line();
        return Err(c.invalid(format!("line {last}"), CUT_INSIDE_ITS_LAST_ROW));
    }
    if let Some((line, name, false)) = &final_row {
        return Err(c.invalid(
            format!("line {line}"),
            format!(
                "the file ends with the row of `{name}`, not with an `Aggregated` row: Locust ends each write of the history with the `Aggregated` row, so the file was cut short or is still being written; copy it once the run has ended (or use `--json-file`, the whole run)"
            ),
        ));
    }
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, name) in last.keys() {
        *uses.entry(name.as_str()).or_default() += 1;
    }
    let mut aggregated = 0.0;
    for ((kind, name), row) in &last {
        let shown = if uses.get(name.as_str()).copied().unwrap_or(0) > 1 && !kind.is_empty() {
            format!("{kind} {name}")
        } else {
            name.clone()
        };
        let at = format!("line {}", row.line);
        if shown == AGGREGATED {
            aggregated = row.count;
        }
        c.value(&shown, "count", PerfUnit::Count, row.count, &at)?;
        c.value(&shown, "errors", PerfUnit::Count, row.errors, &at)?;
        if row.count > 0.0 {
            c.value(
                &shown,
                "error_rate",
                PerfUnit::Ratio,
                row.errors / row.count,
                &at,
            )?;
            for (stat, unit, v) in &row.times {
                c.value(&shown, stat, unit.clone(), *v, &at)?;
            }
        }
        // Locust times failed requests like successful ones.
        c.requests(
            &shown,
            requests_of(row.count, row.errors, RequestBasis::All),
        );
    }
    if aggregated == 0.0 {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: FORMAT.to_owned(),
            what: "requests (the last `Aggregated` row is missing or counts 0)".to_owned(),
        });
    }
    let mut p = provenance(TOOL, FORMAT);
    p.run_at = started;
    c.finish(p, RunThresholds::NotRecorded)
}

/// A row's `Timestamp`: whole Unix seconds, from 1 to [`MAX_SECONDS`]; else why not.
fn timestamp(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is empty".to_owned());
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not whole seconds"));
    }
    match text.parse::<i64>() {
        Ok(s) if (1..=MAX_SECONDS).contains(&s) => Ok(s),
        Ok(0) => Err("is 0, not a time".to_owned()),
        _ => Err(format!(
            "`{text}` is past {MAX_SECONDS} (the year 2286): a time in milliseconds?"
        )),
    }
}
