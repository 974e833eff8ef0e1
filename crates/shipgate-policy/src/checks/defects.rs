//! `defects.open` and `defects.classified`, configured from `checks.defects`.
//! `defects.classified` also runs, without that section, whenever `leakage.rate` or
//! `traceability.production-defects` does: both depend on classified defects.

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::defects;
use crate::raw::{CheckSettings, RawPolicy};
use crate::validator::Validator;
use shipgate_model::{CheckResult, Severity};
use shipgate_model::{Level, OnMissing};
use std::sync::Arc;
use std::time::Duration;

pub(crate) static OPEN: CheckKind = CheckKind {
    info: CheckInfo {
        id: "defects.open",
        title: "Open defects per severity",
        measures: "the defects of `sources.defects` that are open (not resolved, done or closed), counted per severity after the policy's `severity` map. Each blocking defect is listed with its key, title and age. An open issue counts even when the tracker marks it as not a defect (only closed ones are left out); such issues are listed under `open_marked_not_defects`.",
        blocks_when: "a severity has more open defects than its `max_open` limit. A severity not named is not limited, except `unknown`, whose limit defaults to 0: an open defect whose severity the gate cannot tell may be critical.",
        configure: "checks.defects.max_open (e.g. `{critical: 0, high: 3}`); sources.defects (kind, query, severity map); level; on_missing.",
        fix: "Fix and close the listed defects, or lower their severity in the tracker where it was overstated. A release that must ship with a known defect needs an approved, time-boxed waiver naming it.",
        why: "Shipping with known critical defects is leakage by decision; the gate makes that decision visible and signed.",
    },
    section: "checks.defects",
    keys: &["max_open"],
    configure: configure_open,
};

pub(crate) static CLASSIFIED: CheckKind = CheckKind {
    info: CheckInfo {
        id: "defects.classified",
        title: "Defects are classified",
        measures: "the defects created in the window (`checks.defects.window`, else `checks.leakage.window`, else 90 days) whose severity or origin the policy's maps do not recognise (missing, or a value not in the map). Issues closed as not defects are in no rate, so they are left out, and listed.",
        blocks_when: "more such defects than `max_unclassified` (default 0).",
        configure: "checks.defects (runs whenever the section is present); checks.defects.max_unclassified; checks.defects.window; sources.defects.severity and origin; level; on_missing.",
        fix: "Set the severity and origin of the listed defects in the tracker, or add the values the details show to `sources.defects.severity.map` or `sources.defects.origin`.",
        why: "A defect with no origin is left out of the leakage rate; a few of them quietly make leakage look better than it is.",
    },
    section: "checks.defects",
    keys: &[],
    configure: configure_classified,
};

fn configure_open(raw: &RawPolicy, v: &mut Validator<'_>) -> Vec<Arc<dyn Check>> {
    let Some(d) = &raw.checks.defects else {
        return Vec::new();
    };
    let Some(max) = &d.max_open else {
        return Vec::new();
    };
    let named = [
        (Severity::Critical, max.critical),
        (Severity::High, max.high),
        (Severity::Medium, max.medium),
        (Severity::Low, max.low),
    ];
    if named.iter().all(|(_, m)| m.is_none()) && max.unknown.is_none() {
        v.problem(
            "checks.defects.max_open",
            "`max_open` names no severity; write limits such as `{critical: 0, high: 3}`",
        );
        return Vec::new();
    }
    // A severity not named is not limited, except `unknown`: an open defect whose severity the
    // gate cannot tell may be critical.
    let limits: Vec<(Severity, u64)> = named
        .into_iter()
        .filter_map(|(s, m)| m.map(|m| (s, m)))
        .chain([(Severity::Unknown, max.unknown.unwrap_or(0))])
        .collect();
    vec![Arc::new(Open {
        limits,
        settings: CheckSettings::new(d.level, d.on_missing),
    })]
}

fn configure_classified(raw: &RawPolicy, _: &mut Validator<'_>) -> Vec<Arc<dyn Check>> {
    let leakage_window = raw.leakage_window();
    if let Some(d) = &raw.checks.defects {
        return vec![Arc::new(Classified {
            max: d.max_unclassified.unwrap_or(0),
            window: d.window.map_or(leakage_window, |w| w.get()),
            settings: CheckSettings::new(d.level, d.on_missing),
            section: "checks.defects",
        })];
    }
    // Without `checks.defects`, defects of unknown origin would be left out of the leakage rate
    // and need no regression test, unseen: the check runs with the stricter settings of the
    // checks that depend on it (it blocks if either of them can block).
    let mut users: Vec<(Option<Level>, Option<OnMissing>, &'static str)> = Vec::new();
    if let Some(l) = &raw.checks.leakage {
        users.push((l.level, l.on_missing, "checks.leakage"));
    }
    if let Some(t) = &raw.checks.traceability
        && t.production_defects_need_test == Some(true)
    {
        users.push((t.level, t.on_missing, "checks.traceability"));
    }
    let Some((_, _, section)) = users.first().copied() else {
        return Vec::new();
    };
    let level = if users
        .iter()
        .any(|(l, _, _)| l.unwrap_or_default() == Level::Error)
    {
        Level::Error
    } else {
        Level::Warn
    };
    let on_missing = if users
        .iter()
        .any(|(_, m, _)| m.unwrap_or_default() == OnMissing::Fail)
    {
        OnMissing::Fail
    } else {
        OnMissing::Warn
    };
    vec![Arc::new(Classified {
        max: 0,
        window: leakage_window,
        settings: CheckSettings::new(Some(level), Some(on_missing)),
        section,
    })]
}

#[derive(Debug)]
struct Open {
    /// The severities limited, with their limits; `unknown` always among them.
    limits: Vec<(Severity, u64)>,
    settings: CheckSettings,
}

impl Check for Open {
    fn kind(&self) -> &'static CheckKind {
        &OPEN
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs::DEFECTS
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        defects::open(&self.limits, self.settings, &e.evidence.defects, e.now)
    }
}

#[derive(Debug)]
struct Classified {
    max: u64,
    window: Duration,
    settings: CheckSettings,
    section: &'static str,
}

impl Check for Classified {
    fn kind(&self) -> &'static CheckKind {
        &CLASSIFIED
    }
    fn section(&self) -> String {
        self.section.to_owned()
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs::DEFECTS
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        defects::classified(
            self.max,
            self.window,
            self.settings,
            &e.evidence.defects,
            e.now,
        )
    }
}
