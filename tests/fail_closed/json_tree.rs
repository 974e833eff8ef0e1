//! JSON written back with one key given twice: the first copy of the key holds another value,
//! the second the original one, so that a reader that keeps the last value (serde_json's
//! `Value`, maps, flattened structs) reads the file as it was and a reader that keeps the first
//! reads a different file. A strict reader refuses both.

use serde_json::Value;

/// The number of non-empty objects in the document, in the order [`emit`] counts them.
pub fn objects(v: &Value) -> usize {
    match v {
        Value::Object(m) => usize::from(!m.is_empty()) + m.values().map(objects).sum::<usize>(),
        Value::Array(a) => a.iter().map(objects).sum(),
        _ => 0,
    }
}

/// The document as JSON, with the first key of the `dup`-th non-empty object written twice.
/// `None` writes it back unchanged.
pub fn emit(v: &Value, dup: Option<usize>) -> String {
    let mut out = String::new();
    let mut seen = 0;
    write(v, dup, &mut seen, &mut out);
    out.push('\n');
    out
}

fn write(v: &Value, dup: Option<usize>, seen: &mut usize, out: &mut String) {
    match v {
        Value::Object(m) => {
            out.push('{');
            let mut first = true;
            if !m.is_empty() {
                let here = *seen;
                *seen += 1;
                if dup == Some(here)
                    && let Some((k, original)) = m.iter().next()
                {
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    out.push_str(&serde_json::to_string(&other(original)).unwrap());
                    first = false;
                }
            }
            for (k, val) in m {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push(':');
                write(val, dup, seen, out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, val) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(val, dup, seen, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&serde_json::to_string(scalar).unwrap()),
    }
}

/// A value of the same kind that differs from `v`.
fn other(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::Bool(!b),
        Value::Number(n) => {
            serde_json::json!(n.as_f64().map_or(1.0, |f| if f == 0.0 { 1.0 } else { -f }))
        }
        Value::String(s) if s == "open" => Value::String("closed".to_owned()),
        Value::String(s) if s == "closed" => Value::String("open".to_owned()),
        Value::String(s) => Value::String(format!("{s}-other")),
        Value::Null => Value::Bool(true),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Object(_) => Value::Object(serde_json::Map::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_key_of_the_chosen_object_is_given_twice() {
        let v: Value =
            shipgate_json::parse_value(br#"{"a": {"ok": true}, "b": [{"c": 1}]}"#).unwrap();
        assert_eq!(objects(&v), 3);
        assert_eq!(emit(&v, None), "{\"a\":{\"ok\":true},\"b\":[{\"c\":1}]}\n");
        assert_eq!(
            emit(&v, Some(1)),
            "{\"a\":{\"ok\":false,\"ok\":true},\"b\":[{\"c\":1}]}\n"
        );
        assert_eq!(
            emit(&v, Some(2)),
            "{\"a\":{\"ok\":true},\"b\":[{\"c\":-1.0,\"c\":1}]}\n"
        );
    }
}
