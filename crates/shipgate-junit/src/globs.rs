//! `sources.tests.junit` (and `history`) globs to files.
//!
//! The walk is our own, not the `glob` crate's: that one follows symlinked folders without
//! noticing loops, so two links back to a parent under a `**` never finish (the walk doubles
//! at each level). Here each component of a pattern is matched with `glob::Pattern` (the same
//! syntax and semantics as before), and below a `**` every folder is identified by device and
//! inode: a link back to a folder on the way down (a loop) is skipped and said so, a folder
//! reached again by another link is walked once, and the number of folders listed is bounded.
//!
//! What it must not do: lose a report silently. Skipping a loop loses nothing when only a file
//! name follows the `**` (`reports/**/*.xml`): every file under the loop's target is matched
//! through the target's own path. When folders follow it (`**/surefire-reports/*.xml`), a path
//! through the link could match where the target's own does not, so a loop is an error there.

use crate::JunitError;
use crate::identity::FileIdentity;
use glob::{MatchOptions, Pattern};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// How many folders one pattern may list below its `**` before the walk gives up: far more
/// than any repository's report folders, far fewer than a walk that is running away.
pub const MAX_FOLDERS: usize = 1_000_000;

const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

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
    /// Symlinks to a folder above them that the walk did not follow (each would have led round
    /// in a loop), with the folder they lead to; logged as warnings too.
    pub loops: Vec<SkippedLoop>,
}

/// A symlink the walk did not follow because it leads back to a folder above it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedLoop {
    /// The link, as found (relative to the base folder when under it).
    pub link: PathBuf,
    /// The folder it leads back to.
    pub target: PathBuf,
}

/// Expands glob patterns relative to `base_dir` (absolute patterns are used as they are).
///
/// `*` matches within one folder, `**` across folders, `?` one character and `[...]` a set;
/// only files are returned (a matched folder is skipped). A pattern that is not valid glob
/// syntax is an error naming it; a folder that cannot be listed, or a match that cannot be
/// looked at (a dangling symlink, no permission) or is neither a file nor a folder, is an I/O
/// error naming it, never silently skipped: the report it should have been may be the one that
/// fails. Symlinked folders are followed; a loop is skipped with a warning (see the module
/// documentation for when it is an error instead).
pub fn expand_globs(base_dir: &Path, patterns: &[String]) -> Result<GlobMatches, JunitError> {
    let base = base_dir.to_string_lossy();
    let mut found = BTreeMap::new();
    let mut unmatched = Vec::new();
    let mut loops = Vec::new();
    for pattern in patterns {
        let full = if Path::new(pattern).is_absolute() || base.is_empty() {
            pattern.clone()
        } else {
            let escaped = Pattern::escape(&base);
            format!("{}/{pattern}", escaped.trim_end_matches('/'))
        };
        // The walk builds paths without `.` and empty components (`./reports/x.xml` is found as
        // `reports/x.xml`), so the pattern every file is matched against must not hold them
        // either: with the policy in the working folder (base `.`), nothing would match.
        let full = without_dot_components(&full);
        let compiled = Pattern::new(&full).map_err(|source| JunitError::Glob {
            pattern: pattern.clone(),
            source,
        })?;
        let mut walk = Walk {
            pattern,
            whole: &compiled,
            base_dir,
            files: Vec::new(),
            loops: Vec::new(),
        };
        walk.expand(&full)?;
        let mut matched = false;
        for (path, meta) in walk.files {
            let shown = shown(base_dir, &path);
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
        loops.extend(walk.loops);
    }
    for skipped in &loops {
        tracing::warn!(
            "did not follow the symlink `{}` (it leads back to `{}`, a folder above it, so the walk would go round in a loop); every file under `{}` was matched through its own path",
            skipped.link.display(),
            skipped.target.display(),
            skipped.target.display()
        );
    }
    let mut seen = HashSet::with_capacity(found.len());
    Ok(GlobMatches {
        paths: found
            .into_iter()
            .filter_map(|(shown, identity)| seen.insert(identity).then_some(shown))
            .collect(),
        unmatched,
        loops,
    })
}

/// `full` without `.` components and without empty ones (`a//b`), keeping the leading `/` of an
/// absolute pattern: the form of the paths the walk builds.
fn without_dot_components(full: &str) -> String {
    let absolute = full.starts_with('/');
    let kept: Vec<&str> = full
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let joined = kept.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The path as shown: relative to the base folder when under it.
fn shown(base_dir: &Path, path: &Path) -> PathBuf {
    match path.strip_prefix(base_dir) {
        Ok(relative) if !base_dir.as_os_str().is_empty() => relative.to_path_buf(),
        _ => path.to_path_buf(),
    }
}

fn io_error(shown: &Path, source: io::Error) -> JunitError {
    JunitError::Io {
        path: shown.to_string_lossy().into_owned(),
        source,
    }
}

/// One pattern's walk.
struct Walk<'a> {
    /// The pattern as the user wrote it (for errors).
    pattern: &'a str,
    /// The whole pattern (base folder included), which every file below a `**` must match.
    whole: &'a Pattern,
    base_dir: &'a Path,
    /// Matching files with their metadata (symlinks followed).
    files: Vec<(PathBuf, fs::Metadata)>,
    loops: Vec<SkippedLoop>,
}

impl Walk<'_> {
    fn expand(&mut self, full: &str) -> Result<(), JunitError> {
        let components: Vec<&str> = full.split('/').collect();
        let (start, rest) = match components.split_first() {
            // An absolute pattern: its first component is empty.
            Some((&"", rest)) => (PathBuf::from("/"), rest),
            _ => (PathBuf::new(), &components[..]),
        };
        self.components(start, rest)
    }

    /// Matches `components` below `dir`, one folder level each, until a `**`.
    fn components(&mut self, dir: PathBuf, components: &[&str]) -> Result<(), JunitError> {
        let Some((first, rest)) = components.split_first() else {
            return Ok(());
        };
        if *first == "**" {
            return self.descend(dir, rest.len());
        }
        if first.is_empty() || *first == "." {
            // `a//b` and `./a`: the same folder.
            return self.components(dir, rest);
        }
        if !first.contains(['*', '?', '[']) {
            // A literal component (an escaped special character holds `[`, and is matched below).
            let child = dir.join(first);
            return match (rest.is_empty(), fs::symlink_metadata(&child)) {
                (_, Err(e)) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                (true, _) => self.candidate(child),
                (false, _) if child.is_dir() => self.components(child, rest),
                (false, _) => Ok(()),
            };
        }
        let part = Pattern::new(first).map_err(|source| JunitError::Glob {
            pattern: self.pattern.to_owned(),
            source,
        })?;
        for (name, child) in self.list(&dir)? {
            if !part.matches_with(&name, OPTIONS) {
                continue;
            }
            if rest.is_empty() {
                self.candidate(child)?;
            } else if child.is_dir() {
                self.components(child, rest)?;
            }
        }
        Ok(())
    }

    /// Walks everything below `start` (a `**`), matching every file against the whole pattern.
    /// `after` is how many components follow the `**`.
    fn descend(&mut self, start: PathBuf, after: usize) -> Result<(), JunitError> {
        enum Step {
            Enter(PathBuf),
            Leave,
        }
        // Folders on the way down (a link to one of them is a loop), and every folder listed.
        let mut chain: Vec<(FileIdentity, PathBuf)> = Vec::new();
        let mut listed: HashSet<FileIdentity> = HashSet::new();
        let mut steps = vec![Step::Enter(start)];
        while let Some(step) = steps.pop() {
            let dir = match step {
                Step::Leave => {
                    chain.pop();
                    continue;
                }
                Step::Enter(dir) => dir,
            };
            let meta = fs::metadata(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                &dir
            })
            .map_err(|e| io_error(&shown(self.base_dir, &dir), e))?;
            let id = FileIdentity::of(&dir, &meta)
                .map_err(|e| io_error(&shown(self.base_dir, &dir), e))?;
            if let Some((_, target)) = chain.iter().find(|(on, _)| *on == id) {
                let skipped = SkippedLoop {
                    link: shown(self.base_dir, &dir),
                    target: shown(self.base_dir, target),
                };
                if after > 1 {
                    return Err(JunitError::GlobWalk {
                        pattern: self.pattern.to_owned(),
                        reason: format!(
                            "the symlink `{}` leads back to `{}`, a folder above it; the walk cannot follow it (a loop), and folders follow `**` in the pattern, so a report reachable only through the link could be lost",
                            skipped.link.display(),
                            skipped.target.display()
                        ),
                    });
                }
                self.loops.push(skipped);
                continue;
            }
            // A folder reached again through another link: with only a file name after the
            // `**`, its files matched already; with folders after it, the path matters, so it
            // is walked again (bounded below).
            if !listed.insert(id.clone()) && after <= 1 {
                continue;
            }
            if listed.len() > MAX_FOLDERS {
                return Err(JunitError::GlobWalk {
                    pattern: self.pattern.to_owned(),
                    reason: format!(
                        "the walk listed more than {MAX_FOLDERS} folders (symlinked folders reached by many paths, or a glob that starts too high)"
                    ),
                });
            }
            chain.push((id, dir.clone()));
            steps.push(Step::Leave);
            let children = self.list(&dir)?;
            let mut folders = Vec::new();
            for (_, child) in children {
                if child.is_dir() {
                    folders.push(child.clone());
                }
                if self.whole.matches_path_with(&child, OPTIONS) {
                    self.candidate(child)?;
                }
            }
            // Pushed in reverse, so that folders are walked in name order.
            steps.extend(folders.into_iter().rev().map(Step::Enter));
        }
        Ok(())
    }

    /// The entries of `dir`, sorted by name. A folder that cannot be listed is an error.
    fn list(&self, dir: &Path) -> Result<Vec<(String, PathBuf)>, JunitError> {
        let listing = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let entries = fs::read_dir(listing).map_err(|e| io_error(&shown(self.base_dir, dir), e))?;
        let mut children = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_error(&shown(self.base_dir, dir), e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            children.push((name, dir.join(entry.file_name())));
        }
        children.sort();
        Ok(children)
    }

    /// A path that matched: a file is kept; a folder is skipped; anything that cannot be looked
    /// at, or is neither, is an error naming it.
    fn candidate(&mut self, path: PathBuf) -> Result<(), JunitError> {
        let shown = shown(self.base_dir, &path);
        let meta = fs::metadata(&path).map_err(|e| io_error(&shown, e))?;
        if meta.is_dir() {
            return Ok(());
        }
        if !meta.is_file() {
            let e = io::Error::new(
                io::ErrorKind::InvalidInput,
                "it is neither a file nor a folder",
            );
            return Err(io_error(&shown, e));
        }
        self.files.push((path, meta));
        Ok(())
    }
}
