//! A serde deserializer over the marked tree that reports every problem, not just the first.
//!
//! serde stops at the first error. To report them all, [`from_node`] deserializes, and on an
//! error records it with the line of the node it belongs to, removes that node from a working
//! copy of the tree, and tries again, until the document deserializes. A required key whose
//! value was removed for being wrong is not reported a second time as missing.

use crate::error::{DeError, DeErrorKind, Problem};
use crate::node::{Node, NodeValue, Removal, ScalarStyle};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use std::collections::HashSet;

/// Why an empty or null value is refused, and what to do instead.
const NOTHING_IS_NOT_A_VALUE: &str =
    "write one (an empty value is never taken as \"none\", \"no limit\" or \"off\")";

/// At most this many problems are collected from one document.
const MAX_PROBLEMS: usize = 200;

/// The outcome of [`from_node`]: the value and every problem found.
#[derive(Debug)]
pub struct Decoded<T> {
    /// The value. When there are problems, this is what deserialized once the faulty nodes were
    /// taken out (useful for further checks that should still run), or `None` when nothing
    /// could be salvaged.
    pub value: Option<T>,
    /// Every problem, in the order found.
    pub problems: Vec<Problem>,
}

impl<T> Decoded<T> {
    /// The value when there was no problem, else the problems.
    pub fn into_result(self) -> Result<T, Vec<Problem>> {
        match self.value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ => Err(self.problems),
        }
    }
}

/// Deserializes `T` from the tree, collecting every problem.
pub fn from_node<T: DeserializeOwned>(root: &Node) -> Decoded<T> {
    let fail = |problems| Decoded {
        value: None,
        problems,
    };
    let mut tree = root.clone();
    let mut problems: Vec<Problem> = Vec::new();
    let mut removed_keys: HashSet<(usize, String)> = HashSet::new();
    loop {
        match T::deserialize(NodeDe { node: &tree }) {
            Ok(value) => {
                return Decoded {
                    value: Some(value),
                    problems,
                };
            }
            Err(err) => {
                let Some((id, mark, path)) = err.at.clone() else {
                    problems.push(Problem::new(root.mark, "", err.describe()));
                    return fail(problems);
                };
                let repeat_of_removed = matches!(
                    &err.kind,
                    DeErrorKind::MissingField(field) if removed_keys.contains(&(id, (*field).to_owned()))
                );
                if !repeat_of_removed {
                    problems.push(Problem::new(mark, path, err.describe()));
                }
                if id == tree.id || problems.len() >= MAX_PROBLEMS {
                    return fail(problems);
                }
                match tree.remove(id) {
                    Removal::Removed(Some(key)) => {
                        removed_keys.insert(key);
                    }
                    Removal::Removed(None) => {}
                    Removal::NotFound => return fail(problems),
                }
            }
        }
    }
}

struct NodeDe<'a> {
    node: &'a Node,
}

impl NodeDe<'_> {
    fn locate(&self, e: DeError) -> DeError {
        e.locate(self.node.id, self.node.mark, &self.node.path)
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, DeError> {
        Err(self.locate(DeError::message(message)))
    }

    /// A mapping written with nothing in it.
    fn no_section<T>(&self) -> Result<T, DeError> {
        self.fail(
            "no value is written here; write the keys that belong under it, or leave the key out (an empty value is never taken as \"none\", \"defaults\" or \"off\")",
        )
    }

    fn describe_found(&self) -> String {
        match &self.node.value {
            NodeValue::Null => "nothing".to_owned(),
            NodeValue::Scalar(s, _) => format!("`{s}`"),
            NodeValue::Seq(_) => "a list".to_owned(),
            NodeValue::Map(_) => "a mapping".to_owned(),
        }
    }

    fn scalar(&self, what: &str) -> Result<&str, DeError> {
        match &self.node.value {
            NodeValue::Scalar(s, _) => Ok(s),
            _ => self.fail(format!("expected {what}, found {}", self.describe_found())),
        }
    }

    fn integer(&self) -> Result<Integer, DeError> {
        let text = self.scalar("a whole number")?;
        parse_integer(text).ok_or_else(|| {
            self.locate(DeError::message(format!(
                "expected a whole number, found `{text}`"
            )))
        })
    }
}

enum Integer {
    Unsigned(u64),
    Signed(i64),
}

fn parse_integer(text: &str) -> Option<Integer> {
    let t = text.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        u64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<u64>().ok()?
    } else {
        return None;
    };
    if neg {
        let v = i64::try_from(magnitude).ok()?;
        Some(Integer::Signed(-v))
    } else {
        Some(Integer::Unsigned(magnitude))
    }
}

fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim();
    match t {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let mut saw_digit = false;
    for b in body.bytes() {
        match b {
            b'0'..=b'9' => saw_digit = true,
            b'.' | b'e' | b'E' | b'-' | b'+' => {}
            _ => return None,
        }
    }
    if !saw_digit {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            NodeValue::Null => visitor.visit_unit(),
            NodeValue::Seq(items) => visitor.visit_seq(Seq::new(items)),
            NodeValue::Map(entries) => visitor.visit_map(Map::new(entries)),
            NodeValue::Scalar(s, ScalarStyle::Quoted) => visitor.visit_str(s),
            NodeValue::Scalar(s, ScalarStyle::Plain) => {
                if self.node.is_null() {
                    visitor.visit_unit()
                } else if let Some(b) = parse_bool(s) {
                    visitor.visit_bool(b)
                } else if let Some(i) = parse_integer(s) {
                    match i {
                        Integer::Unsigned(u) => visitor.visit_u64(u),
                        Integer::Signed(i) => visitor.visit_i64(i),
                    }
                } else if let Some(f) = parse_float(s) {
                    visitor.visit_f64(f)
                } else {
                    visitor.visit_str(s)
                }
            }
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let text = self.scalar("true or false")?;
        match parse_bool(text) {
            Some(b) => visitor.visit_bool(b).map_err(|e| self.locate(e)),
            None => self.fail(format!("expected true or false, found `{text}`")),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match self.integer()? {
            Integer::Unsigned(u) => visitor.visit_u64(u),
            Integer::Signed(i) => visitor.visit_i64(i),
        };
        r.map_err(|e| self.locate(e))
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(v)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_u64(v)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match self.integer()? {
            Integer::Unsigned(u) => visitor.visit_u64(u),
            Integer::Signed(i) => {
                return self.fail(format!("expected a whole number of 0 or more, found `{i}`"));
            }
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(v)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let text = self.scalar("a number")?;
        match parse_float(text) {
            Some(f) => visitor.visit_f64(f).map_err(|e| self.locate(e)),
            None => self.fail(format!("expected a number, found `{text}`")),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    /// Strings take a scalar's text as written, whatever it looks like: `version: 2.10` is
    /// `"2.10"`. Except YAML's null: a plain `~`, `null`, `Null` or `NULL` is nothing, not the
    /// text of the null (`name: ~` is no signer called "~"); quoted, it is text.
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            return self.fail(format!(
                "expected a value, found nothing; {NOTHING_IS_NOT_A_VALUE}"
            ));
        }
        match &self.node.value {
            NodeValue::Scalar(s, _) if s.trim().is_empty() => {
                self.fail(format!("the value is empty; {NOTHING_IS_NOT_A_VALUE}"))
            }
            NodeValue::Scalar(s, _) => visitor.visit_str(s).map_err(|e| self.locate(e)),
            _ => self.fail(format!(
                "expected a single value, found {}",
                self.describe_found()
            )),
        }
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    /// An optional key that is written must hold a value: `min_pass_rate: ~`, `null`, or a
    /// value that expanded to nothing is refused, never read as "not set". A key that is absent
    /// is "not set" (serde does not ask the deserializer for it). Types that give an empty
    /// value a meaning of their own (`commit: ${GITHUB_SHA:-}`) read it with
    /// `deserialize_any`, which sees the null.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            self.fail(format!(
                "no value is written here; {NOTHING_IS_NOT_A_VALUE}, or leave the key out"
            ))
        } else {
            let node = self.node;
            visitor
                .visit_some(NodeDe { node })
                .map_err(|e| e.locate(node.id, node.mark, &node.path))
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_unit().map_err(|e| self.locate(e))
        } else {
            self.fail(format!("expected nothing, found {}", self.describe_found()))
        }
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(v)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let node = self.node;
        visitor
            .visit_newtype_struct(NodeDe { node })
            .map_err(|e| e.locate(node.id, node.mark, &node.path))
    }

    /// A list; a single scalar is read as a list of one (`junit: reports/*.xml`).
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            NodeValue::Seq(items) => visitor.visit_seq(Seq::new(items)),
            NodeValue::Scalar(..) => visitor.visit_seq(Seq::new(std::slice::from_ref(self.node))),
            NodeValue::Null => return self.fail("expected a list, found nothing"),
            NodeValue::Map(_) => return self.fail("expected a list, found a mapping"),
        };
        r.map_err(|e| self.locate(e))
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            NodeValue::Map(entries) => visitor.visit_map(Map::new(entries)),
            _ if self.node.is_null() && self.node.path.is_empty() => {
                visitor.visit_map(Map::new(&[]))
            }
            _ if self.node.is_null() => return self.no_section(),
            _ => {
                return self.fail(format!(
                    "expected a mapping, found {}",
                    self.describe_found()
                ));
            }
        };
        r.map_err(|e| self.locate(e))
    }

    /// A struct: a mapping. An empty document reads as an empty mapping, so that the caller's
    /// validation can say which keys are missing; a key written with nothing under it
    /// (`checks:`, `risk: ~`) is refused like any other key without a value, never read as the
    /// section's defaults: `checks:` emptied by mistake would otherwise switch off every
    /// threshold that was under it.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            NodeValue::Map(entries) => visitor.visit_map(Map::new(entries)),
            _ if self.node.is_null() && self.node.path.is_empty() => {
                visitor.visit_map(Map::new(&[]))
            }
            _ if self.node.is_null() => return self.no_section(),
            _ => {
                return self.fail(format!(
                    "expected a mapping with keys such as {}, found {}",
                    fields
                        .iter()
                        .take(4)
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    self.describe_found()
                ));
            }
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            NodeValue::Scalar(s, _) => visitor.visit_enum(s.as_str().into_deserializer()),
            NodeValue::Map(entries) if entries.len() == 1 => {
                let (k, v) = &entries[0];
                visitor.visit_enum(Enum { key: k, value: v })
            }
            _ => {
                return self.fail(format!(
                    "expected one word, found {}",
                    self.describe_found()
                ));
            }
        };
        r.map_err(|e| self.locate(e))
    }

    /// A key names a field: it keeps its text even when it spells a null, so that `null:` is
    /// an unknown key like any other.
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            NodeValue::Scalar(s, _) => visitor.visit_str(s).map_err(|e| self.locate(e)),
            _ => self.deserialize_str(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct Seq<'a> {
    items: std::slice::Iter<'a, Node>,
}

impl<'a> Seq<'a> {
    fn new(items: &'a [Node]) -> Self {
        Self {
            items: items.iter(),
        }
    }
}

impl<'de> SeqAccess<'de> for Seq<'_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(node) => seed
                .deserialize(NodeDe { node })
                .map(Some)
                .map_err(|e| e.locate(node.id, node.mark, &node.path)),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map<'a> {
    entries: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
}

impl<'a> Map<'a> {
    fn new(entries: &'a [(Node, Node)]) -> Self {
        Self {
            entries: entries.iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Map<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(NodeDe { node: key })
                    .map(Some)
                    .map_err(|e| e.locate(key.id, key.mark, &key.path))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some(node) => seed
                .deserialize(NodeDe { node })
                .map_err(|e| e.locate(node.id, node.mark, &node.path)),
            None => Err(DeError::message("a value was asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct Enum<'a> {
    key: &'a Node,
    value: &'a Node,
}

impl<'de, 'a> EnumAccess<'de> for Enum<'a> {
    type Error = DeError;
    type Variant = NodeVariant<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), DeError> {
        let key = self.key;
        let v = seed
            .deserialize(NodeDe { node: key })
            .map_err(|e| e.locate(key.id, key.mark, &key.path))?;
        Ok((v, NodeVariant { node: self.value }))
    }
}

struct NodeVariant<'a> {
    node: &'a Node,
}

impl<'de> VariantAccess<'de> for NodeVariant<'_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        if self.node.is_null() {
            Ok(())
        } else {
            Err(
                DeError::message("expected no value for this choice").locate(
                    self.node.id,
                    self.node.mark,
                    &self.node.path,
                ),
            )
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(NodeDe { node: self.node })
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(NodeDe { node: self.node }, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_struct(NodeDe { node: self.node }, "", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::parse;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        version: u32,
        name: Option<String>,
        checks: Option<Checks>,
        #[serde(default)]
        paths: BTreeMap<String, Vec<String>>,
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Checks {
        min_tests: Option<u64>,
        level: Option<Level>,
        enabled: Option<bool>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Item {
        id: String,
        weight: f64,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Level {
        Error,
        Warn,
    }

    fn load(text: &str) -> Result<Doc, Vec<Problem>> {
        from_node::<Doc>(&parse(text).unwrap()).into_result()
    }

    #[test]
    fn a_good_document_deserializes() {
        let doc = load(
            "version: 1\nname: 2.10\nchecks:\n  min_tests: 500\n  level: warn\npaths:\n  pay: ['*Pay*']\n",
        )
        .unwrap();
        assert_eq!(doc.name.as_deref(), Some("2.10"));
        assert_eq!(doc.checks.unwrap().level, Some(Level::Warn));
        assert_eq!(doc.paths["pay"], vec!["*Pay*".to_owned()]);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = "\
version: 1
checks:
  min_test: 500
  level: warning
  enabled: yes
items:
  - id: a
    weight: heavy
  - id: b
    weight: 2
    colour: red
nmae: x
";
        let decoded = from_node::<Doc>(&parse(text).unwrap());
        let (salvaged, problems) = (decoded.value, decoded.problems);
        let lines: Vec<usize> = problems.iter().map(|p| p.mark.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 8, 11, 12], "{problems:#?}");
        assert!(problems[0].message.contains("did you mean `min_tests`"));
        assert!(problems[1].message.contains("did you mean `warn`"));
        assert!(
            problems[2]
                .message
                .contains("expected true or false, found `yes`")
        );
        assert!(
            problems[3]
                .message
                .contains("expected a number, found `heavy`")
        );
        assert_eq!(problems[3].path, "items[0].weight");
        assert!(problems[4].message.contains("unknown key `colour`"));
        assert!(problems[5].message.contains("did you mean `name`"));
        let salvaged = salvaged.unwrap();
        assert_eq!(salvaged.version, 1);
    }

    #[test]
    fn a_removed_required_value_is_not_reported_twice() {
        let problems = load("version: one\n").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].message.contains("whole number"));
    }

    #[test]
    fn a_missing_required_key_is_reported_at_its_mapping() {
        let problems = load("version: 1\nitems:\n  - id: a\n").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].mark.line, 3);
        assert!(
            problems[0]
                .message
                .contains("missing required key `weight`")
        );
    }

    #[test]
    fn a_single_scalar_reads_as_a_list_of_one() {
        let doc = load("version: 1\npaths:\n  pay: '*Pay*'\n").unwrap();
        assert_eq!(doc.paths["pay"], vec!["*Pay*".to_owned()]);
    }

    #[test]
    fn an_optional_key_written_with_no_value_is_refused_not_read_as_absent() {
        for nothing in ["", " ~", " null", " NULL"] {
            let problems = load(&format!("version: 1\nchecks:{nothing}\n")).unwrap_err();
            assert_eq!(problems.len(), 1, "{nothing:?}: {problems:#?}");
            assert_eq!(problems[0].path, "checks");
            assert_eq!(problems[0].mark.line, 2);
            assert!(
                problems[0].message.contains("no value is written here"),
                "{problems:#?}"
            );
        }
        let problems = load("version: 1\nchecks:\n  min_tests: ~\n  level: warn\n").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].path, "checks.min_tests");
        assert_eq!(problems[0].mark.line, 3);
        // Absent is still "not set".
        let doc = load("version: 1\nchecks:\n  level: warn\n").unwrap();
        assert_eq!(doc.checks.unwrap().min_tests, None);
    }

    #[test]
    fn an_empty_string_is_refused() {
        for empty in ["''", "\"\"", "'  '"] {
            let problems = load(&format!("version: 1\nname: {empty}\n")).unwrap_err();
            assert_eq!(problems.len(), 1, "{empty}: {problems:#?}");
            assert_eq!(problems[0].path, "name");
            assert!(
                problems[0].message.contains("the value is empty"),
                "{problems:#?}"
            );
        }
    }

    /// Found by the fail-closed mutation suite (`null-threshold`, `null-policy-value`):
    /// `checks:` or `risk:` with nothing under it read as the section's defaults, which switched
    /// off every threshold or critical path that had been under it, and the gate said ready.
    #[test]
    fn an_empty_section_is_refused_and_an_empty_document_is_an_empty_struct() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Outer {
            #[serde(default)]
            checks: Checks,
            #[serde(default)]
            risk: std::collections::BTreeMap<String, u32>,
        }
        for empty in [
            "checks:
",
            "checks: ~
",
            "checks: null
",
            "risk:
",
            "risk: ~
",
        ] {
            let problems = from_node::<Outer>(&parse(empty).unwrap())
                .into_result()
                .unwrap_err();
            assert_eq!(problems.len(), 1, "{empty}: {problems:#?}");
            assert_eq!(problems[0].mark.line, 1, "{empty}");
            assert!(
                problems[0].message.contains("no value is written here"),
                "{empty}: {problems:#?}"
            );
        }
        let outer: Outer = from_node(&parse("").unwrap()).into_result().unwrap();
        assert_eq!(outer.checks.min_tests, None);
        assert!(outer.risk.is_empty());
        let outer: Outer = from_node(
            &parse(
                "checks: {}
",
            )
            .unwrap(),
        )
        .into_result()
        .unwrap();
        assert_eq!(outer.checks.min_tests, None);
    }

    #[test]
    fn wrong_shapes_are_explained() {
        let problems = load("version: 1\nchecks: [1, 2]\n").unwrap_err();
        assert!(
            problems[0].message.contains("expected a mapping"),
            "{problems:#?}"
        );
        assert_eq!(problems[0].mark.line, 2);
    }

    #[test]
    fn a_plain_null_is_nothing_for_a_string_but_a_quoted_one_is_text() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Signer {
            name: String,
            #[serde(default)]
            roles: Vec<String>,
        }
        let read = |text: &str| from_node::<Signer>(&parse(text).unwrap()).into_result();
        for null in ["~", "null", "Null", "NULL"] {
            let problems = read(&format!("name: {null}\n")).unwrap_err();
            assert_eq!(problems.len(), 1, "{null}: {problems:#?}");
            assert_eq!(problems[0].path, "name");
            assert_eq!(problems[0].mark.line, 1);
            assert!(
                problems[0]
                    .message
                    .contains("expected a value, found nothing"),
                "{null}: {problems:#?}"
            );
            let problems = read(&format!("name: x\nroles: [a, {null}]\n")).unwrap_err();
            assert_eq!(problems[0].path, "roles[1]", "{null}: {problems:#?}");
            assert_eq!(read("name: x\nroles: [a]\n").unwrap().roles, ["a"]);
        }
        for quoted in ["'~'", "\"null\"", "'NULL'"] {
            let signer = read(&format!("name: {quoted}\n")).unwrap();
            assert_eq!(signer.name, quoted.trim_matches(['\'', '"']));
        }
        // Words that merely look like null stay text, and so do keys.
        assert_eq!(read("name: nil\n").unwrap().name, "nil");
        assert_eq!(read("name: ~x\n").unwrap().name, "~x");
        let problems = read("name: a\nnull: b\n").unwrap_err();
        assert!(
            problems[0].message.contains("unknown key `null`"),
            "{problems:#?}"
        );
    }

    #[test]
    fn negative_and_hex_integers() {
        assert!(matches!(parse_integer("-3"), Some(Integer::Signed(-3))));
        assert!(matches!(parse_integer("0x1F"), Some(Integer::Unsigned(31))));
        assert!(parse_integer("1_000").is_none());
        assert!(parse_float("98%").is_none());
        assert_eq!(parse_float("0.98"), Some(0.98));
        assert_eq!(parse_float("1e3"), Some(1000.0));
    }
}
