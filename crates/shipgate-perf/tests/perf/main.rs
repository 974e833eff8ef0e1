//! Fixture tests: files written by each tool (or, where the tool does not install here, written
//! from its source; see `../fixtures/README.md`), read the way the gate reads them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod compressed;
mod detection;
mod duplicate_keys;
mod gatling_log;
mod generic;
mod jmeter;
mod k6;
mod locust_gatling;
mod locust_json;
mod snapshot;
mod values;

use shipgate_model::PerfEvidence;
use shipgate_perf::{PerfError, PerfFormat, PerfRead};
use std::path::PathBuf;

pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub(crate) fn read(name: &str) -> PerfRead {
    read_as(name, PerfFormat::Auto).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub(crate) fn read_as(name: &str, format: PerfFormat) -> Result<PerfRead, PerfError> {
    shipgate_perf::read_file(&fixture(name), name, format)
}

pub(crate) fn bytes(text: &str) -> Result<PerfRead, PerfError> {
    shipgate_perf::read_bytes(text.as_bytes(), "inline", PerfFormat::Auto)
}

pub(crate) fn value(e: &PerfEvidence, metric: &str) -> f64 {
    e.metrics
        .get(metric)
        .unwrap_or_else(|| panic!("no {metric} in {:?}", e.metrics.keys().collect::<Vec<_>>()))
        .value
}

pub(crate) fn close(got: f64, want: f64, what: &str) {
    let tol = 1e-9 * want.abs().max(1.0);
    assert!((got - want).abs() <= tol, "{what}: {got} != {want}");
}
