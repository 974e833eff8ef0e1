//! Waivers: turn a failing check into `waived` when a complete, unexpired waiver names it, and
//! report on the waivers themselves as `waivers.valid`.

use super::result::{CheckRun, plural};
use crate::raw::{CheckSettings, Waiver};
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::CheckUnit;
use shipgate_model::verdict::{AppliedWaiver, WaiverRecord, WaiverState};
use shipgate_model::{CheckResult, CheckStatus};

fn text(s: &Option<String>) -> &str {
    s.as_deref().map(str::trim).unwrap_or("")
}

fn state_of(w: &Waiver, now: Timestamp) -> WaiverState {
    let complete =
        !text(&w.reason).is_empty() && !text(&w.approved_by).is_empty() && w.expires.is_some();
    match &w.expires {
        _ if !complete => WaiverState::Incomplete,
        Some(e) if e.has_passed(now) => WaiverState::Expired,
        _ => WaiverState::Unused,
    }
}

/// Applies the waivers to `checks`; returns what became of each waiver and the result of
/// `waivers.valid`.
pub(crate) fn apply(
    waivers: &[Waiver],
    checks: &mut [CheckResult],
    now: Timestamp,
) -> (Vec<WaiverRecord>, CheckResult) {
    let mut records: Vec<WaiverRecord> = waivers
        .iter()
        .map(|w| WaiverRecord {
            check: w.check.clone(),
            reason: text(&w.reason).to_owned(),
            approved_by: text(&w.approved_by).to_owned(),
            expires: w
                .expires
                .as_ref()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_default(),
            state: state_of(w, now),
        })
        .collect();
    let mut unwaivable: Vec<String> = Vec::new();
    for check in checks.iter_mut() {
        // Unreadable evidence is never waived: the gate itself needs attention.
        let waivable = matches!(
            check.status,
            CheckStatus::Fail | CheckStatus::Warn | CheckStatus::Missing
        );
        let Some(i) = records
            .iter()
            .position(|r| r.check == check.id && r.state == WaiverState::Unused)
        else {
            continue;
        };
        if check.status == CheckStatus::Error {
            unwaivable.push(check.id.clone());
        }
        if !waivable {
            continue;
        }
        let r = &mut records[i];
        r.state = WaiverState::Applied;
        check.status = CheckStatus::Waived;
        check.blocking = false;
        check.message = format!(
            "{} — waived until {} by {}: {}",
            check.message, r.expires, r.approved_by, r.reason
        );
        check.waiver = Some(AppliedWaiver {
            reason: r.reason.clone(),
            approved_by: r.approved_by.clone(),
            expires: r.expires.clone(),
        });
    }
    let result = valid(&records, &unwaivable);
    (records, result)
}

fn valid(records: &[WaiverRecord], unwaivable: &[String]) -> CheckResult {
    let check = CheckRun::new("waivers.valid", CheckSettings::default());
    let count = |s: WaiverState| records.iter().filter(|r| r.state == s).count() as u64;
    let (applied, unused, expired, incomplete) = (
        count(WaiverState::Applied),
        count(WaiverState::Unused),
        count(WaiverState::Expired),
        count(WaiverState::Incomplete),
    );
    let invalid = expired + incomplete;
    let describe = |s: WaiverState| {
        records
            .iter()
            .filter(|r| r.state == s)
            .map(|r| format!("`{}`", r.check))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = vec![format!(
        "{} of the policy",
        plural(records.len() as u64, "waiver", "waivers")
    )];
    if applied > 0 {
        parts.push(format!(
            "{applied} applied ({})",
            describe(WaiverState::Applied)
        ));
    }
    if expired > 0 {
        parts.push(format!(
            "{expired} expired and waive nothing ({})",
            describe(WaiverState::Expired)
        ));
    }
    if incomplete > 0 {
        parts.push(format!(
            "{incomplete} incomplete and waive nothing ({}): a waiver needs `reason`, `approved_by` and `expires`",
            describe(WaiverState::Incomplete)
        ));
    }
    // A valid waiver whose check could not read its evidence is reported below, not as
    // "unused": its check did not pass either.
    let idle: Vec<String> = records
        .iter()
        .filter(|r| r.state == WaiverState::Unused && !unwaivable.contains(&r.check))
        .map(|r| format!("`{}`", r.check))
        .collect();
    if !idle.is_empty() {
        parts.push(format!(
            "{} unused, their checks did not fail ({})",
            idle.len(),
            idle.join(", ")
        ));
    }
    if !unwaivable.is_empty() {
        parts.push(format!(
            "unreadable evidence cannot be waived ({})",
            unwaivable
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let message = parts.join("; ");
    let mut details = Map::new();
    details.insert(
        "waivers".into(),
        Value::Array(records.iter().map(|r| json!(r)).collect()),
    );
    if invalid > 0 {
        return check.measured(
            false,
            json!(invalid),
            json!(0),
            CheckUnit::Count,
            message,
            Some("renew an expired waiver with a new approval and date, complete an incomplete one, or remove it and fix the check it covered".to_owned()),
            details,
        );
    }
    let mut r = check.measured(
        true,
        json!(0),
        json!(0),
        CheckUnit::Count,
        message,
        None,
        details,
    );
    if unused > 0 || !unwaivable.is_empty() {
        r.status = CheckStatus::Warn;
        r.remedy = Some("remove waivers that are no longer needed, so that a future failure is not waived without a fresh decision".to_owned());
    }
    r
}
