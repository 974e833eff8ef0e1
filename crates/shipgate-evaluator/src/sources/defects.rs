//! The `defects` source: the policy's `sources.defects` → a `shipgate-defects` configuration →
//! defect evidence, with the hash of the bytes the decision rests on.

use super::{GatherOptions, Gathered, Loaded, Source, StateAndInputs};
use crate::digest::sha256_hex;
use crate::resolver::{FetchedCopy, Located, Resolver};
use shipgate_defects::{LoadOptions, SourceConfig, TrackerKind};
use shipgate_model::{DefectEvidence, EvidenceProblem, InputRecord, SourceState};
use shipgate_policy::{DefectSources, Policy};
use std::path::Path;

const SOURCE: &str = "defects";

/// `sources.defects`: the tracker, or an export of it.
pub(crate) struct Defects;

/// The source in [`SOURCES`](super::SOURCES).
pub(crate) static DEFECTS: Defects = Defects;

impl Source for Defects {
    fn name(&self) -> &'static str {
        SOURCE
    }

    fn wanted(&self, policy: &Policy) -> bool {
        policy.sources.defects.is_some()
    }

    fn load(
        &self,
        policy: &Policy,
        resolver: &Resolver,
        options: &GatherOptions<'_>,
    ) -> Box<dyn Loaded> {
        let (state, inputs) = load(policy, resolver, options);
        Box::new(StateAndInputs {
            state,
            inputs,
            field: |e| &mut e.defects,
        })
    }

    fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered) {
        into.evidence.defects = SourceState::Unreadable(vec![problem]);
    }
}

/// The adapter's configuration for the policy's defect source; paths resolved against
/// `base_dir`.
pub fn defect_config(sources: &DefectSources, base_dir: &Path) -> SourceConfig {
    SourceConfig::new(sources.settings(), base_dir)
}

/// Loads the defects the policy's `sources.defects` names: for the gate and for
/// `shipgate inspect defects`. Also returns the adapter's configuration (for its location).
pub fn load_defects(
    sources: &DefectSources,
    base_dir: &Path,
    options: &GatherOptions<'_>,
) -> (SourceState<shipgate_defects::Loaded>, SourceConfig) {
    load_config(defect_config(sources, base_dir), options)
}

fn load_config(
    config: SourceConfig,
    options: &GatherOptions<'_>,
) -> (SourceState<shipgate_defects::Loaded>, SourceConfig) {
    let loaded = shipgate_defects::load(&config, &load_options(options));
    (state_of(loaded, &config), config)
}

fn load_options<'a>(options: &GatherOptions<'a>) -> LoadOptions<'a> {
    LoadOptions {
        offline: options.offline,
        env: options.env,
        fetched_at: options.now,
    }
}

fn state_of(
    loaded: Result<shipgate_defects::Loaded, shipgate_defects::DefectsError>,
    config: &SourceConfig,
) -> SourceState<shipgate_defects::Loaded> {
    match loaded {
        Ok(l) => SourceState::Loaded(l),
        Err(e) => {
            let problem = EvidenceProblem {
                source: SOURCE.to_owned(),
                location: Some(config.location()),
                message: e.to_string(),
                remedy: e.remedy(),
            };
            if e.is_missing() {
                SourceState::Missing(problem)
            } else {
                SourceState::Unreadable(vec![problem])
            }
        }
    }
}

/// The file a fetched defect set is stored under in a release record.
const FETCHED_FILE: &str = "defects.json";

/// The gate's defect source, through `resolver`: an export (`kind: file`) is located like any
/// input, so a release record keeps a copy; what a tracker answered is kept for the record in
/// the defect JSON form; and at replay the record's copy is read instead of the network.
fn load(
    policy: &Policy,
    resolver: &Resolver,
    options: &GatherOptions<'_>,
) -> (SourceState<DefectEvidence>, Vec<InputRecord>) {
    let Some(sources) = &policy.sources.defects else {
        return (SourceState::NotConfigured, Vec::new());
    };
    let mut config = defect_config(sources, resolver.base_dir());
    // The name the report gives this input; a replay must give the same one.
    let location = config.location();
    let fetches = config.kind().spec().fetches;
    let mut export = None;
    if !fetches {
        if let Some(path) = &sources.path {
            let located = resolver.file(SOURCE, path);
            config.path = Some(located.full.clone());
            config.path_display = Some(located.shown.clone());
            export = Some(located);
        }
    } else if resolver.is_replay() {
        let Some(stored) = resolver.fetched(SOURCE) else {
            let problem = EvidenceProblem {
                source: SOURCE.to_owned(),
                location: Some(location.clone()),
                message: format!(
                    "the release record holds no defects fetched from `{location}` (the recorded run could not fetch them)"
                ),
                remedy: "a replay never reaches the tracker; see the recorded report for why the defects were not fetched".to_owned(),
            };
            return (SourceState::Missing(problem), Vec::new());
        };
        // The stored answer must be of the tracker and query the (recorded) policy names.
        if stored.shown != location {
            let problem = EvidenceProblem {
                source: SOURCE.to_owned(),
                location: Some(location.clone()),
                message: format!(
                    "the stored defects were fetched from `{}`, not `{location}`, the tracker the policy names",
                    stored.shown
                ),
                remedy: "replay the record with the policy it was made with".to_owned(),
            };
            return (SourceState::Unreadable(vec![problem]), Vec::new());
        }
        // What the tracker answered, stored in the defect JSON form: already normalised.
        config.settings.kind = TrackerKind::File;
        config.path = Some(stored.full);
        config.path_display = Some(stored.shown);
        config.settings.severity = None;
        config.settings.origin = None;
        config.settings.introduced_in = None;
        config.settings.not_defects = None;
    }
    let state = match &export {
        Some(located) => load_export(located, config, resolver, options),
        None => load_config(config, options).0,
    };
    match state {
        SourceState::Loaded(l) => {
            if fetches && resolver.keeps_fetched() {
                resolver.keep_fetched(FetchedCopy {
                    source: SOURCE.to_owned(),
                    origin: location.clone(),
                    file_name: FETCHED_FILE.to_owned(),
                    bytes: l.bytes.clone(),
                });
            }
            let input = InputRecord {
                source: SOURCE.to_owned(),
                path: location,
                sha256: sha256_hex(&l.bytes),
                bytes: l.bytes.len() as u64,
            };
            (SourceState::Loaded(l.evidence), vec![input])
        }
        SourceState::Missing(p) => (SourceState::Missing(p), Vec::new()),
        SourceState::Unreadable(p) => (SourceState::Unreadable(p), Vec::new()),
        SourceState::NotConfigured => (SourceState::NotConfigured, Vec::new()),
    }
}

/// Loads a defect export (`kind: file`) found through the resolver: at replay, one the recorded
/// run could not read fails again with the recorded error, and on a recorded run why it could
/// not be read is remembered for the record. (A file that was read and refused is kept by the
/// record as it is.)
fn load_export(
    located: &Located,
    config: SourceConfig,
    resolver: &Resolver,
    options: &GatherOptions<'_>,
) -> SourceState<shipgate_defects::Loaded> {
    use shipgate_defects::DefectsError;
    let loaded = match resolver.recorded_failure(located) {
        Some(e) => Err(DefectsError::FileUnreadable {
            path: config.location(),
            reason: e.to_string(),
        }),
        None => shipgate_defects::load(&config, &load_options(options)),
    };
    match &loaded {
        Ok(_) => {}
        Err(DefectsError::FileMissing { .. }) => resolver.note_failure(
            SOURCE,
            &located.shown,
            &std::io::Error::from(std::io::ErrorKind::NotFound),
        ),
        Err(DefectsError::FileUnreadable { reason, .. }) => {
            resolver.note_failure(
                SOURCE,
                &located.shown,
                &std::io::Error::other(reason.clone()),
            );
        }
        Err(_) => {}
    }
    state_of(loaded, &config)
}
