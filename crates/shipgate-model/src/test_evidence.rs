//! Test-result evidence, as read from JUnit XML by `shipgate-junit`.
//!
//! The counting rules are those of the design brief (§5) and the conformance corpus: every
//! `<testcase>` element is one test, and its outcome is the worst of its status children.

use crate::instant::Zone;
use crate::pattern::{TestPattern, qualified_name};
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How test retries are written in the reports: the policy's `sources.tests.retries`, and how
/// the JUnit reader reads them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RetryMode {
    /// Each `<testcase>` element is one test (the default: repeated names are usually
    /// parameterised tests or `describe` blocks, not retries).
    #[default]
    PerTestcase,
    /// Repeated testcases with the same suite, classname and name in one file are attempts of
    /// one test, in document order, and the last attempt decides: flaky if it passed after
    /// earlier attempts (a runner retries only after a failure), failed or errored if it failed
    /// or errored; a skipped last attempt does not hide an earlier failure. The number of
    /// attempts is kept with each test (`attempts`). See `docs/retries.md` for which runners
    /// need it.
    RepeatedTestcases,
}

impl RetryMode {
    /// Every mode, as named in the policy and on the command line.
    pub const ALL: [RetryMode; 2] = [RetryMode::PerTestcase, RetryMode::RepeatedTestcases];

    /// The name in the policy and on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            RetryMode::PerTestcase => "per-testcase",
            RetryMode::RepeatedTestcases => "repeated-testcases",
        }
    }

    /// What the mode reads, for `--help`.
    pub const fn describe(self) -> &'static str {
        match self {
            RetryMode::PerTestcase => "Every `<testcase>` is one test",
            RetryMode::RepeatedTestcases => {
                "Repeated testcases in one file are attempts of one test"
            }
        }
    }
}

/// What happened to one test.
///
/// The order is from best to worst, so `max()` over several status elements picks the one that
/// decides: failure beats error, and both beat skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestOutcome {
    /// Passed with no retry.
    Passed,
    /// Failed at least once, then passed on a rerun (`<flakyFailure>`/`<flakyError>`).
    Flaky,
    /// Skipped, disabled or not run. Never a pass.
    Skipped,
    /// Has an `<error>` and no `<failure>`.
    Errored,
    /// Has a `<failure>`.
    Failed,
}

impl TestOutcome {
    /// Whether the test ran and did not pass (failed or errored).
    pub fn is_failure(self) -> bool {
        matches!(self, TestOutcome::Failed | TestOutcome::Errored)
    }

    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TestOutcome::Passed => "passed",
            TestOutcome::Flaky => "flaky",
            TestOutcome::Skipped => "skipped",
            TestOutcome::Errored => "errored",
            TestOutcome::Failed => "failed",
        }
    }
}

/// Counts of tests by outcome. `tests` is always the sum of the five outcomes; use
/// [`TestCounts::record`] and [`TestCounts::add`] to keep it so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestCounts {
    /// Every testcase element.
    pub tests: u64,
    /// Passed on the first attempt.
    pub passed: u64,
    /// Has a `<failure>`.
    pub failed: u64,
    /// Has an `<error>` and no `<failure>`.
    pub errored: u64,
    /// Skipped, disabled or not run.
    pub skipped: u64,
    /// Passed on a rerun after failing.
    pub flaky: u64,
}

impl TestCounts {
    /// Counts one test.
    pub fn record(&mut self, outcome: TestOutcome) {
        self.tests += 1;
        match outcome {
            TestOutcome::Passed => self.passed += 1,
            TestOutcome::Flaky => self.flaky += 1,
            TestOutcome::Skipped => self.skipped += 1,
            TestOutcome::Errored => self.errored += 1,
            TestOutcome::Failed => self.failed += 1,
        }
    }

    /// Adds another set of counts to this one.
    pub fn add(&mut self, other: &TestCounts) {
        self.tests += other.tests;
        self.passed += other.passed;
        self.failed += other.failed;
        self.errored += other.errored;
        self.skipped += other.skipped;
        self.flaky += other.flaky;
    }

    /// Tests that ran: everything but the skipped ones.
    pub fn executed(&self) -> u64 {
        self.passed + self.flaky + self.failed + self.errored
    }

    /// Tests that ran and ended green (first time or on a rerun).
    pub fn green(&self) -> u64 {
        self.passed + self.flaky
    }
}

/// Whether a suite-level status element was a `<failure>` or an `<error>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuiteErrorKind {
    /// `<failure>` directly under `<testsuite>` (or the root `<testsuites>`).
    Failure,
    /// `<error>` directly under `<testsuite>` (or the root `<testsuites>`).
    Error,
}

/// An `<error>` or `<failure>` directly under a `<testsuite>` (or the root `<testsuites>`): a suite
/// that failed to set up or tear down. It is not a testcase, but it must never be read as green.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuiteError {
    /// Index into [`TestEvidence::files`].
    pub file: usize,
    /// The suite's `name` attribute (empty when absent).
    pub suite: String,
    /// Failure or error.
    pub kind: SuiteErrorKind,
    /// The `message` attribute, else the trimmed text, cut to a readable length.
    pub message: Option<String>,
}

/// One JUnit file as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestFile {
    /// The path as the user would write it (relative to the policy's folder where possible).
    pub path: String,
    /// Outcome counts over every testcase of the file.
    pub counts: TestCounts,
    /// `<testsuite>` elements that directly contain at least one `<testcase>`.
    pub suites: u64,
    /// Suite-level `<error>`/`<failure>` elements.
    pub suite_errors: u64,
    /// Distinct (`classname`, `name`) pairs that occur more than once in the file.
    pub duplicate_names: u64,
    /// The latest `timestamp` attribute of a suite in the file that names an instant (with `Z`,
    /// an offset or a zone), or a zoneless one resolved in the zone the policy states
    /// (`sources.tests.timezone`).
    #[serde(default, with = "crate::instant::strict::option")]
    pub timestamp: Option<Timestamp>,
    /// The latest suite `timestamp` written without a zone (Surefire, Gradle and others write the
    /// runner's local time). Not an instant, so never compared with one: it becomes one only in
    /// a zone the policy states; without one, the file's time is [`TestFile::timestamp`] alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_timestamp: Option<jiff::civil::DateTime>,
    /// A commit recorded in the file's properties (`git.commit`, `commit`, ...), when present.
    pub commit: Option<String>,
}

/// One test the gate kept for a check (see [`TestRetention`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestRecord {
    /// Index into [`TestEvidence::files`].
    pub file: usize,
    /// The enclosing `<testsuite>`'s `name` (empty when absent).
    pub suite: String,
    /// The `classname` attribute (empty when absent).
    pub classname: String,
    /// The `name` attribute (empty when absent).
    pub name: String,
    /// What happened.
    pub outcome: TestOutcome,
    /// Duration in seconds, when the `time` attribute could be read.
    pub time: Option<f64>,
    /// The message of the deciding status element (failure, error or skip reason), trimmed and
    /// cut to a readable length.
    pub message: Option<String>,
    /// Defect keys named by `defect`/`issue`/`jira`/`bug` properties of the testcase or its suite.
    pub defect_refs: Vec<String>,
    /// How many `<testcase>` elements were merged into this record (1 unless retries written as
    /// repeated testcases were merged).
    pub attempts: u32,
}

impl TestRecord {
    /// `classname.name`, the string critical-path patterns are matched against.
    pub fn qualified_name(&self) -> String {
        qualified_name(&self.classname, &self.name)
    }
}

/// Which tests the adapter must keep individually. Tests that did not pass (failed, errored,
/// skipped, flaky) are always kept; passing tests only when a check needs them, so that a monorepo
/// of a million tests does not have to be held in memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestRetention {
    /// Keep every test matching one of these (critical paths).
    pub patterns: Vec<TestPattern>,
    /// Keep every test.
    pub all: bool,
    /// Keep every test that may reference a defect (traceability): one with a defect property
    /// (`defect`, `issue`, `jira`, `bug`) on the testcase or on its suite when the suite's
    /// properties come first, or whose qualified name holds a digit, as every defect key that can
    /// be named in a test name does (see [`crate::defects::name_references_key`]).
    pub defect_references: bool,
}

impl TestRetention {
    /// Whether a test with this outcome and name must be kept.
    pub fn keeps(&self, outcome: TestOutcome, classname: &str, name: &str) -> bool {
        self.keeps_with_refs(outcome, classname, name, false)
    }

    /// Whether a test must be kept, knowing whether it carries defect properties.
    pub fn keeps_with_refs(
        &self,
        outcome: TestOutcome,
        classname: &str,
        name: &str,
        has_defect_refs: bool,
    ) -> bool {
        if self.all || outcome != TestOutcome::Passed {
            return true;
        }
        if self.defect_references && (has_defect_refs || may_name_a_defect(classname, name)) {
            return true;
        }
        if self.patterns.is_empty() {
            return false;
        }
        let qualified = qualified_name(classname, name);
        self.patterns.iter().any(|p| p.matches(&qualified))
    }
}

/// Whether a test's name could name a defect key: it holds a digit.
pub fn may_name_a_defect(classname: &str, name: &str) -> bool {
    classname
        .bytes()
        .chain(name.bytes())
        .any(|b| b.is_ascii_digit())
}

/// Everything read from the JUnit reports of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TestEvidence {
    /// Every file read, in a stable order (sorted by path).
    pub files: Vec<TestFile>,
    /// Sum of the files' counts.
    pub totals: TestCounts,
    /// Every suite-level error, in file order.
    pub suite_errors: Vec<SuiteError>,
    /// The tests kept individually (see [`TestRetention`]), in file then document order.
    pub tests: Vec<TestRecord>,
    /// Tests whose identity occurs in more than one file: an earlier run left beside this one,
    /// or one suite run several times (a matrix). Counted in the totals either way; whether the
    /// gate accepts them is the policy's `sources.tests.repeated_runs`.
    #[serde(default, skip_serializing_if = "RepeatedTests::is_empty")]
    pub repeated: RepeatedTests,
}

/// Test identities (suite, classname, name) that occur in more than one file. Within one file a
/// repeated identity is a parameterised test, a `describe` block or a retry, never this; shards
/// of one run split their tests between files without repeating any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatedTests {
    /// How many distinct identities occur in more than one file.
    pub identities: u64,
    /// How many repeats were counted in the totals: for each such identity, the number of files
    /// it occurs in, less one.
    pub repeats: u64,
    /// The sets of files that share identities, the most shared first (at most
    /// [`RepeatedTests::MAX_GROUPS`]).
    pub groups: Vec<RepeatedGroup>,
}

impl RepeatedTests {
    /// How many groups of files are listed; the counts above cover every one.
    pub const MAX_GROUPS: usize = 20;

    /// Whether no identity occurs in more than one file.
    pub fn is_empty(&self) -> bool {
        self.identities == 0
    }
}

/// Files that share test identities.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatedGroup {
    /// Indices into [`TestEvidence::files`], in file order (two or more).
    pub files: Vec<usize>,
    /// How many identities occur in exactly these files.
    pub identities: u64,
    /// One of them, as `suite`, `classname`, `name`; `None` when the file changed between the
    /// read and the look-up of the name.
    pub example: Option<[String; 3]>,
}

impl TestEvidence {
    /// Sum of the files' duplicate-name counts.
    pub fn duplicate_names(&self) -> u64 {
        self.files.iter().map(|f| f.duplicate_names).sum()
    }

    /// Path of the file a test or suite error came from.
    pub fn file_path(&self, index: usize) -> &str {
        self.files.get(index).map_or("", |f| f.path.as_str())
    }

    /// Reads every file's zoneless suite timestamp in `zone`, the zone the policy states the
    /// tests ran in, and keeps the later of it and the file's own instant. A local time that
    /// `zone` makes ambiguous (the clocks go back over it) or skips stays unread: which instant
    /// it was cannot be known.
    pub fn read_local_times_in(&mut self, zone: &Zone) {
        for file in &mut self.files {
            let Some(local) = file.local_timestamp else {
                continue;
            };
            if let Ok(ts) = zone.resolve(local, &local.to_string()) {
                file.timestamp = Some(file.timestamp.map_or(ts, |t| t.max(ts)));
                file.local_timestamp = None;
            }
        }
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    fn file(timestamp: Option<&str>, local: Option<&str>) -> TestFile {
        TestFile {
            path: "r.xml".into(),
            counts: TestCounts::default(),
            suites: 1,
            suite_errors: 0,
            duplicate_names: 0,
            timestamp: timestamp.map(|t| t.parse().unwrap()),
            local_timestamp: local.map(|t| t.parse().unwrap()),
            commit: None,
        }
    }

    #[test]
    fn local_suite_times_are_read_only_in_a_stated_zone() {
        let mut e = TestEvidence {
            files: vec![
                file(None, Some("2026-11-24T18:00:00")),
                file(Some("2026-11-24T12:00:00Z"), Some("2026-11-24T10:00:00")),
                file(None, Some("2026-10-25T02:30:00")),
                file(Some("2026-11-24T01:00:00Z"), None),
            ],
            ..TestEvidence::default()
        };
        let untouched = e.clone();
        assert!(untouched.files[0].timestamp.is_none());
        e.read_local_times_in(&Zone::named("Europe/Berlin").unwrap());
        let times: Vec<Option<String>> = e
            .files
            .iter()
            .map(|f| f.timestamp.map(|t| t.to_string()))
            .collect();
        assert_eq!(
            times,
            [
                Some("2026-11-24T17:00:00Z".to_owned()),
                // The later of the instant and the local time read in Berlin.
                Some("2026-11-24T12:00:00Z".to_owned()),
                // 02:30 happened twice in Berlin that night: unread.
                None,
                Some("2026-11-24T01:00:00Z".to_owned()),
            ]
        );
        assert!(e.files[2].local_timestamp.is_some());
        assert!(e.files[0].local_timestamp.is_none());
    }

    #[test]
    fn worst_outcome_wins() {
        let worst = [
            TestOutcome::Skipped,
            TestOutcome::Failed,
            TestOutcome::Errored,
        ]
        .into_iter()
        .max();
        assert_eq!(worst, Some(TestOutcome::Failed));
        assert!(TestOutcome::Errored > TestOutcome::Skipped);
        assert!(TestOutcome::Skipped > TestOutcome::Flaky);
        assert!(TestOutcome::Flaky > TestOutcome::Passed);
    }

    #[test]
    fn counts_keep_tests_equal_to_the_sum() {
        let mut c = TestCounts::default();
        for o in [
            TestOutcome::Passed,
            TestOutcome::Flaky,
            TestOutcome::Skipped,
            TestOutcome::Errored,
            TestOutcome::Failed,
        ] {
            c.record(o);
        }
        let mut d = c;
        d.add(&c);
        assert_eq!(d.tests, 10);
        assert_eq!(d.executed(), 8);
        assert_eq!(d.green(), 4);
    }

    #[test]
    fn retention_keeps_non_passing_and_matching_tests() {
        let r = TestRetention {
            patterns: vec![TestPattern::new("*Payment*").unwrap()],
            all: false,
            defect_references: false,
        };
        assert!(r.keeps(TestOutcome::Skipped, "a.B", "c"));
        assert!(r.keeps(TestOutcome::Passed, "a.PaymentTest", "c"));
        assert!(!r.keeps(TestOutcome::Passed, "a.B", "c"));
    }

    #[test]
    fn retention_for_traceability_keeps_what_may_name_a_defect() {
        let r = TestRetention {
            defect_references: true,
            ..TestRetention::default()
        };
        assert!(r.keeps(TestOutcome::Passed, "RefundTest", "pay_123"));
        assert!(r.keeps_with_refs(TestOutcome::Passed, "RefundTest", "refunds", true));
        assert!(!r.keeps(TestOutcome::Passed, "RefundTest", "refunds"));
        assert!(!TestRetention::default().keeps(TestOutcome::Passed, "T", "pay_123"));
    }
}
