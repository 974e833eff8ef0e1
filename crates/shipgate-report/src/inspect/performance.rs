//! `shipgate inspect perf`: a load-test file as the gate sees it, before any policy applies:
//! where it comes from, whether the run met its own thresholds, and every metric with its unit,
//! direction and number of raw samples.

use crate::ansi::{Paint, Tone};
use crate::gate::short_sha;
use crate::measure::{Unit, grouped, number};
use crate::text::{one_line, pad, pad_left};
use crate::{RenderOptions, ReportError};
use serde::Serialize;
use shipgate_model::{
    PerfEvidence, PerfProvenance, PerfUnit, RequestBasis, Requests, RunThresholds,
};

/// The JSON document of `shipgate inspect perf --format json`.
#[derive(Serialize)]
struct Inspection<'a> {
    path: &'a str,
    sha256: &'a str,
    bytes: u64,
    provenance: &'a PerfProvenance,
    thresholds: &'a RunThresholds,
    metrics: Vec<MetricEntry<'a>>,
}

#[derive(Serialize)]
struct MetricEntry<'a> {
    name: &'a str,
    value: f64,
    unit: &'a str,
    direction: Option<&'a str>,
    samples: u64,
    /// For a figure of requests: how many there were, how many failed, and which it is of.
    #[serde(skip_serializing_if = "Option::is_none")]
    requests: Option<&'a Requests>,
}

/// What `shipgate inspect perf` shows of one file.
pub struct PerfInspection<'a> {
    /// The path as given.
    pub path: &'a str,
    /// Hex SHA-256 of the file read.
    pub sha256: &'a str,
    /// Its size.
    pub bytes: u64,
    /// What was read.
    pub evidence: &'a PerfEvidence,
}

fn entries<'a>(e: &'a PerfEvidence) -> Vec<MetricEntry<'a>> {
    e.metrics
        .iter()
        .map(|(name, m)| MetricEntry {
            name,
            value: m.value,
            unit: m.unit.as_str(),
            direction: m.direction.map(|d| d.as_str()),
            samples: e.sample_count(m),
            requests: m.requests.as_ref(),
        })
        .collect()
}

/// Renders the inspection as pretty JSON with a trailing newline.
pub fn render_perf_inspection_json(i: &PerfInspection<'_>) -> Result<String, ReportError> {
    let doc = Inspection {
        path: i.path,
        sha256: i.sha256,
        bytes: i.bytes,
        provenance: &i.evidence.provenance,
        thresholds: &i.evidence.thresholds,
        metrics: entries(i.evidence),
    };
    let mut json = serde_json::to_string_pretty(&doc).map_err(|source| ReportError::Json {
        what: "performance inspection",
        source,
    })?;
    json.push('\n');
    Ok(json)
}

/// A metric's value in its unit, as the reports write it (`45ms`, `1.25%`, `812.5 /s`).
fn shown(value: f64, unit: &PerfUnit) -> String {
    match unit {
        PerfUnit::Milliseconds => number(value / 1000.0, Unit::Seconds, 1),
        PerfUnit::Ratio => number(value, Unit::Ratio, 1),
        PerfUnit::Count => number(value, Unit::Count, 0),
        PerfUnit::Number => number(value, Unit::Plain, 0),
        other => number(value, Unit::Other(other.as_str()), 0),
    }
}

/// The failed share of a figure's requests, `0.25% of 1,200`, starred when the figure counts
/// the failed requests too; `—` for a figure that is not of requests or whose file does not say.
fn failed(requests: Option<&Requests>) -> String {
    let Some(r) = requests else {
        return "—".to_owned();
    };
    let share = r
        .failed_share()
        .map_or_else(|| "—".to_owned(), |s| number(s, Unit::Ratio, 2));
    let star = if r.basis == RequestBasis::All {
        "*"
    } else {
        ""
    };
    format!("{share} of {}{star}", grouped(r.total))
}

/// Renders the inspection as a header and a table of metrics.
pub fn render_perf_inspection_human(i: &PerfInspection<'_>, options: &RenderOptions) -> String {
    let paint = Paint {
        enabled: options.color,
    };
    let e = i.evidence;
    let p = &e.provenance;
    let mut out = Vec::new();
    out.push(format!(
        "{} — {}",
        paint.paint(Tone::Strong, &one_line(i.path)),
        one_line(&p.format)
    ));
    let mut tool = one_line(&p.tool);
    if let Some(v) = &p.tool_version {
        tool.push_str(&format!(" {}", one_line(v)));
    }
    let mut facts = vec![
        format!("tool: {tool}"),
        format!("sha256 {}", one_line(short_sha(i.sha256))),
        format!("{} bytes", grouped(i.bytes)),
    ];
    if let Some(t) = p.run_at {
        facts.push(format!("run at {t}"));
    }
    out.push(facts.join(" · "));
    if let Some(at) = p.promoted_at {
        let mut line = format!(
            "baseline promoted {at} from `{}` (sha256 {})",
            one_line(&p.source_path),
            one_line(short_sha(&p.source_sha256))
        );
        if let Some(r) = &p.release_version {
            line.push_str(&format!(", release {}", one_line(r)));
        }
        if let Some(c) = &p.commit {
            line.push_str(&format!(", commit {}", one_line(c)));
        }
        if p.forced {
            line.push_str(", forced past failed thresholds");
        }
        out.push(line);
    } else if p.commit.is_some() || p.release_version.is_some() {
        out.push(format!(
            "measured release {}, commit {}",
            p.release_version
                .as_deref()
                .map_or("—".to_owned(), one_line),
            p.commit.as_deref().map_or("—".to_owned(), one_line)
        ));
    }
    match &e.thresholds {
        RunThresholds::NotRecorded => {
            out.push("the run's own thresholds: not recorded in this format".to_owned());
        }
        RunThresholds::Recorded {
            passed,
            failed,
            unverifiable,
        } => {
            let mut line = format!(
                "the run's own thresholds: {} passed, {} failed",
                passed.len(),
                failed.len()
            );
            if !unverifiable.is_empty() {
                line.push_str(&format!(
                    ", {} not verifiable from this file",
                    unverifiable.len()
                ));
            }
            out.push(if failed.is_empty() && unverifiable.is_empty() {
                line
            } else {
                paint.paint(Tone::Bad, &line)
            });
            for f in failed {
                out.push(format!("  failed: {}", one_line(f)));
            }
            for u in unverifiable {
                out.push(format!("  not verifiable: {}", one_line(u)));
            }
        }
    }
    out.push(String::new());

    let rows: Vec<[String; 5]> = e
        .metrics
        .iter()
        .map(|(name, m)| {
            [
                one_line(name),
                shown(m.value, &m.unit),
                m.unit.as_str().to_owned(),
                m.direction.map_or("—", |d| d.as_str()).to_owned(),
                failed(m.requests.as_ref()),
            ]
        })
        .collect();
    const HEADERS: [&str; 5] = ["METRIC", "VALUE", "UNIT", "BETTER", "FAILED"];
    let widths: Vec<usize> = (0..5)
        .map(|c| {
            rows.iter()
                .map(|r| crate::text::width(&r[c]))
                .chain([HEADERS[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 5]| {
        format!(
            "{}  {}  {}  {}  {}",
            pad(cells[0], widths[0]),
            pad_left(cells[1], widths[1]),
            pad(cells[2], widths[2]),
            pad(cells[3], widths[3]),
            pad_left(cells[4], widths[4])
        )
        .trim_end()
        .to_owned()
    };
    out.push(paint.paint(Tone::Faint, &line(HEADERS)));
    for r in &rows {
        out.push(line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    out.push(String::new());
    out.push(format!(
        "{} metrics; FAILED is the failed share of the requests behind a latency or a throughput (* the figure counts the failed requests too: the file does not tell their times apart)",
        grouped(rows.len() as u64),
    ));
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// What `shipgate inspect perf` shows of a baseline of several runs: each run as read from its
/// own file (checked against the manifest), and its figures side by side.
pub struct BaselineInspection<'a> {
    /// The manifest, as given.
    pub path: &'a str,
    /// Hex SHA-256 of the manifest.
    pub sha256: &'a str,
    /// Its size.
    pub bytes: u64,
    /// The runs, oldest first.
    pub runs: Vec<BaselineRunInspection<'a>>,
}

/// One run of a baseline, as read from its kept file.
pub struct BaselineRunInspection<'a> {
    /// The kept file, as named in messages.
    pub file: &'a str,
    /// Hex SHA-256 of that file.
    pub sha256: &'a str,
    /// Its size.
    pub bytes: u64,
    /// What was read from it, with what the promotion recorded.
    pub evidence: &'a PerfEvidence,
}

#[derive(Serialize)]
struct BaselineDoc<'a> {
    path: &'a str,
    sha256: &'a str,
    bytes: u64,
    runs: Vec<BaselineRunDoc<'a>>,
}

#[derive(Serialize)]
struct BaselineRunDoc<'a> {
    file: &'a str,
    sha256: &'a str,
    bytes: u64,
    provenance: &'a PerfProvenance,
    thresholds: &'a RunThresholds,
    metrics: Vec<MetricEntry<'a>>,
}

/// Renders a baseline of several runs as pretty JSON with a trailing newline: the manifest, and
/// each run with its file, provenance, thresholds and metrics.
pub fn render_baseline_inspection_json(i: &BaselineInspection<'_>) -> Result<String, ReportError> {
    let doc = BaselineDoc {
        path: i.path,
        sha256: i.sha256,
        bytes: i.bytes,
        runs: i
            .runs
            .iter()
            .map(|r| BaselineRunDoc {
                file: r.file,
                sha256: r.sha256,
                bytes: r.bytes,
                provenance: &r.evidence.provenance,
                thresholds: &r.evidence.thresholds,
                metrics: entries(r.evidence),
            })
            .collect(),
    };
    let mut json = serde_json::to_string_pretty(&doc).map_err(|source| ReportError::Json {
        what: "baseline inspection",
        source,
    })?;
    json.push('\n');
    Ok(json)
}

/// Renders a baseline of several runs: each run (its file, tool, when it ran and was promoted,
/// the release and commit, its own thresholds), then a table of every metric's value in each run
/// and their mean, which is what the gate compares a release with.
pub fn render_baseline_inspection_human(
    i: &BaselineInspection<'_>,
    options: &RenderOptions,
) -> String {
    let paint = Paint {
        enabled: options.color,
    };
    let mut out = vec![
        format!(
            "{} — shipgate baseline of {} runs",
            paint.paint(Tone::Strong, &one_line(i.path)),
            i.runs.len()
        ),
        format!(
            "sha256 {} · {} bytes",
            one_line(short_sha(i.sha256)),
            grouped(i.bytes)
        ),
        String::new(),
    ];
    for (n, r) in i.runs.iter().enumerate() {
        let p = &r.evidence.provenance;
        out.push(format!(
            "RUN {} `{}` — {}, {} · sha256 {} · {} bytes",
            n + 1,
            one_line(r.file),
            one_line(&p.tool),
            one_line(&p.format),
            one_line(short_sha(r.sha256)),
            grouped(r.bytes)
        ));
        let ran = p.run_at.map_or_else(
            || "ran: the file does not say when".to_owned(),
            |t| format!("ran {t}"),
        );
        let mut facts = vec![ran];
        if let Some(t) = p.promoted_at {
            facts.push(format!("promoted {t} from `{}`", one_line(&p.source_path)));
        }
        facts.push(format!(
            "release {}",
            p.release_version
                .as_deref()
                .map_or("—".to_owned(), one_line)
        ));
        facts.push(format!(
            "commit {}",
            p.commit.as_deref().map_or("—".to_owned(), one_line)
        ));
        out.push(format!("  {}", facts.join(" · ")));
        if p.forced {
            out.push(format!(
                "  {}",
                paint.paint(Tone::Bad, "FORCED past failed or unverifiable thresholds")
            ));
        }
        let t = &r.evidence.thresholds;
        out.push(match t {
            RunThresholds::NotRecorded => {
                "  own thresholds: not recorded in this format".to_owned()
            }
            RunThresholds::Recorded {
                passed,
                failed,
                unverifiable,
            } => format!(
                "  own thresholds: {} passed, {} failed, {} not verifiable from the file",
                passed.len(),
                failed.len(),
                unverifiable.len()
            ),
        });
    }
    out.push(String::new());
    // Every metric of any run, its value in each (— where a run lacks it), and the mean where
    // every run has it in one unit.
    let mut names: Vec<&str> = i
        .runs
        .iter()
        .flat_map(|r| r.evidence.metrics.keys().map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    let columns = i.runs.len() + 3;
    let rows: Vec<Vec<String>> = names
        .iter()
        .map(|name| {
            let metrics: Vec<_> = i
                .runs
                .iter()
                .map(|r| r.evidence.metrics.get(*name))
                .collect();
            let mut row = vec![one_line(name)];
            row.extend(
                metrics
                    .iter()
                    .map(|m| m.map_or("—".to_owned(), |m| shown(m.value, &m.unit))),
            );
            let all: Option<Vec<_>> = metrics.iter().copied().collect();
            let mean = all.and_then(|all| {
                let unit = &all.first()?.unit;
                if all.iter().any(|m| m.unit != *unit) {
                    return None;
                }
                let values: Vec<f64> = all.iter().map(|m| m.value).collect();
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "a baseline keeps a handful of runs"
                )]
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                Some(shown(mean, unit))
            });
            row.push(mean.unwrap_or_else(|| "—".to_owned()));
            row.push(
                metrics
                    .iter()
                    .find_map(|m| m.map(|m| m.unit.as_str().to_owned()))
                    .unwrap_or_default(),
            );
            row
        })
        .collect();
    let mut headers = vec!["METRIC".to_owned()];
    headers.extend((1..=i.runs.len()).map(|n| format!("RUN {n}")));
    headers.push("MEAN".to_owned());
    headers.push("UNIT".to_owned());
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .chain([&headers])
                .map(|r| r.get(c).map_or(0, |s| crate::text::width(s)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if c == 0 || c + 1 == columns {
                    pad(cell, *w)
                } else {
                    pad_left(cell, *w)
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    out.push(paint.paint(Tone::Faint, &line(&headers)));
    for r in &rows {
        out.push(line(r));
    }
    out.push(String::new());
    out.push(format!(
        "{} metrics in {} runs; the gate compares a release with the mean of the runs within `max_age` (each run read from its own file, checked against its hash). `shipgate inspect perf RUN_FILE` shows one run's requests and failed share",
        grouped(rows.len() as u64),
        i.runs.len()
    ));
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::{Direction, PerfMetric, SampleRef, SampleStat};
    use std::collections::BTreeMap;

    fn evidence() -> PerfEvidence {
        let mut metrics = BTreeMap::new();
        metrics.insert(
            "checkout.p95".to_owned(),
            PerfMetric {
                unit: PerfUnit::Milliseconds,
                direction: Some(Direction::Lower),
                value: 45.2,
                samples: Some(SampleRef {
                    series: "checkout".into(),
                    stat: SampleStat::Percentile(95.0),
                }),
                requests: Some(shipgate_model::Requests {
                    total: 1440,
                    failed: 18,
                    basis: RequestBasis::Successful,
                }),
            },
        );
        metrics.insert(
            "checkout.error_rate".to_owned(),
            PerfMetric {
                unit: PerfUnit::Ratio,
                direction: Some(Direction::Lower),
                value: 0.0125,
                samples: None,
                requests: None,
            },
        );
        metrics.insert(
            "\u{1b}[31mevil\u{7}.throughput".to_owned(),
            PerfMetric {
                unit: PerfUnit::PerSecond,
                direction: None,
                value: 812.5,
                samples: None,
                requests: None,
            },
        );
        let mut series = BTreeMap::new();
        series.insert("checkout".to_owned(), vec![40.0; 1440]);
        PerfEvidence {
            path: "perf/baseline.json".into(),
            provenance: PerfProvenance {
                tool: "Apache JMeter".into(),
                tool_version: None,
                format: "JMeter JTL (CSV)".into(),
                source_path: "perf/run.jtl".into(),
                source_sha256: "ab".repeat(32),
                source_bytes: 1234,
                run_at: None,
                commit: Some("3f2a9c1".into()),
                release_version: Some("2.4.0".into()),
                promoted_at: Some("2026-11-24T10:00:00Z".parse().unwrap()),
                forced: false,
            },
            metrics,
            series,
            sample_counts: BTreeMap::new(),
            thresholds: RunThresholds::Recorded {
                passed: vec![],
                failed: vec!["http_req_duration: p(99)<40".into()],
                unverifiable: vec![],
            },
        }
    }

    #[test]
    fn human_table() {
        let e = evidence();
        let text = render_perf_inspection_human(
            &PerfInspection {
                path: "perf/baseline.json",
                sha256: &"cd".repeat(32),
                bytes: 98_765,
                evidence: &e,
            },
            &RenderOptions::default(),
        );
        insta::assert_snapshot!(text);
        assert!(
            !text.contains('\u{1b}'),
            "no escape byte from hostile metric names"
        );
    }

    #[test]
    fn json_lists_every_metric() {
        let e = evidence();
        let text = render_perf_inspection_json(&PerfInspection {
            path: "perf/baseline.json",
            sha256: "cd",
            bytes: 1,
            evidence: &e,
        })
        .unwrap();
        let v: serde_json::Value = shipgate_json::parse_value(text.as_bytes()).unwrap();
        assert_eq!(v["metrics"].as_array().unwrap().len(), 3);
        let p95 = v["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "checkout.p95")
            .unwrap();
        assert_eq!(p95["samples"], 1440);
        assert_eq!(p95["unit"], "ms");
        assert_eq!(v["provenance"]["commit"], "3f2a9c1");
        assert_eq!(v["thresholds"]["state"], "recorded");
    }
}
