//! `uat.signoff`: an approved sign-off by every required role, for the release being gated
//! (name, version, and commit when the release has one), no signature older than `max_age` or
//! dated in the future, and a signature that verifies when the record is signed or the policy
//! requires one.

use super::findings::{self, Finding, age, older_than};
use super::result::Check;
use crate::policy::{CheckSettings, Policy};
use crate::uat::UatCheck;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::{
    CheckResult, SignatureMeaning, Signoff, SourceState, UatDecision, UatEvidence, UatSignature,
    commits_match,
};

const SIGN_COMMAND: &str = "ssh-keygen -Y sign -n shipgate-uat -f KEY";

pub(crate) fn signoff(
    policy: &Policy,
    options: &UatCheck,
    uat: &SourceState<UatEvidence>,
    now: Timestamp,
) -> CheckResult {
    let check = Check::new(
        "uat.signoff",
        CheckSettings::new(options.level, options.on_missing),
    );
    let required: Vec<String> = options
        .required_roles
        .iter()
        .map(|r| r.trim().to_owned())
        .collect();
    let threshold = json!(required);
    let record = match check.source(uat, threshold.clone()) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let mut found = Vec::new();
    decision_findings(record, options, &mut found);
    release_findings(policy, record, &mut found);
    let version = policy
        .release
        .version
        .as_deref()
        .unwrap_or(record.version.as_str());
    let fresh = time_findings(record, options, version, now, &mut found);
    let approved = role_findings(record, &required, &fresh, &mut found);
    let signature_required = policy
        .sources
        .uat
        .as_ref()
        .is_some_and(|u| u.signature_required());
    signature_findings(record, signature_required, now, &mut found);

    let mut details = record_details(record, now);
    details.insert("required_roles".into(), json!(required));
    details.insert(
        "approved_roles".into(),
        json!(approved.iter().map(|s| s.role.as_str()).collect::<Vec<_>>()),
    );
    if let Some(max) = options.max_age {
        details.insert("max_age".into(), json!(findings::limit(max.get())));
    }
    details.insert(
        "allow_conditional".into(),
        json!(options.allow_conditional.unwrap_or(false)),
    );
    details.insert("signature_required".into(), json!(signature_required));
    findings::insert(&mut details, &found);

    let observed = json!(
        required
            .iter()
            .filter(|r| approved.iter().any(|s| s.role.eq_ignore_ascii_case(r)))
            .collect::<Vec<_>>()
    );
    let passed = found.is_empty();
    let message = if passed {
        pass_message(record, &approved, now)
    } else {
        format!(
            "the UAT sign-off `{}` does not approve this release: {}",
            record.path,
            findings::summary(&found)
        )
    };
    check.measured(
        passed,
        observed,
        threshold,
        "roles",
        message,
        findings::remedy(&found),
        details,
    )
}

fn decision_findings(record: &UatEvidence, options: &UatCheck, found: &mut Vec<Finding>) {
    match record.decision {
        UatDecision::Approved => {}
        UatDecision::Rejected => found.push(Finding::new(
            "decision",
            "the recorded decision is `rejected`: UAT did not accept this release",
            "fix what UAT found, run UAT again, and record a new sign-off with `decision: approved`",
        )),
        UatDecision::Conditional if options.allow_conditional.unwrap_or(false) => {}
        UatDecision::Conditional => found.push(Finding::new(
            "decision",
            format!(
                "the recorded decision is `conditional` ({}), and the policy does not accept conditional approvals",
                record.conditions.join("; ")
            ),
            "meet the conditions and record `decision: approved`, or accept conditional approvals with `checks.uat.allow_conditional: true`",
        )),
    }
}

fn release_findings(policy: &Policy, record: &UatEvidence, found: &mut Vec<Finding>) {
    let release = &policy.release;
    if record.release != release.name.trim() {
        found.push(Finding::new(
            "release",
            format!(
                "the sign-off is for `{}`, not `{}`, the release this policy gates",
                record.release, release.name
            ),
            format!(
                "use the sign-off of `{}`, or correct `release:` in the record",
                release.name
            ),
        ));
    }
    match release.version.as_deref().map(str::trim) {
        None | Some("") => found.push(Finding::new(
            "version",
            format!(
                "the policy's `release.version` is empty, so the sign-off of version `{}` cannot be tied to this release",
                record.version
            ),
            "set `release.version` in the policy, e.g. `${RELEASE_VERSION}`",
        )),
        Some(v) if v != record.version => found.push(Finding::new(
            "version",
            format!(
                "the sign-off is for version `{}`, not `{v}`, the version being released",
                record.version
            ),
            format!("record a sign-off of version `{v}`: UAT approves one version, and a new version needs a new sign-off"),
        )),
        Some(_) => {}
    }
    if let Some(commit) = release.commit.as_deref().filter(|c| !c.trim().is_empty()) {
        match &record.commit {
            None => found.push(Finding::new(
                "commit",
                format!("the sign-off names no commit, and the release is commit `{commit}`"),
                format!("add `commit:` with the commit UAT tested to the record (the release is `{commit}`)"),
            )),
            Some(signed) if !commits_match(signed, commit) => found.push(Finding::new(
                "commit",
                format!(
                    "the sign-off is for commit `{signed}`, not `{commit}`, the commit being released"
                ),
                "run UAT on the commit being released and record its sign-off, or release the commit UAT approved",
            )),
            Some(_) => {}
        }
    }
}

/// Reports signatures dated in the future or older than `max_age`; returns the in-date ones.
fn time_findings<'a>(
    record: &'a UatEvidence,
    options: &UatCheck,
    version: &str,
    now: Timestamp,
    found: &mut Vec<Finding>,
) -> Vec<&'a Signoff> {
    let mut fresh = Vec::new();
    for (i, s) in record.signoffs.iter().enumerate() {
        let who = format!("{} ({})", s.name, s.role);
        if s.at > now {
            found.push(Finding::new(
                format!("signoffs[{i}].at"),
                format!(
                    "{who} signed at {}, after the evaluation time {now}",
                    s.at
                ),
                "correct `at` in the record (a signature cannot be dated in the future), or check the clock of the machine that runs the gate",
            ));
        } else if let Some(max) = options.max_age
            && older_than(now, s.at, max.get())
        {
            found.push(Finding::new(
                format!("signoffs[{i}].at"),
                format!(
                    "{who} signed {} ago ({}), longer ago than `max_age` {}",
                    age(now, s.at),
                    s.at,
                    findings::limit(max.get())
                ),
                format!(
                    "ask {} to sign off version {version} again (or remove the stale entry)",
                    s.name
                ),
            ));
        } else {
            fresh.push(s);
        }
    }
    fresh
}

/// Reports required roles without an in-date approval; returns the in-date approvals of
/// required roles.
fn role_findings<'a>(
    record: &UatEvidence,
    required: &[String],
    fresh: &[&'a Signoff],
    found: &mut Vec<Finding>,
) -> Vec<&'a Signoff> {
    let mut approved = Vec::new();
    for role in required {
        let signed: Vec<&Signoff> = record
            .signoffs
            .iter()
            .filter(|s| s.role.eq_ignore_ascii_case(role))
            .collect();
        let approvals: Vec<&Signoff> = signed
            .iter()
            .copied()
            .filter(|s| s.meaning == SignatureMeaning::Approval)
            .collect();
        let in_date = fresh
            .iter()
            .copied()
            .find(|s| s.role.eq_ignore_ascii_case(role) && s.meaning == SignatureMeaning::Approval);
        match in_date {
            Some(s) => approved.push(s),
            None if signed.is_empty() => found.push(Finding::new(
                format!("role {role}"),
                format!("the role `{role}` has not signed"),
                format!(
                    "the {role} signs `{}` with `role: {role}` and `meaning: approval`",
                    record.path
                ),
            )),
            None if approvals.is_empty() => found.push(Finding::new(
                format!("role {role}"),
                format!(
                    "the role `{role}` signed only as {}, which is not an approval",
                    signed
                        .iter()
                        .map(|s| format!("`{}` ({})", s.meaning.as_str(), s.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!("the {role} signs with `meaning: approval`"),
            )),
            // Approved, but every approval is stale or in the future: already reported.
            None => {}
        }
    }
    approved
}

fn signature_findings(
    record: &UatEvidence,
    required: bool,
    now: Timestamp,
    found: &mut Vec<Finding>,
) {
    let path = &record.path;
    match &record.signature {
        UatSignature::Invalid { reason, .. } => found.push(Finding::new(
            "signature",
            format!("the signature does not verify: {reason}"),
            format!(
                "if the change to `{path}` is intended, have it reviewed and signed again (`{SIGN_COMMAND} {path}`); otherwise restore the signed version"
            ),
        )),
        UatSignature::Unsigned { expected } if required => found.push(Finding::new(
            "signature",
            format!("the policy requires a signed sign-off, but there is no `{expected}`"),
            format!("sign the record (`{SIGN_COMMAND} {path}`) and keep `{expected}` beside it"),
        )),
        UatSignature::Unverified { .. } if required => found.push(Finding::new(
            "signature",
            "the policy requires a signed sign-off, but names no allowed signers to verify it with",
            "set `sources.uat.allowed_signers`",
        )),
        UatSignature::Verified {
            fingerprint,
            principals,
            valid_after,
            valid_before,
            ..
        } => {
            let who = format!("{fingerprint} ({})", principals.join(", "));
            if let Some(after) = valid_after
                && now < *after
            {
                found.push(Finding::new(
                    "signature",
                    format!("the signing key {who} is valid only from {after} (`valid-after` in the allowed signers)"),
                    "sign with a key that is valid now, or correct its `valid-after`",
                ));
            }
            if let Some(before) = valid_before
                && now >= *before
            {
                found.push(Finding::new(
                    "signature",
                    format!("the signing key {who} stopped being valid at {before} (`valid-before` in the allowed signers)"),
                    "have the record signed again with a current key",
                ));
            }
        }
        UatSignature::Unsigned { .. } | UatSignature::Unverified { .. } => {}
    }
}

fn record_details(record: &UatEvidence, now: Timestamp) -> Map<String, Value> {
    let mut d = Map::new();
    d.insert("path".into(), json!(record.path));
    d.insert("release".into(), json!(record.release));
    d.insert("version".into(), json!(record.version));
    d.insert("commit".into(), json!(record.commit));
    d.insert("decision".into(), json!(record.decision.as_str()));
    if let Some(scope) = &record.scope {
        d.insert("scope".into(), json!(scope));
    }
    if !record.conditions.is_empty() {
        d.insert("conditions".into(), json!(record.conditions));
    }
    d.insert(
        "signoffs".into(),
        Value::Array(
            record
                .signoffs
                .iter()
                .map(|s| {
                    let mut m = Map::new();
                    m.insert("name".into(), json!(s.name));
                    m.insert("role".into(), json!(s.role));
                    m.insert("at".into(), json!(s.at.to_string()));
                    m.insert("meaning".into(), json!(s.meaning.as_str()));
                    if s.at <= now {
                        m.insert("age".into(), json!(age(now, s.at)));
                    }
                    if let Some(note) = &s.note {
                        m.insert("note".into(), json!(note));
                    }
                    Value::Object(m)
                })
                .collect(),
        ),
    );
    let mut sig = Map::new();
    sig.insert("status".into(), json!(record.signature.status()));
    match &record.signature {
        UatSignature::Unsigned { expected } => {
            sig.insert("expected".into(), json!(expected));
        }
        UatSignature::Unverified { path } => {
            sig.insert("path".into(), json!(path));
        }
        UatSignature::Verified {
            path,
            principals,
            fingerprint,
            ..
        } => {
            sig.insert("path".into(), json!(path));
            sig.insert("principals".into(), json!(principals));
            sig.insert("fingerprint".into(), json!(fingerprint));
        }
        UatSignature::Invalid { path, reason } => {
            sig.insert("path".into(), json!(path));
            sig.insert("reason".into(), json!(reason));
        }
    }
    d.insert("signature".into(), Value::Object(sig));
    d
}

fn pass_message(record: &UatEvidence, approved: &[&Signoff], now: Timestamp) -> String {
    let what = match record.decision {
        UatDecision::Conditional => format!(
            "conditionally approved (conditions: {}; accepted by `allow_conditional`)",
            record.conditions.join("; ")
        ),
        _ => "approved".to_owned(),
    };
    let by = approved
        .iter()
        .map(|s| format!("{} ({})", s.role, s.name))
        .collect::<Vec<_>>()
        .join(", ");
    let oldest = approved
        .iter()
        .map(|s| s.at)
        .min()
        .map(|t| format!("; the oldest approval is {} old", age(now, t)))
        .unwrap_or_default();
    let signature = match &record.signature {
        UatSignature::Verified {
            principals,
            fingerprint,
            ..
        } => format!(
            "; signature verified ({}, {fingerprint})",
            principals.join(", ")
        ),
        UatSignature::Unverified { .. } => {
            "; signed, not verified (no `sources.uat.allowed_signers`)".to_owned()
        }
        UatSignature::Unsigned { .. } | UatSignature::Invalid { .. } => "; not signed".to_owned(),
    };
    format!(
        "{what} for {} {} by {by}{oldest}{signature}",
        record.release, record.version
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use crate::Policy;
    use crate::evaluate::evaluate;
    use jiff::Timestamp;
    use shipgate_model::{
        CheckResult, CheckStatus, EvidenceProblem, EvidenceSet, ExitCode, SignatureMeaning,
        Signoff, SourceState, UatDecision, UatEvidence, UatSignature,
    };

    fn now() -> Timestamp {
        "2026-11-24T10:00:00Z".parse().unwrap()
    }

    const SOURCES: &str = "sources:\n  uat: {signoff: release/uat.yaml}\n";
    const CHECK: &str =
        "checks:\n  uat:\n    required_roles: [product-owner, qa-lead]\n    max_age: 14d\n";

    fn policy_with(release: &str, sources: &str, checks: &str) -> Policy {
        let text = format!("version: 1\nrelease: {release}\n{sources}{checks}");
        Policy::parse(&text, &|_| None).unwrap_or_else(|e| panic!("{:#?}\n{text}", e.problems()))
    }

    fn policy() -> Policy {
        policy_with("{name: payments-api, version: 2.4.0}", SOURCES, CHECK)
    }

    fn signoff(name: &str, role: &str, at: &str) -> Signoff {
        Signoff {
            name: name.into(),
            role: role.into(),
            at: at.parse().unwrap(),
            meaning: SignatureMeaning::Approval,
            note: None,
        }
    }

    fn record() -> UatEvidence {
        UatEvidence {
            path: "release/uat.yaml".into(),
            release: "payments-api".into(),
            version: "2.4.0".into(),
            commit: Some("3f2a9c1".into()),
            decision: UatDecision::Approved,
            scope: Some("Checkout".into()),
            conditions: vec![],
            signoffs: vec![
                signoff("Dana Reyes", "product-owner", "2026-11-20T15:04:00Z"),
                signoff("Sam Ortiz", "QA-Lead", "2026-11-21T09:12:00Z"),
            ],
            signature: UatSignature::Unsigned {
                expected: "release/uat.yaml.sig".into(),
            },
        }
    }

    fn run(policy: &Policy, state: SourceState<UatEvidence>) -> (CheckResult, ExitCode) {
        let evidence = EvidenceSet {
            uat: state,
            ..EvidenceSet::default()
        };
        let v = evaluate(policy, &evidence, now());
        let c = v
            .checks
            .iter()
            .find(|c| c.id == "uat.signoff")
            .unwrap()
            .clone();
        (c, v.exit_code())
    }

    fn check(record: UatEvidence) -> CheckResult {
        run(&policy(), SourceState::Loaded(record)).0
    }

    fn problems(c: &CheckResult) -> Vec<(String, String)> {
        c.details["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["about"].as_str().unwrap().to_owned(),
                    p["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn fails_on(c: &CheckResult, about: &str, says: &str) {
        assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
        assert!(c.blocking);
        let p = problems(c);
        assert!(
            p.iter().any(|(a, m)| a == about && m.contains(says)),
            "no `{about}` problem saying `{says}` in {p:#?}"
        );
        assert!(c.remedy.is_some());
    }

    #[test]
    fn an_approved_current_sign_off_by_every_role_passes() {
        let c = check(record());
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
        assert_eq!(c.observed, serde_json::json!(["product-owner", "qa-lead"]));
        assert_eq!(c.threshold, serde_json::json!(["product-owner", "qa-lead"]));
        assert_eq!(
            c.message,
            "approved for payments-api 2.4.0 by product-owner (Dana Reyes), QA-Lead (Sam Ortiz); the oldest approval is 3 days old; not signed"
        );
        assert_eq!(c.details["signature"]["status"], "unsigned");
        assert_eq!(c.remedy, None);
    }

    #[test]
    fn a_missing_role_is_named() {
        let mut r = record();
        r.signoffs.remove(1);
        let c = check(r);
        fails_on(&c, "role qa-lead", "the role `qa-lead` has not signed");
        assert_eq!(c.observed, serde_json::json!(["product-owner"]));
        assert!(c.remedy.as_deref().unwrap().contains("role: qa-lead"));
    }

    #[test]
    fn a_review_is_not_an_approval() {
        let mut r = record();
        r.signoffs[1].meaning = SignatureMeaning::Review;
        fails_on(
            &check(r),
            "role qa-lead",
            "signed only as `review` (Sam Ortiz)",
        );
    }

    #[test]
    fn rejected_and_conditional_decisions_block() {
        let mut r = record();
        r.decision = UatDecision::Rejected;
        fails_on(&check(r), "decision", "`rejected`");
        let mut r = record();
        r.decision = UatDecision::Conditional;
        r.conditions = vec!["PAY-9 fixed before go-live".into()];
        fails_on(&check(r.clone()), "decision", "PAY-9 fixed before go-live");
        let allowing = policy_with(
            "{name: payments-api, version: 2.4.0}",
            SOURCES,
            &format!("{CHECK}    allow_conditional: true\n"),
        );
        let (c, code) = run(&allowing, SourceState::Loaded(r));
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
        assert!(
            c.message
                .starts_with("conditionally approved (conditions: PAY-9")
        );
        assert_eq!(code, ExitCode::Ready);
    }

    #[test]
    fn the_release_and_version_must_be_the_ones_gated() {
        let mut r = record();
        r.release = "payments-web".into();
        r.version = "2.3.9".into();
        let c = check(r);
        fails_on(&c, "release", "for `payments-web`, not `payments-api`");
        fails_on(&c, "version", "version `2.3.9`, not `2.4.0`");
        assert!(c.message.contains("(and 1 more problem"), "{}", c.message);
        let unversioned = policy_with("{name: payments-api}", SOURCES, CHECK);
        let (c, _) = run(&unversioned, SourceState::Loaded(record()));
        fails_on(&c, "version", "`release.version` is empty");
    }

    #[test]
    fn the_commit_must_match_when_the_release_has_one() {
        let with_commit = |commit: &str| {
            policy_with(
                &format!("{{name: payments-api, version: 2.4.0, commit: {commit}}}"),
                SOURCES,
                CHECK,
            )
        };
        let full = "3f2a9c1d0e4b5a6978877665544332211aabbccd";
        let (c, _) = run(&with_commit(full), SourceState::Loaded(record()));
        assert_eq!(
            c.status,
            CheckStatus::Pass,
            "a short SHA names the same commit: {c:#?}"
        );
        let (c, _) = run(&with_commit("9e8d7c6"), SourceState::Loaded(record()));
        fails_on(&c, "commit", "for commit `3f2a9c1`, not `9e8d7c6`");
        let mut r = record();
        r.commit = None;
        let (c, _) = run(&with_commit(full), SourceState::Loaded(r.clone()));
        fails_on(&c, "commit", "names no commit");
        assert_eq!(
            check(r).status,
            CheckStatus::Pass,
            "no release commit, nothing to match"
        );
    }

    #[test]
    fn stale_and_future_signatures_block() {
        let mut r = record();
        r.signoffs[0].at = "2026-11-10T09:59:59Z".parse().unwrap();
        r.signoffs[1].at = "2026-11-24T10:00:01Z".parse().unwrap();
        let c = check(r);
        fails_on(
            &c,
            "signoffs[0].at",
            "Dana Reyes (product-owner) signed 14 days ago",
        );
        fails_on(&c, "signoffs[1].at", "after the evaluation time");
        assert_eq!(c.observed, serde_json::json!([]), "neither approval counts");
        let mut r = record();
        r.signoffs[0].at = "2026-11-10T10:00:00Z".parse().unwrap();
        assert_eq!(
            check(r).status,
            CheckStatus::Pass,
            "exactly max_age is within it"
        );
    }

    #[test]
    fn a_signature_that_does_not_verify_blocks_even_when_not_required() {
        let mut r = record();
        r.signature = UatSignature::Invalid {
            path: "release/uat.yaml.sig".into(),
            reason: "`release/uat.yaml.sig` does not match the record's bytes".into(),
        };
        fails_on(&check(r), "signature", "does not match the record's bytes");
    }

    #[test]
    fn a_required_signature_must_be_there_and_verified() {
        let requiring = policy_with(
            "{name: payments-api, version: 2.4.0}",
            "sources:\n  uat: {signoff: release/uat.yaml, allowed_signers: signers, require_signature: true}\n",
            CHECK,
        );
        let (c, _) = run(&requiring, SourceState::Loaded(record()));
        fails_on(&c, "signature", "there is no `release/uat.yaml.sig`");
        let mut r = record();
        r.signature = UatSignature::Verified {
            path: "release/uat.yaml.sig".into(),
            principals: vec!["dana@acme.example".into()],
            fingerprint: "SHA256:abc".into(),
            valid_after: None,
            valid_before: None,
        };
        let (c, _) = run(&requiring, SourceState::Loaded(r.clone()));
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
        assert!(
            c.message
                .ends_with("signature verified (dana@acme.example, SHA256:abc)")
        );
        if let UatSignature::Verified { valid_before, .. } = &mut r.signature {
            *valid_before = Some("2026-11-24T10:00:00Z".parse().unwrap());
        }
        let (c, _) = run(&requiring, SourceState::Loaded(r));
        fails_on(&c, "signature", "stopped being valid");
    }

    #[test]
    fn a_missing_record_blocks_and_an_unreadable_one_is_exit_4() {
        let problem = EvidenceProblem {
            source: "uat".into(),
            location: Some("release/uat.yaml".into()),
            message: "there is no UAT sign-off at `release/uat.yaml`".into(),
            remedy: "record it".into(),
        };
        let (c, code) = run(&policy(), SourceState::Missing(problem.clone()));
        assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true));
        assert_eq!(code, ExitCode::Blocked);
        let (c, code) = run(&policy(), SourceState::Unreadable(vec![problem.clone()]));
        assert_eq!((c.status, c.blocking), (CheckStatus::Error, true));
        assert_eq!(code, ExitCode::EvidenceError);
        let lenient = policy_with(
            "{name: payments-api, version: 2.4.0}",
            SOURCES,
            &format!("{CHECK}    on_missing: warn\n"),
        );
        let (c, code) = run(&lenient, SourceState::Missing(problem));
        assert!(!c.blocking);
        assert_eq!(code, ExitCode::Ready);
    }

    #[test]
    fn a_warn_level_failure_does_not_block() {
        let lenient = policy_with(
            "{name: payments-api, version: 2.4.0}",
            SOURCES,
            &format!("{CHECK}    level: warn\n"),
        );
        let mut r = record();
        r.decision = UatDecision::Rejected;
        let (c, code) = run(&lenient, SourceState::Loaded(r));
        assert_eq!((c.status, c.blocking), (CheckStatus::Warn, false));
        assert_eq!(code, ExitCode::Ready);
    }
}
