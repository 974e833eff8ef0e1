//! Parse, then validate: text → tree → `${VAR}` expansion → typed [`Policy`] → cross-field
//! rules. Every problem is collected and reported at once, each with its line.

mod defects;
mod performance;
mod provenance;
mod uat;

use crate::checks::{CHECKS, Check, Needs, Stage};
use crate::env::{EnvLookup, expand_tree};
use crate::flaky_sources::{DEFAULT_HISTORY_RUNS, DEFAULT_MIN_FLIPS, MAX_HISTORY_RUNS};
use crate::policy::{Policy, Release};
use crate::raw::{RawPolicy, Risk};
use crate::validator::{Scope, Validator};
use shipgate_yaml::{NodeValue, Problem};
use std::sync::Arc;

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The policy has problems; every one is listed with its line.
    #[error("the policy has {} problem{}", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Invalid(Vec<Problem>),
}

impl PolicyError {
    /// The problems, in line order.
    pub fn problems(&self) -> &[Problem] {
        match self {
            PolicyError::Invalid(p) => p,
        }
    }
}

impl Policy {
    /// Parses and validates a policy. `env` resolves `${VAR}` references.
    ///
    /// The text is read into the document as written ([`RawPolicy`]), every problem of it is
    /// collected with its line, and the check registry builds the configured checks from it:
    /// the [`Policy`] that comes out holds every configured threshold as a value.
    pub fn parse(text: &str, env: EnvLookup<'_>) -> Result<Policy, PolicyError> {
        let mut tree = shipgate_yaml::parse(text).map_err(PolicyError::Invalid)?;
        if !matches!(tree.value, NodeValue::Map(_)) {
            let message = if tree.is_null() {
                "the policy is empty; start from `shipgate init`, which writes a commented example"
            } else {
                "a policy is a YAML mapping with `version: 1`, `release`, `sources` and `checks`"
            };
            return Err(PolicyError::Invalid(vec![Problem::new(
                tree.mark, "", message,
            )]));
        }
        let mut expansion = expand_tree(&mut tree, env);
        let mut problems = std::mem::take(&mut expansion.problems);
        let decoded = shipgate_yaml::from_node::<RawPolicy>(&tree);
        let had_decode_problems = !decoded.problems.is_empty() || !problems.is_empty();
        let faulty: Vec<String> = problems
            .iter()
            .chain(decoded.problems.iter())
            .map(|p| p.path.clone())
            .collect();
        problems.extend(
            decoded
                .problems
                .into_iter()
                .map(|p| expansion.explain_emptied(p)),
        );
        let mut built = None;
        if let Some(raw) = &decoded.value {
            let mut v = Validator::new(&tree);
            let checks = v.validate(raw);
            for (p, scope) in v.into_problems() {
                // Once a faulty node was taken out, rules that look across sections (which
                // checks run, which sources exist) would report its absence a second time.
                let about_faulty = faulty.iter().any(|f| {
                    !f.is_empty() && (p.path.starts_with(f.as_str()) || f.starts_with(&p.path))
                });
                if !(had_decode_problems && (about_faulty || scope == Scope::WholePolicy)) {
                    problems.push(p);
                }
            }
            built = Some(Policy::build(raw, checks));
        }
        problems.sort_by(|a, b| (a.mark, &a.path).cmp(&(b.mark, &b.path)));
        problems.dedup();
        match built {
            Some(policy) if problems.is_empty() => Ok(policy),
            _ => Err(PolicyError::Invalid(problems)),
        }
    }

    /// The validated policy from a document that raised no problem, and its configured checks.
    fn build(raw: &RawPolicy, checks: Vec<Arc<dyn Check>>) -> Policy {
        let flaky = raw.checks.flaky.as_ref();
        Policy {
            release: Release {
                name: raw.release.name.trim().to_owned(),
                version: raw.release.version.as_deref().map(|v| v.trim().to_owned()),
                commit: raw.release.commit.to_option(),
            },
            sources: raw.sources.clone(),
            risk: Risk {
                // Areas written with `critical: true` are critical paths too.
                critical_paths: raw
                    .risk
                    .all_critical_paths()
                    .iter()
                    .map(|(name, path)| (name.clone(), path.resolved()))
                    .collect(),
                ..raw.risk.clone()
            },
            waivers: raw.waivers.clone(),
            checks,
            leakage_window: raw.leakage_window(),
            history_runs: flaky
                .and_then(|f| f.history_runs)
                .unwrap_or(DEFAULT_HISTORY_RUNS)
                .min(MAX_HISTORY_RUNS),
            min_flips: flaky
                .and_then(|f| f.min_flips)
                .unwrap_or(DEFAULT_MIN_FLIPS)
                .max(1),
            risk_model: crate::risk::model(raw),
        }
    }
}

impl Validator<'_> {
    /// Checks the document and builds its configured checks, registering every problem.
    fn validate(&mut self, raw: &RawPolicy) -> Vec<Arc<dyn Check>> {
        if raw.version != 1 {
            self.problem(
                "version",
                format!(
                    "unsupported policy version {}; this shipgate reads `version: 1`",
                    raw.version
                ),
            );
        }
        if raw.release.name.trim().is_empty() {
            self.problem(
                "release.name",
                "the release needs a name (e.g. `payments-api`)",
            );
        }
        let checks: Vec<Arc<dyn Check>> = CHECKS
            .iter()
            .flat_map(|kind| (kind.configure)(raw, self))
            .collect();
        let needs = checks
            .iter()
            .fold(Needs::NOTHING, |all, c| all.union(c.needs()));
        self.validate_tests(raw);
        self.validate_sources_of(&checks, raw);
        self.validate_sections(&checks);
        self.validate_defects(raw, needs);
        self.validate_uat(raw);
        self.validate_provenance(raw);
        self.validate_performance(raw);
        self.validate_waivers(raw, &checks);
        for (path, message) in crate::risk::problems(raw) {
            self.problem(&path, message);
        }
        for p in crate::flaky_sources::problems(raw) {
            if p.cross {
                self.cross_problem(&p.path, p.message);
            } else {
                self.problem(&p.path, p.message);
            }
        }
        // Said only when nothing else is wrong: another problem usually explains it.
        let measures = checks.iter().any(|c| c.stage() == Stage::Evidence);
        if self.problems.is_empty() && !measures {
            self.cross_problem(
                "checks",
                "the policy checks nothing: a gate that checks nothing must not say ready; configure at least one check under `checks` (see `shipgate init`)",
            );
        } else if self.problems.is_empty() && !checks.iter().any(|c| c.gates_release()) {
            self.cross_problem(
                "checks",
                "every check is `level: warn`, so the gate could never block a release; make the checks that matter `level: error` (the default). To try a policy out without blocking, run `shipgate check --dry-run`, or use the GitHub Action's `fail-on: never` or GitLab's `allow_failure`",
            );
        }
        checks
    }

    /// Every configured check's evidence must have a source: a check with nothing to read
    /// would block on every run, or, with `on_missing: warn`, check nothing.
    fn validate_sources_of(&mut self, checks: &[Arc<dyn Check>], raw: &RawPolicy) {
        let s = &raw.sources;
        for c in checks {
            let needs = c.needs();
            let section = c.section();
            let lacking = [
                (
                    needs.tests && s.tests.is_none(),
                    "needs test results: add `sources.tests.junit` with the globs of your JUnit reports",
                ),
                (
                    needs.defects && s.defects.is_none(),
                    "needs defects: add `sources.defects` (a tracker such as `kind: jira`, or `kind: file` with an export)",
                ),
                (
                    needs.performance && s.performance.is_none(),
                    "needs load-test results: add `sources.performance.current` with the file's `path` (and `format`)",
                ),
                (
                    needs.uat && s.uat.is_none(),
                    "needs UAT evidence: add `sources.uat.signoff` with the sign-off record's path, or `sources.uat.github_approvals`",
                ),
            ];
            for (lacks, what) in lacking {
                if lacks {
                    self.cross_problem(&section, format!("`{section}` {what}"));
                }
            }
        }
    }

    /// A section under `checks` that configures no check is a mistake, never "off": say which
    /// keys would switch its checks on.
    fn validate_sections(&mut self, checks: &[Arc<dyn Check>]) {
        let Some(NodeValue::Map(entries)) = self.tree.get("checks").map(|n| &n.value) else {
            return;
        };
        let written: Vec<String> = entries
            .iter()
            .filter_map(|(k, _)| k.as_str().map(str::to_owned))
            .collect();
        for key in written {
            let section = format!("checks.{key}");
            let kinds: Vec<_> = CHECKS.iter().filter(|k| k.section == section).collect();
            // Options of a check switched on elsewhere (`checks.critical_paths`) have rules of
            // their own; unknown keys were reported by the reader.
            if kinds.is_empty() || checks.iter().any(|c| c.kind().section == section) {
                continue;
            }
            let keys: Vec<String> = kinds
                .iter()
                .flat_map(|k| k.keys.iter())
                .map(|k| format!("`{k}`"))
                .collect();
            let is_list = matches!(
                self.tree.find_path(&section).map(|n| &n.value),
                Some(NodeValue::Seq(_))
            );
            let message = if is_list {
                format!(
                    "`{section}` is empty, so it would check nothing; list its checks or remove it"
                )
            } else {
                match keys.as_slice() {
                    [] => continue,
                    [one] => format!("`{section}` needs {one}; without it, it would check nothing"),
                    [a, b] => {
                        format!("`{section}` sets neither {a} nor {b}, so it would check nothing")
                    }
                    [rest @ .., last] => format!(
                        "`{section}` sets none of {} or {last}, so it would check nothing",
                        rest.join(", ")
                    ),
                }
            };
            // Local: a section whose keys were refused by the reader is not reported again
            // (the problems about those keys cover it).
            self.problem(&section, message);
        }
    }

    fn validate_tests(&mut self, policy: &RawPolicy) {
        if let Some(tests) = &policy.sources.tests {
            if tests.junit.is_empty() {
                self.problem(
                    "sources.tests.junit",
                    "list at least one glob of JUnit XML files, e.g. `reports/**/*.xml`",
                );
            }
            for (i, glob) in tests.junit.iter().enumerate() {
                if glob.trim().is_empty() {
                    self.problem(
                        &format!("sources.tests.junit[{i}]"),
                        "an empty glob matches nothing",
                    );
                }
            }
        }
        for (name, path) in &policy.risk.critical_paths {
            let names_defects = path
                .defects
                .as_ref()
                .is_some_and(|d| !d.components.is_empty() || !d.labels.is_empty());
            // A path with only `defects` serves `max_rate_critical_paths`; one with neither
            // would check nothing.
            if path.tests.is_empty() && !names_defects {
                self.problem(
                    &format!("risk.critical_paths.{name}"),
                    format!("critical path `{name}` has no test patterns; list patterns such as `tests: [\"*Payment*\"]` (or, for `checks.leakage.max_rate_critical_paths` only, the defects on it: `defects: {{components: [Payments]}}`)"),
                );
            }
        }
    }

    fn validate_waivers(&mut self, policy: &RawPolicy, checks: &[Arc<dyn Check>]) {
        let ids: Vec<String> = checks.iter().map(|c| c.id()).collect();
        for (i, w) in policy.waivers.iter().enumerate() {
            let path = format!("waivers[{i}].check");
            if w.check == "waivers.valid" {
                self.problem(&path, "`waivers.valid` cannot be waived");
            } else if !ids.contains(&w.check) {
                let known: Vec<&str> = ids
                    .iter()
                    .map(String::as_str)
                    .filter(|id| *id != "waivers.valid")
                    .collect();
                let catalogued = crate::checks::explain(&w.check).is_some();
                let mut message = if catalogued {
                    format!(
                        "the waiver names `{}`, which this policy does not run",
                        w.check
                    )
                } else {
                    format!("the waiver names `{}`, which is not a check id", w.check)
                };
                if let Some(best) = shipgate_json::did_you_mean(&w.check, &known) {
                    message.push_str(&format!("; did you mean `{best}`?"));
                } else if !known.is_empty() {
                    message.push_str(&format!(
                        "; this policy runs {}",
                        known
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                self.cross_problem(&path, message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::starter::{Profile, starter_policy};
    use crate::values::Percent;

    fn env(name: &str) -> Option<String> {
        match name {
            "RELEASE_VERSION" => Some("2.4.0".into()),
            "MIN_TESTS" => Some("120".into()),
            _ => None,
        }
    }

    fn parse(text: &str) -> Result<Policy, PolicyError> {
        Policy::parse(text, &env)
    }

    fn problems(text: &str) -> Vec<Problem> {
        match parse(text) {
            Ok(_) => panic!("expected problems in:\n{text}"),
            Err(e) => e.problems().to_vec(),
        }
    }

    const GOOD: &str = "\
version: 1
release:
  name: payments-api
  version: ${RELEASE_VERSION}
  commit: ${GITHUB_SHA:-}
sources:
  tests:
    junit: [\"reports/**/*.xml\"]
risk:
  critical_paths:
    payment: { tests: [\"com.acme.payment.*\", \"*Payment*\"] }
checks:
  regression:
    min_pass_rate: 98%
    min_tests: ${MIN_TESTS}
  flaky:
    max_rate: 0.02
    level: warn
waivers:
  - check: flaky.rate
    reason: quarantined in INFRA-42
    approved_by: qa@acme.example
    expires: 2026-12-31
";

    #[test]
    fn a_complete_policy_loads() {
        let p = parse(GOOD).unwrap();
        assert_eq!(p.release.version.as_deref(), Some("2.4.0"));
        assert_eq!(p.release.commit, None, "an empty default means no commit");
        let checks = format!("{:?}", p.checks);
        assert!(
            checks.contains("MinTests { min: 120"),
            "env values are typed after expansion: {checks}"
        );
        assert!(
            checks.contains(&format!(
                "PassRate {{ min: {:?}",
                Percent::parse("0.98").unwrap()
            )),
            "{checks}"
        );
        assert_eq!(
            p.check_ids(),
            vec![
                "regression.pass-rate",
                "regression.min-tests",
                "critical-paths.passed",
                "flaky.rate",
                "waivers.valid"
            ]
        );
        assert_eq!(p.test_retention().patterns.len(), 2);
    }

    #[test]
    fn typos_are_reported_with_a_suggestion_and_a_line() {
        let text = GOOD.replace("min_pass_rate:", "min_pass_rat:");
        let p = problems(&text);
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(p[0].mark.line, 14);
        assert!(p[0].message.contains("unknown key `min_pass_rat`"));
        assert!(p[0].message.contains("did you mean `min_pass_rate`?"));
    }

    #[test]
    fn every_problem_is_reported_at_once_in_line_order() {
        let text = GOOD
            .replace("version: 1\n", "version: 1\ncolour: blue\n")
            .replace("min_pass_rate: 98%", "min_pass_rate: 98")
            .replace("max_rate: 0.02", "max_rate: lots")
            .replace("level: warn", "level: warning")
            .replace("expires: 2026-12-31", "expires: 31/12/2026");
        let p = problems(&text);
        let lines: Vec<usize> = p.iter().map(|p| p.mark.line).collect();
        assert_eq!(lines, vec![2, 15, 18, 19, 24], "{p:#?}");
        assert!(p[0].message.contains("unknown key `colour`"));
        assert!(p[1].message.contains("did you mean `98%`"));
        assert!(p[2].message.contains("`lots` is not a number"));
        assert!(p[3].message.contains("did you mean `warn`"));
        assert!(p[4].message.contains("is not a date"));
    }

    #[test]
    fn an_unset_variable_is_named_with_its_line() {
        let p = problems(&GOOD.replace("${RELEASE_VERSION}", "${CI_RELEASE}"));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(p[0].mark.line, 4);
        assert_eq!(p[0].path, "release.version");
        assert!(p[0].message.contains("`CI_RELEASE` is not set"));
    }

    #[test]
    fn a_policy_that_checks_nothing_is_refused() {
        let p = problems("version: 1\nrelease: {name: x}\nsources:\n  tests: {junit: [a.xml]}\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].message.starts_with("the policy checks nothing"));
        let p = problems("version: 1\nrelease: {name: x}\nchecks: {}\n");
        assert!(p[0].message.starts_with("the policy checks nothing"));
    }

    #[test]
    fn empty_and_non_mapping_policies_are_refused() {
        assert!(problems("")[0].message.contains("the policy is empty"));
        assert!(problems("- a\n- b\n")[0].message.contains("YAML mapping"));
        assert!(
            problems("version: [1\n")[0]
                .message
                .contains("not valid YAML")
        );
    }

    #[test]
    fn checks_without_their_source_are_refused() {
        let p = problems("version: 1\nrelease: {name: x}\nchecks:\n  regression: {min_tests: 5}\n");
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(p[0].mark.line, 4);
        assert!(p[0].message.contains("needs test results"));
    }

    #[test]
    fn empty_check_sections_are_refused() {
        let base = "version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}}\nchecks:\n  regression:\n  flaky: {level: warn}\n";
        let p = problems(base);
        assert_eq!(p.len(), 2, "{p:#?}");
        assert!(p[0].message.contains("no value is written here"), "{p:#?}");
        assert!(p[1].message.contains("needs `max_rate`"));
        let p = problems(&base.replace("  regression:\n", "  regression: {level: warn}\n"));
        assert!(p[0].message.contains("sets none of"), "{p:#?}");
    }

    #[test]
    fn waivers_must_name_a_check_the_policy_runs() {
        let p = problems(&GOOD.replace("check: flaky.rate", "check: flaky.rat"));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(p[0].mark.line, 20);
        assert!(
            p[0].message.contains("did you mean `flaky.rate`?"),
            "{}",
            p[0].message
        );
        let p = problems(&GOOD.replace("check: flaky.rate", "check: defects.open"));
        assert!(p[0].message.contains("not a check id") || p[0].message.contains("does not run"));
    }

    #[test]
    fn a_critical_path_needs_patterns_and_a_positive_minimum() {
        let text = GOOD
            .replace(
                "payment: { tests: [\"com.acme.payment.*\", \"*Payment*\"] }",
                "payment: { tests: [] }",
            )
            .replace(
                "  flaky:\n",
                "  critical_paths:\n    min_tests_per_path: 0\n  flaky:\n",
            );
        let text = text.replace("waivers:\n", "waivers_x: []\nwaivers:\n");
        let p = problems(&text);
        let msgs: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("unknown key `waivers_x`")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("has no test patterns")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("must be at least 1")),
            "{msgs:#?}"
        );
    }

    #[test]
    fn unsupported_versions_and_empty_patterns_are_refused() {
        let p = problems(&GOOD.replace("version: 1\n", "version: 2\n"));
        assert!(p[0].message.contains("unsupported policy version 2"));
        let p = problems(&GOOD.replace("\"*Payment*\"", "\"\""));
        assert!(p[0].message.contains("the value is empty"), "{p:#?}");
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let p = problems(&GOOD.replace(
            "    min_tests: ${MIN_TESTS}\n",
            "    min_tests: ${MIN_TESTS}\n    min_pass_rate: 90%\n",
        ));
        assert!(
            p[0].message.contains("duplicate key `min_pass_rate`"),
            "{p:#?}"
        );
    }

    #[test]
    fn a_policy_that_can_never_block_is_refused() {
        let p = problems(
            "version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}}\nchecks:\n  regression: {min_tests: 1, level: warn}\n  flaky: {max_rate: 1%, level: warn}\n",
        );
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(
            p[0].message.starts_with("every check is `level: warn`"),
            "{}",
            p[0].message
        );
        // One error-level check is enough; warn checks beside it are fine.
        assert!(parse("version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}}\nchecks:\n  regression: {min_tests: 1}\n  flaky: {max_rate: 1%, level: warn}\n").is_ok());
        // A critical path is an error-level check unless its options say otherwise.
        assert!(parse("version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}}\nrisk: {critical_paths: {pay: {tests: ['*Pay*']}}}\nchecks:\n  flaky: {max_rate: 1%, level: warn}\n").is_ok());
    }

    #[test]
    fn an_empty_list_of_checks_is_refused() {
        let p = problems(
            "version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}}\nchecks:\n  regression: {min_tests: 1}\n  performance: []\n",
        );
        assert!(
            p.iter()
                .any(|p| p.message.contains("`checks.performance` is empty")),
            "{p:#?}"
        );
    }

    #[test]
    fn starter_policies_validate() {
        for profile in [Profile::Basic, Profile::Fintech] {
            let p = Policy::parse(starter_policy(profile), &|_| None);
            assert!(p.is_ok(), "{profile:?}: {p:#?}");
        }
    }

    #[test]
    fn the_schema_describes_every_top_level_key() {
        let schema = crate::json_schema();
        let props = schema["properties"].as_object().unwrap();
        for key in ["version", "release", "sources", "risk", "checks", "waivers"] {
            assert!(props.contains_key(key), "{key}");
        }
        assert_eq!(schema["additionalProperties"], serde_json::json!(false));
    }
}
