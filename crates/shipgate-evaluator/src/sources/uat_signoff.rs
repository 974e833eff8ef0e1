//! The `uat` source: the sign-off record, its detached signature and the allowed signers →
//! UAT evidence, with every file's hash.

use super::{GatherOptions, Gathered, Loaded, Source, StateAndInputs};
use crate::digest::sha256_hex;
use crate::resolver::{Located, Resolver};
use shipgate_model::{EvidenceProblem, InputRecord, SourceState, UatEvidence, UatSignature};
use shipgate_policy::{Policy, UatSources};
use shipgate_uat::{AllowedSigners, parse_record, signature_path, verify_signature};
use std::io;
use std::path::Path;

const SOURCE: &str = "uat";

/// `sources.uat.signoff`: the UAT sign-off record, its signature and the allowed signers.
pub(crate) struct UatSignoff;

/// The source in [`SOURCES`](super::SOURCES).
pub(crate) static UAT_SIGNOFF: UatSignoff = UatSignoff;

impl Source for UatSignoff {
    fn name(&self) -> &'static str {
        SOURCE
    }

    /// Read only when a check needs it, and there is a record to read (without one, UAT comes
    /// from the GitHub approvals alone).
    fn wanted(&self, policy: &Policy) -> bool {
        policy.needs_uat()
            && policy
                .sources
                .uat
                .as_ref()
                .is_some_and(|u| u.signoff.is_some())
    }

    fn load(&self, policy: &Policy, resolver: &Resolver, _: &GatherOptions<'_>) -> Box<dyn Loaded> {
        let (state, inputs) = load(policy, resolver);
        Box::new(StateAndInputs {
            state,
            inputs,
            field: |e| &mut e.uat,
        })
    }

    fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered) {
        into.evidence.uat = SourceState::Unreadable(vec![problem]);
    }
}

/// A sign-off, its signature or an allowed-signers file larger than this is refused: they are
/// written by hand, and a huge file is a mistake.
const MAX_BYTES: u64 = 1024 * 1024;

/// Loads the sign-off named by `sources.uat`, finding its files through `resolver`.
fn load(policy: &Policy, resolver: &Resolver) -> (SourceState<UatEvidence>, Vec<InputRecord>) {
    match &policy.sources.uat {
        // Without a record, UAT comes from the GitHub approvals alone (`uat_approvals`).
        Some(sources) if sources.signoff.is_some() => read(sources, resolver),
        _ => (SourceState::NotConfigured, Vec::new()),
    }
}

/// Reads a sign-off as `shipgate inspect uat` shows it: the record at `signoff`, its `.sig`, and
/// the allowed signers when given (paths relative to `base_dir`).
pub fn inspect_uat(
    base_dir: &Path,
    signoff: &str,
    allowed_signers: Option<&str>,
) -> (SourceState<UatEvidence>, Vec<InputRecord>) {
    let sources = UatSources {
        signoff: Some(signoff.to_owned()),
        allowed_signers: allowed_signers.map(str::to_owned),
        require_signature: None,
        github_approvals: None,
    };
    read(&sources, &Resolver::live(base_dir, false))
}

fn problem(location: &str, message: String, remedy: String) -> EvidenceProblem {
    EvidenceProblem {
        source: SOURCE.to_owned(),
        location: Some(location.to_owned()),
        message,
        remedy,
    }
}

fn unreadable(location: &str, message: String, remedy: String) -> SourceState<UatEvidence> {
    SourceState::Unreadable(vec![problem(location, message, remedy)])
}

/// Reads one file, recording its hash when its bytes could be read.
fn read_input(
    resolver: &Resolver,
    located: &Located,
    inputs: &mut Vec<InputRecord>,
) -> io::Result<Vec<u8>> {
    let bytes = resolver.read_small(located, MAX_BYTES)?;
    inputs.push(InputRecord {
        source: SOURCE.to_owned(),
        path: located.shown.clone(),
        sha256: sha256_hex(&bytes),
        bytes: bytes.len() as u64,
    });
    Ok(bytes)
}

fn read(sources: &UatSources, resolver: &Resolver) -> (SourceState<UatEvidence>, Vec<InputRecord>) {
    let mut inputs = Vec::new();
    let state = read_into(sources, resolver, &mut inputs);
    (state, inputs)
}

fn read_into(
    sources: &UatSources,
    resolver: &Resolver,
    inputs: &mut Vec<InputRecord>,
) -> SourceState<UatEvidence> {
    let Some(path) = sources.signoff.as_deref() else {
        return SourceState::NotConfigured;
    };
    let record_file = resolver.file(SOURCE, path);
    let bytes = match read_input(resolver, &record_file, inputs) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return SourceState::Missing(problem(
                path,
                format!(
                    "there is no UAT sign-off at `{path}` (relative to `{}`)",
                    resolver.base_dir().display()
                ),
                format!(
                    "record the UAT sign-off of this release in `{path}` once UAT is done (its fields: docs/policy.md#sourcesuat)"
                ),
            ));
        }
        Err(e) => {
            return unreadable(
                path,
                format!("failed to read the UAT sign-off `{path}`: {e}"),
                format!("make `{path}` a readable file"),
            );
        }
    };
    let mut record = match parse_record(path, &bytes) {
        Ok(r) => r,
        Err(e) => return unreadable(path, e.to_string(), e.remedy()),
    };
    let sig_path = signature_path(path);
    let sig_file = resolver.file(SOURCE, &sig_path);
    let signature = match read_input(resolver, &sig_file, inputs) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            UatSignature::Unsigned { expected: sig_path }
        }
        Err(e) => {
            return unreadable(
                &sig_path,
                format!("failed to read the sign-off's signature `{sig_path}`: {e}"),
                format!("make `{sig_path}` a readable file, or remove it"),
            );
        }
        Ok(sig) => match &sources.allowed_signers {
            None => UatSignature::Unverified { path: sig_path },
            Some(allowed_path) => {
                let allowed = match read_allowed(resolver, allowed_path, inputs) {
                    Ok(a) => a,
                    Err(p) => return SourceState::Unreadable(vec![p]),
                };
                verify_signature(&bytes, &sig, &sig_path, &allowed)
            }
        },
    };
    record.signature = signature;
    SourceState::Loaded(record)
}

fn read_allowed(
    resolver: &Resolver,
    path: &str,
    inputs: &mut Vec<InputRecord>,
) -> Result<AllowedSigners, EvidenceProblem> {
    let file = resolver.file(SOURCE, path);
    let bytes = read_input(resolver, &file, inputs).map_err(|e| {
        problem(
            path,
            format!("failed to read the allowed signers `{path}`: {e}"),
            format!(
                "`sources.uat.allowed_signers` names `{path}`: create it (one `PRINCIPALS KEYTYPE BASE64-KEY` line per signer) or correct the path"
            ),
        )
    })?;
    AllowedSigners::parse(path, &bytes).map_err(|e| problem(path, e.to_string(), e.remedy()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load_policy, run};
    use jiff::Timestamp;
    use shipgate_model::{CheckResult, CheckStatus, Report};
    use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey};
    use std::fs;

    const RECORD: &str = "release: pay\nversion: '1.0'\ndecision: approved\nsignoffs:\n  - {name: Dana, role: po, at: '2026-11-20T10:00:00Z', meaning: approval}\n";

    fn policy(uat: &str) -> String {
        format!(
            "version: 1\nrelease: {{name: pay, version: '1.0'}}\nsources:\n  uat: {uat}\nchecks:\n  uat: {{required_roles: [po]}}\n"
        )
    }

    fn key() -> PrivateKey {
        PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519).unwrap()
    }

    fn sign(key: &PrivateKey, namespace: &str, message: &[u8]) -> String {
        key.sign(namespace, HashAlg::Sha512, message)
            .unwrap()
            .to_pem(LineEnding::LF)
            .unwrap()
    }

    fn allowed(key: &PrivateKey) -> String {
        format!(
            "dana@acme.example {}\n",
            key.public_key().to_openssh().unwrap()
        )
    }

    fn check(policy_text: &str, files: &[(&str, &str)]) -> (CheckResult, Report) {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("shipgate.yaml"), policy_text).unwrap();
        for (name, text) in files {
            fs::write(dir.path().join(name), text).unwrap();
        }
        let loaded = load_policy(&dir.path().join("shipgate.yaml"), &|_| None).unwrap();
        let now: Timestamp = "2026-11-24T10:00:00Z".parse().unwrap();
        let report = run(&loaded, now);
        let c = report
            .checks
            .iter()
            .find(|c| c.id == "uat.signoff")
            .unwrap()
            .clone();
        (c, report)
    }

    const SIGNED: &str = "{signoff: uat.yaml, allowed_signers: signers, require_signature: true}";

    #[test]
    fn a_signed_record_verifies_and_every_file_is_an_input() {
        let k = key();
        let (c, report) = check(
            &policy(SIGNED),
            &[
                ("uat.yaml", RECORD),
                ("uat.yaml.sig", &sign(&k, "shipgate-uat", RECORD.as_bytes())),
                ("signers", &allowed(&k)),
            ],
        );
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
        assert_eq!(c.details["signature"]["status"], "verified");
        assert_eq!(c.details["signature"]["principals"][0], "dana@acme.example");
        let inputs: Vec<(&str, &str)> = report
            .inputs
            .iter()
            .map(|i| (i.source.as_str(), i.path.as_str()))
            .collect();
        assert_eq!(
            inputs,
            [
                ("uat", "uat.yaml"),
                ("uat", "uat.yaml.sig"),
                ("uat", "signers")
            ]
        );
        assert_eq!(
            report.inputs[0].sha256,
            crate::sha256_hex(RECORD.as_bytes())
        );
    }

    #[test]
    fn an_unsigned_record_blocks_when_a_signature_is_required() {
        let k = key();
        let (c, _) = check(
            &policy(SIGNED),
            &[("uat.yaml", RECORD), ("signers", &allowed(&k))],
        );
        assert_eq!(c.status, CheckStatus::Fail);
        assert!(
            c.message.contains("there is no `uat.yaml.sig`"),
            "{}",
            c.message
        );
        let (c, _) = check(&policy("{signoff: uat.yaml}"), &[("uat.yaml", RECORD)]);
        assert_eq!(c.status, CheckStatus::Pass, "not required: {c:#?}");
        assert_eq!(c.details["signature"]["status"], "unsigned");
    }

    #[test]
    fn a_tampered_record_blocks_even_when_no_signature_is_required() {
        let k = key();
        let tampered = RECORD.replace("'1.0'", "'1.0' ");
        let (c, _) = check(
            &policy("{signoff: uat.yaml, allowed_signers: signers}"),
            &[
                ("uat.yaml", &tampered),
                ("uat.yaml.sig", &sign(&k, "shipgate-uat", RECORD.as_bytes())),
                ("signers", &allowed(&k)),
            ],
        );
        assert_eq!(c.status, CheckStatus::Fail);
        assert!(
            c.message.contains("changed after it was signed"),
            "{}",
            c.message
        );
    }

    #[test]
    fn a_wrong_signer_or_namespace_blocks() {
        let listed = key();
        let other = key();
        let (c, _) = check(
            &policy(SIGNED),
            &[
                ("uat.yaml", RECORD),
                (
                    "uat.yaml.sig",
                    &sign(&other, "shipgate-uat", RECORD.as_bytes()),
                ),
                ("signers", &allowed(&listed)),
            ],
        );
        assert!(
            c.message.contains("which `signers` does not list"),
            "{}",
            c.message
        );
        let (c, _) = check(
            &policy(SIGNED),
            &[
                ("uat.yaml", RECORD),
                ("uat.yaml.sig", &sign(&listed, "git", RECORD.as_bytes())),
                ("signers", &allowed(&listed)),
            ],
        );
        assert!(c.message.contains("namespace `git`"), "{}", c.message);
        assert!(c.blocking);
    }

    #[test]
    fn a_missing_record_is_missing_and_a_broken_one_is_unreadable() {
        let (c, report) = check(&policy("{signoff: uat.yaml}"), &[]);
        assert_eq!(c.status, CheckStatus::Missing);
        assert!(
            c.message.contains("there is no UAT sign-off at `uat.yaml`"),
            "{}",
            c.message
        );
        assert_eq!(report.exit_code, 1);
        let (c, report) = check(
            &policy("{signoff: uat.yaml}"),
            &[(
                "uat.yaml",
                "release: pay\nversion: '1.0'\ndecision: yes\nsignoffs: []\n",
            )],
        );
        assert_eq!(c.status, CheckStatus::Error);
        assert!(c.message.contains("line 3"), "{}", c.message);
        assert_eq!(report.exit_code, 4);
        assert_eq!(report.inputs.len(), 1, "a refused record is still an input");
    }

    #[test]
    fn missing_or_broken_allowed_signers_are_unreadable() {
        let k = key();
        let sig = sign(&k, "shipgate-uat", RECORD.as_bytes());
        let (c, _) = check(
            &policy(SIGNED),
            &[("uat.yaml", RECORD), ("uat.yaml.sig", &sig)],
        );
        assert_eq!(c.status, CheckStatus::Error);
        assert!(
            c.message
                .contains("failed to read the allowed signers `signers`"),
            "{}",
            c.message
        );
        let (c, _) = check(
            &policy(SIGNED),
            &[
                ("uat.yaml", RECORD),
                ("uat.yaml.sig", &sig),
                ("signers", "dana ssh-ed25519\n"),
            ],
        );
        assert_eq!(c.status, CheckStatus::Error);
        assert!(c.message.contains("line 1"), "{}", c.message);
    }

    #[test]
    fn inspect_reads_a_record_without_a_policy() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("uat.yaml"), RECORD).unwrap();
        let (state, inputs) = inspect_uat(dir.path(), "uat.yaml", None);
        let e = state.loaded().unwrap();
        assert_eq!(e.version, "1.0");
        assert_eq!(inputs.len(), 1);
    }
}
