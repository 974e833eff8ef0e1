//! `shipgate inspect defects` (the normalised defects as the gate sees them) and `shipgate
//! leakage` (the leakage baseline and trend) as text for people: a terminal table, and Markdown
//! for a wiki page. Their JSON is the model's own serialisation.

use crate::ansi::{Paint, Tone};
use crate::markdown::inline;
use crate::measure::grouped;
use crate::text::{one_line, pad, pad_left, truncate};
use crate::{RenderOptions, ReportError};
use shipgate_model::{DefectEvidence, DefectStatus, LeakageReport, LeakageRow, Origin, Severity};
use std::collections::BTreeMap;

/// Widest title shown in the defect table.
const TITLE: usize = 60;

fn percent(rate: Option<f64>) -> String {
    match rate {
        None => "–".to_owned(),
        Some(r) => {
            let s = format!("{:.1}", r * 100.0);
            format!("{}%", s.strip_suffix(".0").unwrap_or(&s))
        }
    }
}

/// The defects table of `shipgate inspect defects`.
pub fn render_defect_inspection_human(
    evidence: &DefectEvidence,
    options: &RenderOptions,
) -> String {
    let paint = Paint {
        enabled: options.color,
    };
    let d = &evidence.defects;
    let count =
        |f: &dyn Fn(&shipgate_model::Defect) -> bool| d.iter().filter(|x| f(x)).count() as u64;
    let mut out = String::new();
    out.push_str(&format!(
        "{} from {} `{}`\n",
        paint.paint(
            Tone::Strong,
            &format!("{} defects", grouped(d.len() as u64))
        ),
        evidence.source,
        one_line(&evidence.location),
    ));
    out.push_str(&format!(
        "open {}, closed {}; production {}, pre-production {}, origin unknown {}; severity unknown {}\n\n",
        grouped(count(&|x| x.status == DefectStatus::Open)),
        grouped(count(&|x| x.status == DefectStatus::Closed)),
        grouped(count(&|x| x.origin == Origin::Production)),
        grouped(count(&|x| x.origin == Origin::PreProduction)),
        grouped(count(&|x| x.origin == Origin::Unknown)),
        grouped(count(&|x| x.severity == Severity::Unknown)),
    ));
    let key_w = d
        .iter()
        .map(|x| one_line(&x.key).chars().count())
        .max()
        .unwrap_or(3)
        .max(3);
    out.push_str(&paint.paint(
        Tone::Faint,
        &format!(
            "{}  {}  {}  {}  {}  title\n",
            pad("key", key_w),
            pad("severity", 8),
            pad("origin", 14),
            pad("status", 6),
            pad("created", 10)
        ),
    ));
    for x in d {
        let created = x.created.to_string();
        out.push_str(&format!(
            "{}  {}  {}  {}  {}  {}\n",
            pad(&one_line(&x.key), key_w),
            pad(x.severity.as_str(), 8),
            pad(x.origin.as_str(), 14),
            pad(x.status.as_str(), 6),
            created.get(..10).unwrap_or(&created),
            truncate(&one_line(&x.title), TITLE)
        ));
    }
    let unmapped = |pick: &dyn Fn(&shipgate_model::Defect) -> Option<&Vec<String>>| {
        let mut values: BTreeMap<String, u64> = BTreeMap::new();
        for x in d {
            for v in pick(x).into_iter().flatten() {
                *values.entry(one_line(v)).or_default() += 1;
            }
        }
        values
    };
    for (what, values) in [
        (
            "severity",
            unmapped(&|x| (x.severity == Severity::Unknown).then_some(&x.severity_raw)),
        ),
        (
            "origin",
            unmapped(&|x| (x.origin == Origin::Unknown).then_some(&x.origin_raw)),
        ),
    ] {
        if !values.is_empty() {
            let list: Vec<String> = values.iter().map(|(v, n)| format!("`{v}` ({n})")).collect();
            out.push_str(&format!(
                "\n{} {what} values not in the policy's map: {}\n",
                paint.paint(Tone::Caution, "!"),
                list.join(", ")
            ));
        }
    }
    out
}

fn heading(r: &LeakageReport) -> String {
    let from = r.from.to_string();
    let to = r.to.to_string();
    format!(
        "Defect leakage over {} days ({} to {}), by {}",
        r.window_days,
        from.get(..10).unwrap_or(&from),
        to.get(..10).unwrap_or(&to),
        r.by
    )
}

fn rows(r: &LeakageReport) -> impl Iterator<Item = &LeakageRow> {
    r.rows.iter().chain(std::iter::once(&r.total))
}

/// `shipgate leakage` as a terminal table.
pub fn render_leakage_human(r: &LeakageReport, options: &RenderOptions) -> String {
    let paint = Paint {
        enabled: options.color,
    };
    let group_w = rows(r)
        .map(|x| one_line(&x.group).chars().count())
        .max()
        .unwrap_or(5)
        .max(r.by.len());
    let mut out = format!(
        "{}\n{} `{}`\n\n",
        paint.paint(Tone::Strong, &heading(r)),
        r.source,
        one_line(&r.location)
    );
    out.push_str(&paint.paint(
        Tone::Faint,
        &format!(
            "{}  {}  {}  {}  {}\n",
            pad(&r.by, group_w),
            pad_left("production", 10),
            pad_left("pre-production", 14),
            pad_left("unclassified", 12),
            pad_left("leakage", 7)
        ),
    ));
    for (i, x) in rows(r).enumerate() {
        let line = format!(
            "{}  {}  {}  {}  {}",
            pad(&one_line(&x.group), group_w),
            pad_left(&grouped(x.production), 10),
            pad_left(&grouped(x.pre_production), 14),
            pad_left(&grouped(x.unclassified), 12),
            pad_left(&percent(x.rate), 7)
        );
        if i == r.rows.len() {
            out.push_str(&paint.paint(Tone::Strong, &line));
        } else {
            out.push_str(&line);
        }
        out.push('\n');
    }
    out.push_str(
        "\nleakage = production ÷ (production + pre-production); unclassified defects (origin unknown) are not in the rate.\n",
    );
    out
}

/// `shipgate leakage --format markdown`: a table fit for a wiki page.
pub fn render_leakage_markdown(r: &LeakageReport) -> String {
    let mut out = format!(
        "### {}\n\nSource: {} `{}`\n\n| {} | production | pre-production | unclassified | leakage |\n|---|---:|---:|---:|---:|\n",
        inline(&heading(r)),
        inline(&r.source),
        one_line(&r.location).replace('`', "'"),
        inline(&r.by)
    );
    for (i, x) in rows(r).enumerate() {
        let group = if i == r.rows.len() {
            "**total**".to_owned()
        } else {
            inline(&x.group)
        };
        out.push_str(&format!(
            "| {group} | {} | {} | {} | {} |\n",
            x.production,
            x.pre_production,
            x.unclassified,
            percent(x.rate)
        ));
    }
    out.push_str(
        "\nLeakage = production ÷ (production + pre-production). Defects of unknown origin are not in the rate.\n",
    );
    out
}

/// `shipgate leakage --format json`.
pub fn render_leakage_json(r: &LeakageReport) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(r).map_err(|source| ReportError::Json {
        what: "leakage report",
        source,
    })?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::Defect;

    fn report() -> LeakageReport {
        let row = |g: &str, p, q, u| {
            let mut r = LeakageRow {
                group: g.into(),
                production: p,
                pre_production: q,
                unclassified: u,
                rate: None,
            };
            r.finish();
            r
        };
        LeakageReport {
            source: "file".into(),
            location: "defects.csv".into(),
            window_days: 90,
            from: "2026-08-26T10:00:00Z".parse().unwrap(),
            to: "2026-11-24T10:00:00Z".parse().unwrap(),
            by: "month".into(),
            total: row("total", 2, 6, 1),
            rows: vec![
                row("2026-10", 1, 1, 0),
                row("2026-11|<b>", 1, 5, 1),
                row("2026-09", 0, 0, 0),
            ],
        }
    }

    #[test]
    fn the_leakage_table_shows_rates_and_the_total() {
        let text = render_leakage_human(&report(), &RenderOptions { color: false });
        assert!(
            text.contains("Defect leakage over 90 days (2026-08-26 to 2026-11-24), by month"),
            "{text}"
        );
        assert!(text.contains("50%"), "{text}");
        assert!(text.contains("16.7%"), "{text}");
        assert!(text.contains("25%"), "{text}");
        assert!(text.contains("–"), "an empty month has no rate: {text}");
    }

    #[test]
    fn the_markdown_table_escapes_group_names() {
        let md = render_leakage_markdown(&report());
        assert!(md.contains("| **total** | 2 | 6 | 1 | 25% |"), "{md}");
        assert!(!md.contains("<b>"), "{md}");
        assert!(
            md.contains("2026-11\\|") || md.contains("2026-11&#124;"),
            "{md}"
        );
    }

    #[test]
    fn the_defect_table_lists_unmapped_values() {
        let d = Defect {
            key: "PAY-1".into(),
            title: "Refund \u{1b}[31mtwice".into(),
            severity: Severity::Unknown,
            severity_raw: vec!["P5".into()],
            origin: Origin::Production,
            origin_raw: vec!["Production".into()],
            status: DefectStatus::Open,
            created: "2026-09-01T09:41:00Z".parse().unwrap(),
            resolved: None,
            components: vec![],
            labels: vec![],
            links: vec![],
            introduced_in: vec![],
            url: None,
        };
        let e = DefectEvidence::new("file", "d.csv", None, vec![d]);
        let text = render_defect_inspection_human(&e, &RenderOptions { color: false });
        assert!(
            text.contains("PAY-1  unknown   production      open    2026-09-01  Refund"),
            "{text}"
        );
        assert!(
            text.contains("severity values not in the policy's map: `P5` (1)"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'));
    }
}
