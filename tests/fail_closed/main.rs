//! The fail-closed mutation suite: every scenario that reads ready (each READY example, and the
//! projects under `tests/fail_closed/projects/` that exercise each kind of evidence), changed in
//! each way of the catalogue (`mutations.rs`), must never read ready. Each mutation belongs to a
//! class of the issue "Fail closed by construction"; `docs/guarantees.md` lists the promises
//! they hold.
//!
//! The scenarios are data (`scenarios/*.yaml`); so are their format-aware edits. The suite first
//! checks that each baseline is ready (otherwise it proves nothing), then runs every variant
//! (the binary, several at once) and reports every failure at once, with the mutation, the
//! scenario, what changed and what the gate printed. `cargo test --test fail_closed --
//! --nocapture` also prints the count of variants per mutation and scenario.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test, and the counts are printed on request"
)]

#[path = "../common/mod.rs"]
mod common;

mod instants;
mod json_tree;
mod junit_xml;
mod mutations;
mod policy_values;
mod scenario;
mod yaml_tree;

use mutations::{CATALOGUE, CLASSES};
use scenario::{Baseline, Expect, Scenario, Variant, repo, run_all, workers};
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn scenarios() -> Vec<Scenario> {
    let dir = repo().join("tests/fail_closed/scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| Scenario::load(p)).collect()
}

fn tail(text: &str, n: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let start = chars.len().saturating_sub(n);
    let cut: String = chars[start..].iter().collect();
    if start > 0 { format!("…{cut}") } else { cut }
}

/// What the gate said: the decision and each check's status and message from a JSON report,
/// else the end of stdout.
fn said(o: &scenario::Outcome) -> String {
    let Some(report) = o.report() else {
        return tail(o.stdout.trim(), 600).replace('\n', "\n          ");
    };
    let mut out = format!(
        "decision {}, exit_code {}",
        report["decision"], report["exit_code"]
    );
    for c in report["checks"].as_array().into_iter().flatten() {
        let _ = write!(
            out,
            "\n          {} {}: {}",
            c["status"].as_str().unwrap_or("?"),
            c["id"].as_str().unwrap_or("?"),
            tail(c["message"].as_str().unwrap_or(""), 240)
        );
    }
    out
}

fn describe(v: &Variant, o: &scenario::Outcome, why: &str) -> String {
    format!(
        "- {} × {} ({}) [{}]: {}\n  changed: {}\n  {why}\n  stdout: {}\n  stderr: {}\n",
        v.mutation,
        v.scenario.name,
        v.scenario.about,
        v.class,
        match v.expect {
            Expect::Ready => "must read ready",
            _ => "must not read ready",
        },
        v.detail,
        said(o),
        tail(o.stderr.trim(), 600).replace('\n', "\n          "),
    )
}

/// Every example under `examples/` has a scenario, so that a new READY example is mutated too.
#[test]
fn every_example_is_a_scenario() {
    let names: Vec<String> = scenarios().iter().map(|s| s.name.clone()).collect();
    for entry in std::fs::read_dir(repo().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.join("shipgate.yaml").exists() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                names.contains(&name),
                "examples/{name} has no tests/fail_closed/scenarios/{name}.yaml: add it (baseline: ready to mutate it, blocked to check it)"
            );
        }
    }
}

/// The core promise: no mutation of a ready scenario reads ready.
#[test]
fn no_mutation_of_a_ready_scenario_reads_ready() {
    let all = scenarios();
    // The baselines: ready ones must be ready (or the suite proves nothing); blocked examples
    // must block on their checks (exit 1), not on a broken policy.
    let checks: Vec<Variant> = all
        .iter()
        .map(|s| Variant {
            mutation: "baseline".to_owned(),
            class: "0-controls",
            detail: "unchanged".to_owned(),
            scenario: s.clone(),
            expect: match s.baseline {
                Baseline::Ready => Expect::Ready,
                Baseline::Blocked => Expect::Evidence,
            },
            extras: Vec::new(),
        })
        .collect();
    let results = run_all(checks, &BTreeMap::new(), workers());
    let mut report = String::new();
    let mut baseline_tests = BTreeMap::new();
    for (v, o, verdict) in &results {
        if let Err(why) = verdict {
            report.push_str(&describe(v, o, why));
        }
        if let Some(n) = o.tests_total() {
            baseline_tests.insert(v.scenario.name.clone(), n);
        }
    }
    assert!(
        report.is_empty(),
        "a baseline is not what its scenario says, so the mutations would prove nothing:\n{report}"
    );

    let ready: Vec<&Scenario> = all
        .iter()
        .filter(|s| s.baseline == Baseline::Ready)
        .collect();
    let mut variants = Vec::new();
    let mut applied: BTreeMap<&str, usize> = BTreeMap::new();
    for m in CATALOGUE {
        for s in &ready {
            let vs = (m.apply)(s);
            *applied.entry(m.name).or_default() += vs.len();
            variants.extend(vs);
        }
    }
    // A secret of the scenario is in no output, whatever the mutation.
    for v in &mut variants {
        for name in &v.scenario.secrets {
            if let Some(value) = v.scenario.env.get(name).filter(|s| !s.is_empty()) {
                v.extras.push(scenario::Extra::NoSecret(value.clone()));
            }
        }
    }
    for m in CATALOGUE {
        assert!(
            applied[m.name] > 0,
            "the mutation `{}` applies to no scenario: it tests nothing",
            m.name
        );
    }
    let started = std::time::Instant::now();
    let results = run_all(variants, &baseline_tests, workers());
    let took = started.elapsed();

    let mut failures = String::new();
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut by_class: BTreeMap<&str, usize> = BTreeMap::new();
    for (v, o, verdict) in &results {
        *counts
            .entry((v.mutation.clone(), v.scenario.name.clone()))
            .or_default() += 1;
        *by_class.entry(v.class).or_default() += 1;
        if let Err(why) = verdict {
            failures.push_str(&describe(v, o, why));
        }
    }

    let mut table = format!(
        "{} variants of {} ready scenarios in {:.1} s\n",
        results.len(),
        ready.len(),
        took.as_secs_f64(),
    );
    for class in CLASSES {
        let _ = writeln!(
            table,
            "  {class}: {}",
            by_class.get(class).copied().unwrap_or(0)
        );
    }
    let names: Vec<&str> = ready.iter().map(|s| s.name.as_str()).collect();
    let _ = writeln!(table, "mutation × scenario ({}):", names.join(", "));
    for m in CATALOGUE {
        let row: Vec<String> = names
            .iter()
            .map(|s| {
                counts
                    .iter()
                    .filter(|((mm, ss), _)| {
                        ss == s
                            && (mm == m.name
                                || (m.name == "scenario-edit"
                                    && !CATALOGUE.iter().any(|c| c.name == mm)))
                    })
                    .map(|(_, n)| *n)
                    .sum::<usize>()
                    .to_string()
            })
            .collect();
        let _ = writeln!(table, "  {:36} {:24} {}", m.name, m.class, row.join(" "));
    }
    let mut slowest: Vec<_> = results.iter().map(|(v, o, _)| (o.took, v)).collect();
    slowest.sort_by_key(|(took, _)| std::cmp::Reverse(*took));
    for (took, v) in slowest.iter().take(3) {
        let _ = writeln!(
            table,
            "slowest: {:.1} s {} × {}: {}",
            took.as_secs_f64(),
            v.mutation,
            v.scenario.name,
            v.detail
        );
    }
    println!("{table}");
    for m in CATALOGUE {
        println!("{}: {}", m.name, m.about);
    }
    assert!(
        failures.is_empty(),
        "mutations that the gate did not refuse as it must ({} of {}):\n{failures}\n{table}",
        failures.matches("\n- ").count() + usize::from(failures.starts_with("- ")),
        results.len()
    );
}

/// docs/guarantees.md names tests and mutations as evidence for an auditor: each must exist.
#[test]
fn every_test_and_mutation_the_guarantees_name_exists() {
    let doc = std::fs::read_to_string(repo().join("docs/guarantees.md")).unwrap();
    let edits: String = std::fs::read_dir(repo().join("tests/fail_closed/scenarios"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let mut problems = Vec::new();
    let mut named = 0;
    for (i, _) in doc.match_indices("](") {
        let Some(start) = doc[..i].rfind('[') else {
            continue;
        };
        let text = &doc[start + 1..i];
        let Some(end) = doc[i + 2..].find(')') else {
            continue;
        };
        let target = &doc[i + 2..i + 2 + end];
        if target.starts_with("http") {
            continue;
        }
        let file = target.split('#').next().unwrap_or_default();
        let path = repo().join("docs").join(file);
        if !path.exists() {
            problems.push(format!("`{target}` does not exist"));
            continue;
        }
        let Some(name) = text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) else {
            continue;
        };
        // A link whose text is the file it links to.
        if repo().join(name).canonicalize().ok() == path.canonicalize().ok() {
            continue;
        }
        named += 1;
        let name = name.rsplit("::").next().unwrap_or(name);
        let found = if target.ends_with("mutations.rs") && !text.contains("::") {
            CATALOGUE.iter().any(|m| m.name == name)
        } else if target.ends_with(".yaml") {
            edits.contains(&format!("- name: {name}\n"))
        } else if target.ends_with(".rs") {
            // `path::module::name`: the path is the file linked to, and it defines `fn name(`.
            let same_file = match name.len() < text.len() - 2 {
                true => text[1..].split("::").next().is_some_and(|f| {
                    repo().join(f).canonicalize().ok() == path.canonicalize().ok()
                }),
                false => true,
            };
            same_file
                && std::fs::read_to_string(&path)
                    .unwrap()
                    .contains(&format!("fn {name}("))
        } else {
            true
        };
        if !found {
            problems.push(format!("`{text}` ({target}) names nothing that exists"));
        }
    }
    assert!(named > 40, "only {named} tests and mutations named");
    assert!(
        problems.is_empty(),
        "docs/guarantees.md:\n{}",
        problems.join("\n")
    );
}
