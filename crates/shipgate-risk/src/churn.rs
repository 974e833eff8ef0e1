//! Change frequency (churn) from the repository's history, as the git command line writes it.
//!
//! The evaluator runs git (see `docs/decisions/0020-churn-from-the-git-command-line.md` for why
//! the command line and not a library) and hands the bytes here:
//!
//! - [`LOG_ARGS`]: `git log -z --numstat --no-renames --format=%x1e%H%x1f%ct`, so that each
//!   commit starts with a record separator (0x1e), its id and committer time are split by a unit
//!   separator (0x1f), and every changed file is `added<TAB>deleted<TAB>path` ended by a NUL. No
//!   path is quoted or escaped in this form, whatever characters it holds. A binary file has `-`
//!   for its line counts; a merge lists no files (its changes are its parents').
//! - `git ls-files -z`: the tracked files, NUL-separated.
//!
//! Paths are turned into the policy folder's form by the caller's `map` ([`crate::paths`]).
//! Commits outside `[since, until]` are dropped here as well as by git's `--since`/`--until`, so
//! that a commit with a skewed clock cannot stretch the window.

use crate::RiskError;
use jiff::Timestamp;
use shipgate_model::{ChurnCommit, FileChange};

/// The arguments after `git log` whose output [`read_log`] reads.
pub const LOG_ARGS: [&str; 4] = ["-z", "--numstat", "--no-renames", "--format=%x1e%H%x1f%ct"];

/// The commits in `[since, until]` of a `git log` run with [`LOG_ARGS`], newest first as git
/// lists them, with each path passed through `map`.
pub fn read_log(
    bytes: &[u8],
    since: Timestamp,
    until: Timestamp,
    map: &dyn Fn(&str) -> String,
) -> Result<Vec<ChurnCommit>, RiskError> {
    let fail = |reason: String| RiskError::GitLog { reason };
    let mut records = bytes.split(|b| *b == 0x1e);
    match records.next() {
        Some(before) if before.iter().all(u8::is_ascii_whitespace) => {}
        _ => {
            return Err(fail(
                "the output does not start with a commit in the form asked for".to_owned(),
            ));
        }
    }
    let mut commits = Vec::new();
    for (n, record) in records.enumerate() {
        let mut fields = record.split(|b| *b == 0);
        let header = fields.next().unwrap_or_default();
        let header = String::from_utf8_lossy(header);
        let (id, time) = header
            .split_once('\x1f')
            .ok_or_else(|| fail(format!("commit {} has no committer time", n + 1)))?;
        let id = id.trim();
        if id.len() < 7 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(fail(format!("commit {} has the id `{id}`", n + 1)));
        }
        let seconds: i64 = time
            .trim()
            .parse()
            .map_err(|_| fail(format!("commit `{id}` has the time `{}`", time.trim())))?;
        let time = Timestamp::from_second(seconds)
            .map_err(|_| fail(format!("commit `{id}` has the time `{seconds}`")))?;
        let mut files = Vec::new();
        for entry in fields {
            let entry = entry.strip_prefix(b"\n").unwrap_or(entry);
            if entry.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let entry = String::from_utf8_lossy(entry);
            let mut parts = entry.splitn(3, '\t');
            let (Some(added), Some(deleted), Some(path)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(fail(format!(
                    "commit `{id}` lists `{entry}`, not `added<TAB>deleted<TAB>path`"
                )));
            };
            let count = |s: &str| -> Result<Option<u64>, RiskError> {
                match s {
                    "-" => Ok(None),
                    n => n.parse().map(Some).map_err(|_| {
                        fail(format!("commit `{id}` counts `{n}` lines for `{path}`"))
                    }),
                }
            };
            files.push(FileChange {
                path: map(path),
                added: count(added)?,
                deleted: count(deleted)?,
            });
        }
        if time >= since && time <= until {
            commits.push(ChurnCommit {
                id: id.to_owned(),
                time,
                files,
            });
        }
    }
    Ok(commits)
}

/// The paths of `git ls-files -z`, each passed through `map`.
pub fn read_ls_files(bytes: &[u8], map: &dyn Fn(&str) -> String) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| map(&String::from_utf8_lossy(p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    const LOG: &[u8] = b"\x1eeee380c4bce874b4fcee5e6cdb6384dd792c62\x1f1795491444\0\n10\t16\tcrates/a/src/x.rs\0-\t-\tdocs/logo.png\0\x1e8c2e57b6b9b08baba76aaaaaaaaaaaaaaaaaaaaa\x1f1795400000\0\x1e7dc49f3671665001edc14ec35ebc3e82482654db\x1f1700000000\0\n1\t0\tcrates/a/src/y.rs\0";

    #[test]
    fn commits_their_files_and_line_counts_are_read() {
        let id = |p: &str| format!("../{p}");
        let c = read_log(LOG, ts(1_790_000_000), ts(1_796_000_000), &id).unwrap();
        assert_eq!(c.len(), 2, "the commit before `since` is dropped");
        assert_eq!(c[0].files.len(), 2);
        assert_eq!(c[0].files[0].path, "../crates/a/src/x.rs");
        assert_eq!(
            (c[0].files[0].added, c[0].files[0].deleted),
            (Some(10), Some(16))
        );
        assert_eq!(c[0].files[1].added, None, "binary");
        assert!(c[1].files.is_empty(), "a merge lists no file");
        assert_eq!(c[0].time, ts(1_795_491_444));
    }

    #[test]
    fn paths_with_tabs_and_newlines_survive() {
        let log = b"\x1eabcdef0\x1f1795491444\0\n1\t2\tweird\tname\nx.py\0";
        let c = read_log(log, ts(0), ts(1_796_000_000), &|p| p.to_owned()).unwrap();
        assert_eq!(c[0].files[0].path, "weird\tname\nx.py");
    }

    #[test]
    fn output_in_another_form_is_refused() {
        let same = |p: &str| p.to_owned();
        for (bytes, says) in [
            (
                &b"commit abc\nAuthor: x"[..],
                "does not start with a commit",
            ),
            (b"\x1eabcdef0 1795491444\0", "no committer time"),
            (b"\x1exyz\x1f1795491444\0", "has the id `xyz`"),
            (b"\x1eabcdef0\x1fsoon\0", "has the time `soon`"),
            (
                b"\x1eabcdef0\x1f1\0\nfile.rs\0",
                "not `added<TAB>deleted<TAB>path`",
            ),
            (b"\x1eabcdef0\x1f1\0\nx\t1\tfile.rs\0", "counts `x` lines"),
        ] {
            let e = read_log(bytes, ts(0), ts(2), &same).unwrap_err();
            assert!(e.to_string().contains(says), "{e}");
        }
        assert!(read_log(b"", ts(0), ts(1), &same).unwrap().is_empty());
    }

    #[test]
    fn tracked_files_are_listed() {
        let files = read_ls_files(b"a.rs\0src/b c.rs\0", &|p| format!("x/{p}"));
        assert_eq!(files, ["x/a.rs", "x/src/b c.rs"]);
    }
}
