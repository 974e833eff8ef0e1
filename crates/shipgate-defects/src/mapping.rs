//! One tracker issue, as each adapter reads it, and its normalisation through the policy's
//! severity and origin maps and its rule for issues that are not defects.

use jiff::Timestamp;
use shipgate_model::trackers::{NotDefectRule, OriginMap, SeverityMap};
use shipgate_model::{
    Defect, DefectLink, DefectStatus, NotADefect, NotADefectBy, Origin, Severity,
};

/// An issue as an adapter read it, before the maps are applied.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawDefect {
    pub key: String,
    pub title: String,
    pub closed: bool,
    pub created: Option<Timestamp>,
    pub resolved: Option<Timestamp>,
    /// How the tracker resolved it (Jira resolution, GitHub `state_reason`, GitLab
    /// `duplicate`/`moved`, Redmine closed status), when it says.
    pub resolution: Option<String>,
    pub components: Vec<String>,
    pub labels: Vec<String>,
    pub links: Vec<DefectLink>,
    pub url: Option<String>,
    /// The values of the severity field (or labels under its prefix).
    pub severity_values: Vec<String>,
    /// The values of the origin field (or labels under its prefix).
    pub origin_values: Vec<String>,
    /// The values of the `introduced_in` field.
    pub introduced_in: Vec<String>,
}

/// The maps an issue is normalised through.
#[derive(Clone, Copy)]
pub(crate) struct Maps<'a> {
    pub severity: Option<&'a SeverityMap>,
    pub origin: Option<&'a OriginMap>,
    pub not_defects: &'a NotDefectRule,
}

/// Applies the maps. Returns `None` when the issue has no creation date (it cannot be placed in
/// a window), and the caller reports that as a problem of the source.
pub(crate) fn normalise(raw: RawDefect, maps: Maps<'_>) -> Option<Defect> {
    let Maps {
        severity,
        origin,
        not_defects,
    } = maps;
    let created = raw.created?;
    Some(Defect {
        not_a_defect: not_a_defect(raw.resolution.as_deref(), &raw.labels, not_defects),
        resolution: raw.resolution,
        severity: severity.map_or(Severity::Unknown, |m| map_severity(&raw.severity_values, m)),
        severity_raw: raw.severity_values,
        origin: origin.map_or(Origin::Unknown, |m| map_origin(&raw.origin_values, m)),
        origin_raw: raw.origin_values,
        key: raw.key,
        title: raw.title,
        status: if raw.closed {
            DefectStatus::Closed
        } else {
            DefectStatus::Open
        },
        created,
        resolved: raw.resolved,
        components: raw.components,
        labels: raw.labels,
        links: raw.links,
        introduced_in: raw.introduced_in,
        url: raw.url,
    })
}

/// What marks an issue as not a defect under `rule`: its resolution, else the first of its labels
/// the rule names. The mark is kept on open issues too (reports show it); only a closed issue is
/// left out of the counts ([`Defect::closed_as_not_a_defect`]).
pub(crate) fn not_a_defect(
    resolution: Option<&str>,
    labels: &[String],
    rule: &NotDefectRule,
) -> Option<NotADefect> {
    let named = |values: &[String], v: &str| values.iter().any(|n| same(n, v));
    if let Some(r) = resolution.filter(|r| named(&rule.resolutions, r)) {
        return Some(NotADefect {
            by: NotADefectBy::Resolution,
            value: r.trim().to_owned(),
        });
    }
    labels
        .iter()
        .find(|l| named(&rule.labels, l))
        .map(|l| NotADefect {
            by: NotADefectBy::Label,
            value: l.trim().to_owned(),
        })
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The worst severity any value maps to: a defect labelled both `critical` and `low` counts as
/// critical, so that a labelling mistake can only make the gate stricter.
pub(crate) fn map_severity(values: &[String], map: &SeverityMap) -> Severity {
    values
        .iter()
        .filter_map(|v| {
            map.map
                .iter()
                .find(|(_, names)| names.iter().any(|n| same(n, v)))
                .map(|(s, _)| *s)
        })
        .min()
        .unwrap_or(Severity::Unknown)
}

/// Production if any value says production (an escape is never hidden by a second label), else
/// pre-production if any value says so, else unknown.
pub(crate) fn map_origin(values: &[String], map: &OriginMap) -> Origin {
    let any = |names: &[String]| values.iter().any(|v| names.iter().any(|n| same(n, v)));
    if any(&map.production) {
        Origin::Production
    } else if any(&map.pre_production) {
        Origin::PreProduction
    } else {
        Origin::Unknown
    }
}

/// The labels under a prefix, with the prefix removed (`origin::production` → `production`). An
/// empty prefix means the whole labels.
pub(crate) fn labels_under(labels: &[String], prefix: &str) -> Vec<String> {
    if prefix.is_empty() {
        return labels.to_vec();
    }
    labels
        .iter()
        .filter_map(|l| {
            let (head, tail) = l.split_at_checked(prefix.len())?;
            head.eq_ignore_ascii_case(prefix)
                .then(|| tail.trim().to_owned())
        })
        .filter(|v| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sev() -> SeverityMap {
        SeverityMap {
            field: "priority".into(),
            map: vec![
                (Severity::Critical, vec!["Highest".into(), "Blocker".into()]),
                (Severity::Low, vec!["Low".into()]),
            ],
        }
    }

    fn origin() -> OriginMap {
        OriginMap {
            field: "Defect origin".into(),
            production: vec!["Production".into()],
            pre_production: vec!["QA".into(), "Staging".into()],
        }
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn the_worst_mapped_severity_wins_and_case_is_ignored() {
        assert_eq!(
            map_severity(&s(&["low", " BLOCKER "]), &sev()),
            Severity::Critical
        );
        assert_eq!(map_severity(&s(&["Low"]), &sev()), Severity::Low);
        assert_eq!(map_severity(&s(&["P5"]), &sev()), Severity::Unknown);
        assert_eq!(map_severity(&[], &sev()), Severity::Unknown);
    }

    #[test]
    fn production_wins_over_pre_production() {
        assert_eq!(
            map_origin(&s(&["staging", "Production"]), &origin()),
            Origin::Production
        );
        assert_eq!(map_origin(&s(&["qa"]), &origin()), Origin::PreProduction);
        assert_eq!(map_origin(&s(&["Customer"]), &origin()), Origin::Unknown);
    }

    #[test]
    fn labels_are_read_under_their_prefix() {
        let labels = s(&[
            "origin::production",
            "Origin::QA",
            "bug",
            "origin::",
            "severity::high",
        ]);
        assert_eq!(labels_under(&labels, "origin::"), s(&["production", "QA"]));
        assert_eq!(labels_under(&labels, ""), labels);
        assert_eq!(labels_under(&s(&["é"]), "ab"), Vec::<String>::new());
    }

    #[test]
    fn a_defect_without_a_creation_date_is_refused() {
        let raw = RawDefect {
            key: "PAY-1".into(),
            ..RawDefect::default()
        };
        let rule = NotDefectRule::default();
        let maps = Maps {
            severity: Some(&sev()),
            origin: Some(&origin()),
            not_defects: &rule,
        };
        assert!(normalise(raw, maps).is_none());
    }

    #[test]
    fn a_named_resolution_or_label_marks_an_issue_as_not_a_defect() {
        let rule = NotDefectRule {
            resolutions: s(&["Duplicate", "Not a Bug"]),
            labels: s(&["invalid"]),
        };
        let mark = not_a_defect(Some(" duplicate "), &s(&["invalid"]), &rule).unwrap();
        assert_eq!(
            (mark.by, mark.reason()),
            (NotADefectBy::Resolution, "resolution: duplicate".to_owned()),
            "the resolution is named first, as written"
        );
        let mark = not_a_defect(Some("Fixed"), &s(&["ui", "Invalid"]), &rule).unwrap();
        assert_eq!(mark.reason(), "label: Invalid");
        assert_eq!(not_a_defect(Some("Won't Fix"), &s(&["ui"]), &rule), None);
        assert_eq!(not_a_defect(None, &[], &rule), None);
        assert_eq!(
            not_a_defect(Some("Duplicate"), &[], &NotDefectRule::default()),
            None,
            "an empty rule marks nothing"
        );
    }

    #[test]
    fn a_marked_issue_is_left_out_only_when_closed() {
        let rule = NotDefectRule {
            resolutions: s(&["Duplicate"]),
            labels: vec![],
        };
        let raw = |closed| RawDefect {
            key: "PAY-1".into(),
            closed,
            created: Some("2026-10-01T00:00:00Z".parse().unwrap()),
            resolution: Some("Duplicate".into()),
            ..RawDefect::default()
        };
        let maps = Maps {
            severity: None,
            origin: None,
            not_defects: &rule,
        };
        let closed = normalise(raw(true), maps).unwrap();
        assert_eq!(
            closed.closed_as_not_a_defect().map(NotADefect::reason),
            Some("resolution: Duplicate".to_owned())
        );
        let open = normalise(raw(false), maps).unwrap();
        assert!(open.not_a_defect.is_some(), "the mark is kept");
        assert_eq!(
            open.closed_as_not_a_defect(),
            None,
            "but an open issue counts"
        );
        assert_eq!(open.resolution.as_deref(), Some("Duplicate"));
    }
}
