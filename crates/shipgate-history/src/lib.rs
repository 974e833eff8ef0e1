//! The release history: release records kept over many releases (`check --report-dir`, one
//! folder per release), listed and verified, and the backtest of a policy on them.
//!
//! [`find_records`] finds record folders, [`open_all`] opens and verifies each (stored bytes
//! against the manifest, then a replay under the record's own policy that must reproduce the
//! recorded decision), and [`backtest()`] replays each verified record under a new policy and
//! joins the production defects that name the release they were introduced in.
//!
//! Everything here is offline except [`load_production_defects`], which reads the policy's
//! defect source (a tracker unless `offline`) or a defect file. It must not print, exit or read
//! the clock, and it never edits a record. A record it cannot use is data (`unusable`, with
//! why), never a guess: a release whose evidence could not be replayed is never counted as ready.
//!
//! # Example
//!
//! ```
//! use std::path::Path;
//!
//! // The six release records of the history example, each checked byte for byte against its
//! // manifest and replayed under its own policy.
//! let records = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/history/records");
//! let found = shipgate_history::find_records(&[records.display().to_string()])?;
//! assert_eq!(found.len(), 6);
//! let opened = shipgate_history::open_all(&found);
//! assert!(opened.iter().all(|r| r.verified.is_some()));
//!
//! // A folder with no record in it is an error: an empty history would backtest as "nothing
//! // leaked".
//! let empty = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
//! assert!(shipgate_history::find_records(&[empty.display().to_string()]).is_err());
//! # Ok::<(), shipgate_history::HistoryError>(())
//! ```

mod backtest;
mod error;
mod records;

pub use backtest::{NewPolicy, ProductionDefects, backtest};
pub use error::HistoryError;
pub use records::{OpenedRecord, RecordDir, Verified, find_records, open_all, open_record};

use jiff::Timestamp;
use shipgate_defects::{LoadOptions, SourceConfig};
use shipgate_evaluator::{EvaluatorError, LoadedPolicy};
use shipgate_model::TrackerKind;
use shipgate_model::{Decision, DefectEvidence};
use std::path::Path;

/// Loads the defects to join: from `file` when given (a defect JSON file as `shipgate inspect
/// defects --format json` writes it, or an export the policy's defect settings describe), else
/// from the policy's `sources.defects` (a tracker, unless `offline`).
pub fn load_production_defects(
    loaded: &LoadedPolicy,
    file: Option<&Path>,
    offline: bool,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    now: Timestamp,
) -> Result<DefectEvidence, HistoryError> {
    let config = match (file, &loaded.policy.sources.defects) {
        (Some(path), sources) => {
            let mut config = sources.as_ref().map_or_else(
                || SourceConfig::of_kind(TrackerKind::File),
                |s| shipgate_evaluator::defect_config(s, &loaded.base_dir),
            );
            config.settings.kind = TrackerKind::File;
            config.path = Some(path.to_path_buf());
            config.path_display = Some(path.display().to_string());
            config
        }
        (None, Some(sources)) => shipgate_evaluator::defect_config(sources, &loaded.base_dir),
        (None, None) => {
            return Err(HistoryError::NoDefectSource {
                policy: loaded.path.clone(),
            });
        }
    };
    let options = LoadOptions {
        offline,
        env,
        fetched_at: Some(now),
    };
    shipgate_defects::load(&config, &options)
        .map(|l| l.evidence)
        .map_err(|e| HistoryError::Defects {
            location: config.location(),
            message: e.to_string(),
            remedy: e.remedy(),
            missing: e.is_missing(),
        })
}

/// An evaluator error in one line, with the policy's problems when it has them.
pub(crate) fn describe_evaluator_error(e: &EvaluatorError) -> String {
    match e {
        EvaluatorError::PolicyInvalid { problems, .. } => format!(
            "{e}: {}",
            problems
                .iter()
                .map(|p| format!("line {}: {}", p.mark.line, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => other.to_string(),
    }
}

pub(crate) fn decision_word(d: Decision) -> &'static str {
    match d {
        Decision::Ready => "ready",
        Decision::Blocked => "blocked",
    }
}
