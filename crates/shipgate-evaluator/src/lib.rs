//! The shipgate gate evaluator: from a policy file to a finished [`Report`](shipgate_model::Report).
//!
//! It reads the policy, works out which evidence the policy needs, asks each adapter for exactly
//! that (concurrently, one thread per source: JUnit tests, defects, load-test results, the UAT
//! sign-off), records the provenance of every input (path,
//! SHA-256, size), and calls the policy engine. A check that fails is data in the report; an
//! `Err` from this crate means the gate could not even start (no readable, valid policy, or a
//! release record that cannot be trusted).
//!
//! Every source finds its inputs through a [`Resolver`]: live files beside the policy, or the
//! copies in a release record. [`write_record`] stores the inputs of a decision (`--report-dir`)
//! and [`Snapshot`] opens such a record, checked byte for byte, so that [`run_with`] can replay
//! the decision offline.
//!
//! It must not render anything, print, exit the process or read the clock: the caller passes
//! the evaluation time, so the same inputs always give the same decision. Source loaders must
//! not touch the file system except through the resolver, or their inputs cannot be recorded.
//!
//! # Example
//!
//! ```
//! use shipgate_model::Decision;
//! use std::path::Path;
//!
//! let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
//! let now = "2026-11-24T12:00:00Z".parse().expect("an instant");
//!
//! // The README's quick start: its tests pass, so the release is ready.
//! let quickstart = shipgate_evaluator::load_policy(&examples.join("quickstart/shipgate.yaml"), &|_| None)?;
//! assert_eq!(shipgate_evaluator::run(&quickstart, now).decision, Decision::Ready);
//!
//! // The blocked example's evidence fails its policy.
//! let blocked = shipgate_evaluator::load_policy(&examples.join("blocked/shipgate.yaml"), &|_| None)?;
//! let report = shipgate_evaluator::run(&blocked, now);
//! assert_eq!(report.decision, Decision::Blocked);
//! assert!(report.blocking().next().is_some());
//!
//! // No policy, no gate: an error, never a report.
//! assert!(shipgate_evaluator::load_policy(&examples.join("no-such/shipgate.yaml"), &|_| None).is_err());
//! # Ok::<(), shipgate_evaluator::EvaluatorError>(())
//! ```

mod digest;
mod error;
mod loaded_policy;
mod record;
mod resolver;
mod run;
mod secrets;
mod sources;

pub use digest::sha256_hex;
pub use error::EvaluatorError;
pub use loaded_policy::{LoadedPolicy, load_policy};
pub use record::{
    EVIDENCE_DIR, MANIFEST_FILE, MANIFEST_VERSION, Manifest, REPORT_FILE, REPORT_FILES, Snapshot,
    WrittenRecord, check_reproduced, compare_reports, load_snapshot_policy, record_read_by_globs,
    write_record,
};
pub use resolver::{Expanded, FetchedCopy, Located, Resolver};
pub use run::{report, run, run_with};
pub use secrets::of_policy as secrets_of_policy;
pub use shipgate_defects::{Loaded as LoadedDefects, write_json as write_defects_json};
pub use shipgate_http::Redactor;
/// The performance adapter, for `shipgate inspect perf` and `shipgate perf baseline promote`.
pub use shipgate_perf;
pub use sources::{
    GatherOptions, HistoryInspection, PERF_BASELINE_SOURCE, PERF_SOURCE, TestInspection,
    TestInventory, approvals_config, changed_files, defect_config, gather, gather_with,
    inspect_tests, inspect_tests_with_history, inspect_uat, load_defects, test_inventory,
};

/// The version written into every report.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
