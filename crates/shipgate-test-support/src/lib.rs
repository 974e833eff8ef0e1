//! Helpers that shipgate's tests used to copy from file to file: the one evaluation time every
//! test judges evidence at ([`now`], [`NOW`]), instants relative to it ([`at`], [`days_before`]),
//! and reading a test's own document (a policy, a record) so that a mistake in the test shows
//! every problem and the text ([`parsed`]).
//!
//! It is a dev-dependency only (`publish = false`): helpers here panic, which is how a test
//! fails, and which product code must never do. It depends on nothing of shipgate, so that any
//! crate's unit tests can use it, the policy engine's included: a helper that returned a
//! `Policy` would be a second copy of the policy crate's type inside that crate's own tests.
//!
//! # Example
//!
//! ```
//! use shipgate_test_support::{at, days_before, now, parsed};
//!
//! assert_eq!(now(), at("2026-11-24T10:00:00Z"));
//! assert_eq!(days_before(1), at("2026-11-23T10:00:00Z"));
//! let n: u32 = parsed("42", "42".parse::<u32>());
//! assert_eq!(n, 42);
//! ```

#![expect(
    clippy::panic,
    reason = "a test helper fails the test that called it by panicking"
)]

use jiff::{SignedDuration, Timestamp};
use std::fmt::Debug;

/// The evaluation time of the tests, as the CLI's `--now` takes it: the Tuesday the examples'
/// evidence was gathered for. Evidence ages (a sign-off 14 days old, a defect open for 30) are
/// counted back from it.
pub const NOW: &str = "2026-11-24T10:00:00Z";

/// [`NOW`] as an instant.
pub fn now() -> Timestamp {
    at(NOW)
}

/// The instant written in `text` (RFC 3339, with its zone); panics naming the text.
pub fn at(text: &str) -> Timestamp {
    text.parse()
        .unwrap_or_else(|e| panic!("`{text}` is not an instant with a zone: {e}"))
}

/// The instant `days` whole days before [`now`].
pub fn days_before(days: i64) -> Timestamp {
    now() - SignedDuration::from_hours(24 * days)
}

/// The value a test's own document reads as, or a panic that shows every problem the reader
/// found and the document itself: a test whose fixture is wrong must say where, not
/// `called unwrap on an Err value`.
///
/// ```should_panic
/// let _: u32 = shipgate_test_support::parsed("forty-two", "forty-two".parse::<u32>());
/// ```
pub fn parsed<T, E: Debug>(text: &str, result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e:#?}\n--- in this document:\n{text}"))
}
