//! The validated [`RiskModel`] the report and `risk.coverage` read, built from the risk areas and
//! the sources of their factors as written (`risk.areas`, `risk.weights`, `risk.half_at`,
//! `risk.window`, `sources.complexity`, `sources.churn`; their types are in `raw.rs` with the
//! rest of the document, so that the document does not depend on the model built from it).
//!
//! Critical paths are areas that are never skipped. `risk.critical_paths` stays as it was
//! written (docs/decisions/0019-risk-areas-and-critical-paths.md): each path is also an area
//! with `critical: true` and no other factor stated, and an area written with `critical: true`
//! is also a critical path, checked by `critical-paths.passed` and never quarantined.

use crate::raw::{ChurnSource, CriticalPath, RawPolicy, RevenueImpact, Risk, RiskArea};
use shipgate_risk::{FileGlob, Scales};
use std::collections::BTreeMap;
use std::time::Duration;

/// One area of the validated model.
#[derive(Clone, Debug)]
pub struct Area {
    /// Its name.
    pub name: String,
    /// Whether it is a critical path (never skipped).
    pub critical: bool,
    /// Its revenue impact, when written.
    pub revenue_impact: Option<RevenueImpact>,
    /// Its file globs.
    pub files: Vec<FileGlob>,
    /// Its tests, exclusions and defects, as a critical path has them (case folded when
    /// `ignore_case`).
    pub path: CriticalPath,
    /// Where its tests live, when written.
    pub test_location: Option<String>,
}

impl Area {
    /// Whether `file` (relative to the policy's folder) is one of its files.
    pub fn owns_file(&self, file: &str) -> bool {
        self.files.iter().any(|g| g.matches(file))
    }
}

/// The validated risk model: every area (critical paths included), sorted by name, how the
/// factors are combined, and the window defects and commits are counted over.
#[derive(Clone, Debug, Default)]
pub struct RiskModel {
    /// The areas.
    pub areas: Vec<Area>,
    /// Weights and half points.
    pub scales: Scales,
    /// The window of defect frequency and of churn when `sources.churn` names none.
    pub window: Duration,
}

impl RiskModel {
    /// Whether the policy names any area (a critical path counts).
    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }
}

impl RiskArea {
    /// The area's tests, exclusions and defects as a critical path.
    pub(crate) fn as_path(&self) -> CriticalPath {
        CriticalPath {
            tests: self.tests.clone(),
            ignore_case: self.ignore_case,
            exclude: self.exclude.clone(),
            defects: self.defects.clone(),
        }
    }
}

impl Risk {
    /// The critical paths as written, and every area written with `critical: true`.
    pub(crate) fn all_critical_paths(&self) -> BTreeMap<String, CriticalPath> {
        let mut paths = self.critical_paths.clone();
        for (name, area) in &self.areas {
            if area.critical == Some(true) {
                paths.entry(name.clone()).or_insert_with(|| area.as_path());
            }
        }
        paths
    }
}

/// The model of a policy that raised no problem (invalid parts are left out: such a policy is
/// refused anyway).
pub(crate) fn model(raw: &RawPolicy) -> RiskModel {
    let risk = &raw.risk;
    let mut areas: Vec<Area> = risk
        .critical_paths
        .iter()
        .map(|(name, path)| Area {
            name: name.clone(),
            critical: true,
            revenue_impact: None,
            files: Vec::new(),
            path: path.resolved(),
            test_location: None,
        })
        .collect();
    for (name, a) in &risk.areas {
        if risk.critical_paths.contains_key(name) {
            continue;
        }
        areas.push(Area {
            name: name.clone(),
            critical: a.critical == Some(true),
            revenue_impact: a.revenue_impact,
            files: a
                .files
                .iter()
                .filter_map(|g| FileGlob::new(g).ok())
                .collect(),
            path: a.as_path().resolved(),
            test_location: a.test_location.clone(),
        });
    }
    areas.sort_by(|a, b| a.name.cmp(&b.name));
    RiskModel {
        areas,
        scales: scales(risk).unwrap_or_default(),
        window: window(raw),
    }
}

/// The window of the risk factors: `risk.window`, else the leakage window.
pub(crate) fn window(raw: &RawPolicy) -> Duration {
    raw.risk
        .window
        .map_or_else(|| raw.leakage_window(), |w| w.get())
}

fn scales(risk: &Risk) -> Result<Scales, Vec<(String, String)>> {
    let mut scales = Scales::default();
    let mut problems = Vec::new();
    if let Some(w) = &risk.weights {
        for (factor, value) in w.entries() {
            if let Some(v) = value {
                match scales.clone().with_weight(factor, v) {
                    Ok(s) => scales = s,
                    Err(e) => problems.push((format!("risk.weights.{}", factor.as_str()), e)),
                }
            }
        }
    }
    if let Some(h) = &risk.half_at {
        for (factor, value) in h.entries() {
            if let Some(v) = value {
                match scales.clone().with_half_at(factor, v) {
                    Ok(s) => scales = s,
                    Err(e) => problems.push((format!("risk.half_at.{}", factor.as_str()), e)),
                }
            }
        }
    }
    if problems.is_empty() && !scales.weighs_anything() {
        problems.push((
            "risk.weights".to_owned(),
            "every weight is 0, so no area could score above another; give the factors that matter a weight above 0".to_owned(),
        ));
    }
    if problems.is_empty() {
        Ok(scales)
    } else {
        Err(problems)
    }
}

/// Every problem of the risk model and its sources, each with its path.
pub(crate) fn problems(raw: &RawPolicy) -> Vec<(String, String)> {
    let risk = &raw.risk;
    let mut out = Vec::new();
    if let Err(p) = scales(risk) {
        out.extend(p);
    }
    for (name, area) in &risk.areas {
        let at = format!("risk.areas.{name}");
        if risk.critical_paths.contains_key(name) {
            out.push((
                at.clone(),
                format!("`{name}` is both a critical path and an area; write it once, as an area with `critical: true` (an area's tests are never skipped then, as a critical path's)"),
            ));
        }
        let names_defects = area
            .defects
            .as_ref()
            .is_some_and(|d| !d.components.is_empty() || !d.labels.is_empty());
        if area.tests.is_empty() && area.files.is_empty() && !names_defects {
            out.push((
                at.clone(),
                format!("area `{name}` names no tests, files or defects, so nothing could be measured of it; add `tests` (patterns over `classname.name`), `files` (globs of its source) and `defects` (components or labels)"),
            ));
        }
        if area.critical == Some(true) && area.tests.is_empty() {
            out.push((
                format!("{at}.critical"),
                format!("a critical area is one whose tests are never skipped, so `{name}` needs `tests`"),
            ));
        }
        for (i, glob) in area.files.iter().enumerate() {
            if let Err(e) = FileGlob::new(glob) {
                out.push((format!("{at}.files[{i}]"), e.to_string()));
            }
        }
        if area
            .test_location
            .as_deref()
            .is_some_and(|l| l.trim().is_empty())
        {
            out.push((
                format!("{at}.test_location"),
                "an empty test location says nothing; name the folder or file of the area's tests, or remove the key".to_owned(),
            ));
        }
    }
    let any_files = risk.areas.values().any(|a| !a.files.is_empty());
    if let Some(sources) = &raw.sources.complexity {
        if sources.is_empty() {
            out.push((
                "sources.complexity".to_owned(),
                "list at least one report, e.g. `- {format: lizard, path: lizard.csv}`, or remove the key".to_owned(),
            ));
        }
        for (i, s) in sources.iter().enumerate() {
            if s.path.trim().is_empty() {
                out.push((
                    format!("sources.complexity[{i}].path"),
                    "an empty path names no report".to_owned(),
                ));
            }
        }
        if !any_files {
            out.push((
                "sources.complexity".to_owned(),
                "no area in `risk.areas` names `files`, so no complexity could be counted for any; add the areas' file globs".to_owned(),
            ));
        }
    }
    if let Some(churn) = &raw.sources.churn {
        if churn.window.is_some_and(|w| w.get().as_secs() < 86_400) {
            out.push((
                "sources.churn.window".to_owned(),
                "a churn window is at least a day (e.g. `90d`)".to_owned(),
            ));
        }
        if !any_files {
            out.push((
                "sources.churn".to_owned(),
                "no area in `risk.areas` names `files`, so no churn could be counted for any; add the areas' file globs".to_owned(),
            ));
        }
    }
    if risk.window.is_some_and(|w| w.get().as_secs() < 86_400) {
        out.push((
            "risk.window".to_owned(),
            "a risk window is at least a day (e.g. `90d`)".to_owned(),
        ));
    }
    if (risk.weights.is_some() || risk.half_at.is_some() || risk.window.is_some())
        && risk.areas.is_empty()
        && risk.critical_paths.is_empty()
    {
        out.push((
            "risk".to_owned(),
            "`risk` sets how areas are scored but names no area; add `risk.areas`".to_owned(),
        ));
    }
    out
}

/// The churn window: `sources.churn.window`, else the risk window.
pub(crate) fn churn_window(raw_churn: &ChurnSource, model: &RiskModel) -> Duration {
    raw_churn.window.map_or(model.window, |w| w.get())
}

#[cfg(test)]
mod tests {
    use crate::Policy;

    fn problems(text: &str) -> Vec<String> {
        match Policy::parse(text, &|_| None) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .problems()
                .iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect(),
        }
    }

    const BASE: &str = "version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}}\nchecks: {regression: {min_tests: 1}}\n";

    #[test]
    fn areas_and_critical_paths_make_one_model() {
        let text = format!(
            "{BASE}risk:\n  critical_paths:\n    login: {{tests: ['*login*']}}\n  areas:\n    payments:\n      revenue_impact: critical\n      critical: true\n      files: ['src/pay/**']\n      tests: ['*Pay*']\n    reports:\n      revenue_impact: low\n      files: ['src/reports/**']\n"
        );
        let p = Policy::parse(&text, &|_| None).unwrap();
        let m = p.risk_model();
        let names: Vec<(&str, bool)> = m
            .areas
            .iter()
            .map(|a| (a.name.as_str(), a.critical))
            .collect();
        assert_eq!(
            names,
            [("login", true), ("payments", true), ("reports", false)]
        );
        // A critical area is a critical path: `critical-paths.passed` checks it.
        assert!(p.risk.critical_paths.contains_key("payments"));
        assert!(!p.risk.critical_paths.contains_key("reports"));
        assert!(p.check_ids().contains(&"critical-paths.passed".to_owned()));
        assert!(m.areas[1].owns_file("src/pay/a/b.rs"));
        assert!(!m.areas[1].owns_file("src/payx/b.rs"));
    }

    #[test]
    fn area_mistakes_are_refused_with_their_place() {
        let text = format!(
            "{BASE}risk:\n  critical_paths:\n    pay: {{tests: ['*Pay*']}}\n  weights: {{churn: -1}}\n  half_at: {{revenue_impact: 2, complexity: 0}}\n  areas:\n    pay: {{tests: ['*P*']}}\n    empty: {{revenue_impact: low}}\n    crit: {{critical: true, files: [a.rs]}}\n    glob: {{files: ['src/***']}}\n"
        );
        let p = problems(&text);
        let has = |path: &str, words: &str| {
            assert!(
                p.iter().any(|m| m.starts_with(path) && m.contains(words)),
                "{path} / {words}: {p:#?}"
            );
        };
        has("risk.weights.churn", "0 or more");
        has("risk.half_at.revenue_impact", "fixed scale");
        has("risk.half_at.complexity", "above 0");
        has("risk.areas.pay", "both a critical path and an area");
        has("risk.areas.empty", "names no tests, files or defects");
        has("risk.areas.crit.critical", "needs `tests`");
        has("risk.areas.glob.files[0]", "not a usable file glob");
    }

    #[test]
    fn zero_weights_and_sources_with_no_files_are_refused() {
        let text = BASE.replace(
            "sources: {tests: {junit: [a.xml]}}",
            "sources:\n  tests: {junit: [a.xml]}\n  complexity: [{format: lizard, path: l.csv}]\n  churn: {from: git, window: 1h}",
        ) + "risk:\n  weights: {revenue_impact: 0, defect_frequency: 0, failure_history: 0, complexity: 0, churn: 0}\n  areas:\n    a: {tests: ['*A*']}\n";
        let p = problems(&text);
        assert!(p.iter().any(|m| m.contains("every weight is 0")), "{p:#?}");
        assert!(
            p.iter()
                .any(|m| m.starts_with("sources.complexity:") && m.contains("names `files`")),
            "{p:#?}"
        );
        assert!(
            p.iter().any(|m| m.starts_with("sources.churn.window")),
            "{p:#?}"
        );
    }
}
