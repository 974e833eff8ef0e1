//! Rules of the defect sections: what each tracker kind needs and which keys apply to it. (Which
//! checks need defects is said by the checks themselves, in the registry.)

use crate::checks::Needs;
use crate::defects::DefectSources;
use crate::raw::RawPolicy;
use crate::validator::Validator;
use shipgate_model::trackers::KIND_SPECIFIC_KEYS;

impl Validator<'_> {
    pub(super) fn validate_defects(&mut self, policy: &RawPolicy, read: Needs) {
        let checks = &policy.checks;
        for (name, window) in [
            (
                "checks.leakage.window",
                checks.leakage.as_ref().and_then(|l| l.window),
            ),
            (
                "checks.defects.window",
                checks.defects.as_ref().and_then(|d| d.window),
            ),
            (
                "checks.traceability.window",
                checks.traceability.as_ref().and_then(|t| t.window),
            ),
        ] {
            if window.is_some_and(|w| w.get().as_secs() < 86_400) {
                self.problem(name, "a defect window is at least a day (e.g. `90d`)");
            }
        }
        self.validate_defect_source(policy, read);
    }

    fn validate_defect_source(&mut self, policy: &RawPolicy, read: Needs) {
        let Some(s) = &policy.sources.defects else {
            return;
        };
        let kind = s.kind;
        let spec = kind.spec();
        let k = kind.as_str();
        let needs = |key: &str| format!("`kind: {k}` needs `{key}`");
        for (key, what) in spec.required {
            if !s.has(key) {
                self.problem("sources.defects", format!("{}: {what}", needs(key)));
            }
        }
        let json_file = !spec.fetches
            && s.path
                .as_deref()
                .is_some_and(|p| p.to_ascii_lowercase().ends_with(".json"));
        // A key another kind takes, written for this one: named with the kinds it applies to.
        let kind_specific = KIND_SPECIFIC_KEYS
            .iter()
            .map(|key| (*key, s.has(key) && !spec.accepts(key), applies_to(key)));
        let mapped = [
            (
                "severity",
                (s.severity.is_some() || s.origin.is_some() || s.introduced_in.is_some())
                    && json_file,
                "trackers and CSV exports: the defect JSON form is already normalised (so do `origin` and `introduced_in`)",
            ),
            (
                "not_defects",
                s.not_defects.is_some() && json_file,
                "trackers and CSV exports: the defect JSON form already says which issues are not defects",
            ),
            (
                "not_defects.labels",
                s.not_defects.as_ref().is_some_and(|n| n.labels.is_some()) && !spec.labels,
                "trackers with labels (Jira, GitHub, GitLab, CSV exports; name Redmine's closed statuses in `resolutions`)",
            ),
        ];
        for (key, wrong, applies) in kind_specific.chain(mapped) {
            if wrong {
                self.problem(
                    &format!("sources.defects.{key}"),
                    format!("`{key}` applies only to {applies}, not to `kind: {k}`"),
                );
            }
        }
        if spec.severity.is_none() && s.severity.as_ref().is_none_or(|m| m.field.is_none()) {
            self.problem(
                "sources.defects.severity",
                format!("`kind: {k}` has no severity field: name the label prefix that carries it, e.g. `severity: {{field: \"severity:\", map: {{critical: [critical], high: [high]}}}}` (an empty prefix compares whole labels)"),
            );
        }
        // Only a label prefix may be empty (it compares whole labels); an empty field name
        // names no field, and the tracker would be asked for it at every run. A kind with no
        // default severity field (GitHub, GitLab) reads severity and origin from label prefixes.
        let labelled = spec.severity.is_none();
        let fields = [
            (
                "severity",
                s.severity.as_ref().and_then(|m| m.field.as_ref()),
            ),
            ("origin", s.origin.as_ref().map(|m| &m.field)),
        ];
        for (key, field) in fields {
            if !labelled && field.is_some_and(|f| f.0.trim().is_empty()) {
                self.problem(
                    &format!("sources.defects.{key}.field"),
                    format!("the field is empty: name the {key} field by its name or id (an empty label prefix applies only to `kind: github` and `gitlab`)"),
                );
            }
        }
        if s.origin.is_none() && !json_file && read.defects {
            self.problem(
                "sources.defects",
                format!("`kind: {k}` needs `origin`: the field (or label prefix) that says where a defect was found, with its `production` and `pre_production` values; without it every defect's origin is unknown"),
            );
        }
        if let Some(o) = &s.origin {
            if o.production.is_empty() {
                self.problem(
                    "sources.defects.origin.production",
                    "list the values meaning \"found in production\" (e.g. `[Production]`)",
                );
            }
            if o.pre_production.is_empty() {
                self.problem(
                    "sources.defects.origin.pre_production",
                    "list the values meaning \"found before production\" (e.g. `[QA, Staging]`)",
                );
            }
        }
        if let Some(n) = &s.not_defects {
            if n.resolutions.is_none() && n.labels.is_none() {
                self.problem(
                    "sources.defects.not_defects",
                    "`not_defects` names neither `resolutions` nor `labels`; e.g. `{resolutions: [Duplicate, Not a Bug]}`, or `{resolutions: []}` to count every closed issue",
                );
            }
            for (key, list) in [("resolutions", &n.resolutions), ("labels", &n.labels)] {
                if list.iter().flatten().any(|v| v.trim().is_empty()) {
                    self.problem(
                        &format!("sources.defects.not_defects.{key}"),
                        "an empty value names nothing; remove it",
                    );
                }
            }
        }
        if let Some(m) = &s.severity {
            let v = &m.map;
            if [&v.critical, &v.high, &v.medium, &v.low]
                .iter()
                .all(|l| l.is_empty())
            {
                self.problem(
                    "sources.defects.severity.map",
                    "the severity map lists no value; e.g. `{critical: [Highest], high: [High]}`",
                );
            }
        }
        if s.key_prefix.as_deref().is_some_and(|p| p.trim().is_empty()) {
            self.problem(
                "sources.defects.key_prefix",
                "an empty prefix makes keys bare numbers, which any number in a test name would match; use `#` (the default) or e.g. `GH-`",
            );
        }
        if s.retries.is_some_and(|r| r > 10) {
            self.problem("sources.defects.retries", "at most 10 retries");
        }
        if s.timeout.is_some_and(|t| t.get().is_zero()) {
            self.problem("sources.defects.timeout", "a timeout must be longer than 0");
        }
        for (key, value) in [("user_env", &s.user_env), ("token_env", &s.token_env)] {
            if let Some(v) = value
                && !is_env_name(v)
            {
                self.problem(
                    &format!("sources.defects.{key}"),
                    format!("`{key}` is the name of an environment variable in capitals (e.g. `JIRA_API_TOKEN`), never the secret itself (and not `${{VAR}}`, which would put the secret in the policy); the value is not shown here"),
                );
            }
        }
    }
}

/// The kinds a key of [`KIND_SPECIFIC_KEYS`] applies to, as the message names them.
fn applies_to(key: &str) -> &'static str {
    match key {
        "path" => "`kind: file`",
        "repository" => "`kind: github`",
        "project" => "`kind: gitlab` and `kind: redmine`",
        "user_env" => "Jira",
        "key_prefix" => "GitHub, GitLab and Redmine (Jira keys have their own prefix)",
        "timezone" => "`kind: file` (a CSV export's dates)",
        // `url`, `token_env`, `timeout`, `retries`, `ca_bundle`.
        _ => "tracker kinds",
    }
}

impl DefectSources {
    /// Whether the key (a required or kind-specific one) is written.
    fn has(&self, key: &str) -> bool {
        match key {
            "url" => self.url.is_some(),
            "path" => self.path.is_some(),
            "repository" => self.repository.is_some(),
            "project" => self.project.is_some(),
            "query" => self.query.is_some(),
            "user_env" => self.user_env.is_some(),
            "token_env" => self.token_env.is_some(),
            "key_prefix" => self.key_prefix.is_some(),
            "timezone" => self.timezone.is_some(),
            "timeout" => self.timeout.is_some(),
            "retries" => self.retries.is_some(),
            "ca_bundle" => self.ca_bundle.is_some(),
            _ => false,
        }
    }
}

/// An environment variable's name as pipelines write them: capitals, digits and `_`, not
/// starting with a digit. Tokens (`ghp_…`, `glpat-…`, `ATATT…`, hex keys) never look like that,
/// so a secret pasted where a name belongs is refused without being echoed.
pub(crate) fn is_env_name(v: &str) -> bool {
    let mut chars = v.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && v.len() <= 64
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use shipgate_model::TrackerKind;
    use shipgate_model::trackers::KIND_SPECIFIC_KEYS;

    fn messages(text: &str) -> Vec<String> {
        match Policy::parse(text, &|_| None) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().iter().map(|p| p.message.clone()).collect(),
        }
    }

    const HEAD: &str = "version: 1\nrelease: {name: x}\n";

    /// Found by the fail-closed mutation suite (`null-policy-value`): `field: ''` on a Jira or
    /// a CSV source passed validation and failed at every run as unreadable evidence (exit 4)
    /// instead of being a policy error (exit 3) at its line.
    #[test]
    fn an_empty_field_name_is_a_policy_error_except_as_a_label_prefix() {
        for (kind, field_key) in [
            ("{kind: file, path: d.csv, timezone: UTC", "severity"),
            ("{kind: file, path: d.csv, timezone: UTC", "origin"),
            (
                "{kind: jira, url: https://a.example, query: q, user_env: U, token_env: T",
                "origin",
            ),
        ] {
            let (severity, origin) = if field_key == "severity" {
                ("''", "o")
            } else {
                ("priority", "''")
            };
            let m = messages(&format!(
                "{HEAD}sources:\n  defects: {kind}, severity: {{field: {severity}, map: {{high: [h]}}}}, origin: {{field: {origin}, production: [p], pre_production: [q]}}}}\nchecks:\n  defects: {{}}\n"
            ));
            assert!(
                m.iter()
                    .any(|x| x.contains(&format!("name the {field_key} field"))),
                "{kind} {field_key}: {m:#?}"
            );
        }
        let github = messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: github, repository: a/b, severity: {{field: '', map: {{high: [h]}}}}, origin: {{field: '', production: [p], pre_production: [q]}}}}\nchecks:\n  defects: {{}}\n"
        ));
        assert!(github.is_empty(), "{github:#?}");
    }

    #[test]
    fn a_complete_jira_policy_loads_and_runs_the_defect_checks_in_order() {
        let text = format!(
            "{HEAD}sources:\n  tests: {{junit: [r.xml]}}\n  defects:\n    kind: jira\n    url: https://acme.atlassian.net\n    user_env: JIRA_EMAIL\n    token_env: JIRA_API_TOKEN\n    query: project = PAY\n    severity: {{field: priority, map: {{critical: [Highest], high: [High]}}}}\n    origin: {{field: Defect origin, production: [Production], pre_production: [QA]}}\nchecks:\n  defects: {{max_open: {{critical: 0}}}}\n  leakage: {{max_rate: 5%}}\n  traceability: {{production_defects_need_test: true}}\n"
        );
        let p = Policy::parse(&text, &|_| None).unwrap_or_else(|e| panic!("{:#?}", e.problems()));
        assert_eq!(
            p.check_ids(),
            [
                "defects.open",
                "defects.classified",
                "leakage.rate",
                "traceability.production-defects"
            ]
        );
        assert!(p.test_retention().defect_references);
        assert!(p.needs_tests() && p.needs_defects());
    }

    #[test]
    fn each_kind_says_what_it_lacks_and_which_keys_do_not_apply() {
        let m = messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: jira, repository: a/b, timezone: UTC, origin: {{field: o, production: [P], pre_production: [Q]}}}}\nchecks:\n  leakage: {{max_rate: 5%}}\n"
        ));
        for want in [
            "`kind: jira` needs `url`",
            "`kind: jira` needs `query`",
            "`kind: jira` needs `user_env`",
            "`kind: jira` needs `token_env`",
            "`repository` applies only to `kind: github`",
            "`timezone` applies only to `kind: file`",
        ] {
            assert!(m.iter().any(|x| x.contains(want)), "{want}: {m:#?}");
        }
        let m = messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: github, repository: a/b, origin: {{field: 'origin:', production: [prod], pre_production: [qa]}}}}\nchecks:\n  defects: {{}}\n"
        ));
        assert!(
            m.iter().any(|x| x.contains("has no severity field")),
            "{m:#?}"
        );
    }

    #[test]
    fn defect_checks_need_their_sources_and_an_origin() {
        let m = messages(&format!("{HEAD}checks:\n  leakage: {{max_rate: 5%}}\n"));
        assert!(
            m.iter()
                .any(|x| x.contains("`checks.leakage` needs defects")),
            "{m:#?}"
        );
        let m = messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: file, path: d.csv}}\nchecks:\n  traceability: {{production_defects_need_test: true}}\n"
        ));
        assert!(m.iter().any(|x| x.contains("needs test results")), "{m:#?}");
        assert!(m.iter().any(|x| x.contains("needs `origin`")), "{m:#?}");
        let m = messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: file, path: d.json}}\nchecks:\n  leakage: {{max_rate_critical_paths: 2%}}\n"
        ));
        assert!(
            m.iter()
                .any(|x| x.contains("no critical path says which defects")),
            "{m:#?}"
        );
    }

    const DEFECTS_ONLY: &str = "sources:\n  defects: {kind: file, path: d.json}\nchecks:\n  leakage: {max_rate_critical_paths: 2%}\n";

    #[test]
    fn critical_path_leakage_needs_no_test_results() {
        let text = format!(
            "{HEAD}{DEFECTS_ONLY}risk:\n  critical_paths:\n    payment: {{defects: {{components: [Payments]}}}}\n"
        );
        let p = Policy::parse(&text, &|_| None).unwrap_or_else(|e| panic!("{:#?}", e.problems()));
        assert_eq!(p.check_ids(), ["defects.classified", "leakage.rate"]);
        assert!(!p.needs_tests());
        assert!(p.can_block());
    }

    #[test]
    fn a_path_with_tests_still_needs_test_results() {
        let m = messages(&format!(
            "{HEAD}{DEFECTS_ONLY}risk:\n  critical_paths:\n    payment: {{defects: {{components: [Payments]}}}}\n    auth: {{tests: ['*auth*']}}\n"
        ));
        assert_eq!(
            m,
            [
                "`risk.critical_paths` needs test results: add `sources.tests.junit` with the globs of your JUnit reports"
            ]
        );
        // Neither tests nor defects: the path checks nothing.
        let m = messages(&format!(
            "{HEAD}{DEFECTS_ONLY}risk:\n  critical_paths:\n    payment: {{defects: {{components: [Payments]}}}}\n    auth: {{tests: [], defects: {{labels: []}}}}\n"
        ));
        assert!(
            m.iter()
                .any(|x| x.contains("critical path `auth` has no test patterns")),
            "{m:#?}"
        );
        // Options of `critical-paths.passed` with no path for it to check.
        let m = messages(&format!(
            "{HEAD}{DEFECTS_ONLY}  critical_paths: {{min_tests_per_path: 2}}\nrisk:\n  critical_paths:\n    payment: {{defects: {{components: [Payments]}}}}\n"
        ));
        assert!(
            m.iter()
                .any(|x| x.contains("no path in `risk.critical_paths` names tests")),
            "{m:#?}"
        );
    }

    #[test]
    fn a_secret_where_a_variable_name_belongs_is_refused_and_not_echoed() {
        let token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
        let m = messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: github, repository: a/b, token_env: {token}, severity: {{field: 's:', map: {{high: [h]}}}}, origin: {{field: 'o:', production: [p], pre_production: [q]}}}}\nchecks:\n  defects: {{}}\n"
        ));
        assert!(
            m.iter().any(|x| x.contains("never the secret itself")),
            "{m:#?}"
        );
        assert!(!m.iter().any(|x| x.contains(token)), "{m:#?}");
    }

    #[test]
    fn not_defects_must_name_something_that_the_kind_has() {
        let source = |kind: &str, not_defects: &str| {
            format!(
                "{HEAD}sources:\n  defects: {{kind: {kind}, url: https://t.example, path: d.csv, repository: a/b, not_defects: {not_defects}, severity: {{field: 's:', map: {{high: [h]}}}}, origin: {{field: o, production: [p], pre_production: [q]}}}}\nchecks:\n  defects: {{}}\n"
            )
        };
        let m = messages(&source("file", "{}"));
        assert!(
            m.iter()
                .any(|x| x.contains("`not_defects` names neither `resolutions` nor `labels`")),
            "{m:#?}"
        );
        let m = messages(&source("file", "{resolutions: [Duplicate, ' ']}"));
        assert!(m.iter().any(|x| x.contains("an empty value")), "{m:#?}");
        let m = messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: redmine, url: https://r.example, not_defects: {{resolutions: [Rejected], labels: [invalid]}}, origin: {{field: o, production: [p], pre_production: [q]}}}}\nchecks:\n  defects: {{}}\n"
        ));
        assert_eq!(
            m,
            [
                "`not_defects.labels` applies only to trackers with labels (Jira, GitHub, GitLab, CSV exports; name Redmine's closed statuses in `resolutions`), not to `kind: redmine`"
            ]
        );
        let m = messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: file, path: d.json, not_defects: {{resolutions: []}}}}\nchecks:\n  defects: {{}}\n"
        ));
        assert!(
            m.iter()
                .any(|x| x.contains("already says which issues are not defects")),
            "{m:#?}"
        );
        assert!(messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: file, path: d.csv, not_defects: {{resolutions: [], labels: [invalid]}}, origin: {{field: o, production: [p], pre_production: [q]}}}}\nchecks:\n  defects: {{}}\n"
        ))
        .is_empty());
    }

    /// A kind whose needed keys were not checked would fetch with half a configuration (a Jira
    /// search without its JQL reads every issue of the site). Every kind of the vocabulary.
    #[test]
    fn every_kind_refuses_a_source_without_its_required_keys() {
        for kind in TrackerKind::ALL {
            let k = kind.as_str();
            let m = messages(&format!(
                "{HEAD}sources:\n  defects: {{kind: {k}, origin: {{field: o, production: [p], pre_production: [q]}}}}\nchecks:\n  defects: {{}}\n"
            ));
            assert!(!kind.spec().required.is_empty(), "{k}");
            for (key, _) in kind.spec().required {
                let want = format!("`kind: {k}` needs `{key}`");
                assert!(m.iter().any(|x| x.contains(&want)), "{want}: {m:#?}");
            }
        }
    }

    /// A key another kind takes, written for this one, would be ignored without a word (a
    /// `user_env` on GitHub, a `timezone` on Jira): every kind refuses every key it does not
    /// accept.
    #[test]
    fn every_kind_refuses_the_keys_it_does_not_take() {
        let all_keys = "url: https://t.example, path: d.csv, repository: a/b, project: p, user_env: U, token_env: T, key_prefix: 'GH-', timezone: UTC, timeout: 5s, retries: 2, ca_bundle: ca.pem";
        for kind in TrackerKind::ALL {
            let k = kind.as_str();
            let m = messages(&format!(
                "{HEAD}sources:\n  defects: {{kind: {k}, {all_keys}, query: q, severity: {{field: s, map: {{high: [h]}}}}, origin: {{field: o, production: [p], pre_production: [q]}}}}\nchecks:\n  defects: {{}}\n"
            ));
            for key in KIND_SPECIFIC_KEYS {
                let refused = m
                    .iter()
                    .any(|x| x.starts_with(&format!("`{key}` applies only to")));
                assert_eq!(refused, !kind.spec().accepts(key), "{k}: {key}: {m:#?}");
            }
        }
    }

    /// A key the specs name that validation could not see would read as never written.
    #[test]
    fn validation_sees_every_key_a_spec_names() {
        let text = format!(
            "{HEAD}sources:\n  defects: {{kind: jira, url: https://t.example, path: d.csv, repository: a/b, project: p, query: q, user_env: U, token_env: T, key_prefix: 'GH-', timezone: UTC, timeout: 5s, retries: 2, ca_bundle: ca.pem}}\n"
        );
        let tree = shipgate_yaml::parse(&text).unwrap();
        let raw = shipgate_yaml::from_node::<crate::raw::RawPolicy>(&tree)
            .into_result()
            .unwrap();
        let s = raw.sources.defects.unwrap();
        for kind in TrackerKind::ALL {
            for (key, _) in kind.spec().required {
                assert!(s.has(key), "{key}");
            }
        }
        for key in KIND_SPECIFIC_KEYS {
            assert!(s.has(key), "{key}");
        }
        assert!(!s.has("kind"));
    }

    #[test]
    fn the_json_form_is_already_normalised() {
        let m = messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: file, path: d.json, origin: {{field: o, production: [p], pre_production: [q]}}}}\nchecks:\n  defects: {{}}\n"
        ));
        assert!(m.iter().any(|x| x.contains("already normalised")), "{m:#?}");
        assert!(messages(&format!(
            "{HEAD}sources:\n  defects: {{kind: file, path: d.json}}\nchecks:\n  defects: {{}}\n"
        ))
        .is_empty());
    }
}
