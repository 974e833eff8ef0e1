//! Gatling (up to 3.13.4): the report's `js/stats.json` (a tree of groups and requests) and
//! `js/global_stats.json` (the global figures only).
//!
//! Every node has the same statistics (`numberOfRequests`, `minResponseTime`, ...,
//! `percentiles1..4`, `meanNumberOfRequestsPerSecond`), each as `{total, ok, ko}`: shipgate reads
//! the response times of the successful requests (`ok`) and the counts and throughput of every
//! request (`total`). `percentiles1..4` are the 50th, 75th, 95th and 99th percentiles unless
//! `gatling.charting.indicators.percentile1..4` were changed. The root is named as Gatling names
//! it (`All Requests`, or `Global Information` before 3.x); requests by their `path`
//! (`Checkout / pay` inside a group). Gatling writes summaries only (no raw samples).

use crate::collect::{Collector, requests_of};
use crate::error::PerfError;
use crate::provenance;
use crate::reader::{Input, Reader, Sample};
use serde_json::Value;
use shipgate_model::{PerfEvidence, PerfFormat, PerfUnit, RequestBasis, RunThresholds};

const TOOL: &str = "Gatling";

/// Each statistic and the stat it becomes.
const STATS: &[(&str, &str, PerfUnit)] = &[
    ("numberOfRequests", "count", PerfUnit::Count),
    ("minResponseTime", "min", PerfUnit::Milliseconds),
    ("maxResponseTime", "max", PerfUnit::Milliseconds),
    ("meanResponseTime", "avg", PerfUnit::Milliseconds),
    ("standardDeviation", "stddev", PerfUnit::Milliseconds),
    ("percentiles1", "p50", PerfUnit::Milliseconds),
    ("percentiles2", "p75", PerfUnit::Milliseconds),
    ("percentiles3", "p95", PerfUnit::Milliseconds),
    ("percentiles4", "p99", PerfUnit::Milliseconds),
    (
        "meanNumberOfRequestsPerSecond",
        "throughput",
        PerfUnit::PerSecond,
    ),
];

/// Gatling's `js/stats.json` (a `GROUP` with its `stats`) or `js/global_stats.json`.
pub(crate) static GATLING_STATS: GatlingStats = GatlingStats;

/// The reader of Gatling stats.
pub(crate) struct GatlingStats;

impl Reader for GatlingStats {
    fn format(&self) -> PerfFormat {
        PerfFormat::Gatling
    }

    fn describe(&self) -> &'static str {
        "a Gatling stats.json or global_stats.json"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Json(obj) = sample else {
            return false;
        };
        (obj.get("type").and_then(Value::as_str) == Some("GROUP") && obj.contains_key("stats"))
            || obj.contains_key("numberOfRequests")
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read(&input.document(path)?, path)
    }
}

/// Reads `stats.json` or `global_stats.json`.
pub(crate) fn read(doc: &Value, path: &str) -> Result<PerfEvidence, PerfError> {
    let is_tree = doc.get("type").and_then(Value::as_str) == Some("GROUP");
    let format = if is_tree {
        "Gatling stats.json"
    } else {
        "Gatling global_stats.json"
    };
    let mut c = Collector::new(PerfFormat::Gatling, path, format);
    let root_requests = if is_tree {
        let root = doc
            .get("stats")
            .ok_or_else(|| c.invalid("the top level", "has no `stats`"))?;
        let count = node(&mut c, root, None, "stats")?;
        walk(&mut c, doc.get("contents"), "contents")?;
        count
    } else {
        node(&mut c, doc, None, "the top level")?
    };
    if root_requests == 0.0 {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: format.to_owned(),
            what: "requests".to_owned(),
        });
    }
    c.finish(provenance(TOOL, format), RunThresholds::NotRecorded)
}

fn walk(c: &mut Collector, contents: Option<&Value>, at: &str) -> Result<(), PerfError> {
    let Some(contents) = contents else {
        return Ok(());
    };
    let Some(children) = contents.as_object() else {
        return Err(c.invalid(at, "expected an object of groups and requests"));
    };
    for (key, child) in children {
        let at = format!("{at}.{key}");
        let name = child
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .or_else(|| child.get("name").and_then(Value::as_str))
            .ok_or_else(|| c.invalid(&at, "has no `path` or `name`"))?
            .to_owned();
        let stats = child
            .get("stats")
            .ok_or_else(|| c.invalid(&at, "has no `stats`"))?;
        node(c, stats, Some(&name), &format!("{at}.stats"))?;
        if child.get("type").and_then(Value::as_str) == Some("GROUP") {
            walk(c, child.get("contents"), &format!("{at}.contents"))?;
        }
    }
    Ok(())
}

/// Adds one node's statistics; returns its number of requests.
fn node(c: &mut Collector, stats: &Value, name: Option<&str>, at: &str) -> Result<f64, PerfError> {
    let name = match name {
        Some(n) => n.to_owned(),
        None => stats
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| c.invalid(at, "has no `name`"))?
            .to_owned(),
    };
    let count = part(c, stats, "numberOfRequests", "total", at)?
        .ok_or_else(|| c.invalid(at, "has no `numberOfRequests.total`"))?;
    let failed = ko(c, stats, "numberOfRequests", at)?;
    let succeeded = part(c, stats, "numberOfRequests", "ok", at)?;
    // The response times of the successful requests (`ok`), where the file has them and any
    // request succeeded; else every request's (`total`), marked as such.
    let basis = match (failed, succeeded) {
        (Some(0.0), _) => RequestBasis::Successful,
        (Some(_), Some(ok)) if ok > 0.0 => RequestBasis::Successful,
        _ => RequestBasis::All,
    };
    for (field, stat, unit) in STATS {
        if count == 0.0 && *field != "numberOfRequests" {
            continue;
        }
        let times = *unit == PerfUnit::Milliseconds;
        // Without a failure `ok` is `total`.
        let which = if times && basis == RequestBasis::Successful && failed != Some(0.0) {
            "ok"
        } else {
            "total"
        };
        if let Some(v) = part(c, stats, field, which, at)? {
            c.value(
                &name,
                stat,
                unit.clone(),
                v,
                &format!("{at}.{field}.{which}"),
            )?;
        }
    }
    if let Some(ko) = failed {
        c.value(&name, "errors", PerfUnit::Count, ko, at)?;
        if count > 0.0 {
            c.value(&name, "error_rate", PerfUnit::Ratio, ko / count, at)?;
            c.requests(&name, requests_of(count, ko, basis));
        }
    }
    Ok(count)
}

/// `stats.<field>.<which>` (`total` or `ok`) as a number. Gatling writes numbers in stats.json
/// and, in older versions and stats.js, strings (`"388"`, `"-"` for no value).
fn part(
    c: &Collector,
    stats: &Value,
    field: &str,
    which: &str,
    at: &str,
) -> Result<Option<f64>, PerfError> {
    let Some(v) = stats.get(field).and_then(|f| f.get(which)) else {
        return Ok(None);
    };
    number(v).map_err(|text| {
        c.invalid(
            format!("{at}.{field}.{which}"),
            format!("`{text}` is not a number"),
        )
    })
}

/// `stats.<field>.ko`, the failed requests: `None` when the file has no `ko`. One that is there
/// but is not a number is refused rather than skipped, since the error rate would go missing.
fn ko(c: &Collector, stats: &Value, field: &str, at: &str) -> Result<Option<f64>, PerfError> {
    let Some(v) = stats.get(field).and_then(|f| f.get("ko")) else {
        return Ok(None);
    };
    match number(v) {
        Ok(Some(n)) => Ok(Some(n)),
        Ok(None) | Err(_) => Err(c.invalid(
            format!("{at}.{field}.ko"),
            format!("`{v}` is not a number of failed requests"),
        )),
    }
}

fn number(v: &Value) -> Result<Option<f64>, String> {
    match v {
        Value::Number(n) => n.as_f64().map(Some).ok_or_else(|| n.to_string()),
        Value::String(s) => {
            let t: String = s.trim().chars().filter(|ch| *ch != ',').collect();
            if t == "-" || t.is_empty() {
                Ok(None)
            } else {
                t.parse::<f64>().map(Some).map_err(|_| s.clone())
            }
        }
        Value::Null => Ok(None),
        other => Err(other.to_string()),
    }
}
