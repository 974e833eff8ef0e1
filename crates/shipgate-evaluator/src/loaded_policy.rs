//! The policy as the gate reads it: the file's bytes, validated, with its hash, its folder, the
//! value of every `${VAR}` it referenced and the credentials it names. A replay reads the record's
//! copy the same way.

use crate::digest::sha256_hex;
use crate::error::EvaluatorError;
use crate::secrets;
use shipgate_http::Redactor;
use shipgate_policy::{EnvLookup, Policy};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A policy read from disk and validated, with what the report needs to name it.
#[derive(Clone, Debug)]
pub struct LoadedPolicy {
    /// The validated policy.
    pub policy: Policy,
    /// The path as the user gave it.
    pub path: PathBuf,
    /// Hex SHA-256 of the policy file's bytes.
    pub sha256: String,
    /// The folder relative paths in the policy are resolved against: the policy file's folder.
    pub base_dir: PathBuf,
    /// The policy file's bytes, as read (the release record stores them).
    pub bytes: Vec<u8>,
    /// Every `${VAR}` the policy referenced, with the value it had (`None`: unset), so that a
    /// replay of the release record expands the policy exactly as this run did.
    pub env: BTreeMap<String, Option<String>>,
    /// Every credential the policy names, as resolved when it was loaded: what must be removed
    /// from all text the gate writes, and what the release record must never hold.
    pub secrets: Redactor,
}

/// Reads and validates the policy at `path`, expanding `${VAR}` with `env`.
pub fn load_policy(path: &Path, env: EnvLookup<'_>) -> Result<LoadedPolicy, EvaluatorError> {
    let bytes = std::fs::read(path).map_err(|source| EvaluatorError::PolicyUnreadable {
        path: path.to_path_buf(),
        source,
    })?;
    load_policy_bytes(path, bytes, env)
}

/// Validates policy bytes read from `path` (or from a release record's copy of it).
pub(crate) fn load_policy_bytes(
    path: &Path,
    bytes: Vec<u8>,
    env: EnvLookup<'_>,
) -> Result<LoadedPolicy, EvaluatorError> {
    let text = std::str::from_utf8(&bytes).map_err(|e| EvaluatorError::PolicyNotUtf8 {
        path: path.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let seen = RefCell::new(BTreeMap::new());
    let recording = |name: &str| {
        let value = env(name);
        seen.borrow_mut().insert(name.to_owned(), value.clone());
        value
    };
    let policy = Policy::parse(text, &recording).map_err(|e| {
        // A problem can quote the value a `${VAR}` filled in: never a token's.
        let secrets = secrets::named_in_text(text, env);
        EvaluatorError::PolicyInvalid {
            path: path.to_path_buf(),
            problems: e
                .problems()
                .iter()
                .cloned()
                .map(|mut p| {
                    p.message = secrets.redact(&p.message).into_owned();
                    p
                })
                .collect(),
        }
    })?;
    let base_dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Credentials are resolved with `env` itself, not through `recording`: the record keeps
    // the value of every `${VAR}`, and a token must not be among them.
    let secrets = secrets::of_policy(&policy, env);
    let env = seen.into_inner();
    let problems = secrets::copied_into_policy(text, &env, &secrets);
    if !problems.is_empty() {
        return Err(EvaluatorError::PolicyInvalid {
            path: path.to_path_buf(),
            problems,
        });
    }
    Ok(LoadedPolicy {
        policy,
        path: path.to_path_buf(),
        sha256: sha256_hex(&bytes),
        base_dir,
        env,
        secrets,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn policy_errors_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let missing = load_policy(&dir.path().join("nope.yaml"), &|_| None).unwrap_err();
        assert!(matches!(missing, EvaluatorError::PolicyUnreadable { .. }));
        fs::write(
            dir.path().join("bad.yaml"),
            b"version: 1\nrelease: {name: \xff}\n",
        )
        .unwrap();
        let bad = load_policy(&dir.path().join("bad.yaml"), &|_| None).unwrap_err();
        assert!(
            matches!(bad, EvaluatorError::PolicyNotUtf8 { offset: 27, .. }),
            "{bad:?}"
        );
        fs::write(dir.path().join("typo.yaml"), "version: 1\nrelese: {}\n").unwrap();
        let typo = load_policy(&dir.path().join("typo.yaml"), &|_| None).unwrap_err();
        match typo {
            EvaluatorError::PolicyInvalid { problems, .. } => {
                assert!(
                    problems
                        .iter()
                        .any(|p| p.message.contains("did you mean `release`"))
                )
            }
            other => panic!("{other:?}"),
        }
    }
}
