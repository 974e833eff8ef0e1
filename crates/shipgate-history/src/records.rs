//! Finding release records in folders and globs, and verifying each one the way
//! `shipgate check --from-snapshot` does: every stored byte against the manifest, then a replay
//! under the record's own policy that must reproduce the recorded decision, exit code and release.

use crate::error::HistoryError;
use shipgate_evaluator::{
    EvaluatorError, GatherOptions, LoadedPolicy, MANIFEST_FILE, REPORT_FILE, Resolver, Snapshot,
};
use shipgate_model::Report;
use shipgate_model::backtest::RecordEntry;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// How deep under a folder given on the command line records are looked for: a folder of
/// releases (`history/1.4.0/`), or of products and releases (`history/payments/1.4.0/`).
const SEARCH_DEPTH: usize = 3;

/// A record folder found from the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordDir {
    /// The folder.
    pub path: PathBuf,
    /// The folder as shown in reports (as found from the argument).
    pub shown: String,
}

/// Finds the record folders the arguments name: a record folder itself (it holds
/// `evidence/manifest.json` or `report.json`), a folder of record folders (searched
/// `SEARCH_DEPTH` levels down, never inside a record), or a glob of either. Sorted by name,
/// each folder once. An argument that names no record is an error: an empty history would
/// backtest as "nothing leaked".
pub fn find_records(args: &[String]) -> Result<Vec<RecordDir>, HistoryError> {
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for arg in args {
        let mut here = Vec::new();
        if arg.contains(['*', '?', '[']) {
            let paths = glob::glob(arg).map_err(|e| HistoryError::BadGlob {
                pattern: arg.clone(),
                message: e.to_string(),
            })?;
            let mut matched: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
            matched.sort();
            for path in matched {
                if path.is_dir() {
                    search(&path, SEARCH_DEPTH, &mut here);
                }
            }
        } else {
            let path = PathBuf::from(arg);
            if !path.is_dir() {
                return Err(HistoryError::NotAFolder { path });
            }
            search(&path, SEARCH_DEPTH, &mut here);
        }
        if here.is_empty() {
            return Err(HistoryError::NoRecords { arg: arg.clone() });
        }
        for path in here {
            let key = path.canonicalize().unwrap_or_else(|_| path.clone());
            if seen.insert(key) {
                found.push(RecordDir {
                    shown: path.display().to_string(),
                    path,
                });
            }
        }
    }
    Ok(found)
}

/// Whether `dir` looks like a report folder written by `check --report-dir`.
fn is_record(dir: &Path) -> bool {
    dir.join(MANIFEST_FILE).is_file()
        || dir.join(REPORT_FILE).is_file()
        || dir.join(shipgate_evaluator::EVIDENCE_DIR).is_dir()
}

fn search(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if is_record(dir) {
        out.push(dir.to_path_buf());
        return;
    }
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    children.sort();
    for child in children {
        search(&child, depth - 1, out);
    }
}

/// A record that verified: what a replay under another policy needs.
#[derive(Clone, Debug)]
pub struct Verified {
    /// The opened record.
    pub snapshot: Snapshot,
    /// The record's own policy, expanded as the recorded run expanded it.
    pub policy: LoadedPolicy,
    /// The recorded report.
    pub report: Report,
}

/// One record of the history, opened.
#[derive(Clone, Debug)]
pub struct OpenedRecord {
    /// Where it is.
    pub dir: RecordDir,
    /// What `shipgate history` lists of it.
    pub entry: RecordEntry,
    /// The record, when it verified.
    pub verified: Option<Verified>,
}

/// Opens and verifies the record in `dir`. Never fails: a record that cannot be used is
/// returned with `verified: None` and the reasons in `entry.problems`.
pub fn open_record(dir: &RecordDir) -> OpenedRecord {
    let mut entry = RecordEntry {
        record: dir.shown.clone(),
        version: None,
        commit: None,
        product: None,
        recorded_at: None,
        recorded_decision: None,
        verified: false,
        problems: Vec::new(),
    };
    let verified = match verify(&dir.path, &mut entry) {
        Ok(v) => v,
        Err(problems) => {
            entry.problems = problems;
            label_from_report(&dir.path, &mut entry);
            return OpenedRecord {
                dir: dir.clone(),
                entry,
                verified: None,
            };
        }
    };
    if entry.version.is_none() {
        entry.problems.push(
            "the record names no release version (`release.version` was not set when it was written), so no production defect can name it".to_owned(),
        );
        return OpenedRecord {
            dir: dir.clone(),
            entry,
            verified: None,
        };
    }
    entry.verified = true;
    OpenedRecord {
        dir: dir.clone(),
        entry,
        verified: Some(verified),
    }
}

/// For a record that did not verify: its version, commit and decision as its `report.json` says,
/// when that can be read, so that the listing and the defects that name it can say which
/// release is unusable. Nothing read here is used for anything else.
fn label_from_report(dir: &Path, entry: &mut RecordEntry) {
    if entry.version.is_some() {
        return;
    }
    let Ok(bytes) = std::fs::read(dir.join(REPORT_FILE)) else {
        return;
    };
    if let Ok(report) = shipgate_json::parse_form::<Report>(&bytes) {
        entry.version = report.release.version;
        entry.commit = report.release.commit;
        entry.product = Some(report.release.name);
        entry.recorded_decision = Some(report.decision);
        entry.recorded_at = entry.recorded_at.or(Some(report.evaluated_at));
    }
}

fn verify(dir: &Path, entry: &mut RecordEntry) -> Result<Verified, Vec<String>> {
    let snapshot = Snapshot::open(dir).map_err(|e| match e {
        EvaluatorError::SnapshotTampered { problems, .. } => problems
            .into_iter()
            .map(|p| format!("the record was changed after it was written: {p}"))
            .collect(),
        other => vec![other.to_string()],
    })?;
    entry.recorded_at = Some(snapshot.manifest().evaluated_at);
    let recorded = match snapshot.recorded_report() {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(vec![format!("its `{REPORT_FILE}` cannot be read: {e}")]),
        None => return Err(vec![format!("it holds no `{REPORT_FILE}`")]),
    };
    entry.version = recorded.release.version.clone();
    entry.commit = recorded.release.commit.clone();
    entry.product = Some(recorded.release.name.clone());
    entry.recorded_decision = Some(recorded.decision);
    let policy = shipgate_evaluator::load_snapshot_policy(&snapshot).map_err(|e| {
        vec![format!(
            "its stored policy cannot be read: {}",
            crate::describe_evaluator_error(&e)
        )]
    })?;
    let at = snapshot.manifest().evaluated_at;
    let replayed = shipgate_evaluator::run_with(
        &policy,
        &Resolver::replay(snapshot.clone()),
        at,
        &GatherOptions {
            offline: true,
            ..GatherOptions::default()
        },
    );
    let mut problems = Vec::new();
    if replayed.decision != recorded.decision || replayed.exit_code != recorded.exit_code {
        problems.push(format!(
            "it does not reproduce its own decision: it recorded {} (exit {}), its replay decides {} (exit {}){}",
            crate::decision_word(recorded.decision),
            recorded.exit_code,
            crate::decision_word(replayed.decision),
            replayed.exit_code,
            describe_differences(&recorded, &replayed)
        ));
    }
    if replayed.release != recorded.release {
        problems.push(format!(
            "its policy names release {} but its report names {}: the manifest's variables were changed",
            release_words(&replayed.release),
            release_words(&recorded.release)
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Verified {
        snapshot,
        policy,
        report: recorded,
    })
}

fn describe_differences(recorded: &Report, replayed: &Report) -> String {
    let differences = shipgate_evaluator::compare_reports(recorded, replayed);
    if differences.is_empty() {
        String::new()
    } else {
        format!(" ({})", differences.join("; "))
    }
}

fn release_words(release: &shipgate_model::report::ReleaseInfo) -> String {
    format!(
        "`{}` {}{}",
        release.name,
        release.version.as_deref().unwrap_or("(no version)"),
        release
            .commit
            .as_deref()
            .map_or_else(String::new, |c| format!(" at {c}"))
    )
}

/// Opens every record, oldest first (by recorded time, then version, then folder); records whose
/// time is unknown come last.
pub fn open_all(dirs: &[RecordDir]) -> Vec<OpenedRecord> {
    let mut opened: Vec<OpenedRecord> = dirs.iter().map(open_record).collect();
    opened.sort_by(|a, b| {
        let key = |r: &OpenedRecord| {
            (
                r.entry.recorded_at.is_none(),
                r.entry.recorded_at,
                r.entry.version.clone(),
                r.entry.record.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    opened
}
