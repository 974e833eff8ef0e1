//! Signatures written by the real `ssh-keygen -Y sign` verify, and stop verifying when one byte
//! of the record changes.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use shipgate_model::UatSignature;
use shipgate_uat::{AllowedSigners, parse_record, signature_path, verify_signature};
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn allowed() -> AllowedSigners {
    AllowedSigners::parse(
        "ssh-keygen-allowed_signers",
        &fixture("ssh-keygen-allowed_signers"),
    )
    .unwrap()
}

fn verify(record: &str, bytes: &[u8]) -> UatSignature {
    let sig_name = signature_path(record);
    verify_signature(bytes, &fixture(&sig_name), &sig_name, &allowed())
}

#[test]
fn an_ed25519_signature_from_ssh_keygen_verifies() {
    let record = "ssh-keygen-ed25519-signoff.yaml";
    match verify(record, &fixture(record)) {
        UatSignature::Verified {
            principals,
            fingerprint,
            ..
        } => {
            assert_eq!(principals, ["dana@acme.example"]);
            // What `ssh-keygen -Y verify` printed for this key.
            assert_eq!(
                fingerprint,
                "SHA256:bMYdNf0uPufXT3CJjA5LxEoZ+QUZHq0FVJYHbLxyqSI"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(parse_record(record, &fixture(record)).is_ok());
}

#[test]
fn an_ecdsa_p256_signature_from_ssh_keygen_verifies() {
    let record = "ssh-keygen-ecdsa-p256-signoff.yaml";
    match verify(record, &fixture(record)) {
        UatSignature::Verified { fingerprint, .. } => assert_eq!(
            fingerprint,
            "SHA256:9YiESB5MgHFgYQ1GxnqMAUQBz1cwuvH8DzTkJC+dt/w"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn one_changed_byte_breaks_the_signature() {
    let record = "ssh-keygen-ed25519-signoff.yaml";
    let tampered = String::from_utf8(fixture(record))
        .unwrap()
        .replace("version: 2.4.0", "version: 2.4.1");
    match verify(record, tampered.as_bytes()) {
        UatSignature::Invalid { reason, .. } => {
            assert!(reason.contains("changed after it was signed"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_signature_of_one_record_does_not_sign_another() {
    let ed = "ssh-keygen-ed25519-signoff.yaml";
    let ec = "ssh-keygen-ecdsa-p256-signoff.yaml";
    let sig_name = signature_path(ec);
    let s = verify_signature(&fixture(ed), &fixture(&sig_name), &sig_name, &allowed());
    assert!(matches!(s, UatSignature::Invalid { .. }), "{s:?}");
}
