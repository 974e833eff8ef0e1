//! The GitHub Action: `action.yml` references only inputs it defines and never puts an input
//! inside `run:`, and its scripts behave under a fake runner environment (install path, pinned
//! checksum, mismatch refused, fallback to a source build, `fail-on`, argument passing).

#![cfg(unix)]
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use shipgate_yaml::{Node, NodeValue};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scalars<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    match &node.value {
        NodeValue::Seq(items) => items.iter().for_each(|n| scalars(n, out)),
        NodeValue::Map(entries) => entries.iter().for_each(|(_, v)| scalars(v, out)),
        NodeValue::Scalar(..) => out.push(node),
        NodeValue::Null => {}
    }
}

/// `${{ inputs.NAME }}` references in a text.
fn input_refs(text: &str) -> Vec<String> {
    let mut refs = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("${{") {
        let Some(end) = rest[at..].find("}}") else {
            break;
        };
        let expr = rest[at + 3..at + end].trim();
        if let Some(name) = expr.strip_prefix("inputs.") {
            refs.push(name.trim().to_owned());
        }
        rest = &rest[at + end + 2..];
    }
    refs
}

#[test]
fn action_yml_uses_only_its_inputs_and_never_inside_run() {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let root = shipgate_yaml::parse(&text).unwrap();
    let NodeValue::Map(inputs) = &root.get("inputs").unwrap().value else {
        panic!()
    };
    let defined: Vec<&str> = inputs.iter().filter_map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        defined,
        ["policy", "report-dir", "fail-on", "version", "args"]
    );
    let mut all = Vec::new();
    scalars(&root, &mut all);
    let mut used = std::collections::BTreeSet::new();
    for node in all {
        let refs = input_refs(node.as_str().unwrap());
        if node.path.ends_with(".run") {
            assert!(
                !node.as_str().unwrap().contains("${{"),
                "expression inside run: at {}",
                node.path
            );
        }
        for r in refs {
            assert!(
                defined.contains(&r.as_str()),
                "undefined input `{r}` at {}",
                node.path
            );
            used.insert(r);
        }
    }
    assert_eq!(used.len(), defined.len(), "every input is used: {used:?}");
    for out in ["decision", "exit-code", "blocking", "report"] {
        let value = root
            .find_path(&format!("outputs.{out}.value"))
            .unwrap()
            .as_str()
            .unwrap();
        assert_eq!(value, format!("${{{{ steps.gate.outputs.{out} }}}}"));
    }
    assert!(root.get("branding").is_some());
    assert_eq!(
        root.find_path("runs.using").unwrap().as_str(),
        Some("composite")
    );
}

struct FakeRunner {
    dir: tempfile::TempDir,
}

impl FakeRunner {
    fn new() -> Self {
        let r = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(r.shims()).unwrap();
        r
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    fn shims(&self) -> PathBuf {
        self.path("shims")
    }
    fn shim(&self, name: &str, script: &str) {
        let p = self.shims().join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{script}\n")).unwrap();
        Command::new("chmod").arg("+x").arg(&p).status().unwrap();
    }
    /// A release asset holding a fake binary; returns its sha256.
    fn release(&self, version: &str, target: &str) -> String {
        let stage = self.path("stage");
        std::fs::create_dir_all(&stage).unwrap();
        std::fs::write(
            stage.join("shipgate"),
            "#!/bin/sh\necho \"shipgate fake from release\"\n",
        )
        .unwrap();
        Command::new("chmod")
            .arg("+x")
            .arg(stage.join("shipgate"))
            .status()
            .unwrap();
        let dir = self.path(&format!("releases/{version}"));
        std::fs::create_dir_all(&dir).unwrap();
        let asset = dir.join(format!("shipgate-{version}-{target}.tar.gz"));
        assert!(
            Command::new("tar")
                .arg("-czf")
                .arg(&asset)
                .arg("-C")
                .arg(&stage)
                .arg("shipgate")
                .status()
                .unwrap()
                .success()
        );
        let out = Command::new("sha256sum").arg(&asset).output().unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    }
    fn pin(&self, line: &str) {
        std::fs::write(self.path("checksums.txt"), format!("# pinned\n{line}\n")).unwrap();
    }
    fn install(&self, os: &str, arch: &str, version: &str) -> std::process::Output {
        Command::new("bash")
            .arg(repo().join("action/install.sh"))
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", self.shims().display()))
            .env("HOME", self.dir.path())
            .env("SHIPGATE_VERSION", version)
            .env("GITHUB_ACTION_PATH", repo())
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch)
            .env("RUNNER_TEMP", self.path("temp"))
            .env("GITHUB_PATH", self.path("github_path"))
            .env(
                "SHIPGATE_DOWNLOAD_BASE",
                format!("file://{}", self.path("releases").display()),
            )
            .env("SHIPGATE_CHECKSUMS", self.path("checksums.txt"))
            .output()
            .unwrap()
    }
    /// The install plan (`SHIPGATE_INSTALL_PLAN=1`) for an action whose source is `action_path`.
    fn plan(&self, action_path: &Path, os: &str, arch: &str, version: &str) -> String {
        let out = Command::new("bash")
            .arg(repo().join("action/install.sh"))
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", self.shims().display()))
            .env("SHIPGATE_INSTALL_PLAN", "1")
            .env("SHIPGATE_VERSION", version)
            .env("GITHUB_ACTION_PATH", action_path)
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch)
            .env("ImageOS", "ubuntu24")
            .env("RUNNER_TEMP", self.path("temp"))
            .env("GITHUB_OUTPUT", self.path("plan.txt"))
            .env("SHIPGATE_CHECKSUMS", self.path("checksums.txt"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        std::fs::read_to_string(self.path("plan.txt")).unwrap()
    }
    fn github_path(&self) -> String {
        std::fs::read_to_string(self.path("github_path")).unwrap_or_default()
    }
    /// A fake `cargo` that records its arguments and "builds" into --root.
    fn fake_cargo(&self) {
        let log = self.path("cargo.log");
        self.shim(
            "cargo",
            &format!(
                "echo \"$@\" >> {}\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\nmkdir -p \"$root/bin\"\nprintf '#!/bin/sh\\necho shipgate built from source\\n' > \"$root/bin/shipgate\"\nchmod +x \"$root/bin/shipgate\"",
                log.display()
            ),
        );
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn install_uses_a_pinned_release_binary() {
    let r = FakeRunner::new();
    let sha = r.release("0.1.0", "x86_64-unknown-linux-musl");
    r.pin(&format!(
        "{sha}  shipgate-0.1.0-x86_64-unknown-linux-musl.tar.gz"
    ));
    let out = r.install("Linux", "X64", "0.1.0");
    assert!(
        out.status.success(),
        "{}",
        text(&out.stdout) + &text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("shipgate fake from release"));
    let bin_dir = r.path("temp/shipgate-0.1.0/bin");
    assert_eq!(r.github_path().trim(), bin_dir.display().to_string());
    assert!(bin_dir.join("shipgate").exists());
}

#[test]
fn install_refuses_a_binary_whose_checksum_does_not_match() {
    let r = FakeRunner::new();
    r.release("0.1.0", "x86_64-unknown-linux-musl");
    r.fake_cargo();
    r.pin(&format!(
        "{}  shipgate-0.1.0-x86_64-unknown-linux-musl.tar.gz",
        "ab".repeat(32)
    ));
    let out = r.install("Linux", "X64", "0.1.0");
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("::error title=shipgate install::checksum mismatch"),
        "{stdout}"
    );
    assert!(r.github_path().is_empty(), "nothing is put on PATH");
    assert!(!r.path("temp/shipgate-0.1.0/bin/shipgate").exists());
    assert!(
        !r.path("cargo.log").exists(),
        "a mismatch never falls back to building"
    );
}

#[test]
fn install_builds_from_source_when_nothing_is_pinned() {
    let r = FakeRunner::new();
    r.release("0.1.0", "x86_64-unknown-linux-musl");
    r.fake_cargo();
    r.pin("");
    let out = r.install("Linux", "X64", "0.1.0");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("no pinned checksum"));
    assert!(text(&out.stdout).contains("shipgate built from source"));
    let log = std::fs::read_to_string(r.path("cargo.log")).unwrap();
    assert!(
        log.starts_with(&format!(
            "install --locked --quiet --path {} --root ",
            repo().display()
        )),
        "{log}"
    );
}

#[test]
fn install_builds_from_source_on_an_unknown_runner_and_fails_without_cargo() {
    let r = FakeRunner::new();
    r.fake_cargo();
    let out = r.install("FreeBSD", "X64", "0.1.0");
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("no release binary for FreeBSD/X64"));

    let bare = FakeRunner::new();
    let out = bare.install("FreeBSD", "X64", "0.1.0");
    assert!(!out.status.success());
    assert!(text(&out.stdout).contains("no cargo to build one"));
}

#[test]
fn install_refuses_a_version_that_is_not_a_release_number() {
    let r = FakeRunner::new();
    let out = r.install("Linux", "X64", "../../etc");
    assert!(!out.status.success());
    assert!(text(&out.stdout).contains("version must be a release number"));
}

fn run_gate(
    r: &FakeRunner,
    fail_on: &str,
    args: &str,
    exit: i32,
    writes_outputs: bool,
) -> std::process::Output {
    let log = r.path("shipgate.log");
    let outputs = if writes_outputs {
        "printf 'decision<<E\\nblocked\\nE\\nexit-code<<E\\n1\\nE\\n' >> \"$GITHUB_OUTPUT\"\n"
    } else {
        ""
    };
    r.shim(
        "shipgate",
        &format!(
            "for a in \"$@\"; do echo \"[$a]\" >> {}; done\n{outputs}exit {exit}",
            log.display()
        ),
    );
    Command::new("bash")
        .arg(repo().join("action/run.sh"))
        .env("PATH", format!("{}:/usr/bin:/bin", r.shims().display()))
        .env("INPUT_POLICY", "deploy/ship gate.yaml")
        .env("INPUT_REPORT_DIR", "out")
        .env("INPUT_FAIL_ON", fail_on)
        .env("INPUT_ARGS", args)
        .env("GITHUB_OUTPUT", r.path("output.txt"))
        .output()
        .unwrap()
}

#[test]
fn run_passes_inputs_as_arguments_never_as_code() {
    let r = FakeRunner::new();
    let out = run_gate(&r, "blocked", "--dry-run $(touch pwned) ;echo *", 0, true);
    assert!(out.status.success());
    let log = std::fs::read_to_string(r.path("shipgate.log")).unwrap();
    assert_eq!(
        log,
        "[check]\n[--policy]\n[deploy/ship gate.yaml]\n[--report-dir]\n[out]\n[--dry-run]\n[$(touch]\n[pwned)]\n[;echo]\n[*]\n"
    );
    assert!(!Path::new("pwned").exists() && !r.path("pwned").exists());
}

#[test]
fn run_fails_the_step_when_blocked_unless_fail_on_never() {
    let r = FakeRunner::new();
    assert_eq!(run_gate(&r, "blocked", "", 1, true).status.code(), Some(1));
    let advisory = run_gate(&r, "never", "", 1, true);
    assert_eq!(advisory.status.code(), Some(0));
    assert!(text(&advisory.stdout).contains("::warning title=shipgate::the gate exited 1"));
    assert_eq!(
        run_gate(&r, "sometimes", "", 0, true).status.code(),
        Some(2)
    );
}

#[test]
fn run_writes_the_outputs_when_shipgate_could_not() {
    let r = FakeRunner::new();
    let out = run_gate(&r, "blocked", "", 70, false);
    assert_eq!(out.status.code(), Some(70));
    let outputs = std::fs::read_to_string(r.path("output.txt")).unwrap();
    assert!(
        outputs.contains("decision=blocked\nexit-code=70\n"),
        "{outputs}"
    );
}

/// The fallback outputs follow the exit code: 0 is ready (a shipgate that passed but could not
/// write its outputs), anything else is blocked.
#[test]
fn the_fallback_decision_follows_the_exit_code() {
    let r = FakeRunner::new();
    let out = run_gate(&r, "blocked", "", 0, false);
    assert_eq!(out.status.code(), Some(0));
    let outputs = std::fs::read_to_string(r.path("output.txt")).unwrap();
    assert!(
        outputs.contains("decision=ready\nexit-code=0\n"),
        "{outputs}"
    );
    let r = FakeRunner::new();
    run_gate(&r, "never", "", 4, false);
    let outputs = std::fs::read_to_string(r.path("output.txt")).unwrap();
    assert!(
        outputs.contains("decision=blocked\nexit-code=4\n"),
        "{outputs}"
    );
}

/// A multi-line `args: |` block passes every line (the first line alone was once used and the
/// rest dropped without a word, so a `--policy` on line two was silently ignored).
#[test]
fn run_passes_every_line_of_a_multi_line_args_input() {
    let r = FakeRunner::new();
    let out = run_gate(
        &r,
        "blocked",
        "--dry-run\n  --now 2026-11-24T10:00:00Z\n\n--offline\n",
        0,
        true,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = std::fs::read_to_string(r.path("shipgate.log")).unwrap();
    assert!(
        log.ends_with("[out]\n[--dry-run]\n[--now]\n[2026-11-24T10:00:00Z]\n[--offline]\n"),
        "{log}"
    );
    // Nothing but white space adds no argument.
    let r = FakeRunner::new();
    run_gate(&r, "blocked", " \n\t\n", 0, true);
    let log = std::fs::read_to_string(r.path("shipgate.log")).unwrap();
    assert!(log.ends_with("[--report-dir]\n[out]\n"), "{log}");
}

/// The plan: a pinned binary needs no cache; a source build is cached under a key that changes
/// with the source, so a cached build of other code is never restored as this one.
#[test]
fn a_source_build_is_cached_under_the_hash_of_its_source() {
    let r = FakeRunner::new();
    let sha = r.release("0.1.0", "x86_64-unknown-linux-musl");
    r.pin(&format!(
        "{sha}  shipgate-0.1.0-x86_64-unknown-linux-musl.tar.gz"
    ));
    let pinned = r.plan(repo(), "Linux", "X64", "0.1.0");
    assert!(pinned.contains("method=release\n"), "{pinned}");
    assert!(!pinned.contains("cache-key"), "{pinned}");

    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("src")).unwrap();
    std::fs::create_dir_all(src.path().join("crates/a/src")).unwrap();
    std::fs::write(src.path().join("Cargo.toml"), "[package]\n").unwrap();
    std::fs::write(src.path().join("Cargo.lock"), "").unwrap();
    std::fs::write(src.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(src.path().join("crates/a/src/lib.rs"), "").unwrap();
    let key = |r: &FakeRunner| {
        let _ = std::fs::remove_file(r.path("plan.txt"));
        let plan = r.plan(src.path(), "macOS", "ARM64", "0.1.0");
        assert!(plan.contains("method=source\n"), "{plan}");
        plan.lines()
            .find_map(|l| l.strip_prefix("cache-key="))
            .unwrap()
            .to_owned()
    };
    let r = FakeRunner::new();
    let first = key(&r);
    assert!(
        first.starts_with("shipgate-0.1.0-macOS-ARM64-ubuntu24-"),
        "{first}"
    );
    let hash = first.rsplit('-').next().unwrap();
    assert_eq!(hash.len(), 64, "{first}");
    assert_eq!(key(&r), first, "the same source, the same key");
    std::fs::write(src.path().join("crates/a/src/lib.rs"), "// changed\n").unwrap();
    assert_ne!(key(&r), first, "changed source, another key");
}

/// A build restored from the cache is used as it is: no download, no compile.
#[test]
fn install_uses_a_build_restored_from_the_cache() {
    let r = FakeRunner::new();
    r.fake_cargo();
    let bin = r.path("temp/shipgate-0.1.0/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("shipgate"),
        "#!/bin/sh\necho shipgate from the cache\n",
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(bin.join("shipgate"))
        .status()
        .unwrap();
    r.pin("");
    let out = r.install("Linux", "X64", "0.1.0");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("shipgate from the cache"));
    assert!(!r.path("cargo.log").exists(), "nothing is compiled");
    assert_eq!(r.github_path().trim(), bin.display().to_string());
}
