//! `sources.tests.junit` globs to files.

use crate::JunitError;
use crate::identity::FileIdentity;
use glob::MatchOptions;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What a list of globs matched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GlobMatches {
    /// Every file matched by any pattern, sorted and de-duplicated: relative to the base folder
    /// when under it, absolute otherwise. One file matched under several spellings (through a
    /// symlinked folder, `..`, a hard link) is listed once, under the first in this order. Pass
    /// them to [`crate::read_files`] with the same base.
    pub paths: Vec<PathBuf>,
    /// The patterns that matched no file, as written (missing evidence, not an error here).
    pub unmatched: Vec<String>,
}

/// Expands glob patterns relative to `base_dir` (absolute patterns are used as they are).
///
/// `*` matches within one folder, `**` across folders, `?` one character and `[...]` a set;
/// only files are returned (a matched folder is skipped). A pattern that is not valid glob
/// syntax is an error naming it; a folder that cannot be listed, or a match that cannot be
/// looked at (a dangling symlink, no permission) or is neither a file nor a folder, is an I/O
/// error naming it, never silently skipped: the report it should have been may be the one that
/// fails.
pub fn expand_globs(base_dir: &Path, patterns: &[String]) -> Result<GlobMatches, JunitError> {
    let options = MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let base = base_dir.to_string_lossy();
    let mut found = BTreeMap::new();
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
            let shown = match path.strip_prefix(base_dir) {
                Ok(relative) if !base.is_empty() => relative.to_path_buf(),
                _ => path.clone(),
            };
            let meta = fs::metadata(&path).map_err(|e| io_error(&shown, e))?;
            if meta.is_dir() {
                continue;
            }
            if !meta.is_file() {
                let e = io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "it is neither a file nor a folder",
                );
                return Err(io_error(&shown, e));
            }
            matched = true;
            if let Entry::Vacant(slot) = found.entry(shown) {
                let identity =
                    FileIdentity::of(&path, &meta).map_err(|e| io_error(slot.key(), e))?;
                slot.insert(identity);
            }
        }
        if !matched {
            unmatched.push(pattern.clone());
        }
    }
    let mut seen = HashSet::with_capacity(found.len());
    Ok(GlobMatches {
        paths: found
            .into_iter()
            .filter_map(|(shown, identity)| seen.insert(identity).then_some(shown))
            .collect(),
        unmatched,
    })
}

fn io_error(shown: &Path, source: io::Error) -> JunitError {
    JunitError::Io {
        path: shown.to_string_lossy().into_owned(),
        source,
    }
}
