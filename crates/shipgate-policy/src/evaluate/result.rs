//! Building check results: the common rules for levels, missing evidence and details.

use crate::raw::CheckSettings;
use serde_json::{Map, Value, json};
use shipgate_model::OnMissing;
use shipgate_model::{
    CheckResult, CheckStatus, CheckUnit, Level, SourceState, TestCounts, TestEvidence, TestRecord,
};

/// At most this many items are listed in a detail list; the total is given beside it.
pub(crate) const LIST_LIMIT: usize = 50;

/// A check being evaluated: its id, settings and the unit of its threshold.
pub(crate) struct CheckRun {
    pub id: String,
    pub settings: CheckSettings,
    /// The unit of the threshold, also on a result without evidence: the report then writes the
    /// same limit the same way (`98%`, not `0.98`) whether or not the evidence was there.
    pub unit: Option<CheckUnit>,
}

impl CheckRun {
    pub fn new(id: impl Into<String>, settings: CheckSettings) -> Self {
        Self {
            id: id.into(),
            settings,
            unit: None,
        }
    }

    /// The unit its measured results carry (`ratio`, `count`, ...).
    pub fn with_unit(mut self, unit: CheckUnit) -> Self {
        self.unit = Some(unit);
        self
    }

    fn base(&self, status: CheckStatus, blocking: bool, message: String) -> CheckResult {
        CheckResult {
            id: self.id.clone(),
            status,
            level: self.settings.level,
            blocking,
            observed: Value::Null,
            threshold: Value::Null,
            unit: None,
            message,
            remedy: None,
            details: Map::new(),
            waiver: None,
        }
    }

    /// Whether absent or unreadable evidence blocks this check (`level: error`, `on_missing: fail`).
    pub fn blocks_when_missing(&self) -> bool {
        self.settings.level == Level::Error && self.settings.on_missing == OnMissing::Fail
    }

    /// A source that only refines what the check measures (the quarantine, earlier runs): when
    /// it is configured but absent and absence would block, the result that says why; when
    /// absence would not block (`on_missing: warn`), `Ok(None)`, and the check goes on without
    /// it, so that the evidence it did read still counts. Never skips the check itself.
    pub fn refinement<'a, T>(
        &self,
        state: &'a SourceState<T>,
        threshold: Value,
    ) -> Result<Option<&'a T>, Box<CheckResult>> {
        match state {
            SourceState::NotConfigured => Ok(None),
            SourceState::Loaded(t) => Ok(Some(t)),
            absent if self.blocks_when_missing() => self.source(absent, threshold).map(Some),
            _ => Ok(None),
        }
    }

    /// The note for a refinement that was configured but not used (see [`CheckRun::refinement`]).
    pub fn unused_note<T>(state: &SourceState<T>, what: &str) -> Option<String> {
        let why = match state {
            SourceState::Missing(p) => p.describe(),
            SourceState::Unreadable(p) => p.first().map(|p| p.describe())?,
            _ => return None,
        };
        Some(format!("{what} was not used ({why})"))
    }

    /// The evidence of a source, or the result that says why there is none.
    pub fn source<'a, T>(
        &self,
        state: &'a SourceState<T>,
        threshold: Value,
    ) -> Result<&'a T, Box<CheckResult>> {
        let blocks = self.blocks_when_missing();
        let mut r = match state {
            SourceState::Loaded(t) => return Ok(t),
            SourceState::NotConfigured => {
                let mut r = self.base(
                    CheckStatus::Missing,
                    true,
                    "the evidence this check needs is not configured in `sources`".to_owned(),
                );
                r.remedy = Some(
                    "configure the source this check reads in the policy's `sources` section"
                        .to_owned(),
                );
                r
            }
            SourceState::Missing(problem) => {
                let mut r = self.base(CheckStatus::Missing, blocks, problem.describe());
                r.remedy = Some(problem.remedy.clone());
                r.details.insert("source".into(), json!(problem.source));
                r
            }
            SourceState::Unreadable(problems) => {
                let message = match problems.as_slice() {
                    [one] => one.describe(),
                    many => format!(
                        "{} inputs could not be read; the first: {}",
                        many.len(),
                        many.first().map(|p| p.describe()).unwrap_or_default()
                    ),
                };
                let mut r = self.base(CheckStatus::Error, blocks, message);
                r.remedy = problems.first().map(|p| p.remedy.clone());
                r.details.insert(
                    "problems".into(),
                    Value::Array(
                        problems
                            .iter()
                            .take(LIST_LIMIT)
                            .map(|p| json!({"location": p.location, "message": p.message, "remedy": p.remedy}))
                            .collect(),
                    ),
                );
                r.details
                    .insert("problems_total".into(), json!(problems.len()));
                r
            }
        };
        if !blocks && r.status != CheckStatus::Pass {
            r.message.push_str(if self.settings.level == Level::Warn {
                " (level: warn, so this does not block)"
            } else {
                " (on_missing: warn, so this does not block)"
            });
        }
        if !threshold.is_null() {
            r.unit = self.unit.clone();
        }
        r.threshold = threshold;
        Err(Box::new(r))
    }

    /// A measured result: pass, or fail (`warn` at level warn).
    #[expect(
        clippy::too_many_arguments,
        reason = "every part of a measured result, named at the call site of each check"
    )]
    pub fn measured(
        &self,
        passed: bool,
        observed: Value,
        threshold: Value,
        unit: CheckUnit,
        message: String,
        remedy: Option<String>,
        details: Map<String, Value>,
    ) -> CheckResult {
        let (status, blocking) = match (passed, self.settings.level) {
            (true, _) => (CheckStatus::Pass, false),
            (false, Level::Error) => (CheckStatus::Fail, true),
            (false, Level::Warn) => (CheckStatus::Warn, false),
        };
        let mut r = self.base(status, blocking, message);
        r.observed = observed;
        r.threshold = threshold;
        r.unit = Some(unit);
        r.remedy = if passed { None } else { remedy };
        r.details = details;
        r
    }
}

/// A ratio rounded for the report (six decimals: 0.973422).
pub(crate) fn ratio(part: u64, whole: u64) -> Value {
    if whole == 0 {
        return Value::Null;
    }
    let r = part as f64 / whole as f64;
    json!((r * 1e6).round() / 1e6)
}

/// One test as listed in details.
pub(crate) fn test_entry(evidence: &TestEvidence, t: &TestRecord) -> Value {
    let mut m = Map::new();
    m.insert("file".into(), json!(evidence.file_path(t.file)));
    m.insert("suite".into(), json!(t.suite));
    m.insert("classname".into(), json!(t.classname));
    m.insert("name".into(), json!(t.name));
    m.insert("outcome".into(), json!(t.outcome.as_str()));
    if let Some(msg) = &t.message {
        m.insert("message".into(), json!(msg));
    }
    if t.attempts > 1 {
        m.insert("attempts".into(), json!(t.attempts));
    }
    Value::Object(m)
}

/// A capped list of tests plus its total, under `key` and `key_total`.
pub(crate) fn insert_tests<'a>(
    details: &mut Map<String, Value>,
    key: &str,
    evidence: &TestEvidence,
    tests: impl Iterator<Item = &'a TestRecord>,
) -> usize {
    let mut list = Vec::new();
    let mut total = 0usize;
    for t in tests {
        total += 1;
        if list.len() < LIST_LIMIT {
            list.push(test_entry(evidence, t));
        }
    }
    details.insert(key.into(), Value::Array(list));
    details.insert(format!("{key}_total"), json!(total));
    total
}

/// Outcome counts as a details object.
pub(crate) fn count_details(c: &TestCounts) -> Value {
    json!({
        "tests": c.tests, "passed": c.passed, "failed": c.failed,
        "errored": c.errored, "skipped": c.skipped, "flaky": c.flaky,
    })
}

/// `1,204`.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `1 test` / `2 tests`.
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}
