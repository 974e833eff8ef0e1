//! UAT sign-off records in, [`UatEvidence`](shipgate_model::UatEvidence) out.
//!
//! This crate is the gate's UAT adapter. [`parse_record`] reads the sign-off record of the
//! design brief (§5) — release, version, optional commit, decision, scope, and who signed in
//! which role, when, and with what meaning — from YAML (or the same shape written as JSON),
//! refusing unknown keys and reporting every problem with its line. [`verify_signature`] checks
//! the record's optional detached SSH signature (`ssh-keygen -Y sign -n shipgate-uat FILE`
//! writes `FILE.sig`) against an [`AllowedSigners`] file, in Rust: the record's exact bytes, the
//! `shipgate-uat` namespace, a listed key.
//!
//! What it must not do: decide whether a sign-off is good enough (required roles, age, version
//! match are the policy engine's `uat.signoff`), read files, the clock, the environment or the
//! network (the caller passes the bytes), run `ssh-keygen`, or print anything.

mod error;
mod record;
mod signature;

pub use error::UatError;
pub use record::parse_record;
pub use signature::{AllowedSigners, NAMESPACE, signature_path, verify_signature};
