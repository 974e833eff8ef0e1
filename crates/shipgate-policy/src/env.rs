//! `${VAR}` and `${VAR:-default}` in string values, expanded from the environment the caller
//! passes in (the policy engine never reads the process environment itself).

use shipgate_yaml::{Node, NodeValue, Problem};

/// Looks a variable up; `None` when it is unset.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What expanding the tree found.
pub(crate) struct Expansion {
    /// Values that could not be expanded (an unset or empty variable), with their lines.
    pub problems: Vec<Problem>,
    /// The values that expanded to nothing (`${VAR:-}` with `VAR` unset or empty), by path,
    /// with their text as written.
    emptied: Vec<(String, String)>,
}

impl Expansion {
    /// Adds to a problem about a value that expanded to nothing the reference it came from,
    /// so that `min_pass_rate: ${RATE:-}` is reported with `RATE`.
    pub(crate) fn explain_emptied(&self, mut problem: Problem) -> Problem {
        if let Some((_, written)) = self.emptied.iter().find(|(p, _)| *p == problem.path) {
            problem.message = format!(
                "`{written}` expanded to nothing: {}; set the variable, or give the reference a default (`${{NAME:-value}}`)",
                problem.message
            );
        }
        problem
    }
}

/// Expands every value in the tree. A value that expands to nothing becomes empty (`null`):
/// only the keys that give an empty value a meaning accept it (`commit: ${GITHUB_SHA:-}` outside
/// a pipeline means "no commit"); everywhere else the reader refuses it.
pub(crate) fn expand_tree(root: &mut Node, env: EnvLookup<'_>) -> Expansion {
    let mut problems = Vec::new();
    let mut emptied = Vec::new();
    root.for_each_value_mut(&mut |node| {
        let NodeValue::Scalar(text, style) = &node.value else {
            return;
        };
        if !text.contains('$') {
            return;
        }
        match expand(text, env) {
            Ok(expanded) if expanded.trim().is_empty() => {
                emptied.push((node.path.clone(), text.clone()));
                node.value = NodeValue::Null;
            }
            Ok(expanded) => node.value = NodeValue::Scalar(expanded, *style),
            Err(message) => problems.push(Problem::new(node.mark, node.path.clone(), message)),
        }
    });
    Expansion { problems, emptied }
}

/// Expands one string. `$${` is a literal `${`; a `$` not followed by `{` is left alone.
pub(crate) fn expand(text: &str, env: EnvLookup<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut unset = Vec::new();
    let mut empty = Vec::new();
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix("${") {
            out.push_str("${");
            rest = tail;
            continue;
        }
        let Some(body_and_tail) = after.strip_prefix('{') else {
            out.push('$');
            rest = after;
            continue;
        };
        let Some(close) = body_and_tail.find('}') else {
            return Err(format!(
                "unterminated `${{` in `{text}`; write `${{NAME}}` or `${{NAME:-default}}` (or `$${{` for a literal `${{`)"
            ));
        };
        let body = &body_and_tail[..close];
        rest = &body_and_tail[close + 1..];
        let (name, default) = match body.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (body, None),
        };
        if !is_var_name(name) {
            return Err(format!(
                "`${{{body}}}` is not a variable reference; names are letters, digits and `_`, e.g. `${{RELEASE_VERSION}}`"
            ));
        }
        match (env(name), default) {
            (Some(value), _) if !value.is_empty() => out.push_str(&value),
            (_, Some(default)) => out.push_str(default),
            // `${VAR}` needs a value: an empty one is as unknown as an unset one. Only the
            // `:-` forms say what empty means.
            (Some(_), None) => empty.push(name.to_owned()),
            (None, None) => unset.push(name.to_owned()),
        }
    }
    out.push_str(rest);
    if let Some(first) = empty.first() {
        return Err(format!(
            "environment variable {} is set but empty; set it to a value in the pipeline, or give a default with `${{{first}:-default}}`",
            names(&empty)
        ));
    }
    // A path must not become one from the root of the file system because a reference before
    // its first `/` expanded to nothing (`${REPORT_DIR:-}/*.xml` is `/*.xml`).
    if out.starts_with('/') && !text.starts_with('/') {
        return Err(format!(
            "`{text}` expands to `{out}`, a path from the root of the file system, because a variable in it is empty or unset; set the variable, or give it a default (`${{NAME:-reports}}`)"
        ));
    }
    if unset.is_empty() {
        Ok(out)
    } else {
        let first = &unset[0];
        Err(format!(
            "environment variable {} is not set; set it in the pipeline, or give a default with `${{{first}:-default}}`",
            names(&unset)
        ))
    }
}

/// `` `A`, `B` ``.
fn names(list: &[String]) -> String {
    list.iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "VERSION" => Some("2.4.0".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_set_variables_and_defaults() {
        assert_eq!(expand("v${VERSION}", &env).unwrap(), "v2.4.0");
        assert_eq!(expand("${SHA:-none}", &env).unwrap(), "none");
        assert_eq!(expand("${SHA:-}", &env).unwrap(), "");
        assert_eq!(expand("${EMPTY:-dflt}", &env).unwrap(), "dflt");
        assert_eq!(expand("${EMPTY:-}", &env).unwrap(), "");
        assert_eq!(
            expand("cost $5 and $${HOME}", &env).unwrap(),
            "cost $5 and ${HOME}"
        );
    }

    #[test]
    fn unset_variables_are_named() {
        let e = expand("${A}-${VERSION}-${B}", &env).unwrap_err();
        assert!(
            e.contains("`A`, `B` is not set") || e.contains("`A`, `B`"),
            "{e}"
        );
        assert!(e.contains("${A:-default}"));
    }

    #[test]
    fn an_empty_variable_is_no_value() {
        let e = expand("${EMPTY}", &env).unwrap_err();
        assert!(e.contains("`EMPTY` is set but empty"), "{e}");
        assert!(e.contains("${EMPTY:-default}"), "{e}");
        let e = expand("v${VERSION}-${EMPTY}", &env).unwrap_err();
        assert!(e.contains("`EMPTY`"), "{e}");
    }

    #[test]
    fn an_empty_reference_never_makes_a_root_path() {
        for text in [
            "${EMPTY:-}/*.xml",
            "${SHA:-}/reports/**/*.xml",
            "${EMPTY:-}${SHA:-}/x",
        ] {
            let e = expand(text, &env).unwrap_err();
            assert!(
                e.contains("from the root of the file system"),
                "{text}: {e}"
            );
        }
        assert_eq!(expand("/abs/${SHA:-}x", &env).unwrap(), "/abs/x");
        assert_eq!(expand("${SHA:-out}/*.xml", &env).unwrap(), "out/*.xml");
        assert_eq!(expand("${VERSION}/*.xml", &env).unwrap(), "2.4.0/*.xml");
    }

    #[test]
    fn malformed_references_are_explained() {
        assert!(
            expand("${VERSION", &env)
                .unwrap_err()
                .contains("unterminated")
        );
        assert!(
            expand("${1BAD}", &env)
                .unwrap_err()
                .contains("not a variable reference")
        );
    }
}
