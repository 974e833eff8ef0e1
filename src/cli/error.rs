//! Why a command stopped without its normal answer, and the exit code that says so.
//!
//! Every subcommand returns `Result<ExitCode, RunError>`: `Ok` is the answer it was asked for
//! (for `check`, the verdict's code), `Err` is everything else. Each variant knows its exit code
//! ([`RunError::exit_code`]) and how it is told to the user ([`RunError::print`]), so that no
//! command maps a failure to a code by hand, and the same missing evidence gives the same code in
//! every command. `main` prints the error and exits with its code. The table of codes is
//! `shipgate_model::ExitCode`, pinned by its test and docs/exit-codes.md.

use super::output::{StdoutError, eprint};
use shipgate_evaluator::shipgate_perf::PerfError;
use shipgate_evaluator::{EvaluatorError, LoadedPolicy};
use shipgate_history::HistoryError;
use shipgate_model::{EvidenceProblem, ExitCode, SourceState};

/// Why a command could not give its answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    /// A flag, argument or combination the command cannot run with (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The command needs a source of evidence the policy does not configure (exit 2).
    #[error("{0}")]
    NotConfigured(String),
    /// The policy cannot be read, or is invalid (exit 3).
    #[error(transparent)]
    Policy(EvaluatorError),
    /// Evidence the command was asked for is missing (exit 1) or, when any of it is
    /// unreadable, cannot be read (exit 4): the same rule as a check's missing evidence.
    #[error("{}", .0.iter().map(|(_, p)| p.describe()).collect::<Vec<_>>().join("; "))]
    Evidence(Vec<(Absence, EvidenceProblem)>),
    /// What the command judged says no, like a blocked gate (exit 1): a run that failed its own
    /// thresholds is not promoted to a baseline.
    #[error("{0}")]
    Refused(String),
    /// A release record that cannot be trusted, or a record that would not hold the bytes the
    /// decision was made on, or would keep a secret (exit 4).
    #[error(transparent)]
    Record(EvaluatorError),
    /// A release record whose manifest or recorded report does not hold what a replay needs
    /// (exit 4).
    #[error("{0}")]
    UntrustedRecord(String),
    /// Release records or production defects `backtest` and `history` cannot use: a usage
    /// error (2), or defects that are missing (1) or unreadable (4).
    #[error(transparent)]
    History(HistoryError),
    /// A file the command was given that cannot be read as what it must be (a JSON report), or
    /// an answer that would be incomplete (a backtest with records it could not use, a test plan
    /// with no test to order) (exit 4, as evidence that cannot be read).
    #[error("{0}")]
    Unusable(String),
    /// A bug in shipgate, or output that could not be written (exit 70).
    #[error("{0}")]
    Internal(String),
}

/// Why evidence has no value: absent, or there and unreadable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Absence {
    /// Not there (exit 1).
    Missing,
    /// There, and it cannot be read (exit 4).
    Unreadable,
}

impl RunError {
    /// The exit code of the error: the one place a failure gets its code.
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            RunError::Usage(_) | RunError::NotConfigured(_) => ExitCode::Usage,
            RunError::Policy(_) => ExitCode::InvalidPolicy,
            RunError::Evidence(problems) => {
                if problems.iter().any(|(a, _)| *a == Absence::Unreadable) {
                    ExitCode::EvidenceError
                } else {
                    ExitCode::Blocked
                }
            }
            RunError::Refused(_) => ExitCode::Blocked,
            RunError::Record(_) | RunError::UntrustedRecord(_) | RunError::Unusable(_) => {
                ExitCode::EvidenceError
            }
            RunError::History(e) => match e {
                HistoryError::Defects { missing: true, .. } => ExitCode::Blocked,
                HistoryError::Defects { missing: false, .. } => ExitCode::EvidenceError,
                HistoryError::BadGlob { .. }
                | HistoryError::NotAFolder { .. }
                | HistoryError::NoRecords { .. }
                | HistoryError::NoDefectSource { .. } => ExitCode::Usage,
            },
            RunError::Internal(_) => ExitCode::Internal,
        }
    }

    /// Tells the user on stderr what went wrong and what to do.
    pub(crate) fn print(&self) {
        match self {
            RunError::Policy(e) => print_policy_error(e),
            RunError::Evidence(problems) => {
                for (_, p) in problems {
                    eprint(&format!(
                        "shipgate: {}\n  to fix: {}",
                        p.describe(),
                        p.remedy
                    ));
                }
            }
            RunError::Record(e) => {
                eprint(&format!("shipgate: {e}"));
                if let EvaluatorError::SnapshotTampered { problems, .. } = e {
                    for p in problems {
                        eprint(&format!("  {p}"));
                    }
                    eprint(
                        "  a release record must be kept as written; restore it from where it was archived",
                    );
                }
            }
            RunError::History(e) => {
                eprint(&format!("shipgate: {e}"));
                if let HistoryError::Defects { remedy, .. } = e {
                    eprint(&format!("  to fix: {remedy}"));
                }
            }
            other => eprint(&format!("shipgate: {other}")),
        }
    }

    /// The evidence of a loaded source, or why there is none: missing (1), unreadable (4), or
    /// not configured by the policy `loaded` (2).
    pub(crate) fn evidence<T>(
        state: SourceState<T>,
        source: &str,
        loaded: Option<&LoadedPolicy>,
    ) -> Result<T, RunError> {
        match state {
            SourceState::Loaded(t) => Ok(t),
            SourceState::Missing(p) => Err(RunError::Evidence(vec![(Absence::Missing, p)])),
            SourceState::Unreadable(problems) => Err(RunError::Evidence(
                problems
                    .into_iter()
                    .map(|p| (Absence::Unreadable, p))
                    .collect(),
            )),
            SourceState::NotConfigured => Err(RunError::NotConfigured(match loaded {
                Some(l) => format!(
                    "the policy `{}` has no `sources.{source}`; add it first",
                    l.path.display()
                ),
                None => format!("there is no `{source}` evidence to show"),
            })),
        }
    }
}

impl From<EvaluatorError> for RunError {
    fn from(e: EvaluatorError) -> Self {
        match e {
            EvaluatorError::PolicyUnreadable { .. }
            | EvaluatorError::PolicyNotUtf8 { .. }
            | EvaluatorError::PolicyInvalid { .. } => RunError::Policy(e),
            EvaluatorError::InputChanged { .. }
            | EvaluatorError::SecretInRecord { .. }
            | EvaluatorError::SnapshotUnreadable { .. }
            | EvaluatorError::SnapshotTampered { .. }
            | EvaluatorError::ReplayNotReproduced { .. } => RunError::Record(e),
            // The report folder could not be written, or a loader read behind the resolver's
            // back (a bug): the gate could not do its job.
            EvaluatorError::RecordWrite { .. } | EvaluatorError::InputNotRecordable { .. } => {
                RunError::Internal(e.to_string())
            }
        }
    }
}

/// The answer could not be written: the gate could not do its job.
impl From<StdoutError> for RunError {
    fn from(StdoutError(e): StdoutError) -> Self {
        RunError::Internal(format!("failed to write to stdout: {e}"))
    }
}

/// A load-test file as the perf adapter read it: nothing there (no file, or a run that measured
/// nothing) is missing evidence, anything else unreadable, as the gate's performance source
/// says.
impl From<PerfError> for RunError {
    fn from(e: PerfError) -> Self {
        let missing = match &e {
            PerfError::Io { source, .. } => source.kind() == std::io::ErrorKind::NotFound,
            e => e.is_empty_run(),
        };
        let problem = EvidenceProblem {
            source: "performance".to_owned(),
            location: None,
            message: e.to_string(),
            remedy: e.remedy(),
        };
        let absence = if missing {
            Absence::Missing
        } else {
            Absence::Unreadable
        };
        RunError::Evidence(vec![(absence, problem)])
    }
}

/// Prints a policy that cannot be used: every problem with its line, or why it cannot be read.
pub(crate) fn print_policy_error(e: &EvaluatorError) {
    match e {
        EvaluatorError::PolicyInvalid { path, problems } => {
            let mut text = format!("shipgate: {e}:");
            for p in problems {
                let at = if p.path.is_empty() {
                    String::new()
                } else {
                    format!("`{}`: ", p.path)
                };
                text.push_str(&format!(
                    "\n  {}:{}:{}: {at}{}",
                    path.display(),
                    p.mark.line,
                    p.mark.col,
                    p.message
                ));
            }
            eprint(&text);
        }
        EvaluatorError::PolicyUnreadable { path, source } => {
            let hint = if source.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "\n  there is no policy at `{}`: write one with `shipgate init`, or pass `--policy FILE` (or set SHIPGATE_POLICY)",
                    path.display()
                )
            } else {
                String::new()
            };
            eprint(&format!("shipgate: {e}: {source}{hint}"));
        }
        EvaluatorError::PolicyNotUtf8 { .. } => {
            eprint(&format!("shipgate: {e}; save the policy as UTF-8"));
        }
        other => eprint(&format!("shipgate: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn problem() -> EvidenceProblem {
        EvidenceProblem {
            source: "defects".to_owned(),
            location: Some("defects.json".to_owned()),
            message: "the defect file `defects.json` does not exist".to_owned(),
            remedy: "export it".to_owned(),
        }
    }

    /// The same state of evidence gives the same code whichever command shows it.
    #[test]
    fn missing_evidence_is_1_unreadable_4_and_an_unconfigured_source_2() {
        let code = |state: SourceState<()>| {
            RunError::evidence(state, "defects", None)
                .map(|()| ExitCode::Ready)
                .unwrap_or_else(|e| e.exit_code())
        };
        assert_eq!(code(SourceState::Loaded(())), ExitCode::Ready);
        assert_eq!(code(SourceState::Missing(problem())), ExitCode::Blocked);
        assert_eq!(
            code(SourceState::Unreadable(vec![problem()])),
            ExitCode::EvidenceError
        );
        assert_eq!(code(SourceState::NotConfigured), ExitCode::Usage);
        // Missing and unreadable together: the worse one.
        let both = RunError::Evidence(vec![
            (Absence::Missing, problem()),
            (Absence::Unreadable, problem()),
        ]);
        assert_eq!(both.exit_code(), ExitCode::EvidenceError);
        assert_eq!(RunError::Evidence(vec![]).exit_code(), ExitCode::Blocked);
    }

    #[test]
    fn every_error_of_the_evaluator_has_its_code() {
        let io = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let cases = [
            (
                EvaluatorError::PolicyUnreadable {
                    path: PathBuf::from("p"),
                    source: io(),
                },
                3,
            ),
            (
                EvaluatorError::PolicyInvalid {
                    path: PathBuf::from("p"),
                    problems: Vec::new(),
                },
                3,
            ),
            (
                EvaluatorError::InputChanged {
                    path: "a".to_owned(),
                },
                4,
            ),
            (
                EvaluatorError::SecretInRecord {
                    path: "a".to_owned(),
                    env: "T".to_owned(),
                },
                4,
            ),
            (
                EvaluatorError::SnapshotTampered {
                    dir: PathBuf::from("d"),
                    problems: Vec::new(),
                },
                4,
            ),
            (
                EvaluatorError::RecordWrite {
                    path: PathBuf::from("d"),
                    source: io(),
                },
                70,
            ),
        ];
        for (e, code) in cases {
            let shown = e.to_string();
            assert_eq!(RunError::from(e).exit_code().code(), code, "{shown}");
        }
    }

    #[test]
    fn a_load_test_file_that_is_not_there_is_missing_and_a_broken_one_unreadable() {
        let gone = PerfError::Io {
            path: "k6.json".to_owned(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert_eq!(RunError::from(gone).exit_code(), ExitCode::Blocked);
        let denied = PerfError::Io {
            path: "k6.json".to_owned(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        assert_eq!(RunError::from(denied).exit_code(), ExitCode::EvidenceError);
    }

    /// Production defects a backtest cannot read block like unreadable evidence (4), missing
    /// ones like missing evidence (1); records that cannot be found are a usage error (2); an
    /// incomplete answer is never 0.
    #[test]
    fn the_history_errors_and_an_unusable_answer_have_their_codes() {
        let defects = |missing| HistoryError::Defects {
            location: "defects.json".to_owned(),
            message: "gone".to_owned(),
            remedy: "export it".to_owned(),
            missing,
        };
        let cases = [
            (RunError::History(defects(true)), 1),
            (RunError::History(defects(false)), 4),
            (
                RunError::History(HistoryError::NoRecords {
                    arg: "history/*".to_owned(),
                }),
                2,
            ),
            (
                RunError::History(HistoryError::NoDefectSource {
                    policy: PathBuf::from("shipgate.yaml"),
                }),
                2,
            ),
            (
                RunError::Unusable("the backtest is incomplete".to_owned()),
                4,
            ),
        ];
        for (e, code) in cases {
            assert_eq!(e.exit_code().code(), code, "{e}");
        }
    }
}
