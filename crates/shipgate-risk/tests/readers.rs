//! The complexity readers on reports the real tools wrote (see fixtures/README.md for how each
//! was made and how the expected totals were counted).

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use shipgate_model::ComplexityTool;
use shipgate_risk::{read_lizard_csv, read_radon_json};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn sum_in(f: &[shipgate_model::FunctionComplexity], prefix: &str) -> u32 {
    f.iter()
        .filter(|f| f.file.starts_with(prefix))
        .map(|f| f.ccn)
        .sum()
}

#[test]
fn lizard_csv_of_the_example_app() {
    let f = read_lizard_csv(
        &fixture("lizard-1.24.3-example-app.csv"),
        "lizard.csv",
        "../app",
    )
    .unwrap();
    assert_eq!(f.len(), 31);
    assert_eq!(f.iter().map(|f| f.ccn).sum::<u32>(), 48);
    assert_eq!(sum_in(&f, "../app/payments/"), 25);
    let login = f.iter().find(|f| f.function == "login").unwrap();
    assert_eq!(
        (login.file.as_str(), login.line, login.ccn, login.tool),
        (
            "../app/payments/auth.py",
            Some(15),
            4,
            ComplexityTool::Lizard
        )
    );
}

#[test]
fn lizard_csv_with_its_header_on_rust_code() {
    let f = read_lizard_csv(
        &fixture("lizard-1.24.3-shipgate-stats-verbose.csv"),
        "stats.csv",
        "..",
    )
    .unwrap();
    assert_eq!(f.len(), 43);
    assert_eq!(f.iter().map(|f| f.ccn).sum::<u32>(), 112);
    assert_eq!(f.iter().map(|f| f.ccn).max(), Some(17));
    assert!(
        f.iter()
            .all(|f| f.file.starts_with("../crates/shipgate-stats/src/"))
    );
}

#[test]
fn lizard_csv_cut_short_is_refused() {
    let bytes = fixture("lizard-1.24.3-example-app.csv");
    // Cut in the middle of the fifth line, as a full disk would.
    let cut = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(3)
        .map(|(i, _)| i + 20)
        .unwrap();
    let e = read_lizard_csv(&bytes[..cut], "lizard.csv", ".").unwrap_err();
    assert!(e.to_string().contains("`lizard.csv` at line 5"), "{e}");
}

#[test]
fn radon_json_of_the_example_app() {
    let f = read_radon_json(
        &fixture("radon-6.0.1-example-app.json"),
        "radon.json",
        "../app",
    )
    .unwrap();
    assert_eq!(f.len(), 31);
    assert_eq!(f.iter().map(|f| f.ccn).sum::<u32>(), 61);
    assert_eq!(sum_in(&f, "../app/payments/"), 25);
    assert!(f.iter().any(|f| f.function == "Ledger.post" && f.ccn == 3));
    assert!(f.iter().all(|f| f.tool == ComplexityTool::Radon));
}
