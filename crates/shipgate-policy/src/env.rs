//! `${VAR}` and `${VAR:-default}` in string values, expanded from the environment the caller
//! passes in (the policy engine never reads the process environment itself).

use shipgate_yaml::{Node, NodeValue, Problem};

/// Looks a variable up; `None` when it is unset.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Expands every value in the tree. A value that expands to nothing becomes empty (`null`), so
/// `commit: ${GITHUB_SHA:-}` outside a pipeline means "no commit".
pub(crate) fn expand_tree(root: &mut Node, env: EnvLookup<'_>) -> Vec<Problem> {
    let mut problems = Vec::new();
    root.for_each_value_mut(&mut |node| {
        let NodeValue::Scalar(text, style) = &node.value else {
            return;
        };
        if !text.contains('$') {
            return;
        }
        match expand(text, env) {
            Ok(expanded) if expanded.is_empty() => node.value = NodeValue::Null,
            Ok(expanded) => node.value = NodeValue::Scalar(expanded, *style),
            Err(message) => problems.push(Problem::new(node.mark, node.path.clone(), message)),
        }
    });
    problems
}

/// Expands one string. `$${` is a literal `${`; a `$` not followed by `{` is left alone.
pub(crate) fn expand(text: &str, env: EnvLookup<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut unset = Vec::new();
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
        match (
            env(name).filter(|v| default.is_none() || !v.is_empty()),
            default,
        ) {
            (Some(value), _) => out.push_str(&value),
            (None, Some(default)) => out.push_str(default),
            (None, None) => unset.push(name.to_owned()),
        }
    }
    out.push_str(rest);
    if unset.is_empty() {
        Ok(out)
    } else {
        let names = unset
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let first = &unset[0];
        Err(format!(
            "environment variable {names} is not set; set it in the pipeline, or give a default with `${{{first}:-default}}`"
        ))
    }
}

fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
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
        assert_eq!(expand("${EMPTY}", &env).unwrap(), "");
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
