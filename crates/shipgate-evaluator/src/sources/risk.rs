//! The risk factors' own evidence, loaded with provenance: complexity reports
//! (`sources.complexity`, read through the resolver like every file) and the repository's
//! churn (`sources.churn`, from the git command line), plus what `shipgate risk plan` needs
//! beyond the gate's evidence: the files a change touches ([`changed_files`]) and every test
//! with its duration ([`test_inventory`]).
//!
//! Entry points: the [`COMPLEXITY`] and [`CHURN`] sources of the evaluator's list, and the two
//! for the plan. Parsing is `shipgate-risk`'s; this module only finds the bytes and runs git.
//!
//! Why the git command line and not a library: docs/decisions/0020-churn-from-the-git-command-line.md.
//! git runs with `-C` the policy's folder, so the repository is the one the policy is in; its
//! output is read in the `-z` forms, which quote nothing. A repository git cannot read, a
//! shallow clone (its history over the window may be cut short) or a missing `git` is churn
//! that is missing, never churn that is zero. What git said is kept in a release record as a
//! fetched copy, so that a replay reads the same history without running git.

use super::{GatherOptions, Gathered, Loaded, Source, StateAndInputs};
use crate::digest::sha256_hex;
use crate::loaded_policy::LoadedPolicy;
use crate::resolver::{FetchedCopy, Resolver};
use jiff::{SignedDuration, Timestamp};
use shipgate_junit::ReadOptions;
use shipgate_model::{
    ChurnEvidence, ComplexityEvidence, EvidenceProblem, FunctionComplexity, InputRecord,
    SourceState, TestRetention,
};
use shipgate_policy::{ComplexityFormat, Policy};
use shipgate_risk::paths;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const COMPLEXITY_SOURCE: &str = "complexity";
const CHURN_SOURCE: &str = "churn";
/// Where a release record keeps the churn.
const CHURN_FILE: &str = "churn.json";
/// A complexity report of a monorepo is a few megabytes; far more is not a report.
const MAX_REPORT_BYTES: u64 = 512 * 1024 * 1024;

fn problem(
    source: &str,
    location: Option<String>,
    message: String,
    remedy: &str,
) -> EvidenceProblem {
    EvidenceProblem {
        source: source.to_owned(),
        location,
        message,
        remedy: remedy.to_owned(),
    }
}

/// `sources.complexity`: the complexity reports, for risk areas.
pub(crate) struct Complexity;

/// The source in [`SOURCES`](super::SOURCES).
pub(crate) static COMPLEXITY: Complexity = Complexity;

impl Source for Complexity {
    fn name(&self) -> &'static str {
        COMPLEXITY_SOURCE
    }

    fn wanted(&self, policy: &Policy) -> bool {
        policy.sources.complexity.is_some()
    }

    fn load(&self, policy: &Policy, resolver: &Resolver, _: &GatherOptions<'_>) -> Box<dyn Loaded> {
        let (state, inputs) = load_complexity(policy, resolver);
        Box::new(StateAndInputs {
            state,
            inputs,
            field: |e| &mut e.complexity,
        })
    }

    fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered) {
        into.evidence.complexity = SourceState::Unreadable(vec![problem]);
    }
}

/// `sources.churn`: the repository's change history over the churn window, for risk areas.
pub(crate) struct Churn;

/// The source in [`SOURCES`](super::SOURCES).
pub(crate) static CHURN: Churn = Churn;

impl Source for Churn {
    fn name(&self) -> &'static str {
        CHURN_SOURCE
    }

    fn wanted(&self, policy: &Policy) -> bool {
        policy.churn_window().is_some()
    }

    fn load(
        &self,
        policy: &Policy,
        resolver: &Resolver,
        options: &GatherOptions<'_>,
    ) -> Box<dyn Loaded> {
        let (state, inputs) = load_churn(policy, resolver, options);
        Box::new(StateAndInputs {
            state,
            inputs,
            field: |e| &mut e.churn,
        })
    }

    fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered) {
        into.evidence.churn = SourceState::Unreadable(vec![problem]);
    }
}

/// Reads every report of `sources.complexity` through `resolver`. One report that cannot be
/// read makes the whole source unreadable: its functions would be missing from every sum.
fn load_complexity(
    policy: &Policy,
    resolver: &Resolver,
) -> (SourceState<ComplexityEvidence>, Vec<InputRecord>) {
    let Some(sources) = &policy.sources.complexity else {
        return (SourceState::NotConfigured, Vec::new());
    };
    let base = absolute(resolver.base_dir());
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    let mut missing = None;
    let mut functions: Vec<FunctionComplexity> = Vec::new();
    for source in sources {
        let located = resolver.file(COMPLEXITY_SOURCE, &source.path);
        let shown = located.shown.clone();
        let bytes = match resolver.read_small(&located, MAX_REPORT_BYTES) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.get_or_insert(problem(
                    COMPLEXITY_SOURCE,
                    Some(shown.clone()),
                    format!(
                        "the {} report `{shown}` does not exist in `{}`",
                        source.format.as_str(),
                        resolver.base_dir().display()
                    ),
                    "run the tool before the gate and write its report where `sources.complexity` says (`lizard --csv SRC > lizard.csv`, `radon cc --json SRC > radon.json`)",
                ));
                continue;
            }
            Err(e) => {
                problems.push(problem(
                    COMPLEXITY_SOURCE,
                    Some(shown.clone()),
                    format!(
                        "failed to read the {} report `{shown}`: {e}",
                        source.format.as_str()
                    ),
                    "make the file readable by the user that runs the gate",
                ));
                continue;
            }
        };
        inputs.push(InputRecord {
            source: COMPLEXITY_SOURCE.to_owned(),
            path: shown.clone(),
            sha256: sha256_hex(&bytes),
            bytes: bytes.len() as u64,
        });
        let root = source.root.as_deref().unwrap_or(".");
        let read = match source.format {
            ComplexityFormat::Lizard => shipgate_risk::read_lizard_csv(&bytes, &shown, root),
            ComplexityFormat::Radon => shipgate_risk::read_radon_json(&bytes, &shown, root),
        };
        match read {
            Ok(found) => functions.extend(found.into_iter().map(|mut f| {
                // A tool given absolute paths writes them: under the policy's folder they are
                // made relative, like every other path; elsewhere they match no area.
                if f.file.starts_with('/')
                    && let Some(rel) = paths::under(&base, &f.file)
                {
                    f.file = rel;
                }
                f
            })),
            Err(e) => problems.push(problem(
                COMPLEXITY_SOURCE,
                Some(shown),
                e.to_string(),
                &e.remedy(),
            )),
        }
    }
    let state = if !problems.is_empty() {
        SourceState::Unreadable(problems)
    } else if let Some(m) = missing {
        SourceState::Missing(m)
    } else {
        SourceState::Loaded(ComplexityEvidence { functions })
    };
    (state, inputs)
}

/// The policy's folder as an absolute, `/`-separated path, for tools that wrote absolute paths.
fn absolute(dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    dir.to_string_lossy().replace('\\', "/")
}

/// Runs git in `dir`; its stdout, or why it failed (`None` when git could not be started).
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Option<String>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        // A signed commit would print its signature into the log; a pager is never wanted.
        .args(["-c", "log.showSignature=false", "--no-pager"])
        .args(args)
        .output()
        .map_err(|_| None)?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(Some(String::from_utf8_lossy(&out.stderr).trim().to_owned()))
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_owned()
}

/// The churn over the window ending at `options.now`: live from git (kept for the record when
/// recording), or at replay what the record kept.
fn load_churn(
    policy: &Policy,
    resolver: &Resolver,
    options: &GatherOptions<'_>,
) -> (SourceState<ChurnEvidence>, Vec<InputRecord>) {
    let Some(window) = policy.churn_window() else {
        return (SourceState::NotConfigured, Vec::new());
    };
    if resolver.is_replay() {
        return recorded_churn(resolver);
    }
    let Some(until) = options.now else {
        return (
            SourceState::Missing(problem(
                CHURN_SOURCE,
                None,
                "churn needs the evaluation time, and none was given".to_owned(),
                "this is a bug in shipgate: the evaluation time is passed to every run",
            )),
            Vec::new(),
        );
    };
    let since = SignedDuration::try_from(window)
        .ok()
        .and_then(|w| until.checked_sub(w).ok())
        .unwrap_or(Timestamp::MIN);
    let state = read_churn(resolver.base_dir(), since, until);
    let SourceState::Loaded(churn) = state else {
        return (state, Vec::new());
    };
    let bytes = serde_json::to_vec_pretty(&churn).unwrap_or_default();
    let origin = format!("git log {}..{} at {}", churn.since, churn.until, churn.head);
    resolver.keep_fetched(FetchedCopy {
        source: CHURN_SOURCE.to_owned(),
        origin: origin.clone(),
        file_name: CHURN_FILE.to_owned(),
        bytes: bytes.clone(),
    });
    let input = InputRecord {
        source: CHURN_SOURCE.to_owned(),
        path: origin,
        sha256: sha256_hex(&bytes),
        bytes: bytes.len() as u64,
    };
    (SourceState::Loaded(churn), vec![input])
}

fn recorded_churn(resolver: &Resolver) -> (SourceState<ChurnEvidence>, Vec<InputRecord>) {
    let remedy = "a replay reads the git history the release record kept; restore the record as it was written";
    let Some(stored) = resolver.fetched(CHURN_SOURCE) else {
        return (
            SourceState::Missing(problem(
                CHURN_SOURCE,
                None,
                "the release record holds no git history".to_owned(),
                remedy,
            )),
            Vec::new(),
        );
    };
    let read = std::fs::read(&stored.full)
        .map_err(|e| e.to_string())
        .and_then(|b| {
            shipgate_json::parse_form::<ChurnEvidence>(&b)
                .map(|c| (c, b.clone()))
                .map_err(|e| e.to_string())
        });
    match read {
        Ok((churn, bytes)) => {
            let input = InputRecord {
                source: CHURN_SOURCE.to_owned(),
                path: stored.shown,
                sha256: sha256_hex(&bytes),
                bytes: bytes.len() as u64,
            };
            (SourceState::Loaded(churn), vec![input])
        }
        Err(e) => (
            SourceState::Unreadable(vec![problem(
                CHURN_SOURCE,
                Some(stored.shown),
                format!("failed to read the recorded git history: {e}"),
                remedy,
            )]),
            Vec::new(),
        ),
    }
}

/// The policy folder's place in its repository (`examples/risk/`), or the problem.
fn repository_prefix(dir: &Path) -> Result<String, EvidenceProblem> {
    match git(dir, &["rev-parse", "--show-prefix"]) {
        Ok(p) => Ok(text(&p)),
        Err(None) => Err(problem(
            CHURN_SOURCE,
            None,
            "git could not be run".to_owned(),
            "install git (the churn of the areas' files is read from the repository's history with it), or remove `sources.churn`",
        )),
        Err(Some(why)) => Err(problem(
            CHURN_SOURCE,
            Some(dir.display().to_string()),
            format!(
                "`{}` is not in a git repository git can read: {why}",
                dir.display()
            ),
            "run shipgate in the repository's checkout (the policy file must be inside it), or remove `sources.churn`",
        )),
    }
}

fn read_churn(dir: &Path, since: Timestamp, until: Timestamp) -> SourceState<ChurnEvidence> {
    let prefix = match repository_prefix(dir) {
        Ok(p) => p,
        Err(p) => return SourceState::Missing(p),
    };
    let unreadable = |message: String| {
        SourceState::Unreadable(vec![problem(
            CHURN_SOURCE,
            Some(dir.display().to_string()),
            message,
            "check that `git log` works in this checkout; this is a bug in shipgate if it does",
        )])
    };
    match git(dir, &["rev-parse", "--is-shallow-repository"]) {
        Ok(s) if text(&s) == "false" => {}
        Ok(_) => {
            return SourceState::Missing(problem(
                CHURN_SOURCE,
                Some(dir.display().to_string()),
                "the repository is a shallow clone, so its history over the window may be cut short and churn counted too low".to_owned(),
                "fetch the whole history before the gate: `actions/checkout` with `fetch-depth: 0`, GitLab `GIT_DEPTH: 0`, or `git fetch --unshallow`",
            ));
        }
        Err(why) => {
            return unreadable(format!(
                "git could not say whether the clone is shallow: {}",
                why.unwrap_or_default()
            ));
        }
    }
    let head = match git(dir, &["rev-parse", "--verify", "HEAD"]) {
        Ok(h) => text(&h),
        Err(_) => {
            return SourceState::Missing(problem(
                CHURN_SOURCE,
                Some(dir.display().to_string()),
                "the repository has no commit yet, so it has no history".to_owned(),
                "commit first, or remove `sources.churn`",
            ));
        }
    };
    let map = |p: &str| paths::from_repository(&prefix, p);
    let since_arg = format!("--since=@{}", since.as_second());
    let until_arg = format!("--until=@{}", until.as_second());
    let mut args: Vec<&str> = vec!["log"];
    args.extend(shipgate_risk::churn::LOG_ARGS);
    args.extend([
        "--no-ext-diff",
        "--no-textconv",
        &since_arg,
        &until_arg,
        "HEAD",
    ]);
    let log = match git(dir, &args) {
        Ok(l) => l,
        Err(why) => return unreadable(format!("`git log` failed: {}", why.unwrap_or_default())),
    };
    let commits = match shipgate_risk::churn::read_log(&log, since, until, &map) {
        Ok(c) => c,
        Err(e) => return unreadable(e.to_string()),
    };
    let tracked = match git(dir, &["ls-files", "-z", "--full-name", ":/"]) {
        Ok(t) => shipgate_risk::churn::read_ls_files(&t, &map),
        Err(why) => {
            return unreadable(format!(
                "`git ls-files` failed: {}",
                why.unwrap_or_default()
            ));
        }
    };
    SourceState::Loaded(ChurnEvidence {
        since,
        until,
        head,
        commits,
        tracked,
    })
}

/// The files a change touches since `reference` (`--base`): every file that differs between
/// the merge base of `reference` and `HEAD` and the working tree, plus untracked files, relative
/// to the policy's folder. An error says why (an unknown ref, no repository).
pub fn changed_files(dir: &Path, reference: &str) -> Result<Vec<String>, String> {
    let prefix = repository_prefix(dir).map_err(|p| p.message)?;
    let fail = |what: &str, why: Option<String>| {
        format!(
            "{what}: {}",
            why.unwrap_or_else(|| "git could not be run".to_owned())
        )
    };
    let base = git(dir, &["merge-base", reference, "HEAD"]).map_err(|why| {
        fail(
            &format!("`{reference}` and HEAD have no merge base git can find"),
            why,
        )
    })?;
    let base = text(&base);
    let diff = git(dir, &["diff", "--name-only", "-z", "--no-renames", &base])
        .map_err(|why| fail("`git diff` failed", why))?;
    let untracked = git(
        dir,
        &[
            "ls-files",
            "-z",
            "--others",
            "--exclude-standard",
            "--full-name",
            ":/",
        ],
    )
    .map_err(|why| fail("`git ls-files` failed", why))?;
    let map = |p: &str| paths::from_repository(&prefix, p);
    let mut files = shipgate_risk::churn::read_ls_files(&diff, &map);
    files.extend(shipgate_risk::churn::read_ls_files(&untracked, &map));
    files.sort();
    files.dedup();
    Ok(files)
}

/// Every test of the latest run and the duration each last recorded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestInventory {
    /// `classname.name` → the latest recorded duration in seconds, for every test of the
    /// latest run (this run's reports when there are any, else the latest earlier run).
    pub tests: BTreeMap<String, Option<f64>>,
    /// How many runs were read for durations.
    pub runs: usize,
}

/// Reads the earlier runs (`sources.tests.history`, the latest `history_runs`) and this run's
/// reports (`sources.tests.junit`), every test kept, for the plan. A file that cannot be read
/// is an error: a plan must not silently leave tests out.
pub fn test_inventory(loaded: &LoadedPolicy) -> Result<TestInventory, Vec<EvidenceProblem>> {
    let policy = &loaded.policy;
    let base = &loaded.base_dir;
    let options = ReadOptions {
        retention: TestRetention {
            all: true,
            ..TestRetention::default()
        },
        retries: policy.retry_mode(),
        outcomes: false,
    };
    let mut runs: Vec<shipgate_junit::JunitRead> = Vec::new();
    if let Some(globs) = policy.history_globs() {
        let folders = shipgate_junit::find_runs(base, globs)
            .map_err(|e| vec![problem("history", None, e.to_string(), &e.remedy())])?;
        let keep = policy.history_runs() as usize;
        let skip = folders.runs.len().saturating_sub(keep);
        for run in folders.runs.iter().skip(skip) {
            runs.push(shipgate_junit::read_files(base, &run.paths, &options));
        }
    }
    if let Some(sources) = &policy.sources.tests {
        let read = super::test_results::inspect(base, &sources.junit, options.clone());
        if let Some(bad) = read.bad_glob {
            return Err(vec![problem(
                "tests",
                None,
                bad,
                "correct the glob in `sources.tests.junit`",
            )]);
        }
        // Before the tests run, this run's reports are not there yet: the plan then comes
        // from the earlier runs alone.
        if !read.read.digests.is_empty() || !read.read.errors.is_empty() {
            runs.push(read.read);
        }
    }
    let errors: Vec<EvidenceProblem> = runs
        .iter()
        .flat_map(|r| &r.errors)
        .map(|e| problem("tests", None, e.to_string(), &e.remedy()))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut durations: BTreeMap<String, f64> = BTreeMap::new();
    for run in &runs {
        for t in &run.evidence.tests {
            if let Some(time) = t.time.filter(|t| t.is_finite() && *t >= 0.0) {
                durations.insert(t.qualified_name(), time);
            }
        }
    }
    let Some(latest) = runs.last() else {
        return Ok(TestInventory::default());
    };
    let tests = latest
        .evidence
        .tests
        .iter()
        .map(|t| {
            let id = t.qualified_name();
            let d = durations.get(&id).copied();
            (id, d)
        })
        .collect();
    Ok(TestInventory {
        tests,
        runs: runs.len(),
    })
}
