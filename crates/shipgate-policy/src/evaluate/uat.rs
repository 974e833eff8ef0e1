//! `uat.signoff`: an approved sign-off by every required role, for the release being gated
//! (name, version, and commit when the release has one), no signature older than `max_age` or
//! dated in the future, and a signature that verifies when the record is signed or the policy
//! requires one.
//!
//! A second source can approve roles: the GitHub deployment approvals of the workflow run
//! (`sources.uat.github_approvals`, judged in [`super::uat_approvals`]). Each configured source
//! must be there and must raise no problem of its own; a required role is approved when
//! either source approves it.

use super::findings::{self, Finding, age, older_than};
use super::result::CheckRun;
use super::uat_approvals::{self, RoleApproval};
use crate::checks::UatSignoff;
use crate::policy::Policy;
use crate::uat::GithubApprovals;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::CheckUnit;
use shipgate_model::{
    CheckResult, DeploymentApprovals, EvidenceProblem, EvidenceSet, SignatureMeaning, Signoff,
    SourceState, UatDecision, UatEvidence, UatSignature, commits_match,
};

const SIGN_COMMAND: &str = "ssh-keygen -Y sign -n shipgate-uat -f KEY";

/// The evidence of the configured UAT sources: the record, the approvals, or both.
type UatSet<'a> = (Option<&'a UatEvidence>, Option<&'a DeploymentApprovals>);

/// The GitHub approvals source: its settings and what it read.
type Github<'a> = (&'a GithubApprovals, &'a DeploymentApprovals);

/// Who approved a required role.
enum Approver<'a> {
    /// A signer of the record.
    Signed(&'a Signoff),
    /// A reviewer of the run's deployment.
    Github(&'a RoleApproval<'a>),
}

impl Approver<'_> {
    fn describe(&self, role: &str) -> String {
        match self {
            Approver::Signed(s) => format!("{} ({})", s.role, s.name),
            Approver::Github(a) => format!("{role} ({} in GitHub, {})", a.user, a.via),
        }
    }
}

pub(crate) fn signoff(
    policy: &Policy,
    options: &UatSignoff,
    evidence: &EvidenceSet,
    now: Timestamp,
) -> CheckResult {
    let check = CheckRun::new("uat.signoff", options.settings).with_unit(CheckUnit::Roles);
    let required: Vec<String> = options.required_roles.clone();
    let threshold = json!(required);
    let sources = policy.sources.uat.as_ref();
    let gh = sources.and_then(|s| s.github_approvals.as_ref());
    let file_state = sources
        .is_some_and(|s| s.signoff.is_some())
        .then_some(&evidence.uat);
    let combined = combine(file_state, gh.map(|_| &evidence.uat_approvals));
    let (record, approvals) = match check.source(&combined, threshold.clone()) {
        Ok(set) => *set,
        Err(r) => return *r,
    };
    let github: Option<Github<'_>> = gh.zip(approvals);
    let mut found = Vec::new();
    let mut fresh = Vec::new();
    if let Some(record) = record {
        decision_findings(record, options, &mut found);
        release_findings(policy, record, &mut found);
        let version = policy
            .release
            .version
            .as_deref()
            .unwrap_or(record.version.as_str());
        fresh = time_findings(record, options, version, now, &mut found);
    }
    let counted = match github {
        Some((gh, a)) => uat_approvals::review(policy, gh, a, options.max_age, now, &mut found),
        None => Vec::new(),
    };
    let mut approved = role_findings(record, github, &required, &fresh, &counted, &mut found);
    if options.distinct_approvers {
        approved = separate_duties(approved, &fresh, &counted, &mut found);
    }
    let signature_required = sources.is_some_and(|u| u.signature_required());
    if let Some(record) = record {
        signature_findings(record, signature_required, now, &mut found);
    }

    let mut details = signoff_details(
        options,
        record,
        github,
        &counted,
        &approved,
        signature_required,
        now,
    );
    findings::insert(&mut details, &found);
    let observed = json!(
        required
            .iter()
            .filter(|r| approved
                .iter()
                .any(|(role, _)| role.eq_ignore_ascii_case(r)))
            .collect::<Vec<_>>()
    );
    let passed = found.is_empty();
    let message = if passed {
        pass_message(policy, record, github, &approved, now)
    } else {
        fail_message(record, github, &found)
    };
    check.measured(
        passed,
        observed,
        threshold,
        CheckUnit::Roles,
        message,
        findings::remedy(&found),
        details,
    )
}

/// The record, the GitHub approvals, the roles required and approved, and the rules applied
/// (the findings go last, from the caller).
fn signoff_details(
    options: &UatSignoff,
    record: Option<&UatEvidence>,
    github: Option<Github<'_>>,
    counted: &[RoleApproval<'_>],
    approved: &[(&str, Approver<'_>)],
    signature_required: bool,
    now: Timestamp,
) -> Map<String, Value> {
    let mut details = record.map(|r| record_details(r, now)).unwrap_or_default();
    if let Some((gh, a)) = github {
        details.insert(
            "github_approvals".into(),
            uat_approvals::details(gh, a, counted, now),
        );
    }
    details.insert("required_roles".into(), json!(options.required_roles));
    details.insert(
        "approved_roles".into(),
        json!(approved.iter().map(|(role, _)| *role).collect::<Vec<_>>()),
    );
    if let Some(max) = options.max_age {
        details.insert("max_age".into(), json!(findings::limit(max)));
    }
    if options.distinct_approvers {
        details.insert("distinct_approvers".into(), json!(true));
    }
    if record.is_some() {
        details.insert("allow_conditional".into(), json!(options.allow_conditional));
        details.insert("signature_required".into(), json!(signature_required));
    }
    details
}

/// Which evidence does not approve the release, and why.
fn fail_message(
    record: Option<&UatEvidence>,
    github: Option<Github<'_>>,
    found: &[Finding],
) -> String {
    let what = match (record, github) {
        (Some(r), None) => format!("the UAT sign-off `{}` does not", r.path),
        (None, Some((_, a))) => format!(
            "the GitHub deployment approvals of workflow run {} do not",
            a.run.id
        ),
        (Some(r), Some((_, a))) => format!(
            "the UAT sign-off `{}` and the GitHub deployment approvals of workflow run {} do not",
            r.path, a.run.id
        ),
        (None, None) => "the UAT evidence does not".to_owned(),
    };
    format!("{what} approve this release: {}", findings::summary(found))
}

/// The configured sources as one state: loaded when every configured source is, unreadable
/// when any is (with every problem), else missing; not configured when neither is.
fn combine<'a>(
    file: Option<&'a SourceState<UatEvidence>>,
    github: Option<&'a SourceState<DeploymentApprovals>>,
) -> SourceState<UatSet<'a>> {
    fn part<'s, T>(
        state: Option<&'s SourceState<T>>,
        missing: &mut Vec<EvidenceProblem>,
        unreadable: &mut Vec<EvidenceProblem>,
    ) -> Result<Option<&'s T>, ()> {
        match state {
            None => Ok(None),
            Some(SourceState::Loaded(t)) => Ok(Some(t)),
            Some(SourceState::Missing(p)) => {
                missing.push(p.clone());
                Err(())
            }
            Some(SourceState::Unreadable(p)) => {
                unreadable.extend(p.iter().cloned());
                Err(())
            }
            // Configured in the policy, yet not loaded: nothing to judge, so not a pass.
            Some(SourceState::NotConfigured) => Err(()),
        }
    }
    if file.is_none() && github.is_none() {
        return SourceState::NotConfigured;
    }
    let mut missing = Vec::new();
    let mut unreadable = Vec::new();
    let record = part(file, &mut missing, &mut unreadable);
    let approvals = part(github, &mut missing, &mut unreadable);
    match (record, approvals) {
        (Ok(r), Ok(a)) => SourceState::Loaded((r, a)),
        _ if !unreadable.is_empty() => {
            unreadable.extend(missing);
            SourceState::Unreadable(unreadable)
        }
        _ => match missing.as_slice() {
            [] => SourceState::NotConfigured,
            [one] => SourceState::Missing(one.clone()),
            [first, rest @ ..] => SourceState::Missing(EvidenceProblem {
                source: first.source.clone(),
                location: None,
                message: std::iter::once(first)
                    .chain(rest)
                    .map(EvidenceProblem::describe)
                    .collect::<Vec<_>>()
                    .join("; and "),
                remedy: std::iter::once(first)
                    .chain(rest)
                    .map(|p| p.remedy.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            }),
        },
    }
}

fn decision_findings(record: &UatEvidence, options: &UatSignoff, found: &mut Vec<Finding>) {
    match record.decision {
        UatDecision::Approved => {}
        UatDecision::Rejected => found.push(Finding::new(
            "decision",
            "the recorded decision is `rejected`: UAT did not accept this release",
            "fix what UAT found, run UAT again, and record a new sign-off with `decision: approved`",
        )),
        UatDecision::Conditional if options.allow_conditional => {}
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
    options: &UatSignoff,
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
            && older_than(now, s.at, max)
        {
            found.push(Finding::new(
                format!("signoffs[{i}].at"),
                format!(
                    "{who} signed {} ago ({}), longer ago than `max_age` {}",
                    age(now, s.at),
                    s.at,
                    findings::limit(max)
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

/// Reports required roles that neither source approves; returns each approved role with who
/// approved it (an in-date approval in the record first, else a counted GitHub approval).
fn role_findings<'a>(
    record: Option<&'a UatEvidence>,
    github: Option<Github<'_>>,
    required: &'a [String],
    fresh: &[&'a Signoff],
    counted: &'a [RoleApproval<'a>],
    found: &mut Vec<Finding>,
) -> Vec<(&'a str, Approver<'a>)> {
    let mut approved = Vec::new();
    for role in required {
        let in_date = fresh
            .iter()
            .copied()
            .find(|s| s.role.eq_ignore_ascii_case(role) && s.meaning == SignatureMeaning::Approval);
        if let Some(s) = in_date {
            approved.push((role.as_str(), Approver::Signed(s)));
            continue;
        }
        if let Some(c) = counted.iter().find(|c| c.role.eq_ignore_ascii_case(role)) {
            approved.push((role.as_str(), Approver::Github(c)));
            continue;
        }
        let mut why: Vec<String> = Vec::new();
        let mut fix: Vec<String> = Vec::new();
        if let Some(record) = record {
            let signed: Vec<&Signoff> = record
                .signoffs
                .iter()
                .filter(|s| s.role.eq_ignore_ascii_case(role))
                .collect();
            if signed.is_empty() {
                why.push(if github.is_some() {
                    format!("has not signed `{}`", record.path)
                } else {
                    "has not signed".to_owned()
                });
                fix.push(format!(
                    "the {role} signs `{}` with `role: {role}` and `meaning: approval`",
                    record.path
                ));
            } else if signed
                .iter()
                .all(|s| s.meaning != SignatureMeaning::Approval)
            {
                why.push(format!(
                    "signed only as {}, which is not an approval",
                    signed
                        .iter()
                        .map(|s| format!("`{}` ({})", s.meaning.as_str(), s.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                fix.push(format!("the {role} signs with `meaning: approval`"));
            } else if github.is_none() {
                // Approved, but every approval is stale or in the future: already reported.
                continue;
            }
        }
        if let Some((gh, a)) = github {
            let (w, f) = uat_approvals::missing_role(gh, a, role);
            why.push(w);
            fix.push(f);
        }
        if !why.is_empty() {
            found.push(Finding::new(
                format!("role {role}"),
                format!("the role `{role}` {}", why.join(", and ")),
                fix.join("; or "),
            ));
        }
    }
    approved
}

/// Who a person is, for separation of duties: a signer's name or a GitHub login, compared
/// ignoring case, spaces and punctuation (`Sam Ortiz` and `sam-ortiz` are one person).
fn person_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Approver<'_> {
    fn person(&self) -> String {
        match self {
            Approver::Signed(s) => person_key(&s.name),
            Approver::Github(a) => person_key(a.user),
        }
    }

    fn name(&self) -> &str {
        match self {
            Approver::Signed(s) => &s.name,
            Approver::Github(a) => a.user,
        }
    }
}

/// With `distinct_approvers`, each approved role must be approved by a different person: the
/// roles are matched to their possible approvers (any signer or reviewer who approved that
/// role) so that no one stands for two roles. Roles that cannot be given a person of their own
/// are reported, and only the roles that could are returned as approved.
fn separate_duties<'a>(
    approved: Vec<(&'a str, Approver<'a>)>,
    fresh: &[&'a Signoff],
    counted: &'a [RoleApproval<'a>],
    found: &mut Vec<Finding>,
) -> Vec<(&'a str, Approver<'a>)> {
    let roles: Vec<&'a str> = approved.iter().map(|(role, _)| *role).collect();
    let candidates: Vec<Vec<Approver<'a>>> = roles
        .iter()
        .map(|role| {
            let signed = fresh.iter().copied().filter(|s| {
                s.role.eq_ignore_ascii_case(role) && s.meaning == SignatureMeaning::Approval
            });
            let reviewed = counted.iter().filter(|c| c.role.eq_ignore_ascii_case(role));
            signed
                .map(Approver::Signed)
                .chain(reviewed.map(Approver::Github))
                .collect()
        })
        .collect();
    // Roles are few (a handful), so a plain augmenting-path matching is enough.
    let mut owner: Vec<Option<usize>> = vec![None; roles.len()];
    let mut person_of: std::collections::BTreeMap<String, usize> = Default::default();
    fn assign(
        role: usize,
        candidates: &[Vec<Approver<'_>>],
        owner: &mut [Option<usize>],
        person_of: &mut std::collections::BTreeMap<String, usize>,
        seen: &mut std::collections::BTreeSet<String>,
    ) -> bool {
        for (i, c) in candidates[role].iter().enumerate() {
            let person = c.person();
            if !seen.insert(person.clone()) {
                continue;
            }
            let holder = person_of.get(&person).copied();
            if holder.is_none_or(|h| assign(h, candidates, owner, person_of, seen)) {
                person_of.insert(person, role);
                owner[role] = Some(i);
                return true;
            }
        }
        false
    }
    for role in 0..roles.len() {
        let mut seen = std::collections::BTreeSet::new();
        assign(role, &candidates, &mut owner, &mut person_of, &mut seen);
    }
    let mut kept = Vec::new();
    let mut left: Vec<&str> = Vec::new();
    for (role, (slot, (_, first))) in owner.iter().zip(approved).enumerate() {
        match slot {
            Some(i) => {
                if let Some(c) = candidates[role].get(*i) {
                    let approver = match c {
                        Approver::Signed(s) => Approver::Signed(s),
                        Approver::Github(a) => Approver::Github(a),
                    };
                    kept.push((roles[role], approver));
                }
            }
            None => {
                left.push(roles[role]);
                let name = first.name().to_owned();
                found.push(Finding::new(
                    format!("role {}", roles[role]),
                    format!(
                        "separation of duties: the role `{}` is approved only by {name}, who also approves another required role",
                        roles[role]
                    ),
                    format!(
                        "have a different person approve as `{}` (`distinct_approvers: true` needs one person per required role)",
                        roles[role]
                    ),
                ));
            }
        }
    }
    kept
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

fn pass_message(
    policy: &Policy,
    record: Option<&UatEvidence>,
    github: Option<Github<'_>>,
    approved: &[(&str, Approver<'_>)],
    now: Timestamp,
) -> String {
    let by = approved
        .iter()
        .map(|(role, a)| a.describe(role))
        .collect::<Vec<_>>()
        .join(", ");
    let run = github
        .map(|(gh, a)| {
            format!(
                "the deployment to {} in workflow run {}, created {} ago",
                gh.environment_names(),
                a.run.id,
                age(now, a.run.created_at)
            )
        })
        .unwrap_or_default();
    let Some(record) = record else {
        let version = policy
            .release
            .version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        return format!(
            "approved for {}{version} by {by} ({run})",
            policy.release.name
        );
    };
    let what = match record.decision {
        UatDecision::Conditional => format!(
            "conditionally approved (conditions: {}; accepted by `allow_conditional`)",
            record.conditions.join("; ")
        ),
        _ => "approved".to_owned(),
    };
    let oldest = approved
        .iter()
        .filter_map(|(_, a)| match a {
            Approver::Signed(s) => Some(s.at),
            Approver::Github(_) => None,
        })
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
    let github = if run.is_empty() {
        String::new()
    } else {
        format!("; GitHub: {run}")
    };
    format!(
        "{what} for {} {} by {by}{oldest}{signature}{github}",
        record.release, record.version
    )
}

#[cfg(test)]
mod tests {
    use crate::Policy;
    use crate::evaluate::evaluate;
    use shipgate_model::{
        CheckResult, CheckStatus, EvidenceProblem, EvidenceSet, ExitCode, SignatureMeaning,
        Signoff, SourceState, UatDecision, UatEvidence, UatSignature,
    };
    use shipgate_test_support::{now, parsed};

    const SOURCES: &str = "sources:\n  uat: {signoff: release/uat.yaml}\n";
    const CHECK: &str =
        "checks:\n  uat:\n    required_roles: [product-owner, qa-lead]\n    max_age: 14d\n";

    fn policy_with(release: &str, sources: &str, checks: &str) -> Policy {
        let text = format!("version: 1\nrelease: {release}\n{sources}{checks}");
        parsed(&text, Policy::parse(&text, &|_| None))
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
        // With the sign-off as the only evidence, `on_missing: warn` would let a gate that
        // measured nothing say ready: it blocks anyway.
        let (c, code) = run(&lenient, SourceState::Missing(problem));
        assert!(c.blocking);
        assert!(c.message.contains("measured nothing"), "{}", c.message);
        assert_eq!(code, ExitCode::Blocked);
    }

    #[test]
    fn a_warn_level_failure_does_not_block() {
        let lenient = policy_with(
            "{name: payments-api, version: 2.4.0}",
            SOURCES,
            // A policy must be able to block: a passing error-level check beside the warn one.
            &format!("{CHECK}    level: warn\n  provenance: {{max_age: {{uat: 3650d}}}}\n"),
        );
        let mut r = record();
        r.decision = UatDecision::Rejected;
        let (c, code) = run(&lenient, SourceState::Loaded(r));
        assert_eq!((c.status, c.blocking), (CheckStatus::Warn, false));
        assert_eq!(code, ExitCode::Ready);
    }
}
