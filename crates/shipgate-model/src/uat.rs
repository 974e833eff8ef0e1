//! UAT sign-off evidence, as read by `shipgate-uat`: who approved which release, when, what each
//! signature means, and whether the record carries a verified SSH signature.
//!
//! The record is the one of the design brief (§5): release, version, optional commit, a decision
//! (approved, rejected or conditional), a scope, and one entry per person who signed.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The overall outcome of user acceptance testing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UatDecision {
    /// The release is accepted.
    Approved,
    /// The release is not accepted.
    Rejected,
    /// Accepted on conditions (listed in [`UatEvidence::conditions`]).
    Conditional,
}

impl UatDecision {
    /// The lowercase word used in records and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            UatDecision::Approved => "approved",
            UatDecision::Rejected => "rejected",
            UatDecision::Conditional => "conditional",
        }
    }
}

/// What a person's signature means (the "meaning" 21 CFR 11.50 asks a signed record to show).
/// Only `approval` counts for a role the policy requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureMeaning {
    /// The signer approves the release.
    Approval,
    /// The signer reviewed it (does not approve it).
    Review,
    /// The signer takes responsibility for it.
    Responsibility,
    /// The signer wrote the record.
    Authorship,
}

impl SignatureMeaning {
    /// The lowercase word used in records and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMeaning::Approval => "approval",
            SignatureMeaning::Review => "review",
            SignatureMeaning::Responsibility => "responsibility",
            SignatureMeaning::Authorship => "authorship",
        }
    }
}

/// One person's entry in the sign-off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signoff {
    /// Who signed (`Dana Reyes`).
    pub name: String,
    /// In which role (`product-owner`): matched against the policy's `required_roles`.
    pub role: String,
    /// When they signed.
    #[serde(with = "crate::instant::strict")]
    pub at: Timestamp,
    /// What the signature means.
    pub meaning: SignatureMeaning,
    /// A free-text note.
    pub note: Option<String>,
}

/// Whether the sign-off record carries a detached SSH signature (`ssh-keygen -Y sign`), and
/// what came of verifying it.
///
/// `deny_unknown_fields` for the reason given at [`crate::RunThresholds`]: the strict JSON reader cannot
/// see into an internally tagged enum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase", deny_unknown_fields)]
pub enum UatSignature {
    /// There is no signature file next to the record.
    Unsigned {
        /// Where the signature was looked for (`release/uat-signoff.yaml.sig`).
        expected: String,
    },
    /// A signature is there, but the policy names no allowed-signers file to verify it with.
    Unverified {
        /// The signature file.
        path: String,
    },
    /// The signature verifies over the record's exact bytes, in the `shipgate-uat` namespace,
    /// with a key listed in the allowed-signers file.
    Verified {
        /// The signature file.
        path: String,
        /// The principals the allowed-signers file lists for the key.
        principals: Vec<String>,
        /// The key's fingerprint (`SHA256:...`).
        fingerprint: String,
        /// The key's `valid-after` option, when set: the key may not sign before it.
        #[serde(default, with = "crate::instant::strict::option")]
        valid_after: Option<Timestamp>,
        /// The key's `valid-before` option, when set: the key may not sign after it.
        #[serde(default, with = "crate::instant::strict::option")]
        valid_before: Option<Timestamp>,
    },
    /// A signature is there and does not verify: the record changed after signing, the key is
    /// not allowed, the namespace is wrong, or the file is not an SSH signature.
    Invalid {
        /// The signature file.
        path: String,
        /// Why, as a sentence fragment.
        reason: String,
    },
}

impl UatSignature {
    /// `unsigned`, `unverified`, `verified` or `invalid`.
    pub fn status(&self) -> &'static str {
        match self {
            UatSignature::Unsigned { .. } => "unsigned",
            UatSignature::Unverified { .. } => "unverified",
            UatSignature::Verified { .. } => "verified",
            UatSignature::Invalid { .. } => "invalid",
        }
    }
}

/// A UAT sign-off record as read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UatEvidence {
    /// Where the record came from (the path as written in the policy).
    pub path: String,
    /// The product or service signed off (`payments-api`).
    pub release: String,
    /// The version signed off.
    pub version: String,
    /// The commit signed off, when the record names one.
    pub commit: Option<String>,
    /// The overall decision.
    pub decision: UatDecision,
    /// What was tested.
    pub scope: Option<String>,
    /// The conditions of a `conditional` decision.
    pub conditions: Vec<String>,
    /// Every person who signed, in the record's order.
    pub signoffs: Vec<Signoff>,
    /// The record's SSH signature, if any.
    pub signature: UatSignature,
}

impl UatEvidence {
    /// The earliest signature time: the record is only as fresh as its oldest approval.
    pub fn oldest_signoff(&self) -> Option<Timestamp> {
        self.signoffs.iter().map(|s| s.at).min()
    }
}
