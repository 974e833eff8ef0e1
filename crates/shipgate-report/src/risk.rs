//! `shipgate risk` (areas ranked by risk, each factor's raw and normalised value and weight, the
//! coverage-gap map) as a terminal table and as Markdown for a wiki page or a PR comment, with
//! the risk matrix drawn as a Mermaid `quadrantChart` (GitHub and GitLab render it); and
//! `shipgate risk plan` as one test id a line, or JSON.
//!
//! Every number is the report's: nothing is scored here. Text from evidence (defect titles,
//! test names) is hostile and is filtered or escaped as everywhere in this crate; a Mermaid
//! point label keeps only letters, digits, spaces and `-_.`, so that no area name can end the
//! diagram or inject a directive.

use crate::ansi::{Paint, Tone};
use crate::gate::markdown_inline as inline;
use crate::text::{one_line, pad, pad_left, printable, truncate};
use crate::{RenderOptions, ReportError};
use shipgate_risk::report::{AreaReport, RiskReport};
use shipgate_risk::{Factor, Plan, RiskLevel};

fn level_tone(level: RiskLevel) -> Tone {
    match level {
        RiskLevel::Critical => Tone::Bad,
        RiskLevel::High => Tone::Caution,
        RiskLevel::Medium => Tone::Strong,
        RiskLevel::Low => Tone::Faint,
    }
}

fn tests_cell(a: &AreaReport) -> String {
    match a.tests {
        Some(t) => format!(
            "{}/{}/{}/{}/{}",
            t.executed, t.passed, t.failed, t.skipped, t.flaky
        ),
        None => "–".to_owned(),
    }
}

fn number(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

/// The factor lines of an area: `(name, raw, normalised, detail)`.
fn factor_rows(a: &AreaReport) -> Vec<(&'static str, String, String, String)> {
    Factor::ALL
        .iter()
        .map(|f| {
            let name = f.as_str();
            match a.factors.get(name) {
                Some(Some(x)) => (
                    name,
                    number(x.raw),
                    format!("{:.3}", x.normalised),
                    x.detail.clone(),
                ),
                _ => (
                    name,
                    "missing".to_owned(),
                    "1 (worst)".to_owned(),
                    a.missing.get(name).cloned().unwrap_or_default(),
                ),
            }
        })
        .collect()
}

/// The weight of a factor as the formula states it.
fn weight(r: &RiskReport, f: &str) -> String {
    r.formula
        .weights
        .get(f)
        .map_or_else(String::new, |w| number(*w))
}

/// `shipgate risk` as a terminal table.
pub fn render_risk_human(r: &RiskReport, options: &RenderOptions) -> String {
    let paint = Paint {
        enabled: options.color,
    };
    let mut out = format!(
        "{} of {}, at {} (defects and commits over {})\n{}\n\n",
        paint.paint(Tone::Strong, "Risk areas"),
        printable(&r.release),
        r.evaluated_at,
        r.window,
        r.formula.score
    );
    let name_w = r
        .areas
        .iter()
        .map(|a| printable(&a.name).chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 30);
    out.push_str(&format!(
        "{}  {}  {}  {}  {}  {}\n",
        pad_left("#", 3),
        pad("area", name_w),
        pad_left("score", 6),
        pad("level", 9),
        pad("tests run/pass/fail/skip/flaky", 30),
        "production defects (untested)"
    ));
    for a in &r.areas {
        let defects = if a.production_defects.is_empty() {
            "none".to_owned()
        } else {
            a.production_defects
                .iter()
                .map(|k| {
                    if a.untested_production_defects.contains(k) {
                        format!("{} (untested)", printable(k))
                    } else {
                        printable(k)
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let level = format!("{}{}", a.level.as_str(), if a.critical { "*" } else { "" });
        out.push_str(&format!(
            "{}  {}  {}  {}  {}  {}\n",
            pad_left(&a.rank.to_string(), 3),
            pad(&truncate(&printable(&a.name), name_w), name_w),
            pad_left(&format!("{:.1}", a.score), 6),
            paint.paint(level_tone(a.level), &pad(&level, 9)),
            pad(&tests_cell(a), 30),
            defects
        ));
    }
    if r.areas.iter().any(|a| a.critical) {
        out.push_str("  * critical: its tests are never skipped\n");
    }
    for a in &r.areas {
        out.push_str(&format!(
            "\n{} (rank {}, score {:.1}, {} risk{}; impact {:.2}, likelihood {:.2})\n",
            paint.paint(Tone::Strong, &printable(&a.name)),
            a.rank,
            a.score,
            a.level.as_str(),
            if a.critical { ", a critical path" } else { "" },
            a.impact,
            a.likelihood
        ));
        for (name, raw, norm, detail) in factor_rows(a) {
            let text = format!(
                "  {}  {}  {}  × {}  {}",
                pad(name, 16),
                pad_left(&raw, 8),
                pad_left(&norm, 9),
                pad(&weight(r, name), 3),
                one_line(&detail)
            );
            if raw == "missing" {
                out.push_str(&paint.paint(Tone::Caution, &text));
            } else {
                out.push_str(&text);
            }
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "\n{}\n",
        paint.paint(
            Tone::Strong,
            "Coverage-gap map: production defects no passing test names"
        )
    ));
    if r.coverage_gaps.is_empty() {
        out.push_str("  none: every production defect in the window has a passing test\n");
    }
    for g in &r.coverage_gaps {
        out.push_str(&format!(
            "  {} ({}, {}) {}\n    area: {}\n",
            paint.paint(Tone::Bad, &printable(&g.key)),
            g.severity,
            g.status,
            one_line(&truncate(&g.title, 80)),
            if g.areas.is_empty() {
                "none (no area names its components or labels)".to_owned()
            } else {
                printable(&g.areas.join(", "))
            }
        ));
        if let Some(url) = &g.url {
            out.push_str(&format!("    {}\n", one_line(url)));
        }
        out.push_str(&format!(
            "    needs: {}{}\n",
            one_line(&g.suggested_test),
            g.test_location
                .as_ref()
                .map(|l| format!(" in {}", one_line(l)))
                .unwrap_or_default()
        ));
        for t in &g.tests_not_passing {
            out.push_str(&format!(
                "    named by {}, which did not pass\n",
                one_line(t)
            ));
        }
    }
    if !r.untested_areas.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            paint.paint(Tone::Strong, "Areas with no test that ran")
        ));
        for u in &r.untested_areas {
            out.push_str(&format!(
                "  {}: {}\n",
                printable(&u.name),
                one_line(&u.reason)
            ));
        }
    }
    out.push_str(&format!("\n{}\n", paint.paint(Tone::Strong, "Evidence")));
    for n in &r.evidence {
        out.push_str(&format!(
            "  {}  {}  {}\n",
            pad(&n.source, 10),
            pad(&n.state, 14),
            one_line(&n.message)
        ));
    }
    out
}

/// A Mermaid label: letters, digits, spaces and `-_.` only.
fn mermaid_label(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.') {
                c
            } else {
                ' '
            }
        })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if !cleaned.chars().any(char::is_alphanumeric) {
        return "area".to_owned();
    }
    // A label that begins like a statement of the chart would be read as one.
    let lower = cleaned.to_ascii_lowercase();
    if [
        "title",
        "x-axis",
        "y-axis",
        "quadrant",
        "point",
        "classdef",
        "quadrantchart",
    ]
    .iter()
    .any(|k| lower.starts_with(k))
    {
        return format!("area {cleaned}");
    }
    cleaned
}

/// `shipgate risk --format markdown`: for a wiki page or a PR comment.
pub fn render_risk_markdown(r: &RiskReport) -> String {
    let mut out = format!(
        "### Risk areas of {}\n\nAt {}, defects and commits over {}. {}.\n\n",
        inline(&r.release),
        inline(&r.evaluated_at),
        inline(&r.window),
        inline(r.formula.score)
    );
    out.push_str("| rank | area | score | level | impact | likelihood | tests run / passed / failed / skipped / flaky | production defects | untested |\n|---:|---|---:|---|---:|---:|---|---|---|\n");
    for a in &r.areas {
        out.push_str(&format!(
            "| {} | {}{} | {:.1} | {} | {:.2} | {:.2} | {} | {} | {} |\n",
            a.rank,
            inline(&a.name),
            if a.critical { " (critical)" } else { "" },
            a.score,
            a.level.as_str(),
            a.impact,
            a.likelihood,
            tests_cell(a),
            inline(&a.production_defects.join(", ")),
            inline(&a.untested_production_defects.join(", "))
        ));
    }
    out.push_str("\n#### Risk matrix\n\nImpact is revenue impact; likelihood the weighted mean of the other factors (a missing one at its worst).\n\n```mermaid\nquadrantChart\n    title Risk matrix\n    x-axis Unlikely --> Likely\n    y-axis Low impact --> High impact\n    quadrant-1 Test first\n    quadrant-2 Guard\n    quadrant-3 Watch\n    quadrant-4 Stabilise\n");
    for a in &r.areas {
        out.push_str(&format!(
            "    {}: [{:.3}, {:.3}]\n",
            mermaid_label(&a.name),
            a.likelihood.clamp(0.0, 1.0),
            a.impact.clamp(0.0, 1.0)
        ));
    }
    out.push_str("```\n\n#### Factors\n\n");
    let weights = Factor::ALL
        .iter()
        .map(|f| format!("{} × {}", f.as_str(), weight(r, f.as_str())))
        .collect::<Vec<_>>()
        .join(", ");
    out.push_str(&format!(
        "Weights: {}. Normalised: {}.\n\n",
        inline(&weights),
        inline(r.formula.normalised)
    ));
    for a in &r.areas {
        out.push_str(&format!(
            "<details><summary>{} — score {:.1}</summary>\n\n| factor | raw | normalised | weight | what it counts |\n|---|---:|---:|---:|---|\n",
            inline(&a.name),
            a.score
        ));
        for (name, raw, norm, detail) in factor_rows(a) {
            let raw = if raw == "missing" {
                "**missing**".to_owned()
            } else {
                raw
            };
            out.push_str(&format!(
                "| {name} | {raw} | {} | {} | {} |\n",
                inline(&norm),
                weight(r, name),
                inline(&detail)
            ));
        }
        out.push_str("\n</details>\n\n");
    }
    out.push_str("#### Coverage-gap map\n\n");
    if r.coverage_gaps.is_empty() {
        out.push_str("Every production defect in the window has a passing test that names it.\n");
    } else {
        out.push_str("Production defects no passing test names, and the test each calls for.\n\n| defect | severity | area | the test it calls for | where |\n|---|---|---|---|---|\n");
        for g in &r.coverage_gaps {
            let key = match &g.url {
                Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                    format!("[{}]({})", inline(&g.key), url.replace(['(', ')', ' '], ""))
                }
                _ => inline(&g.key),
            };
            out.push_str(&format!(
                "| {key} {} | {} | {} | `{}` | {} |\n",
                inline(&truncate(&g.title, 80)),
                inline(&g.severity),
                if g.areas.is_empty() {
                    "none".to_owned()
                } else {
                    inline(&g.areas.join(", "))
                },
                one_line(&g.suggested_test).replace(['`', '|'], ""),
                inline(g.test_location.as_deref().unwrap_or("–"))
            ));
        }
    }
    if !r.untested_areas.is_empty() {
        out.push_str("\n#### Areas with no test that ran\n\n");
        for u in &r.untested_areas {
            out.push_str(&format!(
                "- **{}**: {}\n",
                inline(&u.name),
                inline(&u.reason)
            ));
        }
    }
    let missing: Vec<String> = r
        .evidence
        .iter()
        .filter(|n| n.state != "loaded")
        .map(|n| {
            format!(
                "- {} {}: {}",
                inline(&n.source),
                n.state,
                inline(&n.message)
            )
        })
        .collect();
    if !missing.is_empty() {
        out.push_str(
            "\n#### Evidence not read\n\nThe factors it feeds are scored at their worst.\n\n",
        );
        out.push_str(&missing.join("\n"));
        out.push('\n');
    }
    out
}

/// `shipgate risk --format json`.
pub fn render_risk_json(r: &RiskReport) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(r).map_err(|source| ReportError::Json {
        what: "risk report",
        source,
    })?;
    text.push('\n');
    Ok(text)
}

/// How `shipgate risk plan --format text` writes each test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanIds {
    /// `classname.name`, as JUnit names it (and critical-path patterns match).
    Qualified,
    /// pytest node ids (`tests/test_auth.py::TestLogin::test_login`), for `pytest @plan.txt`.
    Pytest,
    /// Maven Surefire `Class#method`, for `-Dtest=`.
    Surefire,
}

/// A pytest node id from pytest's JUnit `classname` and `name`: the module is the last dotted
/// part named as pytest's default discovery names test files (`test_*` or `*_test`), the parts
/// after it are classes. `None` when no part is.
pub fn pytest_node_id(id: &str) -> Option<String> {
    // The name may hold dots in its parameters (`test_round[1.5]`): split before the bracket.
    let (head, params) = match id.find('[') {
        Some(i) => id.split_at(i),
        None => (id, ""),
    };
    let parts: Vec<&str> = head.split('.').collect();
    let (name, classname) = parts.split_last()?;
    let module = classname
        .iter()
        .rposition(|p| p.starts_with("test_") || p.ends_with("_test"))?;
    let mut node = format!("{}.py", classname[..=module].join("/"));
    for class in &classname[module + 1..] {
        node.push_str("::");
        node.push_str(class);
    }
    node.push_str("::");
    node.push_str(name);
    node.push_str(params);
    Some(node)
}

/// A Surefire selector: `Class#method`, the method without its parameters.
pub fn surefire_selector(id: &str) -> Option<String> {
    let cut = id.find(['(', '[']).unwrap_or(id.len());
    let (class, method) = id[..cut].rsplit_once('.')?;
    Some(format!("{class}#{method}"))
}

/// The plan as one test a line, critical ones first; `None` for each id that could not be
/// written in the form asked for (the caller says so), which is then written as JUnit names it.
pub fn render_plan_text(plan: &Plan, ids: PlanIds) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut unconverted = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for t in &plan.tests {
        let id = one_line(&t.id);
        let line = match ids {
            PlanIds::Qualified => Some(id.clone()),
            PlanIds::Pytest => pytest_node_id(&id),
            PlanIds::Surefire => surefire_selector(&id),
        };
        let line = line.unwrap_or_else(|| {
            unconverted.push(id.clone());
            id
        });
        // Parameterised cases collapse to one selector in some forms: each once.
        if seen.insert(line.clone()) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    (out, unconverted)
}

/// `shipgate risk plan --format json`.
pub fn render_plan_json(plan: &Plan) -> Result<String, ReportError> {
    let value = serde_json::json!({
        "schema_version": shipgate_risk::report::SCHEMA_VERSION,
        "budget_seconds": plan.budget_seconds,
        "planned_seconds": plan.planned_seconds,
        "critical_seconds": plan.critical_seconds,
        "over_budget": plan.over_budget,
        "tests": plan.tests,
        "dropped": plan.dropped,
    });
    let mut text = serde_json::to_string_pretty(&value).map_err(|source| ReportError::Json {
        what: "test plan",
        source,
    })?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pytest_node_ids_follow_the_default_discovery() {
        assert_eq!(
            pytest_node_id("tests.test_auth.TestLogin.test_login").as_deref(),
            Some("tests/test_auth.py::TestLogin::test_login")
        );
        assert_eq!(
            pytest_node_id("tests.test_ledger.TestMoney.test_split[1.5-3]").as_deref(),
            Some("tests/test_ledger.py::TestMoney::test_split[1.5-3]")
        );
        assert_eq!(
            pytest_node_id("pkg.money_test.test_x").as_deref(),
            Some("pkg/money_test.py::test_x")
        );
        assert_eq!(pytest_node_id("com.acme.PayTest.charges"), None);
    }

    #[test]
    fn surefire_selectors_drop_parameters() {
        assert_eq!(
            surefire_selector("com.acme.PayTest.charges(int)[1]").as_deref(),
            Some("com.acme.PayTest#charges")
        );
        assert_eq!(surefire_selector("NoClass"), None);
    }

    #[test]
    fn mermaid_labels_cannot_break_the_diagram() {
        assert_eq!(mermaid_label("pay: [1, 1]\n%%{init}%%"), "pay 1 1 init");
        assert_eq!(mermaid_label("---"), "area");
        assert_eq!(mermaid_label("::"), "area");
        assert_eq!(mermaid_label("title"), "area title");
        assert_eq!(mermaid_label("quadrant-1 x"), "area quadrant-1 x");
    }
}
