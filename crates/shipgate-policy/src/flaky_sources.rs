//! `sources.tests.history` and `sources.tests.quarantine`: what the evaluator must load for them,
//! and the rules that keep them from being configured for nothing.

use crate::raw::RawPolicy;

/// `checks.flaky.history_runs` when not set.
pub const DEFAULT_HISTORY_RUNS: u32 = 20;
/// The most earlier runs that can be read: one bit per run, the current one included, in 64.
pub const MAX_HISTORY_RUNS: u32 = 63;
/// `checks.flaky.min_flips` when not set.
pub const DEFAULT_MIN_FLIPS: u32 = 2;

/// A problem found by [`problems`]: the path, the message, and whether it looks across sections
/// (reported only when nothing else is wrong).
pub(crate) struct SourceProblem {
    pub path: String,
    pub message: String,
    pub cross: bool,
}

fn local(path: &str, message: impl Into<String>) -> SourceProblem {
    SourceProblem {
        path: path.to_owned(),
        message: message.into(),
        cross: false,
    }
}

fn cross(path: &str, message: impl Into<String>) -> SourceProblem {
    SourceProblem {
        path: path.to_owned(),
        message: message.into(),
        cross: true,
    }
}

/// What is wrong with the history and quarantine settings.
pub(crate) fn problems(policy: &RawPolicy) -> Vec<SourceProblem> {
    let mut found = Vec::new();
    let tests = policy.sources.tests.as_ref();
    let flaky = policy.checks.flaky.as_ref();
    if let Some(globs) = tests.and_then(|t| t.history.as_ref()) {
        if globs.is_empty() {
            found.push(local(
                "sources.tests.history",
                "list at least one glob of earlier runs' JUnit files, one folder per run, e.g. `history/*/**/*.xml`",
            ));
        }
        for (i, glob) in globs.iter().enumerate() {
            if glob.trim().is_empty() {
                found.push(local(
                    &format!("sources.tests.history[{i}]"),
                    "an empty glob matches nothing",
                ));
            }
        }
        // Risk areas read it too, for their failure history.
        if flaky.is_none() && policy.risk.areas.is_empty() {
            found.push(cross(
                "sources.tests.history",
                "`sources.tests.history` is read only by `flaky.rate` and by risk areas: add `checks.flaky` with `max_rate` or `risk.areas`, or remove the history",
            ));
        }
    }
    if let Some(file) = tests.and_then(|t| t.quarantine.as_ref()) {
        if file.trim().is_empty() {
            found.push(local(
                "sources.tests.quarantine",
                "name the quarantine file, e.g. `quarantine.yaml`",
            ));
        }
        if flaky.is_some_and(|f| f.level == Some(shipgate_model::Level::Warn)) {
            found.push(cross(
                "checks.flaky.level",
                "`sources.tests.quarantine` needs `flaky.rate` to be able to block: a quarantined failure leaves the pass rate and counts as flaky instead, so with `level: warn` a quarantine would hide failures; remove `level: warn` or the quarantine",
            ));
        }
        if flaky.is_none() {
            found.push(cross(
                "sources.tests.quarantine",
                "`sources.tests.quarantine` needs `checks.flaky`: quarantined failures count as flaky there instead of failing the pass rate, and expired or critical-path entries fail it; add `checks.flaky` with `max_rate`, or remove the quarantine",
            ));
        }
    }
    if let Some(f) = flaky {
        let has_history = tests.is_some_and(|t| t.history.is_some());
        for (key, value) in [("history_runs", f.history_runs), ("min_flips", f.min_flips)] {
            if value.is_some() && !has_history {
                found.push(cross(
                    &format!("checks.flaky.{key}"),
                    format!("`checks.flaky.{key}` applies to earlier runs: add `sources.tests.history` with their globs, or remove it"),
                ));
            }
        }
        if let Some(runs) = f.history_runs
            && !(1..=MAX_HISTORY_RUNS).contains(&runs)
        {
            found.push(local(
                "checks.flaky.history_runs",
                format!("must be between 1 and {MAX_HISTORY_RUNS} (one bit per run is kept for every test)"),
            ));
        }
        if f.min_flips == Some(0) {
            found.push(local(
                "checks.flaky.min_flips",
                "must be at least 1 (a test that never flips is not flaky)",
            ));
        }
    }
    found
}
