//! shipgate inside a GitHub Actions job: `check`'s step summary, step outputs and annotations,
//! under a simulated runner environment (temporary files for `GITHUB_STEP_SUMMARY` and
//! `GITHUB_OUTPUT`); and every subcommand's stdout and stderr read by a fake runner
//! (`common::workflow`), with evidence whose test names, file names, defect titles, signers
//! and metrics are workflow commands.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use assert_cmd::Command;
use common::workflow::{commands, foreign};
use common::{NOW, Project, check_example, shipgate};
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

/// The commands the runner would act on: shipgate's own annotations only, or the test fails.
fn live_commands(output: &str) -> Vec<String> {
    let forged = foreign(output);
    assert!(forged.is_empty(), "forged commands: {forged:#?}\n{output}");
    commands(output).into_iter().map(|c| c.line).collect()
}

#[test]
fn the_fake_runner_reads_what_the_real_one_does() {
    let text = "a\n  ::error title=x::m\r::set-output name=d::ready\nok ##[set-output name=d;]ready\n:\u{200B}:warning::zw\n::stop-commands::tok\n::error::ignored\n::tok::\n##[group]g\nx ::not\n#[no]";
    let names: Vec<String> = commands(text).into_iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "error",
            "set-output",
            "set-output",
            "warning",
            "stop-commands",
            "group"
        ]
    );
    let ours = commands("::error title=shipgate%3A regression.pass-rate fail::m")[0].clone();
    assert!(ours.is_shipgate_annotation());
    assert!(!commands("::error title=evil::m")[0].is_shipgate_annotation());
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
    let hostile = r###"<testsuite name="s">
  <testcase classname="evil" name="x%0A::error::pwned">
    <failure message="boom&#10;::warning::forged&#10;##[error]legacy forged&#10;::stop-commands::x">details ::add-mask::secret</failure>
  </testcase>
  <testcase classname="evil" name="::set-output name=decision::ready"/>
  <testcase classname="evil" name="##[set-output name=decision;]ready"/>
</testsuite>"###;
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
        let stderr = String::from_utf8(out.stderr).unwrap();
        let mut live = live_commands(&stdout);
        live.extend(live_commands(&stderr));
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
        // A report piped on (`| jq`, `| xmllint`) holds no annotation.
        if format == "json" || format == "junit" {
            assert!(commands(&stdout).is_empty(), "{format}: {stdout}");
        }
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

/// Evidence whose every printable field is a workflow command: test names and failure text
/// (JUnit), a report's file name, defect titles and components (`kind: file`), a signer of the
/// UAT sign-off, a metric's name, and the release's name.
fn hostile_project() -> Project {
    const JUNIT: &str = r###"<testsuite name="::set-output name=decision::ready">
  <testcase classname="pay" name="x&#10;::set-output name=decision::ready">
    <failure message="boom&#10;  ::stop-commands::x&#10;##[set-output name=decision;]ready">out&#10;::error::forged</failure>
  </testcase>
  <testcase classname="pay" name="##[set-output name=decision;]ready"/>
  <testcase classname="pay" name=":&#x200B;:warning::zero-width"/>
</testsuite>"###;
    let defects = serde_json::json!({
        "format": "shipgate-defects",
        "version": 1,
        "source": "file",
        "location": "defects.json",
        "defects": [
            {
                "key": "PAY-1",
                "title": "##[set-output name=decision;]ready\n::error::title",
                "severity": "critical",
                "severity_raw": ["Highest"],
                "origin": "production",
                "origin_raw": ["Production"],
                "status": "open",
                "created": "2026-11-01T09:00:00Z",
                "components": ["::set-output name=decision::ready"],
                "introduced_in": []
            },
            {
                "key": "PAY-2",
                "title": "::warning::second",
                "severity": "low",
                "severity_raw": ["Low"],
                "origin": "pre-production",
                "origin_raw": ["QA"],
                "status": "closed",
                "created": "2026-11-02T09:00:00Z",
                "resolved": "2026-11-03T09:00:00Z",
                "components": ["##[group]c"],
                "introduced_in": []
            }
        ]
    });
    let signoff = "release: '##[set-output name=decision;]ready'\nversion: 1.0\ndecision: approved\nscope: \"x\\n::set-output name=decision::ready\"\nsignoffs:\n  - name: \"::set-output name=decision::ready\"\n    role: qa-lead\n    at: 2026-11-20T15:04:00Z\n    meaning: approval\n    note: \"##[error]note\"\n";
    let perf = r###"{"metrics": [{"name": "##[set-output name=decision;]ready.p95", "unit": "ms", "direction": "lower", "value": 1.0}, {"name": "::error::metric.p95", "unit": "ms", "value": 2.0}]}"###;
    Project::new(
        "version: 1\nrelease: {name: '##[set-output name=decision;]ready', version: '1.0'}\nsources:\n  tests: {junit: ['reports/*.xml']}\n  defects: {kind: file, path: defects.json}\n  uat: {signoff: uat.yaml}\n  performance:\n    current: {format: generic, path: perf.json}\nrisk:\n  critical_paths:\n    pay: {tests: ['pay.*']}\nchecks:\n  regression: {min_pass_rate: 100%}\n  defects: {max_open: {critical: 0}}\n  leakage: {max_rate: 5%}\n  uat: {required_roles: [qa-lead]}\n  performance:\n    - {metric: '::error::metric.p95', max: 1ms}\n",
    )
    .file("reports/##[set-output name=decision;]ready.xml", JUNIT.as_bytes())
    .file("reports/::error::file.xml", JUNIT.as_bytes())
    .file(
        "defects.json",
        serde_json::to_string_pretty(&defects).unwrap().as_bytes(),
    )
    .file("uat.yaml", signoff.as_bytes())
    .file("perf.json", perf.as_bytes())
}

/// One subcommand's output, in a job and outside one.
struct Both {
    what: String,
    code: Option<i32>,
    actions: (String, String),
    plain: (String, String),
}

fn run_both(p: &Project, args: &[&str]) -> Both {
    let runner = Runner::new();
    let run = |actions: bool| {
        let mut cmd = shipgate();
        cmd.current_dir(p.dir.path()).args(args);
        if actions {
            runner.env(&mut cmd);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, err) = run(true);
    let (plain_code, plain_out, plain_err) = run(false);
    assert_eq!(
        code, plain_code,
        "{args:?}: the exit code is the same in a job"
    );
    Both {
        what: args.join(" "),
        code,
        actions: (out, err),
        plain: (plain_out, plain_err),
    }
}

/// The text without shipgate's own annotation lines, which only a job gets.
fn without_annotations(text: &str) -> String {
    let kept: String = text
        .lines()
        .filter(|l| !commands(l).iter().any(|c| c.is_shipgate_annotation()))
        .map(|l| format!("{l}\n"))
        .collect();
    without_wall_clock_line(&kept)
}

/// The `--now` note names the current time, and the record's manifest hash covers it: both
/// differ from run to run.
fn without_wall_clock_line(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains("(--now), not the current time") && !l.contains("manifest SHA-256"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn without_wall_clock(mut report: serde_json::Value) -> serde_json::Value {
    if let Some(o) = report.as_object_mut() {
        o.remove("generated_at");
    }
    report
}

/// Text for people, with the look-alikes read back as what they stand for.
fn read_back(text: &str) -> String {
    text.replace('\u{2236}', ":").replace('\u{266F}', "#")
}

#[test]
fn every_subcommand_is_safe_in_actions() {
    let p = hostile_project();
    let policy = p.policy().display().to_string();
    let report_dir = p.dir.path().join("out").display().to_string();
    let now = ["--now", NOW];
    let mut runs: Vec<(Vec<String>, &str)> = Vec::new();
    let owned = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    for format in ["human", "markdown", "json", "junit"] {
        let mut a = owned(&["check", "--policy", &policy, "--format", format]);
        a.extend(owned(&now));
        if format == "human" {
            a.extend(owned(&["--report-dir", &report_dir]));
        }
        runs.push((a, format));
    }
    for format in ["human", "json"] {
        runs.push((
            owned(&["inspect", "tests", "reports/*.xml", "--format", format]),
            format,
        ));
        let mut a = owned(&[
            "inspect", "defects", "--policy", &policy, "--format", format,
        ]);
        a.extend(owned(&now));
        runs.push((a, format));
        runs.push((
            owned(&["inspect", "uat", "uat.yaml", "--format", format]),
            format,
        ));
        runs.push((
            owned(&[
                "inspect",
                "perf",
                "perf.json",
                "--input-format",
                "generic",
                "--format",
                format,
            ]),
            format,
        ));
    }
    for format in ["human", "markdown", "json"] {
        for by in ["month", "component"] {
            let mut a = owned(&[
                "leakage", "--policy", &policy, "--window", "365d", "--by", by, "--format", format,
            ]);
            a.extend(owned(&now));
            runs.push((a, format));
        }
    }
    runs.push((owned(&["validate", "--policy", &policy]), "human"));
    runs.push((
        owned(&["explain", "x\n::set-output name=decision::ready ##[error]y"]),
        "human",
    ));
    runs.push((
        owned(&["inspect", "tests", "missing/::error::x.xml\n::warning::y"]),
        "human",
    ));
    runs.push((owned(&["inspect", "uat", "##[error]missing.yaml"]), "human"));
    runs.push((
        owned(&["check", "--format", "x\n::set-output name=decision::ready"]),
        "human",
    ));

    for (args, format) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let both = run_both(&p, &args);
        let what = &both.what;
        let (out, err) = &both.actions;
        let forged: Vec<_> = foreign(out).into_iter().chain(foreign(err)).collect();
        assert!(
            forged.is_empty(),
            "{what}: forged {forged:#?}\n--- stdout\n{out}\n--- stderr\n{err}"
        );
        let (plain_out, plain_err) = &both.plain;
        // Outside a job the same evidence does carry commands: the test is not vacuous.
        let marker_count = commands(plain_out).len() + commands(plain_err).len();
        match *format {
            "json" => {
                let a: serde_json::Value = serde_json::from_str(out)
                    .unwrap_or_else(|e| panic!("{what}: stdout is not JSON in a job: {e}\n{out}"));
                let b: serde_json::Value = serde_json::from_str(plain_out).unwrap();
                assert_eq!(
                    without_wall_clock(a),
                    without_wall_clock(b),
                    "{what}: a JSON reader reads the same in a job"
                );
            }
            "junit" => {
                // Character references are what an XML reader reads back as `:` and `#`.
                assert_eq!(
                    out.replace("&#58;", ":").replace("&#35;", "#"),
                    *plain_out,
                    "{what}"
                );
                assert_ne!(out, plain_out, "{what}: markers were escaped");
            }
            _ => assert_eq!(
                read_back(&without_annotations(out)),
                *plain_out,
                "{what}: only markers change"
            ),
        }
        // Messages on stderr only have their markers changed; annotations are added in a job.
        assert_eq!(
            read_back(&without_annotations(err)),
            without_wall_clock_line(plain_err),
            "{what}: stderr"
        );
        assert!(both.code.is_some(), "{what}");
        assert!(
            marker_count > 0
                || args[0] == "validate"
                || args.contains(&"month")
                // Markdown escapes `[` in a table cell, which breaks `##[` by itself.
                || (args[0] == "leakage" && *format == "markdown"),
            "{what}: the hostile evidence shows up outside a job"
        );
    }
}

#[test]
fn a_json_report_piped_in_a_job_is_the_same_json() {
    let p = hostile_project();
    let policy = p.policy().display().to_string();
    let both = run_both(
        &p,
        &[
            "check", "--policy", &policy, "--now", NOW, "--format", "json",
        ],
    );
    let (out, err) = &both.actions;
    assert!(commands(out).is_empty(), "{out}");
    let annotations: Vec<_> = commands(err);
    assert!(
        !annotations.is_empty() && annotations.iter().all(|c| c.is_shipgate_annotation()),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_str(out).unwrap();
    assert_eq!(
        report["release"]["name"],
        "##[set-output name=decision;]ready"
    );
    assert_eq!(report["decision"], "blocked");
    // Escaped only where a marker would form: the rest of the text is as outside a job.
    assert!(
        out.contains("\\u0023#[set-output name=decision;]ready"),
        "{out}"
    );
    let generated = |t: &str| {
        t.lines()
            .filter(|l| !l.contains("\"generated_at\""))
            .map(|l| l.replace("\\u0023#[", "##["))
            .collect::<Vec<_>>()
    };
    assert_eq!(generated(out), generated(&both.plain.0));
}
