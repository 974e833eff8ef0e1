//! The UAT sections of a policy: `sources.uat` (the sign-off record and its signature) and
//! `checks.uat` (`uat.signoff`), and their cross-field rules.

use crate::load::Validator;
use crate::policy::{LevelSetting, OnMissing, Policy};
use crate::values::DurationSpec;
use schemars::JsonSchema;
use serde::Deserialize;

/// `sources.uat`: where the UAT sign-off record is, and how it is signed.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UatSources {
    /// The sign-off record (YAML, or the same shape as JSON), e.g. `release/uat-signoff.yaml`.
    /// Its detached SSH signature, when there is one, is the same path with `.sig` appended
    /// (what `ssh-keygen -Y sign -n shipgate-uat FILE` writes).
    pub signoff: String,
    /// An allowed-signers file (the format of `ssh-keygen -Y verify -f`): the keys whose
    /// signature of the record is accepted. Without it a signature is not verified.
    pub allowed_signers: Option<String>,
    /// Whether the record must carry a signature that verifies (default `false`). Needs
    /// `allowed_signers`. A signature that is present and does not verify always blocks.
    pub require_signature: Option<bool>,
}

impl UatSources {
    /// Whether a verified signature is required.
    pub fn signature_required(&self) -> bool {
        self.require_signature.unwrap_or(false)
    }
}

/// `checks.uat` → `uat.signoff`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UatCheck {
    /// The roles that must each have signed with the meaning `approval`
    /// (`[product-owner, qa-lead]`). Compared without regard to case.
    pub required_roles: Vec<String>,
    /// No signature may be older than this at evaluation time (`14d`).
    pub max_age: Option<DurationSpec>,
    /// Whether a `conditional` decision passes (default `false`: it blocks).
    pub allow_conditional: Option<bool>,
    /// `error` (default) or `warn`.
    pub level: Option<LevelSetting>,
    /// `fail` (default) or `warn` when the sign-off is missing or unreadable.
    pub on_missing: Option<OnMissing>,
}

impl Policy {
    /// Whether the UAT sign-off must be read.
    pub fn needs_uat(&self) -> bool {
        self.checks.uat.is_some() || self.sources.uat.is_some()
    }
}

impl Validator<'_> {
    pub(crate) fn validate_uat(&mut self, policy: &Policy) {
        if let Some(uat) = &policy.sources.uat {
            if uat.signoff.trim().is_empty() {
                self.problem(
                    "sources.uat.signoff",
                    "name the sign-off record, e.g. `release/uat-signoff.yaml`",
                );
            }
            if uat
                .allowed_signers
                .as_deref()
                .is_some_and(|p| p.trim().is_empty())
            {
                self.problem(
                    "sources.uat.allowed_signers",
                    "name the allowed-signers file, e.g. `release/allowed_signers`, or remove the key",
                );
            }
            if uat.signature_required() && uat.allowed_signers.is_none() {
                self.problem(
                    "sources.uat.require_signature",
                    "a required signature needs `sources.uat.allowed_signers`, the file of keys allowed to sign the record",
                );
            }
        }
        let Some(check) = &policy.checks.uat else {
            return;
        };
        if policy.sources.uat.is_none() {
            self.cross_problem(
                "checks.uat",
                "`checks.uat` needs the sign-off record: add `sources.uat.signoff` with its path",
            );
        }
        if check.required_roles.is_empty() {
            self.problem(
                "checks.uat.required_roles",
                "list the roles that must approve, e.g. `[product-owner, qa-lead]`",
            );
        }
        for (i, role) in check.required_roles.iter().enumerate() {
            if role.trim().is_empty() {
                self.problem(
                    &format!("checks.uat.required_roles[{i}]"),
                    "an empty role can never be signed",
                );
            }
        }
        if check.max_age.is_some_and(|a| a.get().is_zero()) {
            self.problem(
                "checks.uat.max_age",
                "a maximum age of zero refuses every sign-off; write e.g. `14d`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use crate::{Policy, Problem};

    fn problems(text: &str) -> Vec<Problem> {
        match Policy::parse(text, &|_| None) {
            Ok(_) => panic!("expected problems in:\n{text}"),
            Err(e) => e.problems().to_vec(),
        }
    }

    const BASE: &str = "version: 1\nrelease: {name: api, version: '1.0'}\n";

    #[test]
    fn a_uat_policy_loads() {
        let p = Policy::parse(
            &format!("{BASE}sources:\n  uat:\n    signoff: uat.yaml\n    allowed_signers: allowed_signers\n    require_signature: true\nchecks:\n  uat:\n    required_roles: [product-owner, qa-lead]\n    max_age: 14d\n"),
            &|_| None,
        )
        .unwrap();
        assert!(p.needs_uat());
        assert!(p.check_ids().contains(&"uat.signoff".to_owned()));
        assert!(p.sources.uat.as_ref().unwrap().signature_required());
    }

    #[test]
    fn the_check_needs_its_source_and_roles() {
        let p = problems(&format!("{BASE}checks:\n  uat:\n    required_roles: []\n"));
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("add `sources.uat.signoff`")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("list the roles")),
            "{messages:?}"
        );
    }

    #[test]
    fn a_required_signature_needs_allowed_signers() {
        let p = problems(&format!(
            "{BASE}sources:\n  uat: {{signoff: uat.yaml, require_signature: true}}\nchecks:\n  uat: {{required_roles: [qa-lead]}}\n"
        ));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(p[0].path, "sources.uat.require_signature");
        assert_eq!(p[0].mark.line, 4);
    }

    #[test]
    fn misspelt_keys_get_a_suggestion() {
        let p = problems(&format!(
            "{BASE}sources:\n  uat: {{signoff: uat.yaml, allowed_signer: a}}\nchecks:\n  uat: {{required_role: [qa-lead]}}\n"
        ));
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("did you mean `allowed_signers`?")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("did you mean `required_roles`?")),
            "{messages:?}"
        );
    }
}
