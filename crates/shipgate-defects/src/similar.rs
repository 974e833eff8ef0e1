//! Did-you-mean for a field the tracker or the export does not have.

/// How close two names must be (Jaro-Winkler, as shipgate-yaml's did-you-mean) to be offered.
const CLOSE: f64 = 0.82;

/// Up to three of `candidates` that look like `given`, closest first: close in spelling, or
/// holding it (or held by it) as a whole, ignoring case, so that `Origin` finds
/// `Custom field (Defect origin)`. A Jira CSV header `Custom field (NAME)` is compared by NAME.
pub(crate) fn similar<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let norm = |s: &str| s.trim().to_lowercase().replace(['-', '_'], " ");
    let wanted = norm(given);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let name = norm(custom_field_name(candidate));
            let score = strsim::jaro_winkler(&wanted, &name);
            let holds = !name.is_empty() && (name.contains(&wanted) || wanted.contains(&name));
            (score >= CLOSE || holds).then_some((score, candidate))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out: Vec<String> = Vec::new();
    for (_, candidate) in scored {
        if out.len() == 3 {
            break;
        }
        if !out.iter().any(|o| o == candidate) {
            out.push(candidate.to_owned());
        }
    }
    out
}

/// `NAME` of a Jira CSV header `Custom field (NAME)`; any other name as it is.
fn custom_field_name(header: &str) -> &str {
    let h = header.trim();
    const PREFIX: &str = "custom field (";
    match h.get(..PREFIX.len()) {
        Some(p) if p.eq_ignore_ascii_case(PREFIX) => h[PREFIX.len()..].trim_end_matches(')'),
        _ => h,
    }
}

#[cfg(test)]
mod tests {
    use super::similar;

    #[test]
    fn typos_and_parts_of_names_are_offered_closest_first() {
        let headers = [
            "Summary",
            "Custom field (Defect origin)",
            "Custom field (Origin system)",
            "Priority",
            "Priority",
            "Sprint",
        ];
        assert_eq!(
            similar("Origin", headers),
            [
                "Custom field (Origin system)",
                "Custom field (Defect origin)"
            ]
        );
        assert_eq!(similar("Priorty", headers), ["Priority"]);
        assert_eq!(
            similar("defect-origin", headers)[0],
            "Custom field (Defect origin)"
        );
        assert!(similar("Colour", headers).is_empty());
        assert!(similar(" ", headers).is_empty());
    }
}
