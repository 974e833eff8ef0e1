//! The GitLab CI/CD component: it parses, uses every input it defines and only those, never puts
//! an input into script text, and publishes the gate's JUnit and dotenv reports.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use shipgate_yaml::{Node, NodeValue};
use std::collections::BTreeSet;

fn scalars<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    match &node.value {
        NodeValue::Seq(items) => items.iter().for_each(|n| scalars(n, out)),
        NodeValue::Map(entries) => entries.iter().for_each(|(k, v)| {
            scalars(k, out);
            scalars(v, out);
        }),
        NodeValue::Scalar(..) => out.push(node),
        NodeValue::Null => {}
    }
}

/// `$[[ inputs.NAME ]]` (optionally with `| function`) references in a text.
fn input_refs(text: &str) -> Vec<String> {
    let mut refs = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("$[[") {
        let end = rest[at..].find("]]").expect("closed interpolation");
        let expr = rest[at + 3..at + end].trim();
        let name = expr
            .strip_prefix("inputs.")
            .expect("only inputs are interpolated");
        refs.push(name.split('|').next().unwrap().trim().to_owned());
        rest = &rest[at + end + 2..];
    }
    refs
}

#[test]
fn the_component_uses_exactly_its_inputs_and_publishes_the_reports() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/shipgate.yml"
    ))
    .unwrap();
    let (header, body) = text
        .split_once("\n---\n")
        .expect("a spec header, then ---, then the jobs");
    let spec = shipgate_yaml::parse(header).unwrap();
    let NodeValue::Map(inputs) = &spec.find_path("spec.inputs").unwrap().value else {
        panic!()
    };
    let defined: BTreeSet<String> = inputs
        .iter()
        .map(|(k, _)| k.as_str().unwrap().to_owned())
        .collect();
    for (k, v) in inputs {
        assert!(
            v.get("description").is_some(),
            "input {:?} has a description",
            k.as_str()
        );
        assert!(
            v.get("default").is_some(),
            "input {:?} has a default",
            k.as_str()
        );
    }

    let jobs = shipgate_yaml::parse(body).unwrap();
    let mut all = Vec::new();
    scalars(&jobs, &mut all);
    let mut used = BTreeSet::new();
    for node in &all {
        for r in input_refs(node.as_str().unwrap()) {
            assert!(
                defined.contains(&r),
                "undefined input `{r}` at {}",
                node.path
            );
            used.insert(r);
        }
    }
    assert_eq!(used, defined, "every input is used");

    let NodeValue::Map(entries) = &jobs.value else {
        panic!()
    };
    assert_eq!(entries.len(), 1, "one job");
    let job = &entries[0].1;
    let NodeValue::Seq(script) = &job.get("script").unwrap().value else {
        panic!()
    };
    for line in script {
        assert!(
            !line.as_str().unwrap().contains("$[["),
            "no input in script text: {:?}",
            line.as_str()
        );
    }
    assert_eq!(
        job.find_path(&format!("{}.artifacts.when", job.path))
            .unwrap()
            .as_str(),
        Some("always")
    );
    let reports = job.get("artifacts").unwrap().get("reports").unwrap();
    assert_eq!(
        reports.get("junit").unwrap().as_str(),
        Some("$[[ inputs.report-dir ]]/gate-junit.xml")
    );
    assert_eq!(
        reports.get("dotenv").unwrap().as_str(),
        Some("$[[ inputs.report-dir ]]/gate.env")
    );
    assert_eq!(
        job.get("variables")
            .unwrap()
            .get("SHIPGATE_POLICY")
            .unwrap()
            .as_str(),
        Some("$[[ inputs.policy ]]")
    );
}

/// The job's script, run by bash as GitLab's shell runs it (one shell, line after line), with a
/// `shipgate` that logs its arguments: `args` is split on spaces, and a glob character in it is
/// passed as it is, never expanded against the files of the checkout.
#[test]
fn args_are_split_on_spaces_and_never_globbed() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/shipgate.yml"
    ))
    .unwrap();
    let (_, body) = text.split_once("\n---\n").unwrap();
    let jobs = shipgate_yaml::parse(body).unwrap();
    let NodeValue::Map(entries) = &jobs.value else {
        panic!()
    };
    let NodeValue::Seq(script) = &entries[0].1.get("script").unwrap().value else {
        panic!()
    };
    let script: Vec<&str> = script.iter().map(|l| l.as_str().unwrap()).collect();
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let shim = bin.join("shipgate");
    std::fs::write(
        &shim,
        "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\"; done\necho\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // Files a glob in the arguments would expand to.
    std::fs::write(dir.path().join("secret.txt"), "").unwrap();
    let out = std::process::Command::new("bash")
        .args(["-e", "-c", &script.join("\n")])
        .current_dir(dir.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("SHIPGATE_REPORT_DIR", "out")
        .env("SHIPGATE_ARGS", "--dry-run *  --now ?")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("[check][--report-dir][out][--dry-run][*][--now][?]"),
        "{stdout}"
    );
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The CI/CD catalog publishes a component only from a release made by a `release:` job, on a
/// tag that is bare semver (`0.2.0`, never `v0.2.0`).
#[test]
fn the_project_pipeline_publishes_the_component_on_bare_semver_tags() {
    let pipeline = shipgate_yaml::parse(&read(".gitlab-ci.yml")).unwrap();
    let NodeValue::Map(jobs) = &pipeline.value else {
        panic!()
    };
    let releasing: Vec<&Node> = jobs
        .iter()
        .map(|(_, job)| job)
        .filter(|job| job.get("release").is_some())
        .collect();
    assert_eq!(releasing.len(), 1, "one job publishes the component");
    let job = releasing[0];
    assert_eq!(
        job.get("release")
            .unwrap()
            .get("tag_name")
            .unwrap()
            .as_str(),
        Some("$CI_COMMIT_TAG")
    );
    let NodeValue::Seq(rules) = &job.get("rules").unwrap().value else {
        panic!("the release job runs only by its rules")
    };
    let conditions: Vec<&str> = rules
        .iter()
        .map(|r| r.get("if").unwrap().as_str().unwrap())
        .collect();
    assert_eq!(conditions, [r"$CI_COMMIT_TAG =~ /^\d+\.\d+\.\d+$/"]);
    // The job the component's tests need runs in every pipeline they run in: a `needs:` on a
    // job that rules left out fails the whole pipeline.
    let build = pipeline.get("build-shipgate").unwrap();
    assert!(build.get("rules").is_none() && build.get("only").is_none());
    // The component's test jobs include the file as a user does, with inputs.
    let NodeValue::Seq(includes) = &pipeline.get("include").unwrap().value else {
        panic!()
    };
    assert!(includes.len() >= 3);
    for include in includes {
        assert_eq!(
            include.get("local").unwrap().as_str(),
            Some("templates/shipgate.yml")
        );
        assert!(include.get("inputs").unwrap().get("job-name").is_some());
    }
}

/// One include form in the docs, with a version the catalog accepts; and release tags without a
/// leading `v` everywhere a version of shipgate is referenced.
#[test]
fn the_docs_use_one_include_form_and_bare_version_tags() {
    for doc in [
        "README.md",
        "docs/ci/gitlab.md",
        "docs/ci/github.md",
        "docs/ci/other.md",
        "templates/shipgate.yml",
    ] {
        let text = read(doc);
        assert!(
            !text.contains("shipgate/shipgate@v"),
            "{doc}: a `v` tag; release tags are bare semver"
        );
        assert!(
            !text.contains("ref: v"),
            "{doc}: a `ref: v...` include; use the component form"
        );
        assert!(
            !text.contains("file: templates/shipgate.yml"),
            "{doc}: a `project:`/`file:` include; the docs use the component form only"
        );
        for (at, _) in text.match_indices("component: ") {
            let line = text[at..].lines().next().unwrap();
            let version = line.rsplit('@').next().unwrap();
            assert!(
                version == "$CI_COMMIT_SHA"
                    || version
                        .split('.')
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())),
                "{doc}: `{line}`"
            );
        }
    }
}
