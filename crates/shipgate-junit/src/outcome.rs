//! The status rules of the brief (§5) and the corpus README: which status children a testcase
//! has decides its outcome, the worst one winning.

use shipgate_model::TestOutcome;

/// The status children seen directly under one `<testcase>`, plus its `status` attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StatusSeen {
    /// A `<failure>` child.
    pub failure: bool,
    /// An `<error>` child.
    pub error: bool,
    /// A `<skipped>` child.
    pub skipped: bool,
    /// `status="disabled|notrun|skipped"` on the testcase (GoogleTest, tst, ...).
    pub skip_status: bool,
    /// A `<flakyFailure>` or `<flakyError>` child (Surefire, nextest: passed on a rerun).
    pub flaky: bool,
}

impl StatusSeen {
    /// The outcome: failure beats error, both beat skipped, skipped beats flaky. A disabled test
    /// is never a pass; `<rerunFailure>`/`<rerunError>` never reach here because their testcase
    /// still carries the `<failure>`/`<error>` that decides it.
    pub fn outcome(self) -> TestOutcome {
        if self.failure {
            TestOutcome::Failed
        } else if self.error {
            TestOutcome::Errored
        } else if self.skipped || self.skip_status {
            TestOutcome::Skipped
        } else if self.flaky {
            TestOutcome::Flaky
        } else {
            TestOutcome::Passed
        }
    }
}

/// Which slot of a testcase a status child fills. The slot order matches the message a record
/// carries: the deciding element's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatusChild {
    Failure,
    Error,
    Skipped,
    /// `<flakyFailure>` or `<flakyError>`.
    Flaky,
}

impl StatusChild {
    /// Recognises a status element by its local name. Names are case-sensitive, as in the
    /// Surefire XSD; `rerunFailure`/`rerunError` are deliberately not status elements.
    pub fn from_local_name(name: &[u8]) -> Option<StatusChild> {
        match name {
            b"failure" => Some(StatusChild::Failure),
            b"error" => Some(StatusChild::Error),
            b"skipped" => Some(StatusChild::Skipped),
            b"flakyFailure" | b"flakyError" => Some(StatusChild::Flaky),
            _ => None,
        }
    }

    /// Index into a testcase's per-kind slots.
    pub fn slot(self) -> usize {
        match self {
            StatusChild::Failure => 0,
            StatusChild::Error => 1,
            StatusChild::Skipped => 2,
            StatusChild::Flaky => 3,
        }
    }

    /// Whether a child of this kind was seen already.
    pub fn is_marked(self, seen: &StatusSeen) -> bool {
        match self {
            StatusChild::Failure => seen.failure,
            StatusChild::Error => seen.error,
            StatusChild::Skipped => seen.skipped,
            StatusChild::Flaky => seen.flaky,
        }
    }

    /// Marks this child as seen.
    pub fn mark(self, seen: &mut StatusSeen) {
        match self {
            StatusChild::Failure => seen.failure = true,
            StatusChild::Error => seen.error = true,
            StatusChild::Skipped => seen.skipped = true,
            StatusChild::Flaky => seen.flaky = true,
        }
    }
}

/// The slot whose message explains an outcome, if any.
pub(crate) fn deciding_slot(outcome: TestOutcome) -> Option<usize> {
    match outcome {
        TestOutcome::Failed => Some(StatusChild::Failure.slot()),
        TestOutcome::Errored => Some(StatusChild::Error.slot()),
        TestOutcome::Skipped => Some(StatusChild::Skipped.slot()),
        TestOutcome::Flaky => Some(StatusChild::Flaky.slot()),
        TestOutcome::Passed => None,
    }
}

/// Whether a testcase's `status` attribute marks it as not run: `disabled`, `notrun` or
/// `skipped`, case-insensitive, surrounding white space ignored. Other values (`run`, `passed`,
/// `failed`, ...) say nothing: the status children decide.
pub(crate) fn is_skip_status(value: &str) -> bool {
    let v = value.trim();
    ["disabled", "notrun", "skipped"]
        .iter()
        .any(|s| v.eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(f: impl FnOnce(&mut StatusSeen)) -> TestOutcome {
        let mut s = StatusSeen::default();
        f(&mut s);
        s.outcome()
    }

    #[test]
    fn nothing_is_a_pass() {
        assert_eq!(seen(|_| {}), TestOutcome::Passed);
    }

    #[test]
    fn failure_beats_error_and_skipped() {
        assert_eq!(
            seen(|s| {
                s.failure = true;
                s.error = true;
                s.skipped = true;
            }),
            TestOutcome::Failed
        );
        assert_eq!(
            seen(|s| {
                s.error = true;
                s.skipped = true;
            }),
            TestOutcome::Errored
        );
    }

    #[test]
    fn disabled_with_failure_is_failed_and_without_is_skipped() {
        assert_eq!(
            seen(|s| {
                s.skip_status = true;
                s.failure = true;
            }),
            TestOutcome::Failed
        );
        assert_eq!(seen(|s| s.skip_status = true), TestOutcome::Skipped);
    }

    #[test]
    fn flaky_only_when_nothing_worse() {
        assert_eq!(seen(|s| s.flaky = true), TestOutcome::Flaky);
        assert_eq!(
            seen(|s| {
                s.flaky = true;
                s.skipped = true;
            }),
            TestOutcome::Skipped
        );
        assert_eq!(
            seen(|s| {
                s.flaky = true;
                s.error = true;
            }),
            TestOutcome::Errored
        );
    }

    #[test]
    fn status_attribute_values() {
        for yes in ["disabled", "NOTRUN", " Skipped\n", "notRun"] {
            assert!(is_skip_status(yes), "{yes:?}");
        }
        for no in [
            "",
            "run",
            "passed",
            "failed",
            "errored",
            "disabled-ish",
            "skip",
        ] {
            assert!(!is_skip_status(no), "{no:?}");
        }
    }

    #[test]
    fn status_children_are_case_sensitive_and_exclude_reruns() {
        assert_eq!(
            StatusChild::from_local_name(b"failure"),
            Some(StatusChild::Failure)
        );
        assert_eq!(
            StatusChild::from_local_name(b"flakyError"),
            Some(StatusChild::Flaky)
        );
        assert_eq!(StatusChild::from_local_name(b"Failure"), None);
        assert_eq!(StatusChild::from_local_name(b"rerunFailure"), None);
        assert_eq!(StatusChild::from_local_name(b"rerunError"), None);
        assert_eq!(StatusChild::from_local_name(b"system-out"), None);
    }

    #[test]
    fn deciding_slot_follows_the_outcome() {
        assert_eq!(deciding_slot(TestOutcome::Passed), None);
        assert_eq!(deciding_slot(TestOutcome::Failed), Some(0));
        assert_eq!(deciding_slot(TestOutcome::Errored), Some(1));
        assert_eq!(deciding_slot(TestOutcome::Skipped), Some(2));
        assert_eq!(deciding_slot(TestOutcome::Flaky), Some(3));
    }
}
