//! radon's JSON report of cyclomatic complexity (`radon cc --json`): an object from each Python
//! file to its blocks.
//!
//! radon lists every function, class and method of a file at the top level (a class's methods
//! also appear inside it, under `methods`), and nested functions under their function's
//! `closures`. A function's complexity does not include its closures', so the functions counted
//! are the top-level `function` and `method` blocks and their closures, recursively; a class's
//! own number is the sum of its methods' and is not counted again. A file radon could not parse
//! is written `{"error": "..."}`: that is refused naming the file, since its functions would
//! otherwise be missing from every sum without a word.

use crate::RiskError;
use crate::paths::join;
use serde_json::Value;
use shipgate_model::{ComplexityTool, FunctionComplexity};

/// Reads a radon JSON report named `path`, whose file paths are relative to `root`.
pub fn read_radon_json(
    bytes: &[u8],
    path: &str,
    root: &str,
) -> Result<Vec<FunctionComplexity>, RiskError> {
    let fail = |reason: String| RiskError::Radon {
        path: path.to_owned(),
        reason,
    };
    let value = shipgate_json::parse_value(bytes).map_err(|e| fail(e.to_string()))?;
    let Value::Object(files) = value else {
        return Err(fail(
            "the document is not an object from file names to their blocks; is this `radon cc --json` output?".to_owned(),
        ));
    };
    let mut functions = Vec::new();
    for (file, blocks) in &files {
        let file_path = join(root, file);
        match blocks {
            Value::Array(blocks) => {
                for (i, block) in blocks.iter().enumerate() {
                    let at = format!("`{file}`[{i}]");
                    match text(block, "type") {
                        Some("function" | "method") => {
                            push_block(block, &file_path, None, &at, &mut functions)
                                .map_err(fail)?;
                        }
                        // Its methods are listed on their own at the top level.
                        Some("class") => {}
                        other => {
                            return Err(fail(format!(
                                "{at} has the block type {}, not `function`, `method` or `class`",
                                other.map_or_else(|| "(none)".to_owned(), |t| format!("`{t}`"))
                            )));
                        }
                    }
                }
            }
            Value::Object(entry) => {
                let why = entry
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("(no reason given)");
                return Err(fail(format!(
                    "radon could not analyse `{file}`: {why}; its functions are not measured"
                )));
            }
            _ => {
                return Err(fail(format!(
                    "`{file}` maps to neither a list of blocks nor an error"
                )));
            }
        }
    }
    if functions.is_empty() {
        return Err(RiskError::EmptyReport {
            tool: "radon",
            path: path.to_owned(),
        });
    }
    Ok(functions)
}

fn text<'a>(block: &'a Value, key: &str) -> Option<&'a str> {
    block.get(key).and_then(Value::as_str)
}

/// Adds a function or method block and its closures.
fn push_block(
    block: &Value,
    file: &str,
    outer: Option<&str>,
    at: &str,
    out: &mut Vec<FunctionComplexity>,
) -> Result<(), String> {
    let name = text(block, "name").ok_or_else(|| format!("{at} has no `name`"))?;
    let ccn = block
        .get("complexity")
        .and_then(Value::as_u64)
        .and_then(|c| u32::try_from(c).ok())
        .filter(|c| *c > 0)
        .ok_or_else(|| format!("{at} (`{name}`) has no whole, positive `complexity`"))?;
    let mut function = match (outer, text(block, "classname")) {
        (Some(o), _) => format!("{o}.{name}"),
        (None, Some(class)) => format!("{class}.{name}"),
        (None, None) => name.to_owned(),
    };
    if function.is_empty() {
        function = "(anonymous)".to_owned();
    }
    out.push(FunctionComplexity {
        file: file.to_owned(),
        function: function.clone(),
        line: block.get("lineno").and_then(Value::as_u64),
        ccn,
        tool: ComplexityTool::Radon,
    });
    if let Some(closures) = block.get("closures").and_then(Value::as_array) {
        for (i, c) in closures.iter().enumerate() {
            push_block(
                c,
                file,
                Some(&function),
                &format!("{at}.closures[{i}]"),
                out,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closures_count_and_classes_do_not() {
        let text = r#"{"c.py": [
          {"type": "class", "name": "A", "complexity": 4, "lineno": 10, "methods": [
            {"type": "method", "name": "m", "classname": "A", "complexity": 3, "lineno": 11, "closures": []}]},
          {"type": "method", "name": "m", "classname": "A", "complexity": 3, "lineno": 11, "closures": []},
          {"type": "function", "name": "outer", "complexity": 2, "lineno": 1, "closures": [
            {"type": "function", "name": "inner", "complexity": 2, "lineno": 2, "closures": []}]}
        ]}"#;
        let f = read_radon_json(text.as_bytes(), "r.json", "app").unwrap();
        let names: Vec<(&str, u32)> = f.iter().map(|f| (f.function.as_str(), f.ccn)).collect();
        assert_eq!(names, [("A.m", 3), ("outer", 2), ("outer.inner", 2)]);
        assert_eq!(f[0].file, "app/c.py");
    }

    #[test]
    fn a_file_radon_could_not_parse_is_refused() {
        let text = r#"{"ok.py": [{"type": "function", "name": "f", "complexity": 1, "closures": []}],
                       "bad.py": {"error": "invalid syntax (<unknown>, line 1)"}}"#;
        let e = read_radon_json(text.as_bytes(), "r.json", ".").unwrap_err();
        assert!(
            e.to_string()
                .contains("radon could not analyse `bad.py`: invalid syntax"),
            "{e}"
        );
    }

    #[test]
    fn other_documents_are_refused() {
        for (text, says) in [
            ("[]", "is not an object"),
            ("{}", "measures no function"),
            (
                r#"{"a.py": [{"type": "lambda", "name": "x", "complexity": 1}]}"#,
                "block type `lambda`",
            ),
            (
                r#"{"a.py": [{"type": "function", "name": "x"}]}"#,
                "no whole, positive `complexity`",
            ),
            (
                r#"{"a.py": [{"type": "function", "name": "x", "complexity": 1.5}]}"#,
                "no whole",
            ),
            (r#"{"a.py": [], "a.py": []}"#, "a.py"),
        ] {
            let e = read_radon_json(text.as_bytes(), "r.json", ".").unwrap_err();
            assert!(e.to_string().contains(says), "{text}: {e}");
        }
    }
}
