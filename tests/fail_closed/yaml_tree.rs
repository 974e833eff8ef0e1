//! YAML written back from shipgate-yaml's tree, so that a mutation can change one value of a
//! policy, a quarantine or a sign-off structurally (whatever style it was written in) and write
//! the file again. Comments are not kept; the controls of the suite check that writing a file
//! back unchanged reads exactly as before.

use shipgate_yaml::{Node, NodeValue, ScalarStyle};

/// Parses `text`; the files of the scenarios are valid YAML.
pub fn parse(text: &str) -> Node {
    shipgate_yaml::parse(text).unwrap_or_else(|p| panic!("not YAML: {p:?}\n{text}"))
}

/// The tree as block-style YAML.
pub fn emit(node: &Node) -> String {
    let mut out = String::new();
    match &node.value {
        NodeValue::Map(entries) if !entries.is_empty() => map(entries, 0, &mut out),
        NodeValue::Seq(items) if !items.is_empty() => seq(items, 0, &mut out),
        _ => {
            out.push_str(&inline(node));
            out.push('\n');
        }
    }
    out
}

fn map(entries: &[(Node, Node)], indent: usize, out: &mut String) {
    for (k, v) in entries {
        out.push_str(&" ".repeat(indent));
        out.push_str(&key(k));
        out.push(':');
        value(v, indent, out);
    }
}

fn seq(items: &[Node], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        value(item, indent, out);
    }
}

/// The value after `key:` or `-`, then the line's end.
fn value(v: &Node, indent: usize, out: &mut String) {
    match &v.value {
        NodeValue::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            map(entries, indent + 2, out);
        }
        NodeValue::Seq(items) if !items.is_empty() => {
            out.push('\n');
            seq(items, indent + 2, out);
        }
        NodeValue::Null => out.push('\n'),
        _ => {
            out.push(' ');
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

fn inline(node: &Node) -> String {
    match &node.value {
        NodeValue::Null => String::new(),
        NodeValue::Scalar(s, ScalarStyle::Plain) => s.clone(),
        NodeValue::Scalar(s, ScalarStyle::Quoted) if s.is_empty() => "''".to_owned(),
        NodeValue::Scalar(s, ScalarStyle::Quoted) => quoted(s),
        NodeValue::Map(_) => "{}".to_owned(),
        NodeValue::Seq(_) => "[]".to_owned(),
    }
}

fn key(k: &Node) -> String {
    let s = k.as_str().unwrap_or_default();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
    {
        s.to_owned()
    } else {
        quoted(s)
    }
}

/// A double-quoted YAML scalar (JSON's escapes are YAML's).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// The ids and paths of every value that is not a collection (scalars and empty values), in
/// document order, with the collections too when `collections` is set.
pub fn leaves(node: &Node, collections: bool) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    walk(node, collections, &mut out);
    out
}

fn walk(node: &Node, collections: bool, out: &mut Vec<(usize, String)>) {
    match &node.value {
        NodeValue::Map(entries) => {
            if collections && !node.path.is_empty() {
                out.push((node.id, node.path.clone()));
            }
            for (_, v) in entries {
                walk(v, collections, out);
            }
        }
        NodeValue::Seq(items) => {
            if collections && !node.path.is_empty() {
                out.push((node.id, node.path.clone()));
            }
            for v in items {
                walk(v, collections, out);
            }
        }
        NodeValue::Null | NodeValue::Scalar(..) => out.push((node.id, node.path.clone())),
    }
}

/// The node with `id`, to change.
pub fn find_mut(node: &mut Node, id: usize) -> Option<&mut Node> {
    if node.id == id {
        return Some(node);
    }
    match &mut node.value {
        NodeValue::Map(entries) => entries.iter_mut().find_map(|(_, v)| find_mut(v, id)),
        NodeValue::Seq(items) => items.iter_mut().find_map(|v| find_mut(v, id)),
        _ => None,
    }
}

/// The node at a dotted path (`checks.regression`), to change.
pub fn at_path<'a>(node: &'a mut Node, path: &str) -> Option<&'a mut Node> {
    if node.path == path {
        return Some(node);
    }
    match &mut node.value {
        NodeValue::Map(entries) => entries.iter_mut().find_map(|(_, v)| at_path(v, path)),
        NodeValue::Seq(items) => items.iter_mut().find_map(|v| at_path(v, path)),
        _ => None,
    }
}

/// A plain scalar node (for building values).
pub fn plain(text: &str) -> NodeValue {
    NodeValue::Scalar(text.to_owned(), ScalarStyle::Plain)
}

/// A new node to insert into a map or list (its id and path are not used by the emitter).
pub fn node(value: NodeValue) -> Node {
    Node {
        id: usize::MAX,
        mark: shipgate_yaml::Mark::default(),
        path: String::new(),
        value,
    }
}

/// Sets `key: value` in a map node (replacing an entry of that key).
pub fn set_entry(map: &mut Node, key_text: &str, v: NodeValue) {
    if let NodeValue::Map(entries) = &mut map.value {
        entries.retain(|(k, _)| k.as_str() != Some(key_text));
        entries.push((node(plain(key_text)), node(v)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_written_back_reads_the_same() {
        let text = "a: 1\nb: {c: '98%', d: [x, \"y z\"]}\ne:\n  - {f: ~}\n  - g\nh: []\ni: ''\n";
        let once = emit(&parse(text));
        let strip = |n: &Node| emit(n);
        assert_eq!(strip(&parse(&once)), once);
        assert_eq!(
            once,
            "a: 1\nb:\n  c: \"98%\"\n  d:\n    - x\n    - \"y z\"\ne:\n  -\n    f: ~\n  - g\nh: []\ni: ''\n"
        );
    }
}
