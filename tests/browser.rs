//! The HTML report in a real browser: Debian's headless Chromium opens `report.html` from
//! `check --report-dir`, and the test reads back what it rendered — the DOM (the decision, every
//! check, the charts as SVG) and a screenshot checked for content, not compared pixel by pixel:
//! the chart bars' colour and the decision badge's colour must be on the page.
//!
//! Without Chromium the test is skipped with a message on the terminal, unless
//! `SHIPGATE_IT_BROWSER_REQUIRED=1` (as `.ci/run` sets it, after installing `chromium`), which
//! makes a missing browser a failure. `SHIPGATE_CHROMIUM` names another binary.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::shipgate;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SHIPGATE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Runs headless Chromium with the flags that work on a machine without a network or a display,
/// in a fresh profile, and returns its stdout; at most a minute.
fn headless(bin: &Path, profile: &Path, args: &[String]) -> Vec<u8> {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut out).unwrap();
        out
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium exited {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within a minute: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// How many pixels of an RGB(A) image lie within `tolerance` of `color` in every channel.
fn pixels_near(png: &Path, color: [u8; 3], tolerance: u8) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected screenshot colour type {other:?}"),
    };
    buf[..info.buffer_size()]
        .chunks_exact(channels)
        .filter(|p| (0..3).all(|i| p[i].abs_diff(color[i]) <= tolerance))
        .count()
}

#[test]
fn the_html_report_renders_in_headless_chromium() {
    let required = std::env::var_os("SHIPGATE_IT_BROWSER_REQUIRED").is_some_and(|v| v == "1");
    let Some(bin) = chromium() else {
        assert!(
            !required,
            "SHIPGATE_IT_BROWSER_REQUIRED=1 but no chromium on PATH (apt-get install chromium)"
        );
        // Written to the stderr handle, not with `eprintln!`: the harness captures the print
        // macros of a passing test, and this skip must be seen.
        let _ = writeln!(
            std::io::stderr().lock(),
            "\nskipped: no chromium on PATH (apt-get install chromium, or set SHIPGATE_CHROMIUM) for the HTML report's browser test"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let status = shipgate()
        .args([
            "check",
            "--policy",
            "examples/performance/shipgate.yaml",
            "--report-dir",
        ])
        .arg(&out)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(1));
    let page = format!("file://{}", out.join("report.html").display());
    let profile = dir.path().join("profile");

    let dom = String::from_utf8(headless(
        &bin,
        &profile,
        &["--dump-dom".into(), page.clone()],
    ))
    .unwrap();
    let decision = dom.find("id=\"decision\"").expect("the decision element");
    assert!(
        dom[decision..].starts_with("id=\"decision\" class=\"decision blocked\">BLOCKED</span>"),
        "{dom}"
    );
    for check in [
        "performance.checkout.p95",
        "performance.search.p95",
        "performance.search.p99",
        "performance.Total.error_rate",
    ] {
        assert!(
            dom.contains(&format!("data-check=\"{check}\"")),
            "{check}: {dom}"
        );
    }
    // Every chart parsed as SVG inside its figure, with its bars.
    let figures = dom.matches("<figure class=\"chart\"").count();
    assert_eq!(figures, 4, "{dom}");
    assert_eq!(dom.matches("<svg").count(), figures, "{dom}");
    assert!(dom.contains("data-chart=\"performance-checkout.p95\""));

    let shot = dir.path().join("report.png");
    headless(
        &bin,
        &profile,
        &[
            "--window-size=1000,3200".into(),
            format!("--screenshot={}", shot.display()),
            page,
        ],
    );
    // The bars are drawn in the chart's first colour, the decision badge in the blocked red:
    // found on the page, the charts and the decision rendered.
    let bars = pixels_near(&shot, [0x2b, 0x6c, 0xb0], 6);
    let badge = pixels_near(&shot, [0xb3, 0x26, 0x1e], 6);
    assert!(bars > 20_000, "chart bars: {bars} pixels");
    assert!(badge > 1_000, "decision badge: {badge} pixels");
}
