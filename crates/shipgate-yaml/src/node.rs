//! The marked tree: every node with its line, column, path and a unique id.

use crate::error::Problem;
use crate::mark::Mark;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Nesting deeper than this is refused: no hand-written file needs it, and it keeps every walk
/// over the tree shallow.
const MAX_DEPTH: usize = 128;
/// Nodes in one document, aliases expanded. Guards against alias bombs ("billion laughs").
const MAX_NODES: usize = 100_000;

/// How a scalar was written. Only plain scalars are resolved to numbers, booleans and null.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    /// Unquoted.
    Plain,
    /// Quoted or a block scalar (`|`, `>`), or tagged `!!str`: always a string.
    Quoted,
}

/// The content of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    /// An empty value (`key:` with nothing after it).
    Null,
    /// A scalar and how it was written.
    Scalar(String, ScalarStyle),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in document order: (key, value).
    Map(Vec<(Node, Node)>),
}

/// One node of the document.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Unique within the document (aliases get fresh ids).
    pub id: usize,
    /// Where the node starts.
    pub mark: Mark,
    /// Dotted path from the root (`checks.regression.min_pass_rate`, `waivers[0]`).
    pub path: String,
    /// The content.
    pub value: NodeValue,
}

impl Node {
    /// Whether the node is empty or a plain `~`/`null`.
    pub fn is_null(&self) -> bool {
        match &self.value {
            NodeValue::Null => true,
            NodeValue::Scalar(s, ScalarStyle::Plain) => {
                matches!(s.as_str(), "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }

    /// The value under `key` when this node is a mapping with a scalar key `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            NodeValue::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(&k.value, NodeValue::Scalar(s, _) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The scalar text, when this node is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// Finds the node with the given path (the first, in document order).
    pub fn find_path(&self, path: &str) -> Option<&Node> {
        if self.path == path {
            return Some(self);
        }
        match &self.value {
            NodeValue::Seq(items) => items.iter().find_map(|n| n.find_path(path)),
            NodeValue::Map(entries) => entries.iter().find_map(|(_, v)| v.find_path(path)),
            _ => None,
        }
    }

    /// Calls `f` on every scalar value (not keys), depth first, in document order.
    pub fn for_each_value_mut(&mut self, f: &mut dyn FnMut(&mut Node)) {
        match &mut self.value {
            NodeValue::Seq(items) => {
                for n in items {
                    n.for_each_value_mut(f);
                }
            }
            NodeValue::Map(entries) => {
                for (_, v) in entries {
                    v.for_each_value_mut(f);
                }
            }
            NodeValue::Null | NodeValue::Scalar(..) => f(self),
        }
    }

    /// Removes the node with id `id` from this tree: a map entry whose key or value it is, or a
    /// list element. Returns the id of the map it was removed from and the entry's key, when it
    /// was a map entry.
    pub(crate) fn remove(&mut self, id: usize) -> Removal {
        match &mut self.value {
            NodeValue::Seq(items) => {
                if let Some(i) = items.iter().position(|n| n.id == id) {
                    items.remove(i);
                    return Removal::Removed(None);
                }
                for n in items {
                    if let r @ Removal::Removed(_) = n.remove(id) {
                        return r;
                    }
                }
                Removal::NotFound
            }
            NodeValue::Map(entries) => {
                if let Some(i) = entries.iter().position(|(k, v)| k.id == id || v.id == id) {
                    let (k, _) = entries.remove(i);
                    let key = k.as_str().map(str::to_owned);
                    return Removal::Removed(key.map(|k| (self.id, k)));
                }
                for (_, v) in entries {
                    if let r @ Removal::Removed(_) = v.remove(id) {
                        return r;
                    }
                }
                Removal::NotFound
            }
            _ => Removal::NotFound,
        }
    }
}

pub(crate) enum Removal {
    NotFound,
    /// Removed; `Some((map id, key))` when it was a map entry.
    Removed(Option<(usize, String)>),
}

/// Parses one YAML document into a marked tree.
///
/// Syntax errors, duplicate keys, more than one document, nesting deeper than 128 levels and
/// alias bombs are problems. An empty document is a `Null` root.
pub fn parse(text: &str) -> Result<Node, Vec<Problem>> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0usize;
    loop {
        let (event, marker) = match parser.next_token() {
            Ok(t) => t,
            Err(e) => {
                let m = mark(e.marker());
                return Err(vec![Problem::new(
                    m,
                    "",
                    format!("not valid YAML: {}", e.info()),
                )]);
            }
        };
        let m = mark(&marker);
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(vec![Problem::new(
                        m,
                        "",
                        "more than one YAML document (`---`); a file holds exactly one",
                    )]);
                }
            }
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::Scalar(text, style, anchor, tag) => {
                let forced_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = match style {
                    TScalarStyle::Plain if forced_str => {
                        NodeValue::Scalar(text, ScalarStyle::Quoted)
                    }
                    TScalarStyle::Plain if text.is_empty() => NodeValue::Null,
                    TScalarStyle::Plain => NodeValue::Scalar(text, ScalarStyle::Plain),
                    _ => NodeValue::Scalar(text, ScalarStyle::Quoted),
                };
                builder.leaf(m, value, anchor)?;
            }
            Event::Alias(anchor) => builder.alias(m, anchor)?,
            Event::SequenceStart(anchor, _) => builder.open(m, Open::Seq, anchor)?,
            Event::MappingStart(anchor, _) => builder.open(m, Open::Map, anchor)?,
            Event::SequenceEnd | Event::MappingEnd => builder.close()?,
        }
    }
    builder.finish()
}

fn mark(m: &Marker) -> Mark {
    // yaml-rust2 counts lines from 1 and columns from 0.
    Mark {
        line: m.line().max(1),
        col: m.col() + 1,
    }
}

enum Open {
    Seq,
    Map,
}

struct Frame {
    id: usize,
    mark: Mark,
    path: String,
    anchor: usize,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, Node>,
    next_id: usize,
    nodes: usize,
    problems: Vec<Problem>,
}

impl Builder {
    fn fresh_id(&mut self) -> Result<usize, Vec<Problem>> {
        self.next_id += 1;
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(vec![Problem::new(
                Mark::default(),
                "",
                format!("the document has more than {MAX_NODES} nodes (aliases expanded)"),
            )]);
        }
        Ok(self.next_id)
    }

    /// The path of the next node, from where it sits in its parent.
    fn next_path(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(frame) => match &frame.kind {
                FrameKind::Seq(items) => format!("{}[{}]", frame.path, items.len()),
                FrameKind::Map { key: Some(k), .. } => {
                    let key = k.as_str().unwrap_or("?");
                    if frame.path.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{}.{key}", frame.path)
                    }
                }
                // A key: it takes the path of the entry it names, filled in when it completes.
                FrameKind::Map { key: None, .. } => frame.path.clone(),
            },
        }
    }

    fn open(&mut self, mark: Mark, kind: Open, anchor: usize) -> Result<(), Vec<Problem>> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(vec![Problem::new(
                mark,
                "",
                format!("nested more than {MAX_DEPTH} levels deep"),
            )]);
        }
        let id = self.fresh_id()?;
        let path = self.next_path();
        let kind = match kind {
            Open::Seq => FrameKind::Seq(Vec::new()),
            Open::Map => FrameKind::Map {
                entries: Vec::new(),
                key: None,
            },
        };
        self.stack.push(Frame {
            id,
            mark,
            path,
            anchor,
            kind,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), Vec<Problem>> {
        let Some(frame) = self.stack.pop() else {
            return Err(vec![Problem::new(
                Mark::default(),
                "",
                "unbalanced YAML structure",
            )]);
        };
        let value = match frame.kind {
            FrameKind::Seq(items) => NodeValue::Seq(items),
            FrameKind::Map { entries, .. } => NodeValue::Map(entries),
        };
        let node = Node {
            id: frame.id,
            mark: frame.mark,
            path: frame.path,
            value,
        };
        self.place(node, frame.anchor)
    }

    fn leaf(&mut self, mark: Mark, value: NodeValue, anchor: usize) -> Result<(), Vec<Problem>> {
        let id = self.fresh_id()?;
        let path = self.next_path();
        // A value left empty (`checks:` and nothing) is reported at its key: the parser marks
        // it where the next token starts, often on the following line.
        let mark = match (&value, self.stack.last()) {
            (
                NodeValue::Null,
                Some(Frame {
                    kind: FrameKind::Map { key: Some(k), .. },
                    ..
                }),
            ) => k.mark,
            _ => mark,
        };
        self.place(
            Node {
                id,
                mark,
                path,
                value,
            },
            anchor,
        )
    }

    fn alias(&mut self, mark: Mark, anchor: usize) -> Result<(), Vec<Problem>> {
        let Some(target) = self.anchors.get(&anchor).cloned() else {
            return Err(vec![Problem::new(mark, "", "alias to an unknown anchor")]);
        };
        let path = self.next_path();
        let mut copy = target;
        self.rebase(&mut copy, mark, &path)?;
        self.place(copy, 0)
    }

    /// Gives an alias's copy fresh ids and the paths of where it is used.
    fn rebase(&mut self, node: &mut Node, mark: Mark, path: &str) -> Result<(), Vec<Problem>> {
        node.id = self.fresh_id()?;
        node.mark = mark;
        node.path = path.to_owned();
        match &mut node.value {
            NodeValue::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.rebase(item, mark, &format!("{path}[{i}]"))?;
                }
            }
            NodeValue::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    let child = match k.as_str() {
                        Some(key) if path.is_empty() => key.to_owned(),
                        Some(key) => format!("{path}.{key}"),
                        None => format!("{path}.?"),
                    };
                    self.rebase(k, mark, &child)?;
                    self.rebase(v, mark, &child)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn place(&mut self, mut node: Node, anchor: usize) -> Result<(), Vec<Problem>> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut frame.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map { entries, key } => match key.take() {
                None => {
                    // This node is a key: give it the path of its entry.
                    if let Some(k) = node.as_str().map(str::to_owned) {
                        let k = k.as_str();
                        node.path = if frame.path.is_empty() {
                            k.to_owned()
                        } else {
                            format!("{}.{k}", frame.path)
                        };
                        if let Some((first, _)) =
                            entries.iter().find(|(e, _)| e.as_str() == Some(k))
                        {
                            self.problems.push(Problem::new(
                                node.mark,
                                node.path.clone(),
                                format!(
                                    "duplicate key `{k}` (first written at line {}); a later value would silently replace the first",
                                    first.mark.line
                                ),
                            ));
                        }
                    }
                    *key = Some(node);
                }
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }

    fn finish(self) -> Result<Node, Vec<Problem>> {
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        Ok(self.root.unwrap_or(Node {
            id: 0,
            mark: Mark { line: 1, col: 1 },
            path: String::new(),
            value: NodeValue::Null,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_carry_lines_and_paths() {
        let doc =
            "version: 1\nchecks:\n  regression:\n    min_pass_rate: 98%\nlist:\n  - a\n  - b\n";
        let root = parse(doc).unwrap();
        let n = root.find_path("checks.regression.min_pass_rate").unwrap();
        assert_eq!(n.mark.line, 4);
        assert_eq!(n.mark.col, 20);
        assert_eq!(n.as_str(), Some("98%"));
        let b = root.find_path("list[1]").unwrap();
        assert_eq!((b.mark.line, b.as_str()), (7, Some("b")));
    }

    #[test]
    fn plain_and_quoted_scalars_are_told_apart() {
        let root = parse("a: 1\nb: '1'\nc:\nd: !!str 2\n").unwrap();
        assert_eq!(
            root.get("a").unwrap().value,
            NodeValue::Scalar("1".into(), ScalarStyle::Plain)
        );
        assert_eq!(
            root.get("b").unwrap().value,
            NodeValue::Scalar("1".into(), ScalarStyle::Quoted)
        );
        assert_eq!(root.get("c").unwrap().value, NodeValue::Null);
        assert_eq!(
            root.get("d").unwrap().value,
            NodeValue::Scalar("2".into(), ScalarStyle::Quoted)
        );
    }

    #[test]
    fn duplicate_keys_are_problems() {
        let problems = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].mark.line, 3);
        assert!(problems[0].message.contains("duplicate key `a`"));
    }

    #[test]
    fn syntax_errors_point_at_a_line() {
        let problems = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(problems[0].message.starts_with("not valid YAML"));
        assert!(problems[0].mark.line >= 1);
    }

    #[test]
    fn aliases_are_expanded_with_their_own_paths() {
        let root = parse("base: &b {x: 1}\nother: *b\n").unwrap();
        let x = root.find_path("other.x").unwrap();
        assert_eq!(x.as_str(), Some("1"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let problems = parse(&doc).unwrap_err();
        assert!(problems[0].message.contains("more than"));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let doc = "[".repeat(10_000);
        let problems = parse(&doc).unwrap_err();
        assert!(!problems.is_empty());
    }

    #[test]
    fn several_documents_are_refused() {
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
    }

    #[test]
    fn empty_document_is_null() {
        assert!(parse("").unwrap().is_null());
        assert!(parse("# only a comment\n").unwrap().is_null());
    }
}
