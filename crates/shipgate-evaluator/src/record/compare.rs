//! How a replayed report compares with the one the record holds.

use crate::error::EvaluatorError;
use shipgate_model::Report;
use std::collections::{BTreeMap, BTreeSet};

/// Where a replayed report differs from the recorded one, ignoring what a replay is expected to
/// change (the tool version and `dry_run`); one line per difference, empty when they agree.
pub fn compare_reports(recorded: &Report, replayed: &Report) -> Vec<String> {
    let normal = |r: &Report| {
        let mut r = r.clone();
        r.dry_run = false;
        r.generated_at = None;
        r.tool.version.clear();
        serde_json::to_value(r).unwrap_or(serde_json::Value::Null)
    };
    let (a, b) = (normal(recorded), normal(replayed));
    let mut out = Vec::new();
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return out;
    };
    for (key, old) in a {
        let new = b.get(key).unwrap_or(&serde_json::Value::Null);
        if old == new {
            continue;
        }
        match key.as_str() {
            "checks" => {
                let ids = |v: &serde_json::Value| -> BTreeMap<String, serde_json::Value> {
                    v.as_array()
                        .into_iter()
                        .flatten()
                        .map(|c| (c["id"].as_str().unwrap_or_default().to_owned(), c.clone()))
                        .collect()
                };
                let (old, new) = (ids(old), ids(new));
                for id in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
                    match (old.get(id), new.get(id)) {
                        (Some(o), Some(n)) if o != n => out.push(format!(
                            "check `{id}`: {} → {}",
                            o["status"].as_str().unwrap_or("?"),
                            n["status"].as_str().unwrap_or("?")
                        )),
                        (Some(_), None) => out.push(format!("check `{id}`: not run on replay")),
                        (None, Some(_)) => out.push(format!("check `{id}`: only run on replay")),
                        _ => {}
                    }
                }
            }
            "decision" | "exit_code" | "evaluated_at" => {
                out.push(format!("{key}: {old} → {new}"));
            }
            other => out.push(format!("`{other}` differs")),
        }
    }
    out
}

/// The rule a replay is held to: at the recorded time, from the recorded inputs, the decision
/// and exit code come out as recorded. If not, something the hashes do not cover (the
/// manifest's variables, glob matches or time) was changed, or this shipgate decides
/// differently: the record cannot be trusted. Call it only for a replay evaluated at the
/// recorded time (`--now` changes what waivers and evidence ages allow).
pub fn check_reproduced(recorded: &Report, replayed: &Report) -> Result<(), EvaluatorError> {
    if recorded.decision == replayed.decision && recorded.exit_code == replayed.exit_code {
        return Ok(());
    }
    Err(EvaluatorError::ReplayNotReproduced {
        recorded_decision: decision_word(recorded),
        recorded_exit: recorded.exit_code,
        replayed_decision: decision_word(replayed),
        replayed_exit: replayed.exit_code,
        differences: compare_reports(recorded, replayed),
        other_version: (recorded.tool.version != crate::TOOL_VERSION)
            .then(|| recorded.tool.version.clone()),
    })
}

fn decision_word(report: &Report) -> &'static str {
    match report.decision {
        shipgate_model::Decision::Ready => "ready",
        shipgate_model::Decision::Blocked => "blocked",
    }
}
