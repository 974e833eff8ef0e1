//! `shipgate inspect defects` (the normalised defects as the gate sees them) and `shipgate
//! leakage` (the leakage baseline and trend) as text for people: a terminal table, and Markdown
//! for a wiki page. Their JSON is the model's own serialisation.

use crate::ansi::{Paint, Tone};
use crate::gate::markdown_inline as inline;
use crate::measure::grouped;
use crate::text::{one_line, pad, pad_left, truncate};
use crate::{RenderOptions, ReportError};
use shipgate_model::{DefectEvidence, DefectStatus, LeakageReport, LeakageRow, Origin, Severity};
use std::collections::BTreeMap;

/// Widest title shown in the defect table.
const TITLE: usize = 60;

/// Width of the status column: `open`, `closed`, or a closed issue left out of every count.
const STATUS: usize = 12;

/// The status shown for an issue closed as not a defect.
const NOT_A_DEFECT: &str = "not a defect";

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
        "open {}, closed {} (of which not defects {}); production {}, pre-production {}, origin unknown {}; severity unknown {}\n\n",
        grouped(count(&|x| x.status == DefectStatus::Open)),
        grouped(count(&|x| x.status == DefectStatus::Closed)),
        grouped(count(&|x| x.closed_as_not_a_defect().is_some())),
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
            pad("status", STATUS),
            pad("created", 10)
        ),
    ));
    for x in d {
        let created = x.created.to_string();
        let status = if x.closed_as_not_a_defect().is_some() {
            NOT_A_DEFECT
        } else {
            x.status.as_str()
        };
        out.push_str(&format!(
            "{}  {}  {}  {}  {}  {}\n",
            pad(&one_line(&x.key), key_w),
            pad(x.severity.as_str(), 8),
            pad(x.origin.as_str(), 14),
            pad(status, STATUS),
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
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    for n in d.iter().filter_map(|x| x.closed_as_not_a_defect()) {
        *reasons.entry(one_line(&n.reason())).or_default() += 1;
    }
    if !reasons.is_empty() {
        let list: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} ({n})")).collect();
        out.push_str(&format!(
            "\n{} closed as not defects, left out of every count: {}\n",
            paint.paint(Tone::Caution, "!"),
            list.join(", ")
        ));
    }
    let marked_open: Vec<String> = d
        .iter()
        .filter(|x| x.status == DefectStatus::Open)
        .filter_map(|x| {
            x.not_a_defect
                .as_ref()
                .map(|n| format!("{} ({})", one_line(&x.key), one_line(&n.reason())))
        })
        .collect();
    if !marked_open.is_empty() {
        out.push_str(&format!(
            "\n{} marked as not defects but open, so still counted: {}\n",
            paint.paint(Tone::Caution, "!"),
            marked_open.join(", ")
        ));
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
            "{}  {}  {}  {}  {}  {}\n",
            pad(&r.by, group_w),
            pad_left("production", 10),
            pad_left("pre-production", 14),
            pad_left("unclassified", 12),
            pad_left("not defects", 11),
            pad_left("leakage", 7)
        ),
    ));
    for (i, x) in rows(r).enumerate() {
        let line = format!(
            "{}  {}  {}  {}  {}  {}",
            pad(&one_line(&x.group), group_w),
            pad_left(&grouped(x.production), 10),
            pad_left(&grouped(x.pre_production), 14),
            pad_left(&grouped(x.unclassified), 12),
            pad_left(&grouped(x.not_defects), 11),
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
        "\nleakage = production ÷ (production + pre-production); unclassified defects (origin unknown) and issues closed as not defects are not in the rate.\n",
    );
    if let Some(reasons) = not_defect_reasons(r) {
        out.push_str(&format!("closed as not defects: {reasons}\n"));
    }
    out
}

/// `resolution: Duplicate (2), label: invalid (1)`, when any defect was left out.
fn not_defect_reasons(r: &LeakageReport) -> Option<String> {
    (!r.not_defects_by_reason.is_empty()).then(|| {
        r.not_defects_by_reason
            .iter()
            .map(|(reason, n)| format!("{} ({n})", one_line(reason)))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// `shipgate leakage --format markdown`: a table fit for a wiki page.
pub fn render_leakage_markdown(r: &LeakageReport) -> String {
    let mut out = format!(
        "### {}\n\nSource: {} `{}`\n\n| {} | production | pre-production | unclassified | not defects | leakage |\n|---|---:|---:|---:|---:|---:|\n",
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
            "| {group} | {} | {} | {} | {} | {} |\n",
            x.production,
            x.pre_production,
            x.unclassified,
            x.not_defects,
            percent(x.rate)
        ));
    }
    out.push_str(
        "\nLeakage = production ÷ (production + pre-production). Defects of unknown origin and issues closed as not defects are not in the rate.\n",
    );
    if let Some(reasons) = not_defect_reasons(r) {
        out.push_str(&format!("Closed as not defects: {}.\n", inline(&reasons)));
    }
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
                not_defects: 0,
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
            not_defects_by_reason: BTreeMap::new(),
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
        assert!(md.contains("| **total** | 2 | 6 | 1 | 0 | 25% |"), "{md}");
        assert!(!md.contains("<b>"), "{md}");
        assert!(
            md.contains("2026-11\\|") || md.contains("2026-11&#124;"),
            "{md}"
        );
    }

    #[test]
    fn the_leakage_tables_count_and_name_what_is_not_a_defect() {
        let mut r = report();
        r.total.not_defects = 3;
        r.not_defects_by_reason = [
            ("resolution: Duplicate".to_owned(), 2),
            ("label: in|valid".to_owned(), 1),
        ]
        .into_iter()
        .collect();
        let text = render_leakage_human(&r, &RenderOptions { color: false });
        let rows: Vec<String> = text
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        assert!(rows.contains(&"total 2 6 1 3 25%".to_owned()), "{text}");
        assert!(
            text.contains("closed as not defects: label: in|valid (1), resolution: Duplicate (2)"),
            "{text}"
        );
        let md = render_leakage_markdown(&r);
        assert!(md.contains("| **total** | 2 | 6 | 1 | 3 | 25% |"), "{md}");
        assert!(md.contains("label: in\\|valid (1)"), "{md}");
        let plain = render_leakage_human(&report(), &RenderOptions { color: false });
        assert!(!plain.contains("closed as not defects:"), "{plain}");
    }

    fn defect(key: &str, status: DefectStatus, mark: Option<&str>) -> Defect {
        Defect {
            key: key.into(),
            title: "t".into(),
            severity: Severity::High,
            severity_raw: vec![],
            origin: Origin::Production,
            origin_raw: vec![],
            status,
            created: "2026-09-01T09:41:00Z".parse().unwrap(),
            resolved: None,
            resolution: mark.map(str::to_owned),
            not_a_defect: mark.map(|m| shipgate_model::NotADefect {
                by: shipgate_model::NotADefectBy::Resolution,
                value: m.into(),
            }),
            components: vec![],
            labels: vec![],
            links: vec![],
            introduced_in: vec![],
            url: None,
        }
    }

    #[test]
    fn the_defect_table_shows_what_is_not_a_defect_and_what_still_counts() {
        let e = DefectEvidence::new(
            "jira",
            "https://acme.atlassian.net",
            None,
            vec![
                defect("PAY-1", DefectStatus::Closed, Some("Duplicate")),
                defect("PAY-2", DefectStatus::Open, Some("Duplicate")),
                defect("PAY-3", DefectStatus::Closed, Some("Not a Bug")),
                defect("PAY-4", DefectStatus::Closed, None),
            ],
        );
        let text = render_defect_inspection_human(&e, &RenderOptions { color: false });
        assert!(text.contains("closed 3 (of which not defects 2)"), "{text}");
        assert!(
            text.contains("PAY-1  high      production      not a defect  2026-09-01"),
            "{text}"
        );
        assert!(
            text.contains("PAY-2  high      production      open          2026-09-01"),
            "{text}"
        );
        assert!(
            text.contains("closed as not defects, left out of every count: resolution: Duplicate (1), resolution: Not a Bug (1)"),
            "{text}"
        );
        assert!(
            text.contains(
                "marked as not defects but open, so still counted: PAY-2 (resolution: Duplicate)"
            ),
            "{text}"
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
            resolution: None,
            not_a_defect: None,
            components: vec![],
            labels: vec![],
            links: vec![],
            introduced_in: vec![],
            url: None,
        };
        let e = DefectEvidence::new("file", "d.csv", None, vec![d]);
        let text = render_defect_inspection_human(&e, &RenderOptions { color: false });
        assert!(
            text.contains("PAY-1  unknown   production      open          2026-09-01  Refund"),
            "{text}"
        );
        assert!(
            text.contains("severity values not in the policy's map: `P5` (1)"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'));
    }
}
