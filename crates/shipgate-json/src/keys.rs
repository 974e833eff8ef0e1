//! The one did-you-mean for a key a shipgate-defined form does not have: the JSON forms here, the
//! YAML files (policy, quarantine, sign-off) in `shipgate-yaml`.

use crate::{JsonError, JsonErrorKind};
use serde_json::{Map, Value};

/// How alike (Jaro-Winkler, after folding case and reading `-` and ` ` as `_`) a key must be to a
/// known one for the known one to be offered.
const CLOSE: f64 = 0.82;

/// The known key closest to `given`, when it is close enough to be a likely misspelling.
pub fn did_you_mean<'a>(given: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', ' '], "_");
    let g = norm(given);
    candidates
        .iter()
        .map(|c| (*c, strsim::jaro_winkler(&g, &norm(c))))
        .filter(|(_, score)| *score >= CLOSE)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

/// Refuses the first key of `object` that is not in `known`, naming the nearest known key.
/// `path` is where the object is in the document (`metrics[2]`; empty for the top level).
///
/// For the forms read by hand from a [`Value`] (the generic load-test form); a form read into
/// its own type gets the same check from [`crate::parse_form`].
pub fn check_keys(
    object: &Map<String, Value>,
    known: &[&str],
    path: &str,
) -> Result<(), JsonError> {
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(key) => Err(JsonErrorKind::UnknownKey {
            key: key.clone(),
            path: path.to_owned(),
            position: None,
            nearest: did_you_mean(key, known).map(str::to_owned),
            expected: known.iter().map(|k| (*k).to_owned()).collect(),
        }
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["min_pass_rate", "min_tests", "level", "on_missing"];
        assert_eq!(did_you_mean("min_pass_rat", &keys), Some("min_pass_rate"));
        assert_eq!(did_you_mean("min-tests", &keys), Some("min_tests"));
        assert_eq!(did_you_mean("onmissing", &keys), Some("on_missing"));
        assert_eq!(did_you_mean("colour", &keys), None);
    }

    #[test]
    fn an_unknown_key_is_refused_with_the_nearest_known_one() {
        let known = ["name", "unit", "value"];
        let ok = json!({"name": "a", "value": 1});
        assert_eq!(check_keys(ok.as_object().unwrap(), &known, ""), Ok(()));
        let typo = json!({"name": "a", "valeu": 1});
        let e = check_keys(typo.as_object().unwrap(), &known, "metrics[2]").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown key `valeu` in `metrics[2]`; did you mean `value`?"
        );
    }
}
