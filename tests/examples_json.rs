//! The JSON report of every example, pinned: a refactoring that changes what the gate decides, or
//! how it says so, on any example shows up here as a snapshot diff. The snapshots were written
//! before the shared vocabulary and the tracker and load-test registries were introduced, and
//! must not change with them.
//!
//! Only what differs from run to run is redacted: `generated_at` (the wall clock) and the tool's
//! version (so that a release bump is not a diff). Every example found under `examples/` is run,
//! so a new example gets its snapshot on first run.

#![expect(
    clippy::disallowed_methods,
    reason = "the test reads shipgate's own JSON output, not evidence"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::{check_example, shipgate};
use serde_json::Value;
use std::path::Path;

/// The output with the values that change from run to run replaced, everything else byte for
/// byte as printed.
fn redacted(stdout: &[u8]) -> String {
    let text = String::from_utf8(stdout.to_vec()).unwrap();
    let report: Value = serde_json::from_str(&text).unwrap();
    let mut text = text;
    if let Some(at) = report.get("generated_at").and_then(Value::as_str) {
        text = text.replacen(
            &format!("\"generated_at\": \"{at}\""),
            "\"generated_at\": \"[generated_at]\"",
            1,
        );
    }
    // The risk example reads churn from this repository's history, recorded as the commit it
    // was read at with the files tracked there: that commit, and so the recorded input's hash
    // and size, are whatever is checked out (the churn of the example's own files is not).
    if let Some(at) = text.find("\"path\": \"git log ") {
        let lines: Vec<String> = text[at..].lines().take(3).map(str::to_owned).collect();
        if let [path, sha, bytes] = lines.as_slice()
            && let Some(head) = path.rfind(" at ")
        {
            let old = format!("{path}\n{sha}\n{bytes}");
            let indent = &sha[..sha.len() - sha.trim_start().len()];
            let new = format!(
                "{} at [HEAD]\",\n{indent}\"sha256\": \"[churn]\",\n{indent}\"bytes\": \"[churn]\"",
                &path[..head]
            );
            text = text.replacen(&old, &new, 1);
        }
    }
    let version = env!("CARGO_PKG_VERSION");
    text.replacen(
        &format!("\"name\": \"shipgate\",\n    \"version\": \"{version}\""),
        "\"name\": \"shipgate\",\n    \"version\": \"[version]\"",
        1,
    )
}

/// The example folders that hold a policy, by name.
fn examples() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("shipgate.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_example_reports_the_same_json() {
    let names = examples();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        let out = check_example(&format!("examples/{name}/shipgate.yaml"))
            .args(["--format", "json"])
            .output()
            .unwrap();
        let code = out.status.code().unwrap();
        assert!(
            code == 0 || code == 1,
            "{name}: exit {code}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = redacted(&out.stdout);
        insta::assert_snapshot!(format!("example_{name}_json"), text);
    }
}

/// The defect example's tracker export as the gate normalises it (the defect JSON form).
#[test]
fn the_defect_example_inspects_to_the_same_json() {
    let out = shipgate()
        .args([
            "inspect",
            "defects",
            "--policy",
            "examples/defects/shipgate.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!(
        "inspect_defects_example_json",
        String::from_utf8(out.stdout).unwrap()
    );
}

/// Each of the performance example's files, recognised from its content and read as its declared
/// format, as the gate sees it.
#[test]
fn the_performance_example_inspects_to_the_same_json() {
    for (file, format) in [
        ("current.jtl", "jmeter"),
        ("baseline-run.jtl", "jmeter"),
        ("baseline.json", "baseline"),
    ] {
        let path = format!("examples/performance/perf/{file}");
        let mut outputs = Vec::new();
        for declared in ["auto", format] {
            let out = shipgate()
                .args([
                    "inspect",
                    "perf",
                    &path,
                    "--input-format",
                    declared,
                    "--format",
                    "json",
                ])
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{file} as {declared}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            outputs.push(String::from_utf8(out.stdout).unwrap());
        }
        assert_eq!(outputs[0], outputs[1], "{file}: auto and {format} differ");
        insta::assert_snapshot!(format!("inspect_perf_{file}_json"), outputs[0]);
    }
}
