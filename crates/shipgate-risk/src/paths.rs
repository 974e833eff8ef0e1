//! One kind of path for every risk input: relative to the policy file's folder, `/`-separated,
//! with `.` and resolvable `..` taken out, and the file globs of risk areas matched against it.
//!
//! lizard writes the paths it was given (`./payments/auth.py`, `payments\auth.py` on Windows),
//! radon the same, git paths relative to the repository's top. Each reader turns its paths into
//! this form ([`join`], [`from_repository`]) so that one glob means the same file in every
//! report. The normalisation is lexical: it never asks the file system, so a path means the same
//! at replay on another machine.

use crate::RiskError;

/// `path` with `\` as `/`, without `.` components and with every `..` that follows a named
/// component resolved. A leading `/` (an absolute path) is kept; an empty path is `.`.
pub fn normalise(path: &str) -> String {
    let unified = path.replace('\\', "/");
    let absolute = unified.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(last) if *last != ".." => {
                    parts.pop();
                }
                // Above the root of an absolute path there is nothing: `/..` is `/`.
                _ if absolute => {}
                _ => parts.push(".."),
            },
            named => parts.push(named),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// A tool's relative `path` read from the folder `root` (itself relative to the policy's
/// folder), in the common form. An absolute `path` stays absolute.
pub fn join(root: &str, path: &str) -> String {
    let path = path.replace('\\', "/");
    if path.starts_with('/') {
        return normalise(&path);
    }
    normalise(&format!("{root}/{path}"))
}

/// An absolute `path` under `base` (the policy's folder, absolute), relative to it; `None`
/// when it is not under it.
pub fn under(base: &str, path: &str) -> Option<String> {
    let base = normalise(base);
    let path = normalise(path);
    let rest = path.strip_prefix(base.trim_end_matches('/'))?;
    if rest.is_empty() {
        return Some(".".to_owned());
    }
    rest.strip_prefix('/').map(normalise)
}

/// A path relative to the repository's top, relative to the policy's folder instead, where
/// `prefix` is that folder relative to the top (`git rev-parse --show-prefix`: `examples/risk/`,
/// empty at the top).
pub fn from_repository(prefix: &str, path: &str) -> String {
    let prefix = normalise(prefix);
    let path = normalise(path);
    let from: Vec<&str> = prefix.split('/').filter(|p| *p != ".").collect();
    let to: Vec<&str> = path.split('/').filter(|p| *p != ".").collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&to[common..]);
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// A glob over paths relative to the policy's folder: `*` and `?` within one folder, `**` across
/// folders (`../app/payments/**`, `src/**/*.rs`).
#[derive(Clone, Debug)]
pub struct FileGlob {
    text: String,
    pattern: glob::Pattern,
}

impl FileGlob {
    /// Compiles a glob, normalised like the paths it is matched against.
    pub fn new(text: &str) -> Result<Self, RiskError> {
        let fail = |reason: &str| RiskError::Glob {
            glob: text.to_owned(),
            reason: reason.to_owned(),
        };
        if text.trim().is_empty() {
            return Err(fail("it is empty"));
        }
        let normal = normalise(text.trim());
        let pattern = glob::Pattern::new(&normal).map_err(|e| fail(e.msg))?;
        Ok(Self {
            text: text.to_owned(),
            pattern,
        })
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `path` (in the common form) matches.
    pub fn matches(&self, path: &str) -> bool {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        self.pattern.matches_with(path, options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_lexically() {
        assert_eq!(normalise("./payments/auth.py"), "payments/auth.py");
        assert_eq!(normalise("payments\\auth.py"), "payments/auth.py");
        assert_eq!(normalise("a/b/../c"), "a/c");
        assert_eq!(normalise("../app//x.py"), "../app/x.py");
        assert_eq!(normalise("../../a/../b"), "../../b");
        assert_eq!(normalise("/srv/a/../b"), "/srv/b");
        assert_eq!(normalise("/.."), "/");
        assert_eq!(normalise(""), ".");
        assert_eq!(normalise("."), ".");
    }

    #[test]
    fn tool_paths_are_read_from_their_root() {
        assert_eq!(
            join("../app", "payments/auth.py"),
            "../app/payments/auth.py"
        );
        assert_eq!(
            join("../app", "./payments\\auth.py"),
            "../app/payments/auth.py"
        );
        assert_eq!(join(".", "src/lib.rs"), "src/lib.rs");
        assert_eq!(join("../app", "/abs/x.py"), "/abs/x.py");
    }

    #[test]
    fn absolute_paths_under_the_policy_folder_become_relative() {
        assert_eq!(
            under("/repo/ex", "/repo/ex/a/b.py").as_deref(),
            Some("a/b.py")
        );
        assert_eq!(under("/repo/ex/", "/repo/ex").as_deref(), Some("."));
        assert_eq!(under("/repo/ex", "/repo/exx/a.py"), None);
        assert_eq!(under("/repo/ex", "/other/a.py"), None);
    }

    #[test]
    fn repository_paths_are_made_relative_to_the_policy_folder() {
        assert_eq!(
            from_repository("examples/risk/", "examples/app/payments/auth.py"),
            "../app/payments/auth.py"
        );
        assert_eq!(from_repository("", "src/main.rs"), "src/main.rs");
        assert_eq!(
            from_repository(".ci/", "crates/a/src/lib.rs"),
            "../crates/a/src/lib.rs"
        );
        assert_eq!(
            from_repository("examples/risk", "examples/risk/x.yaml"),
            "x.yaml"
        );
    }

    #[test]
    fn globs_keep_star_within_a_folder_and_double_star_across() {
        let g = FileGlob::new("../app/payments/*.py").unwrap();
        assert!(g.matches("../app/payments/auth.py"));
        assert!(!g.matches("../app/payments/sub/auth.py"));
        let g = FileGlob::new("./src/**").unwrap();
        assert!(g.matches("src/a/b/c.rs"));
        assert!(!g.matches("srcx/a.rs"));
        let g = FileGlob::new("crates/**/*.rs").unwrap();
        assert!(g.matches("crates/x/src/lib.rs"));
        assert!(!g.matches("crates/x/Cargo.toml"));
        assert!(FileGlob::new(" ").is_err());
        let e = FileGlob::new("src/***").unwrap_err();
        assert!(
            e.to_string()
                .contains("`src/***` is not a usable file glob"),
            "{e}"
        );
    }
}
