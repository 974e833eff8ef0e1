//! `leakage.rate` and the `shipgate leakage` report: production ÷ (production + pre-production)
//! defects created in a window. Defects whose origin is unknown are not in the rate; they are
//! counted beside it (and `defects.classified` blocks on them). Defects the tracker closed as not
//! being defects (duplicates, not a bug) are in neither part of the rate, and listed with why.

use super::defects::{
    defect_entry, in_window, insert_defects, insert_not_defects, split_not_defects, window_start,
};
use super::result::{CheckRun, plural, ratio, thousands};
use crate::defects::CriticalPathDefects;
use crate::raw::{CheckSettings, CriticalPath};
use crate::values::{Percent, format_duration, format_percent};
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::CheckUnit;
use shipgate_model::{
    CheckResult, Defect, DefectEvidence, LeakageReport, LeakageRow, Origin, SourceState,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// Whether a defect is on a critical path: one of its components or labels is listed there.
pub(crate) fn on_path(d: &Defect, path: &CriticalPathDefects) -> bool {
    let any = |mine: &[String], listed: &[String]| {
        mine.iter().any(|m| {
            listed
                .iter()
                .any(|l| l.trim().eq_ignore_ascii_case(m.trim()))
        })
    };
    any(&d.components, &path.components) || any(&d.labels, &path.labels)
}

fn row<'a>(group: &str, defects: impl Iterator<Item = &'a Defect>) -> LeakageRow {
    let mut r = LeakageRow {
        group: group.to_owned(),
        ..LeakageRow::default()
    };
    for d in defects {
        r.count_defect(d);
    }
    r.finish();
    r
}

fn row_details(r: &LeakageRow) -> Value {
    json!({
        "production": r.production,
        "pre_production": r.pre_production,
        "unclassified": r.unclassified,
        "not_defects": r.not_defects,
        "rate": r.rate.map(|x| (x * 1e6).round() / 1e6),
    })
}

/// One rate against its limit: whether it passes, and the sentence that says so.
fn judge(what: &str, r: &LeakageRow, max: Percent) -> (bool, String) {
    let classified = r.production + r.pre_production;
    if classified == 0 {
        if r.unclassified > 0 {
            return (
                false,
                format!(
                    "{what}: none of the {} defects in the window has a known origin, so leakage cannot be measured",
                    thousands(r.unclassified)
                ),
            );
        }
        return (
            true,
            format!("{what}: no defect was created in the window (0 of 0)"),
        );
    }
    let passed = max.not_exceeded_by(r.production, classified);
    (
        passed,
        format!(
            "{what}: {} of {} classified defects were found in production ({}); the maximum is {max}",
            thousands(r.production),
            thousands(classified),
            format_percent(r.production as f64 / classified as f64),
        ),
    )
}

/// The limits of `leakage.rate`: the overall rate, the critical-path rate, or both. Built only
/// with at least one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LeakageLimits {
    max_rate: Option<Percent>,
    max_rate_critical_paths: Option<Percent>,
}

impl LeakageLimits {
    /// The limits, or `None` when neither is set (the check would measure nothing).
    pub(crate) fn new(overall: Option<Percent>, critical_paths: Option<Percent>) -> Option<Self> {
        (overall.is_some() || critical_paths.is_some()).then_some(Self {
            max_rate: overall,
            max_rate_critical_paths: critical_paths,
        })
    }
}

pub(crate) fn rate(
    options: &LeakageLimits,
    window: Duration,
    paths: &BTreeMap<String, CriticalPath>,
    settings: CheckSettings,
    defects: &SourceState<DefectEvidence>,
    now: Timestamp,
) -> CheckResult {
    let check = CheckRun::new("leakage.rate", settings).with_unit(CheckUnit::Ratio);
    let threshold = json!(
        options
            .max_rate
            .or(options.max_rate_critical_paths)
            .map(Percent::as_f64)
    );
    let evidence = match check.source(defects, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let window_text = format_duration(window);
    let (considered, excluded) = split_not_defects(in_window(evidence, now, window));
    let overall = row("total", considered.iter().chain(&excluded).copied());
    let mut details = Map::new();
    details.insert("window".into(), json!(window_text));
    details.insert("from".into(), json!(window_start(now, window).to_string()));
    details.insert("production".into(), json!(overall.production));
    details.insert("pre_production".into(), json!(overall.pre_production));
    details.insert("unclassified".into(), json!(overall.unclassified));
    let left_out = insert_not_defects(&mut details, &excluded, now);
    insert_defects(
        &mut details,
        "production_defects",
        considered
            .iter()
            .copied()
            .filter(|d| d.origin == Origin::Production),
        now,
        defect_entry,
    );
    let mut verdicts: Vec<(bool, String)> = Vec::new();
    if let Some(max) = options.max_rate {
        verdicts.push(judge(
            &format!("defect leakage over the last {window_text}"),
            &overall,
            max,
        ));
    }
    let mut observed = ratio(
        overall.production,
        overall.production + overall.pre_production,
    );
    if let Some(max) = options.max_rate_critical_paths {
        // Over every defect of the window, so that those left out are counted beside the rate.
        let all: Vec<&Defect> = considered.iter().chain(&excluded).copied().collect();
        let (critical, critical_details) = critical_paths_row(paths, &all, max);
        details.insert("critical_paths".into(), critical_details);
        if options.max_rate.is_none() {
            observed = ratio(
                critical.production,
                critical.production + critical.pre_production,
            );
        }
        verdicts.push(judge("on critical paths", &critical, max));
    }
    let passed = verdicts.iter().all(|(p, _)| *p);
    let message = leakage_message(&verdicts, &overall, left_out);
    let remedy = (!passed).then(|| {
        "leakage is a trend, not a single fix: write a regression test for each production defect listed in the details (see `traceability.production-defects`), test the paths they came from before release, and re-baseline with `shipgate leakage --by month`; a release that must ship anyway needs an approved, time-boxed waiver".to_owned()
    });
    check.measured(
        passed,
        observed,
        threshold,
        CheckUnit::Ratio,
        message,
        remedy,
        details,
    )
}

/// The leakage over the defects on any critical path that maps its defects, and its details:
/// that row, the maximum, and one row per path.
fn critical_paths_row(
    paths: &BTreeMap<String, CriticalPath>,
    all: &[&Defect],
    max: Percent,
) -> (LeakageRow, Value) {
    let mapped: Vec<(&String, &CriticalPathDefects)> = paths
        .iter()
        .filter_map(|(name, p)| p.defects.as_ref().map(|d| (name, d)))
        .collect();
    let critical = row(
        "critical paths",
        all.iter()
            .copied()
            .filter(|d| mapped.iter().any(|(_, p)| on_path(d, p))),
    );
    let mut per_path = Map::new();
    for (name, p) in &mapped {
        per_path.insert(
            (*name).clone(),
            row_details(&row(name, all.iter().copied().filter(|d| on_path(d, p)))),
        );
    }
    let mut c = match row_details(&critical) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    c.insert("max_rate".into(), json!(max.as_f64()));
    c.insert("paths".into(), Value::Object(per_path));
    (critical, Value::Object(c))
}

/// Each verdict's sentence, then the defects not counted beside them.
fn leakage_message(
    verdicts: &[(bool, String)],
    overall: &LeakageRow,
    left_out: Option<String>,
) -> String {
    let mut message = verdicts
        .iter()
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let mut beside = Vec::new();
    if overall.unclassified > 0 {
        beside.push(format!(
            "{} of unknown origin {} not counted",
            plural(overall.unclassified, "defect", "defects"),
            if overall.unclassified == 1 {
                "is"
            } else {
                "are"
            }
        ));
    }
    beside.extend(left_out);
    if !beside.is_empty() {
        message.push_str(&format!(" ({})", beside.join("; ")));
    }
    message
}

/// How `shipgate leakage` groups its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeakageGrouping {
    /// One row per calendar month (UTC) of the window, oldest first, empty months included.
    Month,
    /// One row per severity, worst first.
    Severity,
    /// One row per component (a defect in two components counts in both); `(none)` for none.
    Component,
    /// One row per sprint or release the defect was introduced in (`sources.defects.introduced_in`);
    /// `(not set)` for none.
    IntroducedIn,
}

impl LeakageGrouping {
    /// Every grouping, as the command line lists them.
    pub const ALL: [LeakageGrouping; 4] = [
        LeakageGrouping::Month,
        LeakageGrouping::Severity,
        LeakageGrouping::Component,
        LeakageGrouping::IntroducedIn,
    ];

    /// What the rows are, for `--help`.
    pub fn describe(self) -> &'static str {
        match self {
            LeakageGrouping::Month => "One row per calendar month, oldest first: the trend",
            LeakageGrouping::Severity => "One row per severity",
            LeakageGrouping::Component => "One row per component",
            LeakageGrouping::IntroducedIn => {
                "One row per sprint or release the defects were introduced in (`sources.defects.introduced_in`)"
            }
        }
    }

    /// The name used on the command line and in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            LeakageGrouping::Month => "month",
            LeakageGrouping::Severity => "severity",
            LeakageGrouping::Component => "component",
            LeakageGrouping::IntroducedIn => "introduced-in",
        }
    }
}

/// The leakage baseline and trend over `window` ending at `now`, grouped by `by`.
pub fn leakage_report(
    evidence: &DefectEvidence,
    window: Duration,
    by: LeakageGrouping,
    now: Timestamp,
) -> LeakageReport {
    // Every defect of the window: rows count those closed as not defects beside the rate.
    let considered: Vec<&Defect> = in_window(evidence, now, window).collect();
    let from = window_start(now, window);
    let mut not_defects_by_reason = BTreeMap::new();
    for d in &considered {
        if let Some(n) = d.closed_as_not_a_defect() {
            *not_defects_by_reason.entry(n.reason()).or_insert(0) += 1;
        }
    }
    let mut rows: Vec<LeakageRow> = match by {
        LeakageGrouping::Month => {
            let mut months: BTreeMap<String, Vec<&Defect>> = BTreeMap::new();
            let utc = |t: Timestamp| jiff::tz::TimeZone::UTC.to_datetime(t);
            let (mut y, mut m) = (utc(from).year(), utc(from).month());
            let (end_y, end_m) = (utc(now).year(), utc(now).month());
            while (y, m) <= (end_y, end_m) {
                months.insert(format!("{y:04}-{m:02}"), Vec::new());
                (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            }
            for d in &considered {
                let z = utc(d.created);
                months
                    .entry(format!("{:04}-{:02}", z.year(), z.month()))
                    .or_default()
                    .push(d);
            }
            months
                .into_iter()
                .map(|(k, v)| row(&k, v.into_iter()))
                .collect()
        }
        LeakageGrouping::Severity => shipgate_model::Severity::ALL
            .iter()
            .map(|s| {
                row(
                    s.as_str(),
                    considered.iter().copied().filter(|d| d.severity == *s),
                )
            })
            .collect(),
        LeakageGrouping::Component | LeakageGrouping::IntroducedIn => {
            let (values, none): (fn(&Defect) -> &Vec<String>, &str) = match by {
                LeakageGrouping::Component => (|d| &d.components, "(none)"),
                _ => (|d| &d.introduced_in, "(not set)"),
            };
            let mut groups: BTreeMap<String, Vec<&Defect>> = BTreeMap::new();
            for d in &considered {
                let names = values(d);
                if names.is_empty() {
                    groups.entry(none.to_owned()).or_default().push(d);
                }
                for n in names {
                    groups.entry(n.clone()).or_default().push(d);
                }
            }
            let mut rows: Vec<LeakageRow> = groups
                .into_iter()
                .map(|(k, v)| row(&k, v.into_iter()))
                .collect();
            rows.sort_by(|a, b| {
                b.production
                    .cmp(&a.production)
                    .then_with(|| a.group.cmp(&b.group))
            });
            rows
        }
    };
    rows.iter_mut().for_each(LeakageRow::finish);
    LeakageReport {
        source: evidence.source.clone(),
        location: evidence.location.clone(),
        window_days: window.as_secs() / 86_400,
        from,
        to: now,
        by: by.as_str().to_owned(),
        total: row("total", considered.iter().copied()),
        not_defects_by_reason,
        rows,
    }
}
