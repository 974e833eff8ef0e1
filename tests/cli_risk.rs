//! `shipgate risk` and `shipgate risk plan`, run the way a QA lead runs them: on the risk example,
//! and on small projects with a real git history (commits dated by hand), a lizard report, JUnit
//! with durations and a defect file, so that every number can be computed by hand.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, plans), not evidence"
)]
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::{NOW, shipgate};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const EXAMPLE: &str = "examples/risk/shipgate.yaml";

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn area<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no area {name}: {report:#}"))
}

#[test]
fn the_example_ranks_its_areas_with_every_factor_and_maps_the_gap() {
    let out = shipgate()
        .args([
            "risk", "--now", NOW, "--format", "json", "--policy", EXAMPLE,
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(r["schema_version"], 1);
    let areas = r["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 5);
    for (i, a) in areas.iter().enumerate() {
        assert_eq!(a["rank"], i + 1, "ordered by rank");
        for key in [
            "name",
            "score",
            "critical",
            "factors",
            "tests",
            "production_defects",
            "untested_production_defects",
        ] {
            assert!(a.get(key).is_some(), "{key} in {a:#}");
        }
        for f in [
            "revenue_impact",
            "defect_frequency",
            "failure_history",
            "complexity",
            "churn",
        ] {
            let factor = &a["factors"][f];
            assert!(
                factor.is_null()
                    || (factor["raw"].is_number()
                        && factor["normalised"].is_number()
                        && factor["weight"].is_number()),
                "{f}: {factor:#}"
            );
        }
        for t in ["executed", "passed", "failed", "skipped", "flaky"] {
            assert!(a["tests"][t].is_u64(), "{t}");
        }
        if i > 0 {
            assert!(areas[i - 1]["score"].as_f64() >= a["score"].as_f64());
        }
    }
    let checkout = area(&r, "checkout");
    assert_eq!(checkout["critical"], true);
    assert_eq!(checkout["factors"]["revenue_impact"]["raw"], 4.0);
    // 2 production (PAY-231, PAY-260) × 3 + 5 pre-production in the 90 days.
    assert_eq!(checkout["factors"]["defect_frequency"]["raw"], 11.0);
    // lizard.csv: checkout.py 3 + 1 + 2, money.py 1 + 3 + 2.
    assert_eq!(checkout["factors"]["complexity"]["raw"], 12.0);
    assert_eq!(
        checkout["production_defects"],
        serde_json::json!(["PAY-231", "PAY-260"])
    );
    assert_eq!(
        checkout["untested_production_defects"],
        serde_json::json!(["PAY-260"])
    );
    assert_eq!(checkout["tests"]["executed"], 9);
    // The area that names no files or defects: those factors are missing, never zero.
    let n = area(&r, "notifications");
    for f in ["defect_frequency", "complexity", "churn"] {
        assert!(n["factors"][f].is_null(), "{f}");
        assert!(n["missing"][f].is_string(), "{f}");
    }
    let gaps = r["coverage_gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0]["key"], "PAY-260");
    assert_eq!(gaps[0]["areas"], serde_json::json!(["checkout", "ledger"]));
    assert_eq!(gaps[0]["test_location"], "tests/test_payment.py");
    assert_eq!(
        gaps[0]["suggested_test"],
        "test_pay_260_chargeback_posted_to_the_wrong_ledger"
    );
}

#[test]
fn the_example_in_human_and_markdown_shows_the_formula_the_matrix_and_the_map() {
    let run = |format: &str| {
        let out = shipgate()
            .args([
                "risk", "--now", NOW, "--format", format, "--policy", EXAMPLE,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let human = run("human");
    for needle in [
        "score = 100 × Σ(weight × normalised) ÷ Σ weight",
        "checkout (rank ",
        "defect_frequency",
        "Coverage-gap map",
        "PAY-260 (critical, open) Chargeback posted to the wrong ledger account",
        "needs: test_pay_260_chargeback_posted_to_the_wrong_ledger in tests/test_payment.py",
        "the area names no `files`, so its complexity cannot be counted",
    ] {
        assert!(human.contains(needle), "{needle}\n{human}");
    }
    let md = run("markdown");
    assert!(md.contains("```mermaid\nquadrantChart\n"), "{md}");
    assert!(md.contains("    checkout: [0."), "{md}");
    assert!(md.contains("    quadrant-1 Test first\n"));
    assert!(md.contains("| rank | area | score |"));
    assert!(md.contains("#### Coverage-gap map"));
    assert!(md.contains("| PAY-260 Chargeback posted"), "{md}");
}

#[test]
fn the_example_gate_blocks_on_an_untested_production_defect_in_a_critical_area() {
    let out = shipgate()
        .args([
            "check", "--now", NOW, "--format", "json", "--policy", EXAMPLE,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    let c = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "risk.coverage")
        .unwrap();
    assert_eq!(c["status"], "fail");
    assert_eq!(
        c["details"]["areas"]["checkout"]["untested_production_defects"],
        serde_json::json!(["PAY-260"])
    );
}

/// A project in its own git repository.
struct Repo {
    dir: tempfile::TempDir,
}

fn git(dir: &Path, args: &[&str], date: &str) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=QA",
            "-c",
            "user.email=qa@acme.example",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Repo {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"], "2026-01-01T00:00:00Z");
        Self { dir }
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    fn commit(&self, date: &str) -> &Self {
        git(self.dir.path(), &["add", "-A"], date);
        git(self.dir.path(), &["commit", "-q", "-m", "change"], date);
        self
    }

    fn path(&self, rel: &str) -> std::path::PathBuf {
        self.dir.path().join(rel)
    }
}

const POLICY: &str = "\
version: 1
release: {name: shop}
sources:
  tests:
    junit: [reports/*.xml]
  defects: {kind: file, path: defects.json}
  complexity:
    - {format: lizard, path: lizard.csv, root: src}
  churn: {from: git, window: 30d}
risk:
  weights: {failure_history: 0}
  areas:
    pay:
      revenue_impact: critical
      critical: true
      files: ['src/pay/**']
      tests: ['shop.PayTest.*']
      defects: {components: [Payments]}
    search:
      revenue_impact: medium
      files: ['src/search/**']
      tests: ['shop.SearchTest.*']
      defects: {components: [Search]}
checks:
  risk: {min_level: high}
";

const JUNIT: &str = r#"<testsuite name="shop">
<testcase classname="shop.PayTest" name="charges" time="4.0"/>
<testcase classname="shop.PayTest" name="test_pay_1_refunds" time="2.0"/>
<testcase classname="shop.SearchTest" name="finds" time="3.0"/>
<testcase classname="shop.SearchTest" name="sorts" time="1.5"/>
<testcase classname="shop.OtherTest" name="misc" time="0.5"/>
</testsuite>"#;

/// lizard's CSV, as `lizard --csv pay search` writes it in `src/`.
const LIZARD: &str = "\
10,6,80,1,12,\"charge@1-12@pay/charge.py\",\"pay/charge.py\",\"charge\",\"charge( a )\",1,12
5,4,40,1,6,\"refund@14-19@pay/charge.py\",\"pay/charge.py\",\"refund\",\"refund( a )\",14,19
4,2,30,1,4,\"find@1-4@search/find.py\",\"search/find.py\",\"find\",\"find( q )\",1,4
";

fn defects(extra: &str) -> String {
    format!(
        r#"{{"format": "shipgate-defects", "version": 1, "source": "file", "location": "defects.json", "defects": [
  {{"key": "PAY-1", "title": "Refund twice", "severity": "high", "origin": "production", "status": "closed", "created": "2026-11-10T00:00:00Z", "components": ["Payments"]}},
  {{"key": "PAY-2", "title": "Card declined wrongly", "severity": "critical", "origin": "production", "status": "open", "created": "2026-11-12T00:00:00Z", "components": ["Payments"], "url": "https://acme.example/browse/PAY-2"}},
  {{"key": "SRCH-3", "title": "Sort order", "severity": "low", "origin": "pre-production", "status": "closed", "created": "2026-11-13T00:00:00Z", "components": ["Search"]}}{extra}
]}}"#
    )
}

/// The shop: three commits to `src/pay` in the window (one before it), one to `src/search`.
fn shop() -> Repo {
    let repo = Repo::new();
    repo.write("shipgate.yaml", POLICY)
        .write("reports/junit.xml", JUNIT)
        .write("lizard.csv", LIZARD)
        .write("defects.json", &defects(""))
        .write("src/pay/charge.py", "v0\n")
        .write("src/search/find.py", "v0\n")
        .commit("2026-09-01T00:00:00Z");
    repo.write("src/pay/charge.py", "v1\n")
        .commit("2026-11-01T00:00:00Z");
    repo.write("src/pay/charge.py", "v2\n")
        .write("src/search/find.py", "v1\n")
        .commit("2026-11-10T00:00:00Z");
    repo.write("src/pay/refund.py", "r\n")
        .commit("2026-11-20T00:00:00Z");
    // After `--now`: not counted.
    repo.write("src/search/find.py", "v2\n")
        .commit("2026-11-30T00:00:00Z");
    repo
}

fn risk(repo: &Repo, args: &[&str]) -> std::process::Output {
    shipgate()
        .args(["risk", "--now", NOW, "--policy"])
        .arg(repo.path("shipgate.yaml"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn churn_and_complexity_come_from_the_repository_and_the_report_by_hand() {
    let repo = shop();
    let out = risk(&repo, &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    let pay = area(&r, "pay");
    let search = area(&r, "search");
    // Commits in the 30 days before 2026-11-24T10:00Z: 11-01, 11-10, 11-20 for pay; 11-10 for
    // search (09-01 is before the window, 11-30 after it).
    assert_eq!(pay["factors"]["churn"]["raw"], 3.0);
    assert_eq!(search["factors"]["churn"]["raw"], 1.0);
    assert_eq!(pay["factors"]["complexity"]["raw"], 10.0);
    assert_eq!(search["factors"]["complexity"]["raw"], 2.0);
    assert_eq!(pay["factors"]["defect_frequency"]["raw"], 6.0);
    assert_eq!(search["factors"]["defect_frequency"]["raw"], 1.0);
    // pay: (3×1 + 2×6/9 + 0 + 1×10/110 + 1×3/13) ÷ 7 × 100
    let expected = (3.0 + 2.0 * 6.0 / 9.0 + 10.0 / 110.0 + 3.0 / 13.0) / 7.0 * 100.0;
    assert!(
        (pay["score"].as_f64().unwrap() - expected).abs() < 1e-3,
        "{pay:#}"
    );
    // search: (3×0.5 + 2×1/4 + 0 + 2/102 + 1/11) ÷ 7 × 100
    let expected = (1.5 + 0.5 + 2.0 / 102.0 + 1.0 / 11.0) / 7.0 * 100.0;
    assert!(
        (search["score"].as_f64().unwrap() - expected).abs() < 1e-3,
        "{search:#}"
    );
    assert_eq!(pay["rank"], 1);
    // failure_history weighs 0 and has no source: shown missing, with its weight.
    assert!(pay["factors"]["failure_history"].is_null());
    assert_eq!(r["formula"]["weights"]["failure_history"], 0.0);
    assert_eq!(
        pay["untested_production_defects"],
        serde_json::json!(["PAY-2"])
    );
    let gap = &r["coverage_gaps"][0];
    assert_eq!(gap["key"], "PAY-2");
    assert_eq!(gap["url"], "https://acme.example/browse/PAY-2");
    assert_eq!(gap["suggested_test"], "test_pay_2_card_declined_wrongly");
}

#[test]
fn a_shallow_clone_is_churn_missing_never_zero() {
    let repo = shop();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.dir.path().display());
    git(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "c"],
        NOW,
    );
    let out = shipgate()
        .args(["risk", "--now", NOW, "--format", "json", "--policy"])
        .arg(clone.path().join("c/shipgate.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    let pay = area(&r, "pay");
    assert!(pay["factors"]["churn"].is_null(), "{pay:#}");
    assert!(
        pay["missing"]["churn"]
            .as_str()
            .unwrap()
            .contains("shallow clone"),
        "{pay:#}"
    );
    // And the gate it feeds blocks: a configured churn source that is not there.
    let out = shipgate()
        .args(["check", "--now", NOW, "--format", "json", "--policy"])
        .arg(clone.path().join("c/shipgate.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let c = json(&out)["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "risk.coverage")
        .cloned()
        .unwrap();
    assert_eq!(c["status"], "missing", "{c:#}");
}

#[test]
fn a_policy_outside_any_repository_has_its_churn_missing() {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in [
        ("shipgate.yaml", POLICY),
        ("reports/junit.xml", JUNIT),
        ("lizard.csv", LIZARD),
        ("defects.json", &defects("")),
    ] {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let out = shipgate()
        .args(["risk", "--now", NOW, "--format", "json", "--policy"])
        .arg(dir.path().join("shipgate.yaml"))
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .output()
        .unwrap();
    let r = json(&out);
    let churn = r["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["source"] == "churn")
        .unwrap();
    assert_eq!(churn["state"], "missing", "{churn:#}");
    assert!(area(&r, "pay")["factors"]["churn"].is_null());
}

#[test]
fn an_unreadable_complexity_report_is_exit_4_with_the_report_still_printed() {
    let repo = shop();
    repo.write("lizard.csv", "10,x,80\n");
    let out = risk(&repo, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("failed to read the lizard report `lizard.csv` at line 1"),
        "{stderr}"
    );
    let r = json(&out);
    assert!(area(&r, "pay")["factors"]["complexity"].is_null());
    assert_eq!(
        area(&r, "pay")["level"],
        "critical",
        "missing factors score their worst"
    );
}

#[test]
fn risk_needs_areas_and_a_valid_policy() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("shipgate.yaml");
    std::fs::write(&p, "version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}}\nchecks: {regression: {min_tests: 1}}\n").unwrap();
    let out = shipgate()
        .args(["risk", "--policy"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("names no risk area"));
    std::fs::write(&p, "version: 1\nrelease: {name: x}\nrisk: {areas: {a: {revenue_impact: huge, tests: ['*']}}}\n").unwrap();
    let out = shipgate()
        .args(["risk", "--policy"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = shipgate()
        .args(["risk", "plan", "--policy"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--budget is required");
}

fn plan(repo: &Repo, args: &[&str]) -> std::process::Output {
    shipgate()
        .args(["risk", "plan", "--now", NOW, "--policy"])
        .arg(repo.path("shipgate.yaml"))
        .args(args)
        .output()
        .unwrap()
}

/// Budget 8 s. The critical `pay` tests (2 + 4 s, the same priority: the shorter first) come
/// first. Then `search` (score about 30) before `misc` (in no area: 0); within `search` the
/// shorter `sorts` (1.5 s) fits (7.5 s), `finds` (3 s) would make 10.5 s and is dropped, and
/// `misc` (0.5 s) still fits (8 s).
#[test]
fn a_plan_by_hand_keeps_critical_tests_first_and_fits_the_budget() {
    let repo = shop();
    let out = plan(&repo, &["--budget", "8s", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = json(&out);
    assert_eq!(p["budget_seconds"], 8.0);
    assert_eq!(p["planned_seconds"], 8.0);
    assert_eq!(p["over_budget"], false);
    let ids = |key: &str| -> Vec<String> {
        p[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids("tests"),
        [
            "shop.PayTest.test_pay_1_refunds",
            "shop.PayTest.charges",
            "shop.SearchTest.sorts",
            "shop.OtherTest.misc"
        ]
    );
    assert_eq!(ids("dropped"), ["shop.SearchTest.finds"]);
    let first = &p["tests"][0];
    assert_eq!(first["area"], "pay");
    assert_eq!(first["critical"], true);
    assert_eq!(first["duration_seconds"], 2.0);
    assert!(p["tests"][3]["area"].is_null());

    let out = plan(&repo, &["--budget", "8s", "--ids", "surefire"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "shop.PayTest#test_pay_1_refunds\nshop.PayTest#charges\nshop.SearchTest#sorts\nshop.OtherTest#misc\n"
    );
}

#[test]
fn critical_tests_over_the_budget_are_kept_and_the_plan_says_so() {
    let repo = shop();
    let out = plan(&repo, &["--budget", "5s", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the critical-path tests alone take 6.0 s, more than the budget of 5.0 s"),
        "{stderr}"
    );
    let p = json(&out);
    assert_eq!(p["over_budget"], true);
    assert_eq!(p["planned_seconds"], 6.0);
    assert_eq!(p["tests"].as_array().unwrap().len(), 2);
    assert_eq!(p["dropped"].as_array().unwrap().len(), 3);
    let out = plan(&repo, &["--budget", "5s"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "shop.PayTest.test_pay_1_refunds\nshop.PayTest.charges\n"
    );
}

/// A change to `src/search` (uncommitted, since the branch `base`) raises that area's tests by
/// half; an unknown ref is a usage error.
#[test]
fn base_raises_the_areas_a_change_touches() {
    let repo = shop();
    git(repo.dir.path(), &["branch", "base"], NOW);
    repo.write("src/search/find.py", "v3\n");
    let report = risk(&repo, &["--format", "json"]);
    assert!(
        area(&json(&report), "search")["changed"].is_null(),
        "only a plan knows a change"
    );
    let out = plan(
        &repo,
        &["--budget", "6.5s", "--base", "base", "--format", "json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sorts = |p: &Value| -> f64 {
        p["tests"]
            .as_array()
            .unwrap()
            .iter()
            .chain(p["dropped"].as_array().unwrap())
            .find(|t| t["id"] == "shop.SearchTest.sorts")
            .unwrap()["priority"]
            .as_f64()
            .unwrap()
    };
    let changed = sorts(&json(&out));
    let unchanged = sorts(&json(&plan(
        &repo,
        &["--budget", "6.5s", "--format", "json"],
    )));
    assert!(unchanged > 20.0, "{unchanged}");
    assert!(
        (changed - 1.5 * unchanged).abs() < 1e-3,
        "{changed} vs {unchanged}"
    );
    let out = plan(&repo, &["--budget", "8s", "--base", "no-such-ref"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-ref"));
}

#[test]
fn a_plan_with_unreadable_evidence_is_refused() {
    let repo = shop();
    repo.write("reports/junit.xml", "<testsuite><testcase name=");
    let out = plan(&repo, &["--budget", "8s"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_recorded_decision_replays_the_same_churn_offline() {
    let repo = shop();
    let record = tempfile::tempdir().unwrap();
    let out = shipgate()
        .args(["check", "--now", NOW, "--policy"])
        .arg(repo.path("shipgate.yaml"))
        .arg("--report-dir")
        .arg(record.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The repository is gone: a replay must not need git.
    let recorded = std::fs::read_to_string(record.path().join("out/report.json")).unwrap();
    drop(repo);
    let out = shipgate()
        .args(["check", "--format", "json", "--from-snapshot"])
        .arg(record.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), recorded);
    let r: Value = serde_json::from_str(&recorded).unwrap();
    assert!(
        r["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["source"] == "churn")
    );
}

/// lizard itself, on the example app: what it writes now is read as the committed report was.
/// CI installs lizard from PyPI and sets `SHIPGATE_IT_LIZARD_REQUIRED=1`, so this can never
/// skip there.
#[test]
fn lizard_run_now_on_the_example_app_is_read() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/app");
    let run = Command::new("lizard")
        .current_dir(&app)
        .args(["--csv", "payments"])
        .output();
    let out = match run {
        Ok(o) if o.status.success() => o,
        other => {
            assert!(
                std::env::var_os("SHIPGATE_IT_LIZARD_REQUIRED").is_none(),
                "lizard is required here and could not be run: {other:?}"
            );
            eprintln!("lizard is not installed (pip install lizard); skipped");
            return;
        }
    };
    let repo = Repo::new();
    repo.write("lizard.csv", &String::from_utf8(out.stdout).unwrap());
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/risk/lizard.csv"),
    )
    .unwrap();
    let sum = |csv: &str| -> u32 {
        csv.lines()
            .map(|l| l.split(',').nth(1).unwrap().parse::<u32>().unwrap())
            .sum()
    };
    let fresh = std::fs::read_to_string(repo.path("lizard.csv")).unwrap();
    assert_eq!(
        sum(&fresh),
        sum(&committed),
        "the example app's complexity changed: regenerate examples/risk/lizard.csv"
    );
    repo.write(
        "shipgate.yaml",
        &POLICY
            .replace("root: src", "root: app")
            .replace("src/pay/**", "app/payments/**"),
    )
    .write("reports/junit.xml", JUNIT)
    .write("defects.json", &defects(""))
    .write("app/payments/checkout.py", "x\n")
    .commit("2026-11-01T00:00:00Z");
    let out = risk(&repo, &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        area(&json(&out), "pay")["factors"]["complexity"]["raw"].as_f64(),
        Some(f64::from(sum(&committed)))
    );
}
