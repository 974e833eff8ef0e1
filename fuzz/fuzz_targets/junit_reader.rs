//! Any bytes into the JUnit reader, in both retry modes: a result or an error, never a panic,
//! and a result whose counts add up, whose kept tests are exactly those that did not pass (under
//! per-testcase reading), and whose digest covers every byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_junit::{ReadOptions, RetryMode, read_bytes};

fuzz_target!(|data: &[u8]| {
    for retries in [RetryMode::PerTestcase, RetryMode::RepeatedTestcases] {
        let options = ReadOptions {
            retries,
            ..ReadOptions::default()
        };
        if let Ok((evidence, digest)) = read_bytes("fuzz.xml", data, &options) {
            let c = evidence.totals;
            assert_eq!(c.tests, c.passed + c.failed + c.errored + c.skipped + c.flaky);
            assert_eq!(evidence.tests.len() as u64, c.tests - c.passed);
            assert_eq!(digest.bytes, data.len() as u64);
        }
    }
});
