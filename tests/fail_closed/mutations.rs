//! The catalogue of mutations: each takes a ready scenario and returns changed copies of it,
//! with what the gate must do with each (never exit 0). The classes are those of the issue
//! "Fail closed by construction"; `docs/guarantees.md` lists them with the promise each holds.
//!
//! A mutation that rewrites a file through a parser (YAML, JSON) is paired with a control: the
//! file written back unchanged must still read ready, or the mutation would prove nothing.

use crate::instants;
use crate::json_tree;
use crate::junit_xml::{self, Testcase};
use crate::scenario::{Content, Expect, Extra, File, POLICY, Role, Scenario, Variant};
use crate::yaml_tree;
use shipgate_yaml::{Node, NodeValue, ScalarStyle};

/// One kind of change.
pub struct Mutation {
    /// Its name, as failures and the table of counts show it.
    pub name: &'static str,
    /// The class of the issue it belongs to.
    pub class: &'static str,
    /// What it does and why the gate must not read ready after it.
    pub about: &'static str,
    /// The changed scenarios.
    pub apply: fn(&Scenario) -> Vec<Variant>,
}

/// The classes, in the issue's order; the first is the suite's own controls.
pub const CLASSES: [&str; 12] = [
    "0-controls",
    "1-empty-value",
    "2-instant-without-zone",
    "3-unreadable-evidence",
    "4-repeated-json-key",
    "5-empty-environment",
    "6-shrinking-suite",
    "7-leakage",
    "8-secrets",
    "9-workflow-commands",
    "10-symlink-loops",
    "11-judgement-calls",
];

/// Every mutation.
pub const CATALOGUE: &[Mutation] = &[
    Mutation {
        name: "control-written-back",
        class: "0-controls",
        about: "each file a mutation rewrites through a parser, written back unchanged: must still read ready",
        apply: control_written_back,
    },
    Mutation {
        name: "null-threshold",
        class: "1-empty-value",
        about: "each value under `checks` replaced by `~`, `null`, nothing, `''` and `${UNSET:-}`; each check section emptied",
        apply: null_threshold,
    },
    Mutation {
        name: "null-policy-value",
        class: "1-empty-value",
        about: "each other value of the policy (release, sources, risk, waivers) written empty or `''`",
        apply: null_policy_value,
    },
    Mutation {
        name: "null-evidence-value",
        class: "1-empty-value",
        about: "each value of a quarantine file or an unsigned UAT sign-off written empty or `''`",
        apply: null_evidence_value,
    },
    Mutation {
        name: "strip-zone",
        class: "2-instant-without-zone",
        about: "the zone taken from each instant: waiver and quarantine expiries, sign-off `at`, `--now`, defect and tracker dates, JUnit timestamps the policy dates",
        apply: strip_zone,
    },
    Mutation {
        name: "remove-evidence",
        class: "3-unreadable-evidence",
        about: "each evidence file removed (the history as a whole); each HTTP answer gone (404)",
        apply: remove_evidence,
    },
    Mutation {
        name: "empty-evidence",
        class: "3-unreadable-evidence",
        about: "each evidence file or HTTP answer emptied to zero bytes",
        apply: empty_evidence,
    },
    Mutation {
        name: "truncate-evidence",
        class: "3-unreadable-evidence",
        about: "each XML or JSON file (an XML JTL too), binary load-test log (Gatling), HTTP answer, signature and signed sign-off cut at 10%, 50%, 90% and one byte before its end",
        apply: truncate_evidence,
    },
    Mutation {
        name: "corrupt-status-element",
        class: "3-unreadable-evidence",
        about: "a byte of each JUnit status element flipped (`<fai,lure`, `<fa!lure`, `<1failure`, `<Failure`, `st,tus=`), or the element renamed",
        apply: corrupt_status_element,
    },
    Mutation {
        name: "answer-fails",
        class: "3-unreadable-evidence",
        about: "each HTTP answer replaced by a 500, forever",
        apply: answer_fails,
    },
    Mutation {
        name: "tracker-fails-mid-paging",
        class: "3-unreadable-evidence",
        about: "a later page of a paged answer: 500 forever, JSON cut in half, a key given twice",
        apply: tracker_fails_mid_paging,
    },
    Mutation {
        name: "duplicate-json-key",
        class: "4-repeated-json-key",
        about: "a key given twice (another value first, the original last) in up to six objects of each JSON file and HTTP answer",
        apply: duplicate_json_key,
    },
    Mutation {
        name: "blank-env",
        class: "5-empty-environment",
        about: "each variable the policy reads (`${VAR}` without a default, `*_env` names) set to the empty string, or unset",
        apply: blank_env,
    },
    Mutation {
        name: "stale-duplicate-run",
        class: "6-shrinking-suite",
        about: "a report beside its copy from a month before; a shrunk report beside its earlier, larger run",
        apply: stale_duplicate_run,
    },
    Mutation {
        name: "skip-or-fail-a-test",
        class: "6-shrinking-suite",
        about: "a passing critical-path test skipped or failed; one more passing test skipped where the policy limits skips",
        apply: skip_or_fail_a_test,
    },
    Mutation {
        name: "workflow-command-in-test-name",
        class: "9-workflow-commands",
        about: "a failing test whose name and message are workflow commands (`::set-output name=decision::ready`), in a GitHub Actions job",
        apply: workflow_command_in_test_name,
    },
    Mutation {
        name: "symlink-loop",
        class: "10-symlink-loops",
        about: "a link to its own folder, and to its parent, beside a report: the gate ends, and counts each test once",
        apply: symlink_loop,
    },
    Mutation {
        name: "pass-rate-as-fraction-of-a-percent",
        class: "11-judgement-calls",
        about: "`min_pass_rate: 98%` written `0.98%`",
        apply: pass_rate_as_fraction_of_a_percent,
    },
    Mutation {
        name: "empty-critical-paths",
        class: "11-judgement-calls",
        about: "`risk.critical_paths: {}` (or nothing)",
        apply: empty_critical_paths,
    },
    Mutation {
        name: "measured-nothing",
        class: "11-judgement-calls",
        about: "every check `on_missing: warn` and every piece of evidence gone (`--offline` for trackers); every check `level: warn`",
        apply: measured_nothing,
    },
    Mutation {
        name: "scenario-edit",
        class: "(per edit)",
        about: "the scenario's own format-aware changes (a duplicate reopened as a real defect, an open issue marked not a defect, a field name two fields share, one person for two roles, a token echoed in an answer)",
        apply: scenario_edits,
    },
];

fn variant(s: &Scenario, m: &str, class: &'static str, detail: impl Into<String>) -> Variant {
    Variant {
        mutation: m.to_owned(),
        class,
        detail: detail.into(),
        scenario: s.clone(),
        expect: Expect::Evidence,
        extras: Vec::new(),
    }
}

fn expect(mut v: Variant, e: Expect) -> Variant {
    v.expect = e;
    v
}

fn policy_tree(s: &Scenario) -> Node {
    yaml_tree::parse(&s.policy())
}

fn with_file(s: &Scenario, rel: &str, bytes: impl Into<Vec<u8>>) -> Scenario {
    let mut s = s.clone();
    s.set(rel, bytes.into());
    s
}

/// The forms of "no value" a YAML key can be given.
fn empty_forms() -> Vec<(&'static str, NodeValue)> {
    vec![
        ("~", yaml_tree::plain("~")),
        ("null", yaml_tree::plain("null")),
        ("nothing", NodeValue::Null),
        ("''", NodeValue::Scalar(String::new(), ScalarStyle::Quoted)),
        (
            "${SHIPGATE_FAIL_CLOSED_UNSET:-}",
            yaml_tree::plain("${SHIPGATE_FAIL_CLOSED_UNSET:-}"),
        ),
    ]
}

fn nulled(text: &str, id: usize, value: NodeValue) -> String {
    let mut tree = yaml_tree::parse(text);
    yaml_tree::find_mut(&mut tree, id).unwrap().value = value;
    yaml_tree::emit(&tree)
}

fn control_written_back(s: &Scenario) -> Vec<Variant> {
    let policy = yaml_tree::emit(&policy_tree(s));
    let mut out = vec![expect(
        variant(
            &with_file(s, POLICY, policy),
            "control-written-back",
            "0-controls",
            POLICY,
        ),
        Expect::Ready,
    )];
    for (f, role) in s.evidence() {
        let bytes = if matches!(role, Role::Quarantine | Role::Signoff) {
            yaml_tree::emit(&yaml_tree::parse(&f.text())).into_bytes()
        } else if role.is_json() {
            let value = shipgate_json::parse_value(f.bytes()).unwrap();
            json_tree::emit(&value, None).into_bytes()
        } else {
            continue;
        };
        out.push(expect(
            variant(
                &with_file(s, &f.rel, bytes),
                "control-written-back",
                "0-controls",
                &f.rel,
            ),
            Expect::Ready,
        ));
    }
    out
}

fn null_threshold(s: &Scenario) -> Vec<Variant> {
    let text = s.policy();
    let tree = yaml_tree::parse(&text);
    let mut out = Vec::new();
    for (id, path) in yaml_tree::leaves(&tree, false) {
        if !path.starts_with("checks.") {
            continue;
        }
        for (form, value) in empty_forms() {
            out.push(expect(
                variant(
                    &with_file(s, POLICY, nulled(&text, id, value)),
                    "null-threshold",
                    "1-empty-value",
                    format!("{path}: {form}"),
                ),
                Expect::Policy,
            ));
        }
    }
    for (id, path) in yaml_tree::leaves(&tree, true) {
        let is_collection = yaml_tree::leaves(&tree, false)
            .iter()
            .all(|(i, _)| *i != id);
        if is_collection && (path.starts_with("checks.") || path == "checks") {
            out.push(expect(
                variant(
                    &with_file(s, POLICY, nulled(&text, id, NodeValue::Null)),
                    "null-threshold",
                    "1-empty-value",
                    format!("{path}: nothing (the whole section)"),
                ),
                Expect::Policy,
            ));
        }
    }
    out
}

/// Keys the policy reference documents as taking an empty value (`release.commit`: no commit).
const EMPTY_ALLOWED: [&str; 1] = ["release.commit"];

/// Keys whose empty value means "outside a pipeline": missing evidence, which blocks.
const EMPTY_IS_MISSING: [&str; 2] = [
    "sources.uat.github_approvals.repository",
    "sources.uat.github_approvals.run_id",
];

fn null_policy_value(s: &Scenario) -> Vec<Variant> {
    let text = s.policy();
    let tree = yaml_tree::parse(&text);
    let scalars: Vec<usize> = yaml_tree::leaves(&tree, false)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut out = Vec::new();
    for (id, path) in yaml_tree::leaves(&tree, true) {
        if !scalars.contains(&id) {
            if path != "checks" && !path.starts_with("checks.") {
                out.push(expect(
                    variant(
                        &with_file(s, POLICY, nulled(&text, id, NodeValue::Null)),
                        "null-policy-value",
                        "1-empty-value",
                        format!("{path}: nothing (the whole section)"),
                    ),
                    Expect::Policy,
                ));
            }
            continue;
        }
        if path.starts_with("checks.") || EMPTY_ALLOWED.contains(&path.as_str()) {
            continue;
        }
        for (form, value) in [
            ("nothing", NodeValue::Null),
            ("''", NodeValue::Scalar(String::new(), ScalarStyle::Quoted)),
        ] {
            let e = if EMPTY_IS_MISSING.contains(&path.as_str()) {
                Expect::Blocked
            } else {
                Expect::Policy
            };
            out.push(expect(
                variant(
                    &with_file(s, POLICY, nulled(&text, id, value)),
                    "null-policy-value",
                    "1-empty-value",
                    format!("{path}: {form}"),
                ),
                e,
            ));
        }
    }
    out
}

fn null_evidence_value(s: &Scenario) -> Vec<Variant> {
    let mut out = Vec::new();
    for (f, role) in s.evidence() {
        if !matches!(role, Role::Quarantine | Role::Signoff) {
            continue;
        }
        let text = f.text();
        for (id, path) in yaml_tree::leaves(&yaml_tree::parse(&text), false) {
            for (form, value) in [
                ("nothing", NodeValue::Null),
                ("''", NodeValue::Scalar(String::new(), ScalarStyle::Quoted)),
            ] {
                out.push(variant(
                    &with_file(s, &f.rel, nulled(&text, id, value)),
                    "null-evidence-value",
                    "1-empty-value",
                    format!("{} {path}: {form}", f.rel),
                ));
            }
        }
    }
    out
}

/// Whether the policy dates the JUnit files (`checks.provenance.max_age.tests`): only then is a
/// JUnit timestamp without its zone a problem (most runners write local times).
fn dates_tests(s: &Scenario) -> bool {
    policy_tree(s)
        .find_path("checks.provenance.max_age.tests")
        .is_some()
}

/// The zones of `text` that are not in a YAML comment.
fn written_zones(text: &str, yaml: bool) -> Vec<(usize, usize)> {
    instants::zones(text)
        .into_iter()
        .filter(|(at, _)| {
            let line = &text[text[..*at].rfind('\n').map_or(0, |i| i + 1)..*at];
            !(yaml && (line.trim_start().starts_with('#') || line.contains(" #")))
        })
        .collect()
}

fn strip_zone(s: &Scenario) -> Vec<Variant> {
    let mut out = Vec::new();
    let mut each = |rel: &str, text: &str, e: Expect| {
        for range in written_zones(text, rel.ends_with(".yaml")) {
            let detail = format!("{rel}: `{}` taken away", &text[range.0..range.1]);
            out.push(expect(
                variant(
                    &with_file(s, rel, instants::strip(text, range)),
                    "strip-zone",
                    "2-instant-without-zone",
                    detail,
                ),
                e,
            ));
        }
    };
    each(POLICY, &s.policy(), Expect::Policy);
    for (f, role) in s.evidence() {
        if matches!(
            role,
            Role::Quarantine
                | Role::Signoff
                | Role::SignedSignoff
                | Role::DefectsJson
                | Role::PerfJson
                | Role::Answer
        ) {
            each(&f.rel, &f.text(), Expect::Evidence);
        }
    }
    // A JUnit file's time is its latest suite timestamp: it carries no time when none of them
    // has a zone. Only then does it matter, and only when the policy dates the tests (most
    // runners write local times).
    if dates_tests(s) {
        for (f, role) in s.evidence() {
            if role != Role::Junit {
                continue;
            }
            let mut text = f.text();
            let zones = instants::zones(&text);
            for range in zones.iter().rev() {
                text = instants::strip(&text, *range);
            }
            if !zones.is_empty() {
                out.push(variant(
                    &with_file(s, &f.rel, text),
                    "strip-zone",
                    "2-instant-without-zone",
                    format!("{}: the zone of every suite timestamp taken away", f.rel),
                ));
            }
        }
    }
    for (i, arg) in s.args.iter().enumerate() {
        for range in instants::zones(arg) {
            let mut v = variant(
                s,
                "strip-zone",
                "2-instant-without-zone",
                format!("argument `{arg}`: `{}` taken away", &arg[range.0..range.1]),
            );
            v.scenario.args[i] = instants::strip(arg, range);
            out.push(expect(v, Expect::Usage));
        }
    }
    out
}

fn remove_evidence(s: &Scenario) -> Vec<Variant> {
    let mut out = Vec::new();
    let history: Vec<String> = s
        .evidence()
        .into_iter()
        .filter(|(_, r)| *r == Role::History)
        .map(|(f, _)| f.rel.clone())
        .collect();
    for (f, role) in s.evidence() {
        match role {
            Role::History => {}
            Role::Answer => {
                let mut v = variant(
                    s,
                    "remove-evidence",
                    "3-unreadable-evidence",
                    format!("the answer {} (404)", f.rel),
                );
                v.scenario
                    .http
                    .retain(|r| r.body.as_deref() != Some(&f.rel));
                out.push(v);
            }
            _ => {
                let mut v = variant(s, "remove-evidence", "3-unreadable-evidence", &f.rel);
                v.scenario.remove(&f.rel);
                out.push(v);
            }
        }
    }
    if !history.is_empty() {
        let mut v = variant(
            s,
            "remove-evidence",
            "3-unreadable-evidence",
            "the whole history",
        );
        for rel in &history {
            v.scenario.remove(rel);
        }
        out.push(v);
    }
    out
}

fn empty_evidence(s: &Scenario) -> Vec<Variant> {
    s.evidence()
        .into_iter()
        .map(|(f, _)| {
            variant(
                &with_file(s, &f.rel, Vec::new()),
                "empty-evidence",
                "3-unreadable-evidence",
                &f.rel,
            )
        })
        .collect()
}

fn truncate_evidence(s: &Scenario) -> Vec<Variant> {
    let mut out = Vec::new();
    for (f, role) in s.evidence() {
        // A YAML, CSV or JTL file cut at a line's end is a shorter file of its format: only a
        // signature can show that it was cut (docs/guarantees.md says so). An XML JTL must
        // close its root; a binary load-test log cut inside a record is refused.
        if !(role.is_xml()
            || role.is_json()
            || matches!(
                role,
                Role::SignedSignoff | Role::Signature | Role::PerfXml | Role::PerfBinary
            ))
        {
            continue;
        }
        let bytes = f.bytes();
        let len = bytes.trim_ascii_end().len();
        let mut cuts = vec![len / 10, len / 2, len * 9 / 10, len - 1];
        cuts.dedup();
        for cut in cuts {
            out.push(variant(
                &with_file(s, &f.rel, bytes[..cut].to_vec()),
                "truncate-evidence",
                "3-unreadable-evidence",
                format!("{} cut at byte {cut} of {len}", f.rel),
            ));
        }
    }
    out
}

fn corrupt_status_element(s: &Scenario) -> Vec<Variant> {
    let mut out = Vec::new();
    for (f, role) in s.evidence() {
        if !role.is_xml() {
            continue;
        }
        for (what, text) in junit_xml::corrupted_elements(&f.text()) {
            out.push(variant(
                &with_file(s, &f.rel, text),
                "corrupt-status-element",
                "3-unreadable-evidence",
                format!("{}: {what}", f.rel),
            ));
        }
    }
    out
}

fn answer_fails(s: &Scenario) -> Vec<Variant> {
    (0..s.http.len())
        .map(|i| {
            let mut v = variant(
                s,
                "answer-fails",
                "3-unreadable-evidence",
                format!("{}: HTTP 500 forever", s.http[i].name),
            );
            v.scenario.http[i].status = 500;
            v.scenario.http[i].body = None;
            v
        })
        .collect()
}

fn tracker_fails_mid_paging(s: &Scenario) -> Vec<Variant> {
    let mut out = Vec::new();
    for (i, r) in s.http.iter().enumerate() {
        if !r.later_page {
            continue;
        }
        let mut v = variant(
            s,
            "tracker-fails-mid-paging",
            "3-unreadable-evidence",
            format!("{}: HTTP 500 forever", r.name),
        );
        v.scenario.http[i].status = 500;
        v.scenario.http[i].body = None;
        out.push(v);
        let rel = r.body.clone().unwrap();
        let bytes = s.file(&rel).bytes();
        out.push(variant(
            &with_file(s, &rel, bytes[..bytes.len() / 2].to_vec()),
            "tracker-fails-mid-paging",
            "3-unreadable-evidence",
            format!("{}: the JSON cut in half", r.name),
        ));
        let value = shipgate_json::parse_value(bytes).unwrap();
        out.push(variant(
            &with_file(s, &rel, json_tree::emit(&value, Some(0))),
            "tracker-fails-mid-paging",
            "3-unreadable-evidence",
            format!("{}: a key given twice", r.name),
        ));
    }
    out
}

fn duplicate_json_key(s: &Scenario) -> Vec<Variant> {
    let mut out = Vec::new();
    for (f, role) in s.evidence() {
        if !role.is_json() {
            continue;
        }
        let value = shipgate_json::parse_value(f.bytes()).unwrap();
        let n = json_tree::objects(&value);
        let mut picks: Vec<usize> = if n <= 6 {
            (0..n).collect()
        } else {
            (0..6).map(|k| k * (n - 1) / 5).collect()
        };
        picks.dedup();
        for k in picks {
            out.push(variant(
                &with_file(s, &f.rel, json_tree::emit(&value, Some(k))),
                "duplicate-json-key",
                "4-repeated-json-key",
                format!("{}: the first key of object {} of {n}", f.rel, k + 1),
            ));
        }
    }
    out
}

/// The variables `${NAME}` (without a default) in a text.
fn required_variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find("${") {
        let start = at + i + 2;
        let Some(end) = text[start..].find('}') else {
            break;
        };
        let inner = &text[start..start + end];
        // `$${` is a literal `${`; `${VAR:-default}` takes its default when VAR is empty.
        let escaped = start >= 3 && &text[start - 3..start - 2] == "$";
        if !(inner.contains(":-") || escaped) {
            out.push(inner.to_owned());
        }
        at = start + end;
    }
    out.sort();
    out.dedup();
    out
}

fn blank_env(s: &Scenario) -> Vec<Variant> {
    let tree = policy_tree(s);
    let mut names: Vec<(String, Expect)> = required_variables(&s.policy())
        .into_iter()
        .map(|v| (v, Expect::Policy))
        .collect();
    // `token_env: NAME`: the variable holds a credential, read when the source is fetched.
    for (_, path) in yaml_tree::leaves(&tree, false) {
        if path.ends_with("_env")
            && let Some(name) = tree.find_path(&path).and_then(Node::as_str)
        {
            names.push((name.to_owned(), Expect::Evidence));
        }
    }
    let mut out = Vec::new();
    for (name, e) in names {
        if !s.env.contains_key(&name) {
            continue;
        }
        let mut blank = variant(
            s,
            "blank-env",
            "5-empty-environment",
            format!("{name}=\"\""),
        );
        blank.scenario.env.insert(name.clone(), String::new());
        out.push(expect(blank, e));
        let mut unset = variant(
            s,
            "blank-env",
            "5-empty-environment",
            format!("{name} unset"),
        );
        unset.scenario.env.remove(&name);
        out.push(expect(unset, e));
    }
    out
}

fn stale_name(rel: &str) -> String {
    let (stem, ext) = rel.rsplit_once('.').unwrap_or((rel, "xml"));
    format!("{stem}-previous-run.{ext}")
}

fn stale_duplicate_run(s: &Scenario) -> Vec<Variant> {
    let mut out = Vec::new();
    // Shrinking blocks by itself only where `min_tests` is set and not waived.
    let tight = policy_tree(s)
        .find_path("checks.regression.min_tests")
        .is_some()
        && !s.policy().contains("check: regression.min-tests");
    for (f, role) in s.evidence() {
        if role != Role::Junit {
            continue;
        }
        // The earlier run's copy: the same tests, dated a month before.
        let stale = File {
            rel: stale_name(&f.rel),
            content: Content::Bytes(junit_xml::a_month_earlier(&f.text()).into_bytes()),
            role: Some(Role::Junit),
        };
        let mut copy = variant(
            s,
            "stale-duplicate-run",
            "6-shrinking-suite",
            format!("{} beside it, from a month before", stale.rel),
        );
        copy.scenario.add(stale.clone());
        out.push(copy);
        if !tight {
            continue;
        }
        // This run lost half of its passing tests; the earlier full run is still in the folder.
        let text = f.text();
        let passing: Vec<Testcase> = junit_xml::testcases(&text)
            .into_iter()
            .filter(|t| t.passed)
            .collect();
        let lost = &passing[passing.len() / 2..];
        let shrunk = junit_xml::without(&text, lost);
        let alone = variant(
            &with_file(s, &f.rel, shrunk.clone()),
            "stale-duplicate-run",
            "0-controls",
            format!(
                "{} without {} of its passing tests, alone (must block by itself)",
                f.rel,
                lost.len()
            ),
        );
        out.push(alone);
        let mut hidden = variant(
            &with_file(s, &f.rel, shrunk),
            "stale-duplicate-run",
            "6-shrinking-suite",
            format!(
                "{} without {} of its passing tests, beside its earlier full run from a month before",
                f.rel,
                lost.len()
            ),
        );
        hidden.scenario.add(stale);
        out.push(hidden);
    }
    out
}

/// The critical-path test patterns of the policy.
fn critical_patterns(s: &Scenario) -> Vec<String> {
    let tree = policy_tree(s);
    let mut out = Vec::new();
    if let Some(NodeValue::Map(paths)) = tree.find_path("risk.critical_paths").map(|n| &n.value) {
        for (_, path) in paths {
            if let Some(NodeValue::Seq(items)) = path.get("tests").map(|n| &n.value) {
                out.extend(items.iter().filter_map(|n| n.as_str().map(str::to_owned)));
            }
        }
    }
    out
}

fn skip_or_fail_a_test(s: &Scenario) -> Vec<Variant> {
    let patterns = critical_patterns(s);
    let tree = policy_tree(s);
    let limits_skips = tree.find_path("checks.regression.max_skipped").is_some()
        || tree
            .find_path("checks.regression.max_skipped_rate")
            .is_some();
    let mut out = Vec::new();
    for (f, role) in s.evidence() {
        if role != Role::Junit {
            continue;
        }
        let text = f.text();
        let cases = junit_xml::testcases(&text);
        let critical = cases
            .iter()
            .find(|t| t.passed && patterns.iter().any(|p| junit_xml::matches(p, &t.qualified)));
        if let Some(t) = critical {
            for (what, child) in [
                (
                    "skipped",
                    r#"<skipped message="skipped by the mutation suite"/>"#,
                ),
                (
                    "failed",
                    r#"<failure message="failed in the mutation suite">assertion failed</failure>"#,
                ),
            ] {
                out.push(variant(
                    &with_file(s, &f.rel, junit_xml::with_child(&text, t, child)),
                    "skip-or-fail-a-test",
                    "6-shrinking-suite",
                    format!("{}: the critical test `{}` {what}", f.rel, t.qualified),
                ));
            }
        }
        if limits_skips
            && let Some(t) = cases
                .iter()
                .find(|t| t.passed && !patterns.iter().any(|p| junit_xml::matches(p, &t.qualified)))
        {
            out.push(variant(
                &with_file(s, &f.rel, junit_xml::with_child(&text, t, "<skipped/>")),
                "skip-or-fail-a-test",
                "6-shrinking-suite",
                format!(
                    "{}: `{}` skipped, one over `max_skipped`",
                    f.rel, t.qualified
                ),
            ));
        }
    }
    out
}

/// Text a GitHub runner would act on, were it printed as it is.
const HOSTILE: &str = "::set-output name=decision::ready ##[set-output name=decision;]ready";

/// A failing testcase named `name` whose message is `message` (both escaped for XML).
fn failing_testcase(name: &str, message: &str) -> String {
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;")
            .replace('\n', "&#10;")
    };
    format!(
        r#"<testcase classname="" name="{}"><failure message="{}">{}</failure></testcase>"#,
        esc(name),
        esc(message),
        esc(message)
    )
}

fn workflow_command_in_test_name(s: &Scenario) -> Vec<Variant> {
    let Some((f, _)) = s.evidence().into_iter().find(|(_, r)| *r == Role::Junit) else {
        return Vec::new();
    };
    // The test is on a critical path where the policy has one, so that its failure blocks
    // whatever the pass rate allows.
    let named = |text: &str| match critical_patterns(s).first() {
        Some(p) => p.replace('*', &format!(" {text} ")),
        None => text.to_owned(),
    };
    let hostile = failing_testcase(
        &named(HOSTILE),
        &format!(
            "{HOSTILE}\n::set-output name=decision::ready\n::error title=shipgate%3A x::forged\n::stop-commands::abc\n::notice::after stop"
        ),
    );
    let plain = failing_testcase(&named("plain"), "assertion failed");
    let job = |mut v: Variant, format: &str| {
        v.scenario.format = format.to_owned();
        v.scenario
            .env
            .insert("GITHUB_ACTIONS".to_owned(), "true".to_owned());
        v.scenario.env.insert(
            "GITHUB_OUTPUT".to_owned(),
            "__DIR__/github_output".to_owned(),
        );
        v.scenario.env.insert(
            "GITHUB_STEP_SUMMARY".to_owned(),
            "__DIR__/step_summary.md".to_owned(),
        );
        v.extras.push(Extra::Runner);
        v
    };
    let mut out = vec![job(
        variant(
            &with_file(s, &f.rel, junit_xml::with_testcase(&f.text(), &plain)),
            "workflow-command-in-test-name",
            "0-controls",
            format!(
                "{}: the same failing test with a plain name (must block by itself)",
                f.rel
            ),
        ),
        "human",
    )];
    for format in ["human", "json", "markdown"] {
        out.push(job(
            variant(
                &with_file(s, &f.rel, junit_xml::with_testcase(&f.text(), &hostile)),
                "workflow-command-in-test-name",
                "9-workflow-commands",
                format!(
                    "{}: a failing test named `{HOSTILE}`, --format {format}",
                    f.rel
                ),
            ),
            format,
        ));
    }
    out
}

fn symlink_loop(s: &Scenario) -> Vec<Variant> {
    let Some((f, _)) = s.evidence().into_iter().find(|(_, r)| *r == Role::Junit) else {
        return Vec::new();
    };
    let dir = f.rel.rsplit_once('/').map_or("", |(d, _)| d);
    [("loop", "."), ("up", "..")]
        .into_iter()
        .map(|(name, target)| {
            let rel = if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            };
            let mut v = variant(
                s,
                "symlink-loop",
                "10-symlink-loops",
                format!("{rel} -> {target}"),
            );
            v.scenario.add(File {
                rel,
                content: Content::Symlink(target.to_owned()),
                role: None,
            });
            expect(v, Expect::SameTestsIfReady)
        })
        .collect()
}

fn pass_rate_as_fraction_of_a_percent(s: &Scenario) -> Vec<Variant> {
    let mut tree = policy_tree(s);
    let Some(node) = yaml_tree::at_path(&mut tree, "checks.regression.min_pass_rate") else {
        return Vec::new();
    };
    let Some(percent) = node
        .as_str()
        .and_then(|t| t.strip_suffix('%'))
        .and_then(|p| p.parse::<f64>().ok())
        .filter(|p| (1.0..100.0).contains(p))
    else {
        return Vec::new();
    };
    let written = format!("{}%", percent / 100.0);
    node.value = yaml_tree::plain(&written);
    vec![expect(
        variant(
            &with_file(s, POLICY, yaml_tree::emit(&tree)),
            "pass-rate-as-fraction-of-a-percent",
            "11-judgement-calls",
            format!("min_pass_rate: {written}"),
        ),
        Expect::Policy,
    )]
}

fn empty_critical_paths(s: &Scenario) -> Vec<Variant> {
    let mut out = Vec::new();
    for (what, value) in [
        ("{}", NodeValue::Map(Vec::new())),
        ("nothing", NodeValue::Null),
    ] {
        let mut tree = policy_tree(s);
        let Some(node) = yaml_tree::at_path(&mut tree, "risk.critical_paths") else {
            return out;
        };
        node.value = value;
        out.push(expect(
            variant(
                &with_file(s, POLICY, yaml_tree::emit(&tree)),
                "empty-critical-paths",
                "11-judgement-calls",
                format!("risk.critical_paths: {what}"),
            ),
            Expect::Policy,
        ));
    }
    out
}

/// Each check section of the policy (a map, or the maps of a list such as `performance`).
fn check_sections(tree: &mut Node) -> Vec<&mut Node> {
    let mut out = Vec::new();
    if let Some(checks) = yaml_tree::at_path(tree, "checks")
        && let NodeValue::Map(entries) = &mut checks.value
    {
        for (_, section) in entries {
            if matches!(section.value, NodeValue::Map(_)) {
                out.push(section);
            } else if let NodeValue::Seq(items) = &mut section.value {
                out.extend(items.iter_mut());
            }
        }
    }
    out
}

fn measured_nothing(s: &Scenario) -> Vec<Variant> {
    let mut warn_missing = policy_tree(s);
    for section in check_sections(&mut warn_missing) {
        yaml_tree::set_entry(section, "on_missing", yaml_tree::plain("warn"));
    }
    let mut nothing = variant(
        &with_file(s, POLICY, yaml_tree::emit(&warn_missing)),
        "measured-nothing",
        "11-judgement-calls",
        "every check `on_missing: warn`, every piece of evidence gone",
    );
    for (f, _) in s.evidence() {
        nothing.scenario.remove(&f.rel);
    }
    if !s.http.is_empty() {
        nothing.scenario.args.push("--offline".to_owned());
    }
    let mut warn_level = policy_tree(s);
    // `critical-paths.passed` runs from `risk.critical_paths` without a section of its own.
    if !critical_patterns(s).is_empty()
        && let Some(checks) = yaml_tree::at_path(&mut warn_level, "checks")
        && checks.get("critical_paths").is_none()
    {
        yaml_tree::set_entry(checks, "critical_paths", NodeValue::Map(Vec::new()));
    }
    for section in check_sections(&mut warn_level) {
        yaml_tree::set_entry(section, "level", yaml_tree::plain("warn"));
    }
    vec![
        expect(nothing, Expect::Evidence),
        expect(
            variant(
                &with_file(s, POLICY, yaml_tree::emit(&warn_level)),
                "measured-nothing",
                "11-judgement-calls",
                "every check `level: warn`: a gate that can never block",
            ),
            Expect::Policy,
        ),
    ]
}

fn scenario_edits(s: &Scenario) -> Vec<Variant> {
    let class_of = |c: &str| {
        *CLASSES
            .iter()
            .find(|k| **k == c)
            .unwrap_or_else(|| panic!("{}: unknown class `{c}`", s.name))
    };
    s.edits
        .iter()
        .map(|e| {
            let secret = e.secret.as_ref().map(|name| {
                s.env
                    .get(name)
                    .unwrap_or_else(|| panic!("{}: `{name}` is not in the environment", s.name))
                    .clone()
            });
            let mut v = expect(
                variant(s, &e.name, class_of(&e.class), e.about.clone()),
                e.expect,
            );
            for (from, to) in &e.replace {
                let to = match &secret {
                    Some(value) => to.replace("__SECRET__", value),
                    None => to.clone(),
                };
                let mut hits = 0;
                for f in &mut v.scenario.files {
                    if e.file.as_deref().is_some_and(|rel| rel != f.rel) {
                        continue;
                    }
                    if let Content::Bytes(b) = &f.content
                        && let Ok(text) = std::str::from_utf8(b)
                        && text.contains(from.as_str())
                    {
                        hits += 1;
                        f.content = Content::Bytes(text.replace(from.as_str(), &to).into_bytes());
                    }
                }
                if e.file.is_none() {
                    for r in &mut v.scenario.http {
                        if r.path.contains(from.as_str()) {
                            hits += 1;
                            r.path = r.path.replace(from.as_str(), &to);
                        }
                    }
                }
                assert!(
                    hits > 0,
                    "{}: the edit `{}` finds no `{from}`",
                    s.name,
                    e.name
                );
            }
            if let Some(value) = secret {
                v.extras.push(Extra::NoSecret(value));
            }
            if !e.blocks.is_empty() {
                v.extras.push(Extra::Blocks(e.blocks.clone()));
            }
            if let Some(words) = &e.says {
                v.extras.push(Extra::Says(words.clone()));
            }
            v
        })
        .collect()
}
