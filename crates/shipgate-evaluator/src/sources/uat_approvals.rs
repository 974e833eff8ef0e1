//! The `uat-approvals` source: the policy's `sources.uat.github_approvals` → the GitHub
//! deployment approvals of the workflow run, with the hash of the bytes the decision rests on.
//!
//! Live, what GitHub answered is kept for the release record (`Resolver::keep_fetched`) in the
//! form [`shipgate_uat::read_approvals_json`] reads; at replay that copy is read instead of the
//! network, and it must be of the run and repository the (recorded) policy names.

use super::{GatherOptions, Gathered, Loaded, Source, StateAndInputs};
use crate::digest::sha256_hex;
use crate::resolver::{FetchedCopy, Resolver};
use shipgate_model::{DeploymentApprovals, EvidenceProblem, InputRecord, SourceState};
use shipgate_policy::{GithubApprovals, Policy};
use shipgate_uat::{
    ApprovalsConfig, ApprovalsOptions, ClientOptions, UatError, fetch_approvals,
    read_approvals_json, write_approvals_json,
};
use std::path::Path;

/// The source's name in the report's inputs and in the release record.
const SOURCE: &str = "uat-approvals";

/// `sources.uat.github_approvals`: the GitHub deployment approvals of the workflow run.
pub(crate) struct UatApprovals;

/// The source in [`SOURCES`](super::SOURCES).
pub(crate) static UAT_APPROVALS: UatApprovals = UatApprovals;

impl Source for UatApprovals {
    fn name(&self) -> &'static str {
        SOURCE
    }

    fn wanted(&self, policy: &Policy) -> bool {
        policy
            .sources
            .uat
            .as_ref()
            .is_some_and(|u| u.github_approvals.is_some())
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
            field: |e| &mut e.uat_approvals,
        })
    }

    fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered) {
        into.evidence.uat_approvals = SourceState::Unreadable(vec![problem]);
    }
}

/// The file the fetched approvals are stored under in a release record.
const FETCHED_FILE: &str = "github-approvals.json";

/// A stored copy larger than this is refused at replay (a run's review history is small).
const MAX_STORED_BYTES: u64 = 16 * 1024 * 1024;

/// The adapter's configuration for the policy's approvals source; paths resolved against
/// `base_dir`.
pub fn approvals_config(gh: &GithubApprovals, base_dir: &Path) -> ApprovalsConfig {
    let defaults = ClientOptions::default();
    ApprovalsConfig {
        url: gh.api_url().to_owned(),
        repository: gh.repository().to_owned(),
        run_id: gh.run_id().to_owned(),
        environments: gh.environments().into_iter().map(str::to_owned).collect(),
        teams: gh.teams(),
        token_env: gh.token_env.trim().to_owned(),
        http: ClientOptions {
            timeout: gh.timeout.map_or(defaults.timeout, |t| t.get()),
            retries: gh.retries.unwrap_or(defaults.retries),
            ca_bundle: gh.ca_bundle.as_ref().map(|p| base_dir.join(p)),
            ..defaults
        },
    }
}

fn problem(location: &str, message: String, remedy: String) -> EvidenceProblem {
    EvidenceProblem {
        source: SOURCE.to_owned(),
        location: Some(location.to_owned()),
        message,
        remedy,
    }
}

fn failed(location: &str, e: &UatError) -> SourceState<DeploymentApprovals> {
    let p = problem(location, e.to_string(), e.remedy());
    if e.is_missing() {
        SourceState::Missing(p)
    } else {
        SourceState::Unreadable(vec![p])
    }
}

/// Loads the approvals the policy's `sources.uat.github_approvals` names, through `resolver`.
fn load(
    policy: &Policy,
    resolver: &Resolver,
    options: &GatherOptions<'_>,
) -> (SourceState<DeploymentApprovals>, Vec<InputRecord>) {
    let Some(gh) = policy
        .sources
        .uat
        .as_ref()
        .and_then(|u| u.github_approvals.as_ref())
    else {
        return (SourceState::NotConfigured, Vec::new());
    };
    let config = approvals_config(gh, resolver.base_dir());
    // The name the report gives this input; a replay must give the same one.
    let location = config.location();
    let (approvals, bytes) = if resolver.is_replay() {
        match stored(resolver, &location) {
            Ok(found) => found,
            Err(state) => return (*state, Vec::new()),
        }
    } else {
        let fetched = fetch_approvals(
            &config,
            &ApprovalsOptions {
                offline: options.offline,
                env: options.env,
                fetched_at: options.now,
            },
        );
        match fetched {
            Ok(a) => {
                let bytes = write_approvals_json(&a).into_bytes();
                if resolver.keeps_fetched() {
                    resolver.keep_fetched(FetchedCopy {
                        source: SOURCE.to_owned(),
                        origin: location.clone(),
                        file_name: FETCHED_FILE.to_owned(),
                        bytes: bytes.clone(),
                    });
                }
                (a, bytes)
            }
            Err(e) => return (failed(&location, &e), Vec::new()),
        }
    };
    let input = InputRecord {
        source: SOURCE.to_owned(),
        path: location,
        sha256: sha256_hex(&bytes),
        bytes: bytes.len() as u64,
    };
    (SourceState::Loaded(approvals), vec![input])
}

/// At replay: the copy the release record stored, which must be of the policy's run.
fn stored(
    resolver: &Resolver,
    location: &str,
) -> Result<(DeploymentApprovals, Vec<u8>), Box<SourceState<DeploymentApprovals>>> {
    let Some(copy) = resolver.fetched(SOURCE) else {
        return Err(Box::new(SourceState::Missing(problem(
            location,
            format!(
                "the release record holds no deployment approvals fetched from `{location}` (the recorded run could not fetch them)"
            ),
            "a replay never reaches GitHub; see the recorded report for why the approvals were not fetched".to_owned(),
        ))));
    };
    let shown = copy.full.display().to_string();
    let unreadable = |message: String, remedy: &str| {
        Box::new(SourceState::Unreadable(vec![problem(
            location,
            message,
            remedy.to_owned(),
        )]))
    };
    let bytes = resolver.read_small(&copy, MAX_STORED_BYTES).map_err(|e| {
        unreadable(
            format!("failed to read the stored deployment approvals `{shown}`: {e}"),
            "restore the release record from where it was archived",
        )
    })?;
    let approvals =
        read_approvals_json(&bytes, &shown).map_err(|e| Box::new(failed(location, &e)))?;
    if approvals.location != location {
        return Err(unreadable(
            format!(
                "the stored deployment approvals are of `{}`, not `{location}`, the run the policy names",
                approvals.location
            ),
            "replay the record with the policy it was made with",
        ));
    }
    Ok((approvals, bytes))
}
