//! The same evidence gives the same exit code in every command that reads it: `check`, the
//! `inspect` commands, `leakage`, `perf baseline promote`, `backtest`, `history` and `html`. Missing evidence is 1, evidence
//! that cannot be read 4, a source the policy does not configure 2 (docs/exit-codes.md). The
//! code comes from one place (`RunError` in `src/cli/error.rs`), and these tests hold every
//! command to it.

#![expect(
    clippy::unwrap_used,
    reason = "the helpers are test code: a binary that cannot be run fails the test"
)]

use crate::common;

use common::{NOW, Project, shipgate};

/// A kind of evidence: the policy that reads it from `EVIDENCE`, and the commands that show it.
struct Kind {
    name: &'static str,
    policy: &'static str,
    /// Each command's arguments; `EVIDENCE` is replaced by the evidence's path.
    commands: &'static [&'static [&'static str]],
}

const KINDS: &[Kind] = &[
    Kind {
        name: "defects",
        policy: "version: 1\nrelease: {name: x}\nsources:\n  defects: {kind: file, path: EVIDENCE}\nchecks:\n  defects: {max_open: {critical: 0}}\n",
        commands: &[
            &["check", "--now", NOW, "--policy", "shipgate.yaml"],
            &[
                "inspect",
                "defects",
                "--now",
                NOW,
                "--policy",
                "shipgate.yaml",
            ],
            &["leakage", "--now", NOW, "--policy", "shipgate.yaml"],
        ],
    },
    Kind {
        name: "uat",
        policy: "version: 1\nrelease: {name: x, version: '1.0'}\nsources:\n  uat: {signoff: EVIDENCE}\nchecks:\n  uat: {required_roles: [po]}\n",
        commands: &[
            &["check", "--now", NOW, "--policy", "shipgate.yaml"],
            &["inspect", "uat", "EVIDENCE"],
        ],
    },
    Kind {
        name: "performance",
        policy: "version: 1\nrelease: {name: x}\nsources:\n  performance:\n    current: {format: k6, path: EVIDENCE}\nchecks:\n  performance:\n    - {metric: http_req_duration.p95, max: 1s}\n",
        commands: &[
            &["check", "--now", NOW, "--policy", "shipgate.yaml"],
            &["inspect", "perf", "EVIDENCE"],
            &[
                "perf",
                "baseline",
                "promote",
                "EVIDENCE",
                "--out",
                "baseline.json",
                "--now",
                NOW,
            ],
        ],
    },
    Kind {
        name: "tests",
        policy: "version: 1\nrelease: {name: x}\nsources:\n  tests: {junit: [\"EVIDENCE\"]}\nchecks:\n  regression: {min_pass_rate: 90%}\n",
        commands: &[
            &["check", "--now", NOW, "--policy", "shipgate.yaml"],
            &["inspect", "tests", "EVIDENCE"],
        ],
    },
];

/// Runs every command of `kind` on a project made by `make`, and returns (command, code).
fn codes(kind: &Kind, evidence: &str, make: impl Fn(Project) -> Project) -> Vec<(String, i32)> {
    let project = make(Project::new(&kind.policy.replace("EVIDENCE", evidence)));
    kind.commands
        .iter()
        .map(|args| {
            let args: Vec<String> = args
                .iter()
                .map(|a| a.replace("EVIDENCE", evidence))
                .collect();
            let out = shipgate()
                .current_dir(project.dir.path())
                .args(&args)
                .output()
                .unwrap();
            (args.join(" "), out.status.code().unwrap_or(-1))
        })
        .collect()
}

fn assert_all(kind: &Kind, what: &str, codes: &[(String, i32)], expected: i32) {
    for (command, code) in codes {
        assert_eq!(
            *code, expected,
            "{} evidence that is {what}: `shipgate {command}` exits {code}, not {expected} like the others ({codes:?})",
            kind.name
        );
    }
}

#[test]
fn missing_evidence_is_1_in_every_command() {
    for kind in KINDS {
        let found = codes(kind, "gone.json", |p| p);
        assert_all(kind, "missing", &found, 1);
    }
}

#[test]
fn unreadable_evidence_is_4_in_every_command() {
    for kind in KINDS {
        // A folder where the file should be: there, and not readable as one. JUnit globs match
        // files only, so the tests' unreadable evidence is a report that is not JUnit.
        let found = if kind.name == "tests" {
            codes(kind, "broken.xml", |p| {
                p.file("broken.xml", b"<testsuite><testcase name=")
            })
        } else {
            codes(kind, "folder.json", |p| p.file("folder.json/inside", b"x"))
        };
        assert_all(kind, "unreadable", &found, 4);
    }
}

/// `leakage` and `inspect defects` on a policy without `sources.defects`: the command cannot
/// apply (2), as any source the policy does not configure.
#[test]
fn a_source_the_policy_does_not_configure_is_2() {
    let p = Project::new(
        "version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}}\nchecks: {regression: {min_tests: 1}}\n",
    );
    for args in [
        &["leakage", "--policy", "shipgate.yaml"][..],
        &["inspect", "defects", "--policy", "shipgate.yaml"][..],
    ] {
        shipgate()
            .current_dir(p.dir.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("has no `sources.defects`"));
    }
}

/// Of several files named, one that is not there is missing evidence, whatever the others hold.
#[test]
fn a_missing_file_in_a_list_of_globs_is_missing_even_when_another_matched() {
    let p = Project::new("version: 1\nrelease: {name: x}\nsources: {}\nchecks: {}\n").file(
        "a.xml",
        br#"<testsuite name="s"><testcase classname="a" name="t"/></testsuite>"#,
    );
    shipgate()
        .current_dir(p.dir.path())
        .args(["inspect", "tests", "a.xml", "gone.xml"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no file matched `gone.xml`"));
}

/// A glob that cannot be expanded is unreadable evidence (4), in the policy as on the command
/// line: `inspect tests` once called it a usage error (2) while `check` blocked with 4.
#[test]
fn a_glob_that_cannot_be_expanded_is_4_in_every_command() {
    let tests = KINDS.iter().find(|k| k.name == "tests").unwrap();
    let found = codes(tests, "r/[.xml", |p| p);
    assert_all(tests, "a glob that cannot be expanded", &found, 4);
}

/// The commands that read release records and a JSON report give their inputs the same codes:
/// production defects that are not there are missing (1) and a folder where the file should be
/// unreadable (4), as in `check`; records that cannot be found are a usage error (2); a report
/// that is not there cannot be read (4). Each through `RunError`, never by hand.
#[test]
fn backtest_history_and_html_give_their_inputs_the_same_codes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("folder.json/inside")).unwrap();
    let code = |args: &[&str]| {
        shipgate()
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
            .unwrap_or(-1)
    };
    let records = "examples/history/records";
    let policy = "examples/history/stricter.yaml";
    let gone = dir.path().join("gone.json");
    let folder = dir.path().join("folder.json");
    for (defects, expected) in [(&gone, 1), (&folder, 4)] {
        let defects = defects.to_str().unwrap();
        assert_eq!(
            code(&[
                "backtest",
                "--policy",
                policy,
                "--records",
                records,
                "--defects",
                defects,
                "--offline",
            ]),
            expected,
            "backtest --defects {defects}"
        );
    }
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let empty = empty.to_str().unwrap();
    assert_eq!(code(&["history", "--records", empty]), 2);
    assert_eq!(
        code(&[
            "backtest",
            "--policy",
            policy,
            "--records",
            empty,
            "--defects",
            "examples/history/defects.json",
        ]),
        2
    );
    assert_eq!(code(&["html", gone.to_str().unwrap()]), 4);
}
