//! The `<property>` elements the gate reads: defect references (traceability) and the commit a
//! report was produced from (provenance). Every other property is skipped without a copy.

/// What a property means to the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PropertyRole {
    /// `defect`, `issue`, `jira` or `bug` (any case): its value names defect keys.
    Defect,
    /// `git.commit`, `git_commit`, `commit`, `GIT_COMMIT` or `vcs.revision`: the commit tested.
    Commit,
}

/// The role of a property by its `name` attribute, if the gate reads it.
pub(crate) fn role_of(name: &str) -> Option<PropertyRole> {
    const DEFECT: [&str; 4] = ["defect", "issue", "jira", "bug"];
    const COMMIT: [&str; 5] = [
        "git.commit",
        "git_commit",
        "commit",
        "GIT_COMMIT",
        "vcs.revision",
    ];
    let name = name.trim();
    if DEFECT.iter().any(|d| name.eq_ignore_ascii_case(d)) {
        Some(PropertyRole::Defect)
    } else if COMMIT.contains(&name) {
        Some(PropertyRole::Commit)
    } else {
        None
    }
}

/// Adds the defect keys of one property value to `refs`, skipping keys already there. A value
/// may name several keys separated by commas, semicolons or white space (`PAY-1, PAY-2`).
pub(crate) fn push_defect_keys(value: &str, refs: &mut Vec<String>) {
    for key in value.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
        if !key.is_empty() && !refs.iter().any(|r| r == key) {
            refs.push(key.to_owned());
        }
    }
}

/// A commit value worth keeping: trimmed, non-empty, on one line.
pub(crate) fn commit_value(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && !v.contains(['\n', '\r'])).then(|| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defect_names_are_case_insensitive() {
        for name in ["defect", "Issue", "JIRA", " bug "] {
            assert_eq!(role_of(name), Some(PropertyRole::Defect), "{name}");
        }
        assert_eq!(role_of("defects"), None);
        assert_eq!(role_of("bugfix"), None);
    }

    #[test]
    fn commit_names_are_exact() {
        for name in [
            "git.commit",
            "git_commit",
            "commit",
            "GIT_COMMIT",
            "vcs.revision",
        ] {
            assert_eq!(role_of(name), Some(PropertyRole::Commit), "{name}");
        }
        assert_eq!(role_of("Commit"), None);
        assert_eq!(role_of("git.branch"), None);
    }

    #[test]
    fn several_keys_in_one_value() {
        let mut refs = vec!["PAY-1".to_owned()];
        push_defect_keys(" PAY-1, PAY-2;PAY-3  OPS-9\n", &mut refs);
        assert_eq!(refs, ["PAY-1", "PAY-2", "PAY-3", "OPS-9"]);
        push_defect_keys("", &mut refs);
        assert_eq!(refs.len(), 4);
    }

    #[test]
    fn commit_values() {
        assert_eq!(commit_value(" 3f2a9c1 ").as_deref(), Some("3f2a9c1"));
        assert_eq!(commit_value("  "), None);
        assert_eq!(commit_value("a\nb"), None);
    }
}
