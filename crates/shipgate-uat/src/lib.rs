//! UAT sign-off records in, [`UatEvidence`](shipgate_model::UatEvidence) out; GitHub deployment
//! approvals in, [`DeploymentApprovals`](shipgate_model::DeploymentApprovals) out.
//!
//! This crate is the gate's UAT adapter. [`parse_record`] reads the sign-off record of the
//! design brief (§5) — release, version, optional commit, decision, scope, and who signed in
//! which role, when, and with what meaning — from YAML (or the same shape written as JSON),
//! refusing unknown keys and reporting every problem with its line. [`verify_signature`] checks
//! the record's optional detached SSH signature (`ssh-keygen -Y sign -n shipgate-uat FILE`
//! writes `FILE.sig`) against an [`AllowedSigners`] file, in Rust: the record's exact bytes, the
//! `shipgate-uat` namespace, a listed key.
//!
//! The second UAT source is GitHub's deployment approvals of a workflow run:
//! [`fetch_approvals`] reads the run, its review history and the approvers' team memberships
//! through `shipgate-http`, and [`write_approvals_json`]/[`read_approvals_json`] store and read
//! back what it fetched for a release record.
//!
//! What it must not do: decide whether a sign-off or an approval is good enough (required roles,
//! who stands for which role, age, version match are the policy engine's `uat.signoff`), read
//! files, the clock or the environment (the caller passes the bytes, the time and an
//! environment lookup), reach the network other than through `shipgate-http` for the GitHub
//! approvals, run `ssh-keygen`, print anything, or log a token.
//!
//! # Example
//!
//! ```
//! use shipgate_model::UatSignature;
//! use shipgate_uat::{AllowedSigners, parse_record, verify_signature};
//!
//! // The signed-release example's record, its `ssh-keygen -Y sign` signature and signers.
//! let record = include_bytes!("../../../examples/signed-release/release/uat-signoff.yaml");
//! let sig = include_bytes!("../../../examples/signed-release/release/uat-signoff.yaml.sig");
//! let signers = include_bytes!("../../../examples/signed-release/release/allowed_signers");
//!
//! let evidence = parse_record("release/uat-signoff.yaml", record)?;
//! assert_eq!(evidence.signoffs.len(), 2);
//!
//! let allowed = AllowedSigners::parse("release/allowed_signers", signers)?;
//! let path = "release/uat-signoff.yaml.sig";
//! let signed = verify_signature(record, sig, path, &allowed);
//! assert!(matches!(signed, UatSignature::Verified { .. }), "{signed:?}");
//!
//! // One byte changed after signing (2.4.0 becomes 2.4.1): the signature no longer verifies.
//! let text = String::from_utf8_lossy(record).replace("version: 2.4.0", "version: 2.4.1");
//! let tampered = verify_signature(text.as_bytes(), sig, path, &allowed);
//! assert!(matches!(tampered, UatSignature::Invalid { .. }), "{tampered:?}");
//! # Ok::<(), shipgate_uat::UatError>(())
//! ```

mod error;
mod github_approvals;
mod record;
mod signature;

pub use error::UatError;
pub use github_approvals::{
    ApprovalsConfig, ApprovalsOptions, EnvLookup, fetch_approvals, read_approvals_json,
    write_approvals_json,
};
pub use record::parse_record;
pub use shipgate_http::ClientOptions;
pub use signature::{AllowedSigners, NAMESPACE, signature_path, verify_signature};
