//! The `quarantine` source: `sources.tests.quarantine`, a YAML list of known-flaky tests, read
//! with the file's hash. Every problem in it is reported with its line; a quarantine that cannot
//! be read quarantines nothing and stops the checks that read it.

use super::{GatherOptions, Gathered, Loaded, Source, StateAndInputs};
use crate::digest::sha256_hex;
use crate::resolver::Resolver;
use shipgate_model::{EvidenceProblem, InputRecord, Quarantine, SourceState};
use shipgate_policy::Policy;

/// A quarantine list is written by hand; a larger file is a mistake, not a list.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

const SOURCE: &str = "quarantine";

/// `sources.tests.quarantine`: the known-flaky tests.
pub(crate) struct QuarantineSource;

/// The source in [`SOURCES`](super::SOURCES).
pub(crate) static QUARANTINE: QuarantineSource = QuarantineSource;

impl Source for QuarantineSource {
    fn name(&self) -> &'static str {
        SOURCE
    }

    fn wanted(&self, policy: &Policy) -> bool {
        policy.quarantine_file().is_some()
    }

    fn load(&self, policy: &Policy, resolver: &Resolver, _: &GatherOptions<'_>) -> Box<dyn Loaded> {
        let (state, inputs) = load(policy, resolver);
        Box::new(StateAndInputs {
            state,
            inputs,
            field: |e| &mut e.quarantine,
        })
    }

    fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered) {
        into.evidence.quarantine = SourceState::Unreadable(vec![problem]);
    }
}

/// Loads the quarantine file named by the policy.
fn load(policy: &Policy, resolver: &Resolver) -> (SourceState<Quarantine>, Vec<InputRecord>) {
    let base_dir = resolver.base_dir();
    let Some(file) = policy.quarantine_file() else {
        return (SourceState::NotConfigured, Vec::new());
    };
    let problem = |location: String, message: String, remedy: &str| EvidenceProblem {
        source: SOURCE.to_owned(),
        location: Some(location),
        message,
        remedy: remedy.to_owned(),
    };
    // Through the resolver: the live file, or its copy in a release record at replay.
    let located = resolver.file(SOURCE, file);
    let file = located.shown.as_str();
    let bytes = match resolver.read_small(&located, MAX_BYTES) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (
                SourceState::Missing(problem(
                    file.to_owned(),
                    format!(
                        "the quarantine file `{file}` does not exist in `{}`",
                        base_dir.display()
                    ),
                    "create it (a file holding `[]` quarantines nothing), or remove `sources.tests.quarantine` from the policy",
                )),
                Vec::new(),
            );
        }
        Err(e) => {
            return (
                SourceState::Unreadable(vec![problem(
                    file.to_owned(),
                    format!("failed to read the quarantine file `{file}`: {e}"),
                    "make the file readable by the user that runs the gate",
                )]),
                Vec::new(),
            );
        }
    };
    let inputs = vec![InputRecord {
        source: SOURCE.to_owned(),
        path: file.to_owned(),
        sha256: sha256_hex(&bytes),
        bytes: bytes.len() as u64,
    }];
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let offset = e.valid_up_to();
            return (
                SourceState::Unreadable(vec![problem(
                    file.to_owned(),
                    format!(
                        "failed to read the quarantine file `{file}`: it is not UTF-8 text (invalid byte at offset {offset})"
                    ),
                    "save the quarantine file as UTF-8",
                )]),
                inputs,
            );
        }
    };
    match shipgate_policy::parse_quarantine(text, file) {
        Ok(q) => (SourceState::Loaded(q), inputs),
        Err(problems) => {
            let listed = problems
                .iter()
                .map(|p| {
                    let at = format!("{file}:{}:{}", p.mark.line, p.mark.col);
                    let key = if p.path.is_empty() {
                        String::new()
                    } else {
                        format!("`{}`: ", p.path)
                    };
                    problem(
                        at.clone(),
                        format!("{at}: {key}{} (quarantine file)", p.message),
                        "correct the quarantine file: each entry needs `pattern`, `owner`, `ticket` and `expires` (see docs/policy.md)",
                    )
                })
                .collect();
            (SourceState::Unreadable(listed), inputs)
        }
    }
}
