//! `waivers.valid`, which runs whenever the policy has waivers, after every other check: it
//! applies them, and reports on the waivers themselves.

use super::{Check, CheckKind, Evaluation, Needs, Stage};
use crate::catalog::CheckInfo;
use crate::evaluate::waivers;
use crate::raw::CheckSettings;
use shipgate_model::CheckResult;
use std::sync::Arc;

pub(crate) static VALID: CheckKind = CheckKind {
    info: CheckInfo {
        id: "waivers.valid",
        title: "Waivers are valid",
        measures: "every waiver in the policy: complete (reason, approved_by, expires) and not expired.",
        blocks_when: "a waiver is expired or incomplete (it then waives nothing). An unused waiver (its check passed) is reported as a warning. A waiver naming a check this policy does not run is a policy error (exit 3).",
        configure: "waivers: [{check, reason, approved_by, expires}].",
        fix: "Renew an expired waiver with a new approval and date, complete an incomplete one, or remove it and fix the check it covered.",
        why: "A waiver is a documented, approved, time-boxed risk; an open-ended or anonymous one is an unreviewed exception.",
    },
    section: "waivers",
    keys: &[],
    configure: |raw, _| {
        if raw.waivers.is_empty() {
            Vec::new()
        } else {
            vec![Arc::new(Valid)]
        }
    },
};

#[derive(Debug)]
struct Valid;

impl Check for Valid {
    fn kind(&self) -> &'static CheckKind {
        &VALID
    }
    fn settings(&self) -> CheckSettings {
        CheckSettings::default()
    }
    fn needs(&self) -> Needs {
        Needs::NOTHING
    }
    fn gates_release(&self) -> bool {
        false
    }
    fn stage(&self) -> Stage {
        Stage::Review
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        let (records, result) = waivers::apply(&e.policy.waivers, &mut e.results, e.now);
        e.waivers = records;
        result
    }
}
