//! The root package's integration tests, in one binary: one link instead of one per file (each
//! link of this package's test binaries cost seconds of CI on two cores). The files stay where
//! they were, beside their `snapshots/`, and are named here by path; `autotests = false` in
//! `Cargo.toml` means a file left out of this list would never build, so
//! `every_test_file_is_in_the_binary` below fails for one. `tests/fail_closed/` stays a binary of
//! its own (`cargo test --test fail_closed`).
//!
//! Run one file's tests with `cargo test --test it cli_performance::`.

#[path = "../common/mod.rs"]
mod common;

#[path = "../action.rs"]
mod action;
#[path = "../browser.rs"]
mod browser;
#[path = "../cli.rs"]
mod cli;
#[path = "../cli_current_runs.rs"]
mod cli_current_runs;
#[path = "../cli_defects.rs"]
mod cli_defects;
#[path = "../cli_exit_codes.rs"]
mod cli_exit_codes;
#[path = "../cli_flaky.rs"]
mod cli_flaky;
#[path = "../cli_github.rs"]
mod cli_github;
#[path = "../cli_history.rs"]
mod cli_history;
#[path = "../cli_json.rs"]
mod cli_json;
#[path = "../cli_junit.rs"]
mod cli_junit;
#[path = "../cli_leakage.rs"]
mod cli_leakage;
#[path = "../cli_not_defects.rs"]
mod cli_not_defects;
#[path = "../cli_performance.rs"]
mod cli_performance;
#[path = "../cli_policy_values.rs"]
mod cli_policy_values;
#[path = "../cli_record.rs"]
mod cli_record;
#[path = "../cli_redmine.rs"]
mod cli_redmine;
#[path = "../cli_risk.rs"]
mod cli_risk;
#[path = "../cli_secrets.rs"]
mod cli_secrets;
#[path = "../cli_soak.rs"]
mod cli_soak;
#[path = "../cli_time.rs"]
mod cli_time;
#[path = "../cli_uat.rs"]
mod cli_uat;
#[path = "../cli_uat_approvals.rs"]
mod cli_uat_approvals;
#[path = "../cli_vocabulary.rs"]
mod cli_vocabulary;
#[path = "../deny.rs"]
mod deny;
#[path = "../docs.rs"]
mod docs;
#[path = "../docs_architecture.rs"]
mod docs_architecture;
#[path = "../examples_json.rs"]
mod examples_json;
#[path = "../gitlab.rs"]
mod gitlab;
#[path = "../import_cycles.rs"]
mod import_cycles;

/// A root test file not named above would never be compiled (`autotests = false`): refuse it.
#[test]
fn every_test_file_is_in_the_binary() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(tests.join("it/main.rs")).unwrap_or_default();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&tests).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".rs")
            && !main.contains(&format!("#[path = \"../{name}\"]\nmod {stem};"))
        {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "tests/{missing:?} would never run: name each in tests/it/main.rs"
    );
    assert!(
        main.contains("mod cli;"),
        "tests/it/main.rs could not be read"
    );
}
