//! The JUnit evidence fails closed, end to end: a corrupted report, an earlier run left beside
//! this one, and a glob walk through symlink loops.

use crate::common;

use common::Project;
use predicates::prelude::*;

const POLICY: &str = "version: 1\nrelease: {name: api, version: '1.0'}\nsources:\n  tests:\n    junit: [\"reports/**/*.xml\"]\nchecks:\n  regression: {min_pass_rate: 100%, min_tests: 3}\n";

fn report(suite: &str, failure: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<testsuite name=\"{suite}\">\n  <testcase classname=\"a.Pay\" name=\"charges\">{failure}</testcase>\n  <testcase classname=\"a.Pay\" name=\"refunds\"/>\n  <testcase classname=\"a.Pay\" name=\"voids\"/>\n</testsuite>\n"
    )
}

#[test]
fn a_clean_report_with_a_failure_blocks() {
    Project::new(POLICY)
        .file(
            "reports/a.xml",
            report("s", "<failure message=\"boom\"/>").as_bytes(),
        )
        .check()
        .assert()
        .code(1);
}

/// One flipped byte in the failing test's `<failure/>`: never READY, always exit 4 with the
/// file, line and column.
#[test]
fn a_corrupted_failure_element_exits_4_with_file_line_and_column() {
    for (corrupt, says) in [
        ("<fai,lure message=\"boom\"/>", "line 3, column"),
        ("<Failure message=\"boom\"/>", "looks like `<failure>`"),
        (
            "xfailure message=\"boom\"/>",
            "text directly inside `<testcase>`",
        ),
        ("<failure message=\"boom\"/ >", "malformed attribute"),
    ] {
        Project::new(POLICY)
            .file("reports/a.xml", report("s", corrupt).as_bytes())
            .check()
            .assert()
            .code(4)
            .stdout(predicate::str::contains("reports/a.xml"))
            .stdout(predicate::str::contains(says));
    }
}

/// The case: an old run of the same suite left beside this run. `min_tests: 3` would
/// pass on the sum; the gate blocks naming both files, unless the policy says the suite runs
/// several times on purpose.
#[test]
fn an_old_run_left_beside_this_run_exits_4_naming_both_files() {
    let project = Project::new(POLICY)
        .file(
            "reports/a.xml",
            b"<testsuite name=\"s\"><testcase classname=\"a.Pay\" name=\"charges\"/></testsuite>",
        )
        .file("reports/old/a.xml", report("s", "").as_bytes());
    project
        .check()
        .assert()
        .code(4)
        .stdout(predicate::str::contains("1 test ran in more than one file"))
        .stdout(predicate::str::contains("`reports/a.xml`"))
        .stdout(predicate::str::contains("`reports/old/a.xml`"))
        .stdout(predicate::str::contains("sources.tests.repeated_runs"));

    std::fs::write(
        project.policy(),
        POLICY.replace("junit: [", "repeated_runs: allow\n    junit: ["),
    )
    .unwrap();
    project
        .check()
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 test ran in more"))
        .stdout(predicate::str::contains("1 repeated run counted"));
}

/// Two links back to a parent under the `**` used to hang the walk. It finishes, reads every
/// report once, and says which link it did not follow.
#[cfg(unix)]
#[test]
fn symlink_loops_under_the_glob_finish_with_a_warning() {
    let project = Project::new(POLICY).file("reports/x/a.xml", report("s", "").as_bytes());
    let x = project.dir.path().join("reports/x");
    std::os::unix::fs::symlink("..", x.join("up")).unwrap();
    std::os::unix::fs::symlink(".", x.join("here")).unwrap();
    project
        .check()
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("3 tests in 1 file"))
        .stderr(predicate::str::contains(
            "did not follow the symlink `reports/x/here`",
        ));
}
