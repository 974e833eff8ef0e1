//! The check registry: every check the gate knows, in report order, and the one trait each
//! configured check implements.
//!
//! [`CHECKS`] is the only list of checks. Which checks a policy runs, which evidence it needs,
//! whether it can block, the catalogue printed by `shipgate explain`, the ids a waiver may name
//! and the docs test (`tests/docs.rs`) are all derived from it; nothing else lists checks.
//!
//! Adding a check is one module in this folder (its [`CheckKind`] with the catalogue text, how it
//! is configured from the policy, and its [`Check`] implementation) plus one line in [`CHECKS`],
//! and its section in [`crate::RawChecks`] when it has a new one. A [`CheckKind`]'s `configure`
//! reads the raw policy and returns the configured checks with every threshold resolved to a
//! value: a check whose threshold is not a value cannot be built, so it cannot run without one.

mod critical_paths;
mod defects;
mod flaky;
pub(crate) mod leakage;
mod performance;
mod provenance;
mod regression;
mod risk;
mod traceability;
mod uat;
mod waivers;

pub(crate) use performance::PerfCheck;
pub(crate) use provenance::ProvenanceRules;
pub(crate) use uat::UatSignoff;

// The interface of a configured check lives beside the policy that holds the checks
// (policy.rs), so that the registry and the policy do not import each other.
pub(crate) use crate::policy::{Check, Evaluation, Stage};
pub use crate::policy::{CheckKind, Needs};

use crate::catalog::CheckInfo;

/// Every check, in report order.
pub static CHECKS: &[&CheckKind] = &[
    &regression::PASS_RATE,
    &regression::MIN_TESTS,
    &regression::SKIPPED,
    &critical_paths::PASSED,
    &flaky::RATE,
    &defects::OPEN,
    &defects::CLASSIFIED,
    &leakage::RATE,
    &traceability::PRODUCTION_DEFECTS,
    &risk::COVERAGE,
    &performance::METRIC,
    &uat::SIGNOFF,
    &provenance::PROVENANCE,
    &waivers::VALID,
];

/// The catalogue entry of `id`; a family entry (`performance.<metric>`) answers for every id of
/// the family (`performance.http_req_duration.p95`).
pub fn explain(id: &str) -> Option<&'static CheckInfo> {
    let infos = || CHECKS.iter().map(|k| &k.info);
    infos().find(|c| c.id == id).or_else(|| {
        infos().find(|c| {
            c.id.strip_suffix("<metric>")
                .is_some_and(|family| id.len() > family.len() && id.starts_with(family))
        })
    })
}

/// The check id closest to `id` when it is close enough to be a misspelling of it (the one
/// did-you-mean of the workspace, `shipgate_json::did_you_mean`): for `shipgate explain`.
pub fn nearest_id(id: &str) -> Option<&'static str> {
    let ids: Vec<&'static str> = catalog().map(|c| c.id).collect();
    shipgate_json::did_you_mean(id, &ids)
}

/// Every check's catalogue entry, in report order.
pub fn catalog() -> impl Iterator<Item = &'static CheckInfo> {
    CHECKS.iter().map(|k| &k.info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for c in catalog() {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(c.id.contains('.'), "{}", c.id);
            assert!(
                c.id.chars().all(|ch| ch.is_ascii_lowercase()
                    || ch == '.'
                    || ch == '-'
                    || ch == '<'
                    || ch == '>'),
                "{}",
                c.id
            );
            if c.id.contains('<') {
                assert!(
                    c.id.ends_with(".<metric>"),
                    "a family id ends with .<metric>: {}",
                    c.id
                );
            }
            for text in [
                c.title,
                c.measures,
                c.blocks_when,
                c.configure,
                c.fix,
                c.why,
            ] {
                assert!(!text.trim().is_empty());
            }
        }
    }

    #[test]
    fn every_kind_names_its_section_and_the_keys_that_switch_it_on() {
        for k in CHECKS {
            assert!(
                k.section.starts_with("checks.")
                    || k.section.starts_with("risk.")
                    || k.section == "waivers",
                "{}",
                k.section
            );
            for key in k.keys {
                assert!(
                    k.info.configure.contains(key),
                    "{}: the catalogue's `configure` must name `{key}`",
                    k.info.id
                );
            }
        }
    }

    /// Follows `$ref`, `anyOf` and `items` to the object schema a property stands for.
    fn object<'a>(
        root: &'a serde_json::Value,
        node: &'a serde_json::Value,
    ) -> &'a serde_json::Value {
        if let Some(r) = node.get("$ref").and_then(|r| r.as_str()) {
            let name = r.trim_start_matches("#/$defs/");
            return object(root, &root["$defs"][name]);
        }
        if let Some(first) = node.get("anyOf").and_then(|a| a.get(0)) {
            return object(root, first);
        }
        if let Some(items) = node.get("items") {
            return object(root, items);
        }
        node
    }

    #[test]
    fn the_json_schema_has_every_key_the_registry_names() {
        let schema = crate::json_schema();
        for kind in CHECKS {
            let Some(section) = kind.section.strip_prefix("checks.") else {
                continue;
            };
            let def = object(
                &schema,
                &schema["$defs"]["RawChecks"]["properties"][section],
            );
            for key in kind.keys.iter().chain(["level", "on_missing"].iter()) {
                assert!(
                    def["properties"].get(*key).is_some(),
                    "{}: the schema of `{}` has no `{key}`: {def:#}",
                    kind.info.id,
                    kind.section
                );
            }
        }
    }

    #[test]
    fn the_json_schema_never_offers_null_for_a_threshold() {
        let schema = crate::json_schema();
        let regression = object(
            &schema,
            &schema["$defs"]["RawChecks"]["properties"]["regression"],
        );
        let text = regression["properties"]["min_pass_rate"].to_string();
        assert!(!text.contains("null"), "{text}");
        assert!(
            !schema["$defs"]["RawChecks"]["properties"]["regression"]
                .to_string()
                .contains("\"null\"")
        );
    }

    #[test]
    fn a_family_explains_each_of_its_ids() {
        let info = explain("performance.http_req_duration.p95").map(|c| c.id);
        assert_eq!(info, Some("performance.<metric>"));
        assert_eq!(
            explain("performance.<metric>").map(|c| c.id),
            Some("performance.<metric>")
        );
        assert_eq!(explain("performance."), None);
        assert_eq!(
            explain("regression.pass-rate").map(|c| c.id),
            Some("regression.pass-rate")
        );
        assert_eq!(explain("regression.nope"), None);
    }
}
