//! YAML with line numbers, for the files people write by hand: the policy, quarantine lists and
//! UAT sign-offs.
//!
//! [`parse`] turns text into a [`Node`] tree where every node knows its line, column and path
//! (`checks.regression.min_pass_rate`). [`from_node`] deserializes any serde type from that tree
//! and, unlike a plain serde deserializer, does not stop at the first problem: it reports every
//! unknown key (with a did-you-mean), every bad value and every missing key at once, each with its
//! line. Plain scalars keep their text, so `version: 2.10` is the string `2.10`, not the number
//! 2.1.
//!
//! This crate knows nothing about shipgate's policy: it must not read files, the environment or
//! the clock, and it never panics on any input.
//!
//! # Example
//!
//! ```
//! #[derive(serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Gate {
//!     version: String,
//!     min_pass_rate: f64,
//! }
//!
//! let tree = shipgate_yaml::parse("version: 2.10\nmin_pass_rate: 0.98\n").expect("valid YAML");
//! let gate: Gate = shipgate_yaml::from_node(&tree).into_result().expect("a gate");
//! assert_eq!(gate.version, "2.10"); // the text as written, not the number 2.1
//! assert_eq!(gate.min_pass_rate, 0.98);
//!
//! // A misspelt key is a problem on its line, with the key it most likely meant: never ignored.
//! let tree = shipgate_yaml::parse("version: 2.10\nmin_pas_rate: 0.98\n").expect("valid YAML");
//! let problems = shipgate_yaml::from_node::<Gate>(&tree).problems;
//! let misspelt = problems.iter().find(|p| p.mark.line == 2).expect("a problem on line 2");
//! assert!(misspelt.message.contains("min_pass_rate"), "{}", misspelt.message);
//! ```

mod de;
mod error;
mod mark;
mod node;

pub use de::{Decoded, from_node};
pub use error::{DeError, Problem};
pub use mark::Mark;
pub use node::{Node, NodeValue, ScalarStyle, parse};
