//! `shipgate check` inside a GitHub Actions job: step summary, step outputs and annotations,
//! under a simulated runner environment (temporary files for `GITHUB_STEP_SUMMARY` and
//! `GITHUB_OUTPUT`).

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use assert_cmd::Command;
use common::{NOW, Project, check_example};
use std::path::PathBuf;

struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn summary(&self) -> PathBuf {
        self.dir.path().join("step_summary.md")
    }
    fn output(&self) -> PathBuf {
        self.dir.path().join("output.txt")
    }
    fn env(&self, cmd: &mut Command) {
        cmd.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", self.summary())
            .env("GITHUB_OUTPUT", self.output());
    }
    fn outputs(&self) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(self.output()).unwrap();
        let mut lines = text.lines();
        let mut out = Vec::new();
        while let Some(line) = lines.next() {
            let (name, delim) = line.split_once("<<").expect("name<<DELIMITER form");
            let value = lines.next().unwrap().to_owned();
            assert_eq!(lines.next(), Some(delim));
            out.push((name.to_owned(), value));
        }
        out
    }
}

/// The lines the runner would act on outside the stop-commands region.
fn live_commands(stdout: &str) -> Vec<String> {
    let mut live = Vec::new();
    let mut stopped: Option<String> = None;
    for line in stdout.lines() {
        let trimmed = line.trim_start();
        match &stopped {
            Some(token) => {
                if trimmed == format!("::{token}::") {
                    stopped = None;
                }
            }
            None => {
                if let Some(token) = trimmed.strip_prefix("::stop-commands::") {
                    stopped = Some(token.to_owned());
                } else if trimmed.starts_with("::") || line.contains("##[") {
                    live.push(line.to_owned());
                }
            }
        }
    }
    assert!(stopped.is_none(), "commands must be resumed");
    live
}

#[test]
fn a_blocked_gate_writes_summary_outputs_and_annotations() {
    let runner = Runner::new();
    let report_dir = runner.dir.path().join("gate");
    let mut cmd = check_example("examples/blocked/shipgate.yaml");
    cmd.arg("--report-dir").arg(&report_dir);
    runner.env(&mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("BLOCKED"));
    let live = live_commands(&stdout);
    assert_eq!(live.len(), 3, "one error per blocking check: {live:#?}");
    assert!(
        live.iter()
            .all(|l| l.starts_with("::error title=shipgate%3A "))
    );
    assert!(live[0].contains("regression.pass-rate"));

    let summary = std::fs::read_to_string(runner.summary()).unwrap();
    assert!(
        summary.starts_with("## ⛔ Blocked: payments-api 2.4.0"),
        "{summary}"
    );
    let outputs = runner.outputs();
    let get = |k: &str| {
        outputs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("decision"), "blocked");
    assert_eq!(get("exit-code"), "1");
    assert_eq!(get("blocking"), "3");
    assert_eq!(
        get("report"),
        report_dir.join("report.json").display().to_string()
    );
    let env = std::fs::read_to_string(report_dir.join("gate.env")).unwrap();
    assert_eq!(
        env,
        "SHIPGATE_DECISION=blocked\nSHIPGATE_EXIT_CODE=1\nSHIPGATE_BLOCKING=3\n"
    );
}

#[test]
fn a_ready_gate_says_so_without_annotations() {
    let runner = Runner::new();
    let mut cmd = check_example("examples/quickstart/shipgate.yaml");
    runner.env(&mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(live_commands(&String::from_utf8(out.stdout).unwrap()).is_empty());
    let outputs = runner.outputs();
    assert_eq!(outputs[0], ("decision".to_owned(), "ready".to_owned()));
    assert_eq!(outputs[3], ("report".to_owned(), String::new()));
}

#[test]
fn evidence_text_cannot_forge_a_workflow_command() {
    let hostile = r#"<testsuite name="s">
  <testcase classname="evil" name="x%0A::error::pwned">
    <failure message="boom&#10;::warning::forged&#10;##[error]legacy forged&#10;::stop-commands::x">details ::add-mask::secret</failure>
  </testcase>
  <testcase classname="evil" name="::set-output name=decision::ready"/>
</testsuite>"#;
    let p = Project::new(
        "version: 1\nrelease: {name: demo}\nsources:\n  tests: {junit: [r.xml]}\nrisk:\n  critical_paths:\n    evil: {tests: ['evil.*']}\nchecks:\n  regression: {min_pass_rate: 100%}\n",
    )
    .file("r.xml", hostile.as_bytes());
    let runner = Runner::new();
    for format in ["human", "markdown", "junit", "json"] {
        let mut cmd = p.check();
        cmd.args(["--format", format]);
        runner.env(&mut cmd);
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stdout = String::from_utf8(out.stdout).unwrap();
        let live = live_commands(&stdout);
        assert_eq!(
            live.len(),
            2,
            "{format}: only our annotations are live: {live:#?}"
        );
        assert!(live[0].starts_with("::error title=shipgate%3A regression.pass-rate fail::"));
        // The critical-path message names the hostile test: escaped, it stays data.
        let annotation = &live[1];
        assert!(annotation.starts_with("::error title=shipgate%3A critical-paths.passed fail::"));
        assert!(
            annotation.contains("evil.x%250A::error::pwned"),
            "{annotation}"
        );
    }
    let outputs = runner.outputs();
    assert!(
        outputs
            .iter()
            .filter(|(n, _)| n == "decision")
            .all(|(_, v)| v == "blocked")
    );
}

#[test]
fn a_json_report_redirected_to_a_file_stays_json() {
    let runner = Runner::new();
    let file = runner.dir.path().join("report.json");
    // A plain std Command: stdout must be a real file for this test.
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("shipgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "--now",
            NOW,
            "--policy",
            "examples/blocked/shipgate.yaml",
            "--format",
            "json",
        ])
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", runner.summary())
        .env("GITHUB_OUTPUT", runner.output())
        .stdout(std::fs::File::create(&file).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(json["decision"], "blocked");
    // The annotations went to stderr instead.
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("::error ")).count(),
        3,
        "{stderr}"
    );
}

#[test]
fn an_invalid_policy_is_annotated_on_its_line() {
    let p = Project::new("version: 1\nrelease: {name: demo}\nchecks:\n  regresion: {}\n");
    let runner = Runner::new();
    let mut cmd = p.check();
    runner.env(&mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let line = stderr.lines().find(|l| l.starts_with("::error ")).unwrap();
    assert!(
        line.contains(",line=4,col=3,title=shipgate%3A invalid policy::"),
        "{line}"
    );
    assert!(line.contains("did you mean `regression`?"));
    let outputs = runner.outputs();
    assert_eq!(outputs[1], ("exit-code".to_owned(), "3".to_owned()));
}

#[test]
fn the_summary_respects_what_the_step_already_wrote() {
    let runner = Runner::new();
    std::fs::write(runner.summary(), "x".repeat(1024 * 1024 - 2000)).unwrap();
    let mut cmd = check_example("examples/blocked/shipgate.yaml");
    runner.env(&mut cmd);
    cmd.output().unwrap();
    let len = std::fs::metadata(runner.summary()).unwrap().len();
    assert!(len <= 1024 * 1024, "{len}");
}

/// The outputs are what later steps decide on: a step summary that cannot be written (here a
/// folder) must not cost them, and the failure is still said.
#[test]
fn the_outputs_are_written_even_when_the_summary_cannot_be() {
    let runner = Runner::new();
    std::fs::create_dir_all(runner.summary()).unwrap();
    let mut cmd = check_example("examples/blocked/shipgate.yaml");
    runner.env(&mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("step_summary.md"), "{stderr}");
    let outputs = runner.outputs();
    assert_eq!(outputs[0], ("decision".to_owned(), "blocked".to_owned()));
    assert_eq!(outputs[1], ("exit-code".to_owned(), "1".to_owned()));
}
