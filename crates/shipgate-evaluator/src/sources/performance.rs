//! The `performance` source: the current load-test results (one run, or several runs of the
//! release) and the baseline, each read on its own (one can be missing while the other is
//! there) with its hash.
//!
//! Of several current runs, every one is read and recorded, and the runs stand or fall
//! together: one missing makes the results missing, one unreadable makes them unreadable, and
//! runs of different tools or the same file's bytes twice are refused. It must never judge
//! the runs that happened to load as if they were all of them.

use super::{GatherOptions, Gathered, Loaded, Source};
use crate::digest::sha256_file;
use crate::resolver::Resolver;
use shipgate_model::{
    EvidenceProblem, InputRecord, PerfCurrent, PerfEvidence, PerfFormat, PerfRuns, SourceState,
};
use shipgate_perf::{FileRead, PerfError};
use shipgate_policy::{CurrentResults, Policy};

/// The `source` of the current results in the report's inputs.
pub const CURRENT: &str = "performance";
/// The `source` of the baseline in the report's inputs.
pub const BASELINE: &str = "performance-baseline";

/// `sources.performance`: the current load-test results and the baseline, each read on its own.
pub(crate) struct Performance;

/// The source in [`SOURCES`](super::SOURCES).
pub(crate) static PERFORMANCE: Performance = Performance;

impl Source for Performance {
    fn name(&self) -> &'static str {
        CURRENT
    }

    fn wanted(&self, policy: &Policy) -> bool {
        policy.sources.performance.is_some()
    }

    fn load(&self, policy: &Policy, resolver: &Resolver, _: &GatherOptions<'_>) -> Box<dyn Loaded> {
        let (runs, inputs) = load(policy, resolver);
        Box::new(LoadedRuns { runs, inputs })
    }

    /// Both files are unreadable: neither can be trusted from a reader that stopped.
    fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered) {
        into.evidence.performance = PerfRuns {
            current: SourceState::Unreadable(vec![problem.clone()]),
            baseline: SourceState::Unreadable(vec![problem]),
        };
    }
}

/// Both runs, and the inputs read for them.
struct LoadedRuns {
    runs: PerfRuns,
    inputs: Vec<InputRecord>,
}

impl Loaded for LoadedRuns {
    fn merge(self: Box<Self>, into: &mut Gathered, _: &Resolver) {
        into.evidence.performance = self.runs;
        into.evidence.inputs.extend(self.inputs);
    }
}

/// Loads the files named by `sources.performance`.
fn load(policy: &Policy, resolver: &Resolver) -> (PerfRuns, Vec<InputRecord>) {
    let Some(sources) = &policy.sources.performance else {
        return (PerfRuns::default(), Vec::new());
    };
    let mut inputs = Vec::new();
    let current = load_current(&sources.current, resolver, &mut inputs);
    let baseline = match &sources.baseline {
        // A baseline's runs are found through the resolver too, so that a release record
        // keeps them and a replay reads its copies.
        Some(b) => load_one(
            BASELINE,
            &b.path,
            b.format,
            resolver,
            &mut inputs,
            |path, display, format| {
                let locate = |shown: &str| resolver.file(BASELINE, shown).full;
                shipgate_perf::read_baseline_with(path, display, format, &locate)
                    .map(|r| (r.baseline, r.files))
            },
        ),
        None => SourceState::NotConfigured,
    };
    (PerfRuns { current, baseline }, inputs)
}

/// The current results: each run read (and recorded) on its own, then judged together.
fn load_current(
    current: &CurrentResults,
    resolver: &Resolver,
    inputs: &mut Vec<InputRecord>,
) -> SourceState<PerfCurrent> {
    let key = current.files.key();
    let mut states: Vec<SourceState<PerfEvidence>> = current
        .files
        .iter()
        .map(|path| {
            load_one(
                CURRENT,
                path,
                current.format,
                resolver,
                inputs,
                |path, display, format| {
                    shipgate_perf::read_file(path, display, format).map(|r| {
                        let file = FileRead {
                            path: display.to_owned(),
                            sha256: r.sha256,
                            bytes: r.bytes,
                        };
                        (r.evidence, vec![file])
                    })
                },
            )
        })
        .collect();
    if states.len() == 1 {
        return match states.pop() {
            Some(SourceState::Loaded(run)) => SourceState::Loaded(PerfCurrent::one(run)),
            Some(SourceState::Missing(p)) => SourceState::Missing(with_key(p, key)),
            Some(SourceState::Unreadable(p)) => SourceState::Unreadable(p),
            Some(SourceState::NotConfigured) | None => SourceState::NotConfigured,
        };
    }
    together(states, key)
}

/// Several runs of the release, each read: unreadable when one is (every such problem listed),
/// else missing when one is (each named), else refused when two are of different tools or are
/// the same bytes; else all of them.
fn together(states: Vec<SourceState<PerfEvidence>>, key: &str) -> SourceState<PerfCurrent> {
    let n = states.len();
    let mut runs = Vec::with_capacity(n);
    let mut missing = Vec::new();
    let mut unreadable = Vec::new();
    for state in states {
        match state {
            SourceState::Loaded(run) => runs.push(run),
            SourceState::Missing(p) => missing.push(p),
            SourceState::Unreadable(p) => unreadable.extend(p),
            // Never produced by `load_one`; a run that is not there is missing, not absent.
            SourceState::NotConfigured => missing.push(EvidenceProblem {
                source: CURRENT.to_owned(),
                location: None,
                message: "a run of `sources.performance.current.runs` was not read".to_owned(),
                remedy: "report this as a bug in shipgate".to_owned(),
            }),
        }
    }
    if !unreadable.is_empty() {
        return SourceState::Unreadable(unreadable);
    }
    if let Some(first) = missing.first() {
        let names: Vec<String> = missing
            .iter()
            .map(|p| format!("`{}`", p.location.as_deref().unwrap_or("?")))
            .collect();
        let messages: Vec<String> = missing.iter().map(|p| p.message.clone()).collect();
        return SourceState::Missing(EvidenceProblem {
            source: CURRENT.to_owned(),
            location: first.location.clone(),
            message: format!(
                "{} of the {n} runs of the results ({}) {} missing: {}; the runs are judged together or not at all",
                missing.len(),
                names.join(", "),
                if missing.len() == 1 { "is" } else { "are" },
                messages.join("; ")
            ),
            remedy: with_key(first.clone(), key).remedy,
        });
    }
    let mut runs = runs.into_iter();
    let Some(first) = runs.next() else {
        return SourceState::Missing(EvidenceProblem {
            source: CURRENT.to_owned(),
            location: None,
            message: "no run of `sources.performance.current.runs` was read".to_owned(),
            remedy: "report this as a bug in shipgate".to_owned(),
        });
    };
    let more: Vec<PerfEvidence> = runs.collect();
    for (i, run) in more.iter().enumerate() {
        let earlier = std::iter::once(&first).chain(more[..i].iter());
        for other in earlier {
            if let Some(problem) = unlike(other, run) {
                return SourceState::Unreadable(vec![problem]);
            }
        }
    }
    SourceState::Loaded(PerfCurrent::several(first, more))
}

/// Why two runs of the release cannot be judged together: another tool (tools time requests
/// differently), or the same bytes twice (one run would count twice and outvote another).
fn unlike(a: &PerfEvidence, b: &PerfEvidence) -> Option<EvidenceProblem> {
    if a.provenance.tool != b.provenance.tool {
        return Some(EvidenceProblem {
            source: CURRENT.to_owned(),
            location: Some(b.path.clone()),
            message: format!(
                "the runs of the results were measured by different tools: `{}` by {}, `{}` by {}; tools time requests differently, so their figures cannot be judged together",
                a.path, a.provenance.tool, b.path, b.provenance.tool
            ),
            remedy: "list in `sources.performance.current.runs` only runs of the same load test, measured by the same tool".to_owned(),
        });
    }
    if a.provenance.source_sha256 == b.provenance.source_sha256 {
        return Some(EvidenceProblem {
            source: CURRENT.to_owned(),
            location: Some(b.path.clone()),
            message: format!(
                "`{}` and `{}` are the same file (SHA-256 {}): one run would count twice",
                a.path, b.path, a.provenance.source_sha256
            ),
            remedy:
                "list each run once: run the load test again for another run, and name its own file"
                    .to_owned(),
        });
    }
    None
}

/// A missing run's remedy, naming the key it was listed under (`path` or `runs`).
fn with_key(mut problem: EvidenceProblem, key: &str) -> EvidenceProblem {
    if key != "path" {
        problem.remedy = problem.remedy.replace(
            "sources.performance.current.path",
            &format!("sources.performance.current.{key}"),
        );
    }
    problem
}

fn load_one<T>(
    source: &str,
    file_path: &str,
    format: Option<PerfFormat>,
    resolver: &Resolver,
    inputs: &mut Vec<InputRecord>,
    read: impl FnOnce(&std::path::Path, &str, PerfFormat) -> Result<(T, Vec<FileRead>), PerfError>,
) -> SourceState<T> {
    // Through the resolver: the live file, or its copy in a release record at replay.
    let located = resolver.file(source, file_path);
    // At replay, a file the recorded run could not read fails again, as it did.
    let recorded_failure = resolver.recorded_failure(&located);
    let path = located.full;
    let display = located.shown;
    let base_dir = resolver.base_dir();
    let what = if source == BASELINE {
        "baseline"
    } else {
        "load-test results"
    };
    let read = match recorded_failure {
        Some(io) => Err(PerfError::Io {
            path: display.clone(),
            source: io,
        }),
        None => read(&path, &display, format.unwrap_or_default()),
    };
    if let Err(PerfError::Io { source: io, .. }) = &read {
        resolver.note_failure(source, &display, io);
    }
    match read {
        Ok((evidence, files)) => {
            inputs.extend(files.into_iter().map(|f| InputRecord {
                source: source.to_owned(),
                path: f.path,
                sha256: f.sha256,
                bytes: f.bytes,
            }));
            SourceState::Loaded(evidence)
        }
        Err(PerfError::Io { source: io, .. }) if io.kind() == std::io::ErrorKind::NotFound => {
            let remedy = if source == BASELINE {
                "write the baseline with `shipgate perf baseline promote RUN --out FILE` from the last good run, and keep it where `sources.performance.baseline.path` looks (relative to the policy file's folder)"
            } else {
                "run the load test before the gate and make sure it writes its results where `sources.performance.current.path` looks (relative to the policy file's folder)"
            };
            SourceState::Missing(EvidenceProblem {
                source: source.to_owned(),
                location: Some(display.clone()),
                message: format!(
                    "the {what} `{display}` do{} not exist (looked in `{}`)",
                    if source == BASELINE { "es" } else { "" },
                    base_dir.display()
                ),
                remedy: remedy.to_owned(),
            })
        }
        Err(e) => {
            // What was read still belongs in the audit record.
            if let Ok((sha256, bytes)) = sha256_file(&path) {
                inputs.push(InputRecord {
                    source: source.to_owned(),
                    path: display.clone(),
                    sha256,
                    bytes,
                });
            }
            let problem = EvidenceProblem {
                source: source.to_owned(),
                location: Some(display),
                message: e.to_string(),
                remedy: e.remedy(),
            };
            if e.is_empty_run() {
                SourceState::Missing(problem)
            } else {
                SourceState::Unreadable(vec![problem])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::PerfFormat;
    use shipgate_model::perf::expected_unit;

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shipgate-perf/tests/fixtures"
    );

    fn project(policy: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shipgate.yaml"), policy).unwrap();
        for (rel, bytes) in files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        dir
    }

    const POLICY: &str = "version: 1\nrelease: {name: demo}\nsources:\n  performance:\n    current: {format: jmeter, path: perf/run.jtl}\n    baseline: {path: perf/baseline.json}\nchecks:\n  performance:\n    - {metric: checkout.p95, max: 1s, max_regression: 10%}\n";

    #[test]
    fn each_file_is_loaded_on_its_own_with_its_hash() {
        let jtl = std::fs::read(format!("{FIXTURES}/jmeter-2.13-header.jtl")).unwrap();
        let dir = project(
            POLICY,
            &[
                ("perf/run.jtl", &jtl),
                ("perf/baseline.json", b"{\"shipgate_perf_baseline\": 1"),
            ],
        );
        let loaded = crate::load_policy(&dir.path().join("shipgate.yaml"), &|_| None).unwrap();
        let evidence = crate::gather(&loaded);
        assert!(matches!(
            evidence.performance.current,
            SourceState::Loaded(_)
        ));
        let SourceState::Unreadable(problems) = &evidence.performance.baseline else {
            panic!("{:?}", evidence.performance.baseline);
        };
        assert!(
            problems[0].message.contains("perf/baseline.json"),
            "{problems:?}"
        );
        let sources: Vec<(&str, &str)> = evidence
            .inputs
            .iter()
            .map(|i| (i.source.as_str(), i.path.as_str()))
            .collect();
        assert_eq!(
            sources,
            vec![(CURRENT, "perf/run.jtl"), (BASELINE, "perf/baseline.json")],
            "an unreadable file is still in the audit record"
        );
        assert_eq!(evidence.inputs[0].sha256, crate::sha256_hex(&jtl));
        let report = crate::report(&loaded, evidence, "2026-11-24T10:00:00Z".parse().unwrap());
        assert_eq!(
            report.exit_code, 4,
            "an unreadable baseline needs attention"
        );
    }

    #[test]
    fn a_missing_file_is_missing_evidence_that_names_it() {
        let dir = project(POLICY, &[]);
        let loaded = crate::load_policy(&dir.path().join("shipgate.yaml"), &|_| None).unwrap();
        let report = crate::run(&loaded, "2026-11-24T10:00:00Z".parse().unwrap());
        assert_eq!(report.exit_code, 1);
        let c = &report.checks[0];
        assert_eq!(c.id, "performance.checkout.p95");
        assert!(
            c.message
                .starts_with("the load-test results `perf/run.jtl` do not exist"),
            "{}",
            c.message
        );
        // An empty run is missing too, not unreadable.
        let dir = project(
            POLICY,
            &[("perf/run.jtl", b"timeStamp,elapsed,label,success\n")],
        );
        let loaded = crate::load_policy(&dir.path().join("shipgate.yaml"), &|_| None).unwrap();
        let report = crate::run(&loaded, "2026-11-24T10:00:00Z".parse().unwrap());
        assert_eq!(report.exit_code, 1);
        assert!(
            report.checks[0].message.contains("holds no samples"),
            "{}",
            report.checks[0].message
        );
    }

    const RUNS: &str = "version: 1\nrelease: {name: demo}\nsources:\n  performance:\n    current: {format: jmeter, runs: [perf/a.jtl, perf/b.jtl, perf/c.jtl]}\nchecks:\n  performance:\n    - {metric: checkout.p95, max: 1s}\n";

    /// Of several runs, an unreadable one is never hidden behind a missing one (exit 4, not 1),
    /// and every run read is in the audit record, the unreadable one too.
    #[test]
    fn several_runs_stand_or_fall_together() {
        let jtl = std::fs::read(format!("{FIXTURES}/jmeter-2.13-header.jtl")).unwrap();
        let dir = project(
            RUNS,
            &[
                ("perf/b.jtl", b"not a jtl at all\n\x00\x01"),
                ("perf/c.jtl", &jtl),
            ],
        );
        let loaded = crate::load_policy(&dir.path().join("shipgate.yaml"), &|_| None).unwrap();
        let evidence = crate::gather(&loaded);
        let SourceState::Unreadable(problems) = &evidence.performance.current else {
            panic!("{:?}", evidence.performance.current);
        };
        assert!(problems[0].message.contains("perf/b.jtl"), "{problems:?}");
        let paths: Vec<&str> = evidence.inputs.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["perf/b.jtl", "perf/c.jtl"]);
        // With the unreadable run repaired, the missing one is named and the results missing.
        let dir = project(RUNS, &[("perf/b.jtl", &jtl), ("perf/c.jtl", &jtl)]);
        let loaded = crate::load_policy(&dir.path().join("shipgate.yaml"), &|_| None).unwrap();
        let evidence = crate::gather(&loaded);
        let SourceState::Missing(problem) = &evidence.performance.current else {
            panic!("{:?}", evidence.performance.current);
        };
        assert!(problem.message.contains("`perf/a.jtl`"), "{problem:?}");
        assert!(
            problem.remedy.contains("sources.performance.current.runs"),
            "{problem:?}"
        );
        // All three there, but two are the same bytes: one run would count twice.
        let dir = project(
            RUNS,
            &[
                ("perf/a.jtl", &jtl),
                ("perf/b.jtl", &jtl),
                ("perf/c.jtl", &jtl),
            ],
        );
        let loaded = crate::load_policy(&dir.path().join("shipgate.yaml"), &|_| None).unwrap();
        let evidence = crate::gather(&loaded);
        let SourceState::Unreadable(problems) = &evidence.performance.current else {
            panic!("{:?}", evidence.performance.current);
        };
        assert!(
            problems[0].message.contains("are the same file"),
            "{problems:?}"
        );
        assert_eq!(evidence.inputs.len(), 3);
    }

    /// The policy refuses limits by the units the naming conventions promise; the adapters must
    /// keep that promise on every real file.
    #[test]
    fn the_adapters_keep_the_units_the_policy_expects() {
        let mut checked = 0;
        for entry in std::fs::read_dir(FIXTURES).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Expected values computed beside a fixture are not results.
            if name.ends_with(".numpy.json")
                || name.ends_with(".expected.json")
                || name.ends_with(".md")
                || entry.path().is_dir()
            {
                continue;
            }
            let read = match shipgate_perf::read_file(&entry.path(), &name, PerfFormat::Auto) {
                Ok(read) => read,
                // A real run that measured nothing (Locust 2.24's history of one empty row).
                Err(e) if e.is_empty_run() => continue,
                Err(e) => panic!("{name}: {e}"),
            };
            let format = PerfFormat::ALL
                .into_iter()
                .filter(|f| !matches!(f, PerfFormat::Auto | PerfFormat::Baseline))
                .find(|f| shipgate_perf::read_file(&entry.path(), &name, *f).is_ok())
                .unwrap_or(PerfFormat::Auto);
            for (metric, m) in &read.evidence.metrics {
                if let Some(unit) = expected_unit(format, metric) {
                    assert_eq!(m.unit, unit, "{name}: {metric}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
