//! Tests that occur in more than one file: an old full run left beside this run's reports, or one
//! suite run several times (a matrix of interpreter versions).
//!
//! Summing them would hide a shrinking suite: an old run of 40 tests left beside a new run of 5
//! reads as 45 tests, and `min_tests: 40` passes. So the reader finds every test identity
//! ([`crate::test_key`] of suite, classname and name) that occurs in two or more files, and the
//! gate blocks on them unless the policy says the suite runs several times on purpose.
//!
//! Memory stays bounded at a million tests: each file gives its distinct keys, sorted (8 bytes
//! a test); they are compared a slice of the key space at a time, in parallel, and only the
//! counts per set of files, with one example key each, are kept. Names are looked up afterwards,
//! for those examples only (see `lib.rs`).
//!
//! What it must not do: count a key repeated within one file (parameterised tests, `describe`
//! blocks and retries repeat names in one file; they are not runs), or keep a name per test.

use rayon::prelude::*;
use shipgate_model::{RepeatedGroup, RepeatedTests};
use std::collections::HashMap;

/// Keys shared by exactly the same files: how many, and the smallest of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shared {
    identities: u64,
    example: u64,
}

/// Finds the identities that occur in more than one file. `per_file[i]` holds the sorted,
/// distinct keys of file `i`. Returns the summary, and the example key of each listed group.
pub(crate) fn find(per_file: &[Vec<u64>]) -> (RepeatedTests, Vec<u64>) {
    if per_file.iter().filter(|keys| !keys.is_empty()).count() < 2 {
        return (RepeatedTests::default(), Vec::new());
    }
    let total: usize = per_file.iter().map(Vec::len).sum();
    // Slices of the key space small enough that one slice's keys sort in cache.
    let parts = (total / 16_384).clamp(1, 4_096) as u128;
    let bound = |part: u128| -> Option<u64> {
        u64::try_from((part << 64) / parts)
            .ok()
            .filter(|_| part < parts)
    };
    let shared = (0..parts)
        .into_par_iter()
        .map(|part| {
            let (low, high) = (bound(part).unwrap_or(0), bound(part + 1));
            slice_shared(per_file, low, high)
        })
        .reduce(HashMap::new, merge);

    let mut groups: Vec<(Vec<usize>, Shared)> = shared.into_iter().collect();
    let identities = groups.iter().map(|(_, s)| s.identities).sum();
    let repeats = groups
        .iter()
        .map(|(files, s)| s.identities * (files.len() as u64 - 1))
        .sum();
    // The most shared first; ties in file order, so the report is deterministic.
    groups.sort_by(|a, b| {
        b.1.identities
            .cmp(&a.1.identities)
            .then_with(|| a.0.cmp(&b.0))
    });
    groups.truncate(RepeatedTests::MAX_GROUPS);
    let examples = groups.iter().map(|(_, s)| s.example).collect();
    let summary = RepeatedTests {
        identities,
        repeats,
        groups: groups
            .into_iter()
            .map(|(files, s)| RepeatedGroup {
                files,
                identities: s.identities,
                example: None,
            })
            .collect(),
    };
    (summary, examples)
}

/// The keys in `low..high` (`high` `None`: to the end) that more than one file holds, grouped
/// by the files that hold them.
fn slice_shared(per_file: &[Vec<u64>], low: u64, high: Option<u64>) -> HashMap<Vec<usize>, Shared> {
    let mut pairs: Vec<(u64, usize)> = Vec::new();
    for (file, keys) in per_file.iter().enumerate() {
        let from = keys.partition_point(|k| *k < low);
        let to = high.map_or(keys.len(), |h| keys.partition_point(|k| *k < h));
        pairs.extend(keys[from..to].iter().map(|k| (*k, file)));
    }
    pairs.sort_unstable();
    let mut shared: HashMap<Vec<usize>, Shared> = HashMap::new();
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        if run.len() < 2 {
            continue;
        }
        let files: Vec<usize> = run.iter().map(|(_, f)| *f).collect();
        let key = run[0].0;
        shared
            .entry(files)
            .and_modify(|s| {
                s.identities += 1;
                s.example = s.example.min(key);
            })
            .or_insert(Shared {
                identities: 1,
                example: key,
            });
    }
    shared
}

fn merge(
    mut a: HashMap<Vec<usize>, Shared>,
    b: HashMap<Vec<usize>, Shared>,
) -> HashMap<Vec<usize>, Shared> {
    for (files, s) in b {
        a.entry(files)
            .and_modify(|t| {
                t.identities += s.identities;
                t.example = t.example.min(s.example);
            })
            .or_insert(s);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[u64]) -> Vec<u64> {
        let mut v = list.to_vec();
        v.sort_unstable();
        v
    }

    #[test]
    fn keys_in_two_files_are_found_and_grouped() {
        let files = [
            keys(&[1, 2, 3, u64::MAX]),
            keys(&[4, 5]),
            keys(&[2, 3, 6, u64::MAX]),
            keys(&[3]),
        ];
        let (found, examples) = find(&files);
        assert_eq!(found.identities, 3);
        assert_eq!(found.repeats, 4);
        assert_eq!(
            found.groups,
            [
                RepeatedGroup {
                    files: vec![0, 2],
                    identities: 2,
                    example: None
                },
                RepeatedGroup {
                    files: vec![0, 2, 3],
                    identities: 1,
                    example: None
                },
            ]
        );
        assert_eq!(examples, [2, 3]);
    }

    #[test]
    fn shards_share_nothing() {
        let files = [keys(&[1, 3, 5]), keys(&[2, 4, 6]), Vec::new()];
        assert!(find(&files).0.is_empty());
        assert!(find(&[keys(&[1, 2])]).0.is_empty());
    }

    #[test]
    fn many_keys_across_many_slices() {
        // Spread over the whole key space, so that every slice boundary is crossed.
        let spread = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let a: Vec<u64> = keys(&(0..100_000).map(spread).collect::<Vec<_>>());
        let b: Vec<u64> = keys(&(50_000..150_000).map(spread).collect::<Vec<_>>());
        let (found, examples) = find(&[a, b]);
        assert_eq!(found.identities, 50_000);
        assert_eq!(found.repeats, 50_000);
        assert_eq!(found.groups.len(), 1);
        let smallest = (50_000..100_000).map(spread).min().unwrap_or(0);
        assert_eq!(examples, [smallest]);
    }
}
