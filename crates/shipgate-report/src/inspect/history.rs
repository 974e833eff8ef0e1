//! `shipgate inspect tests --history`: earlier runs and the flaky tests they reveal, as the gate
//! sees them before any policy applies.

use crate::RenderOptions;
use crate::ansi::{Paint, Tone};
use crate::gate::{plural, short_sha};
use crate::measure::grouped;
use crate::text::{WIDTH, first_line, one_line, pad, wrap};
use serde_json::{Value, json};
use shipgate_model::{FlakyReason, RunHistory};

/// Flaky tests listed in the human output; the JSON lists them all.
const MAX_LISTED: usize = 20;

/// The history as JSON: the runs, and every flaky test ranked by flip rate.
pub fn history_json(history: &RunHistory, min_flips: u32) -> Value {
    let flaky: Vec<Value> = history
        .flaky(min_flips)
        .iter()
        .map(|f| serde_json::to_value(f.summary(history)).unwrap_or(Value::Null))
        .collect();
    json!({
        "runs": history.runs.iter().map(|r| json!({
            "name": r.name,
            "commit": r.commit,
            "commit_from": r.commit_from,
            "time": r.time.map(|t| t.to_string()),
            "files": r.files,
            "tests": r.counts.tests,
            "failed": r.counts.failed + r.counts.errored,
            "flaky": r.counts.flaky,
            "current": r.current,
        })).collect::<Vec<_>>(),
        "runs_available": history.runs_available,
        "tests_seen": history.tests,
        "tests_that_failed": history.failed_tests.len(),
        "min_flips": min_flips,
        "flaky": flaky,
    })
}

fn reasons(reasons: &[FlakyReason]) -> String {
    reasons
        .iter()
        .map(|r| match r {
            FlakyReason::RerunPassed => "passed on a rerun",
            FlakyReason::SameCommit => "passed and failed on one commit",
            FlakyReason::Flips => "flips",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The history as text: one line per run, then the flaky tests ranked by flip rate.
pub fn render_history_human(
    history: &RunHistory,
    min_flips: u32,
    options: &RenderOptions,
) -> String {
    let paint = Paint {
        enabled: options.color,
    };
    let earlier = history.runs.iter().filter(|r| !r.current).count() as u64;
    let mut out = vec![paint.paint(
        Tone::Strong,
        &format!(
            "History: {} of {} read{}",
            grouped(earlier),
            plural(history.runs_available, "earlier run", "earlier runs"),
            if history.current_run().is_some() {
                ", and this run"
            } else {
                ""
            }
        ),
    )];
    out.push(String::new());
    let width = history
        .runs
        .iter()
        .map(|r| one_line(&r.name).chars().count())
        .max()
        .unwrap_or(0)
        .max(3);
    out.push(paint.paint(
        Tone::Faint,
        &format!(
            "  {}  {:>9}  {:>7}  {:>5}  COMMIT",
            pad("RUN", width),
            "TESTS",
            "FAILED",
            "FLAKY"
        ),
    ));
    for r in &history.runs {
        let commit = r
            .commit
            .as_deref()
            .map(|c| one_line(short_sha(c)))
            .unwrap_or_else(|| "—".to_owned());
        let failed = r.counts.failed + r.counts.errored;
        let failed_cell = format!("{:>7}", grouped(failed));
        out.push(format!(
            "  {}  {:>9}  {}  {:>5}  {commit}{}",
            pad(&one_line(&r.name), width),
            grouped(r.counts.tests),
            if failed > 0 {
                paint.paint(Tone::Bad, &failed_cell)
            } else {
                failed_cell
            },
            grouped(r.counts.flaky),
            if r.current { "  (this run)" } else { "" }
        ));
    }
    out.push(String::new());
    let flaky = history.flaky(min_flips);
    out.push(format!(
        "{} seen, {} failed at least once; {} (min_flips {min_flips}):",
        plural(history.tests, "test", "tests"),
        grouped(history.failed_tests.len() as u64),
        paint.paint(
            if flaky.is_empty() {
                Tone::Good
            } else {
                Tone::Caution
            },
            &plural(flaky.len() as u64, "flaky test", "flaky tests"),
        ),
    ));
    for f in flaky.iter().take(MAX_LISTED) {
        let s = f.summary(history);
        let last = s
            .last_failure
            .as_ref()
            .map(|l| {
                let message = l
                    .message
                    .as_deref()
                    .map(|m| first_line(m, 100))
                    .unwrap_or_default();
                format!(
                    "; last failed in run {}{}",
                    l.run,
                    if message.is_empty() {
                        String::new()
                    } else {
                        format!(": {message}")
                    }
                )
            })
            .unwrap_or_default();
        let line = format!(
            "{} flips in {} runs ({}): {}{}",
            f.flips,
            f.runs,
            reasons(&f.reasons),
            f.test.qualified_name(),
            last
        );
        let rate = format!("{:>4}%", (f.flip_rate * 100.0).round() as u64);
        let mut lines = wrap(&one_line(&line), WIDTH - 9).into_iter();
        out.push(format!(
            "  {}  {}",
            paint.paint(Tone::Caution, &rate),
            lines.next().unwrap_or_default()
        ));
        out.extend(lines.map(|l| format!("         {l}")));
    }
    if flaky.len() > MAX_LISTED {
        out.push(format!(
            "  … and {} more",
            grouped((flaky.len() - MAX_LISTED) as u64)
        ));
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::{HistoryRun, HistoryTest, TestCounts};

    fn history() -> RunHistory {
        let run = |name: &str, commit: Option<&str>, current: bool| HistoryRun {
            name: name.into(),
            commit: commit.map(str::to_owned),
            commit_from: None,
            time: None,
            files: 2,
            counts: TestCounts {
                tests: 1204,
                passed: 1200,
                failed: 3,
                errored: 1,
                skipped: 0,
                flaky: 0,
            },
            current,
        };
        RunHistory {
            runs: vec![
                run("1231", Some("3f2a9c1d0e5b"), false),
                run("1232", None, false),
                run("current", Some("9c1d0e5"), true),
            ],
            runs_available: 12,
            tests: 1210,
            failed_tests: vec![HistoryTest {
                suite: "s".into(),
                classname: "com.acme.SearchIT".into(),
                name: "finds\u{1b}[2J".into(),
                passed: 0b101,
                failed: 0b010,
                last_failure: Some(1),
                last_message: Some("timeout after 5000 ms\nat ...".into()),
            }],
        }
    }

    #[test]
    fn human_lists_runs_and_flaky_tests_without_escapes() {
        let text = render_history_human(&history(), 2, &RenderOptions::default());
        assert!(!text.contains('\u{1b}'), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn json_lists_every_flaky_test_with_its_last_failure() {
        let v = history_json(&history(), 2);
        assert_eq!(v["runs"].as_array().unwrap().len(), 3);
        assert_eq!(v["runs"][2]["current"], true);
        assert_eq!(v["flaky"][0]["flips"], 2);
        assert_eq!(v["flaky"][0]["reasons"], json!(["flips"]));
        assert_eq!(v["flaky"][0]["last_failure"]["run"], "1232");
        assert_eq!(v["tests_seen"], 1210);
        assert!(
            history_json(&history(), 3)["flaky"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}
