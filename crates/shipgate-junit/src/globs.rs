//! `sources.tests.junit` globs to files.

use crate::JunitError;
use glob::MatchOptions;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a list of globs matched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GlobMatches {
    /// Every file matched by any pattern, sorted and de-duplicated: relative to the base folder
    /// when under it, absolute otherwise. Pass them to [`crate::read_files`] with the same base.
    pub paths: Vec<PathBuf>,
    /// The patterns that matched no file, as written (missing evidence, not an error here).
    pub unmatched: Vec<String>,
}

/// Expands glob patterns relative to `base_dir` (absolute patterns are used as they are).
///
/// `*` matches within one folder, `**` across folders, `?` one character and `[...]` a set;
/// only files are returned. A pattern that is not valid glob syntax is an error naming it; a
/// folder that cannot be listed is an I/O error, never silently skipped.
pub fn expand_globs(base_dir: &Path, patterns: &[String]) -> Result<GlobMatches, JunitError> {
    let options = MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let base = base_dir.to_string_lossy();
    let mut found = BTreeSet::new();
    let mut unmatched = Vec::new();
    for pattern in patterns {
        let full = if Path::new(pattern).is_absolute() || base.is_empty() {
            pattern.clone()
        } else {
            let escaped = glob::Pattern::escape(&base);
            format!("{}/{pattern}", escaped.trim_end_matches('/'))
        };
        let entries = glob::glob_with(&full, options).map_err(|source| JunitError::Glob {
            pattern: pattern.clone(),
            source,
        })?;
        let mut matched = false;
        for entry in entries {
            let path = entry.map_err(|e| JunitError::Io {
                path: e.path().display().to_string(),
                source: e.into(),
            })?;
            if path.is_file() {
                matched = true;
                let shown = match path.strip_prefix(base_dir) {
                    Ok(relative) if !base.is_empty() => relative.to_path_buf(),
                    _ => path,
                };
                found.insert(shown);
            }
        }
        if !matched {
            unmatched.push(pattern.clone());
        }
    }
    Ok(GlobMatches {
        paths: found.into_iter().collect(),
        unmatched,
    })
}
