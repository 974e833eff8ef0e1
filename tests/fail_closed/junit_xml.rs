//! Changes to JUnit XML as text, where the mutation is about the bytes (a status element with a
//! byte flipped, a test that became skipped, a test added with a hostile name): the reports of
//! the scenarios are written by real tools, and a rewrite through an XML library would change
//! more than the mutation says.

/// The elements and attributes that give a testcase its outcome.
pub const STATUS_ELEMENTS: [&str; 5] =
    ["failure", "error", "skipped", "flakyFailure", "flakyError"];

/// Where `<NAME` opens an element (not a longer name), from `from`.
fn open_tag(text: &str, name: &str, from: usize) -> Option<usize> {
    let needle = format!("<{name}");
    let mut at = from;
    while let Some(i) = text[at..].find(&needle) {
        let pos = at + i;
        let after = text.as_bytes().get(pos + needle.len());
        if matches!(after, Some(b' ' | b'>' | b'/' | b'\n' | b'\t' | b'\r')) {
            return Some(pos);
        }
        at = pos + needle.len();
    }
    None
}

/// The ways a status element is corrupted: (what, the text after the change). Each changes the
/// first `<NAME` of the text (and, for `renamed`, its end tag too, so that the file stays
/// well-formed XML with an element the reader does not know).
pub fn corrupted_elements(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in STATUS_ELEMENTS {
        let Some(pos) = open_tag(text, name, 0) else {
            continue;
        };
        let rest = &text[pos + 1 + name.len()..];
        let head = &text[..pos];
        let mid = name.len() / 2;
        let capital = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
        let bang = format!("{}!{}", &name[..2], &name[3..]);
        for new_name in [
            format!("{},{}", &name[..mid], &name[mid..]),
            bang,
            format!("1{name}"),
            capital.clone(),
        ] {
            out.push((
                format!("<{name} → <{new_name}"),
                format!("{head}<{new_name}{rest}"),
            ));
        }
        // Renamed consistently: `<Failure ...>...</Failure>`, or `<Skipped/>`.
        let close = format!("</{name}>");
        let renamed = match rest.find(&close) {
            Some(c) if !rest[..c].contains(&format!("<{name}")) => format!(
                "{head}<{capital}{}</{capital}>{}",
                &rest[..c],
                &rest[c + close.len()..]
            ),
            _ => format!("{head}<{capital}{rest}"),
        };
        out.push((
            format!("<{name}>…</{name}> → <{capital}>…</{capital}>"),
            renamed,
        ));
    }
    if let Some(pos) = text.find("status=\"disabled\"") {
        out.push((
            "status=\"disabled\" → st,tus=\"disabled\"".to_owned(),
            format!("{}st,tus{}", &text[..pos], &text[pos + 6..]),
        ));
    }
    out
}

/// One `<testcase>` element of a report.
#[derive(Clone, Debug)]
pub struct Testcase {
    /// Where its start tag begins.
    pub start: usize,
    /// Where its start tag ends (after `>`).
    pub tag_end: usize,
    /// Where the element ends (after `/>` or `</testcase>`).
    pub end: usize,
    /// Whether it is written `<testcase .../>`.
    pub empty: bool,
    /// `classname.name` (or `name` when the classname is empty).
    pub qualified: String,
    /// Whether it passed: no status element inside, no `status` attribute.
    pub passed: bool,
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let i = tag.find(&needle)? + needle.len();
    let end = tag[i..].find('"')?;
    Some(
        tag[i..i + end]
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">"),
    )
}

/// Every testcase of the report, in order.
pub fn testcases(text: &str) -> Vec<Testcase> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = open_tag(text, "testcase", at) {
        let Some(gt) = text[start..].find('>') else {
            break;
        };
        let tag_end = start + gt + 1;
        let tag = &text[start..tag_end];
        let empty = tag.ends_with("/>");
        let end = if empty {
            tag_end
        } else {
            text[tag_end..]
                .find("</testcase>")
                .map_or(text.len(), |c| tag_end + c + "</testcase>".len())
        };
        let body = &text[tag_end..end];
        let classname = attribute(tag, "classname").unwrap_or_default();
        let name = attribute(tag, "name").unwrap_or_default();
        let passed = !tag.contains(" status=")
            && STATUS_ELEMENTS
                .iter()
                .all(|s| open_tag(body, s, 0).is_none());
        out.push(Testcase {
            start,
            tag_end,
            end,
            empty,
            qualified: if classname.is_empty() {
                name
            } else {
                format!("{classname}.{name}")
            },
            passed,
        });
        at = end;
    }
    out
}

/// The report with `child` added as the first child of the testcase `t`.
pub fn with_child(text: &str, t: &Testcase, child: &str) -> String {
    if t.empty {
        let open = &text[t.start..t.tag_end - 2];
        format!(
            "{}{}>{child}</testcase>{}",
            &text[..t.start],
            open.trim_end(),
            &text[t.end..]
        )
    } else {
        format!("{}{child}{}", &text[..t.tag_end], &text[t.tag_end..])
    }
}

/// The report without the given testcases.
pub fn without(text: &str, cases: &[Testcase]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for t in cases {
        out.push_str(&text[at..t.start]);
        at = t.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The report with `testcase` (an element) added before the end of its first suite.
pub fn with_testcase(text: &str, testcase: &str) -> String {
    let at = text
        .find("</testsuite>")
        .unwrap_or_else(|| panic!("a report without </testsuite>"));
    format!("{}{testcase}{}", &text[..at], &text[at..])
}

/// The report as an earlier run wrote it: every `timestamp="YYYY-MM-DD…"` a month earlier (the
/// day kept, up to the 28th).
pub fn a_month_earlier(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("timestamp=\"") {
        let at = i + "timestamp=\"".len();
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let date = rest.get(..10).filter(|d| {
            d.as_bytes()[4] == b'-'
                && d.as_bytes()[7] == b'-'
                && d.replace('-', "").bytes().all(|b| b.is_ascii_digit())
        });
        if let Some(d) = date {
            let (y, m, day): (u32, u32, u32) = (
                d[..4].parse().unwrap(),
                d[5..7].parse().unwrap(),
                d[8..10].parse().unwrap(),
            );
            let (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
            out.push_str(&format!("{y:04}-{m:02}-{:02}", day.min(28)));
            rest = &rest[10..];
        }
    }
    out.push_str(rest);
    out
}

/// Whether `qualified` matches a critical-path pattern (`*` is any run of characters).
pub fn matches(pattern: &str, qualified: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == qualified;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !qualified.starts_with(first) || qualified.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &qualified[first.len()..qualified.len() - last.len()];
    if !qualified.ends_with(last) {
        return false;
    }
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn testcases_and_their_changes() {
        let xml = r#"<testsuite><testcase classname="a.B" name="t1"/><testcase classname="a.B" name="t2"><failure message="x">y</failure></testcase><testcase name="t3" status="disabled"/></testsuite>"#;
        let cases = testcases(xml);
        let names: Vec<(&str, bool)> = cases
            .iter()
            .map(|t| (t.qualified.as_str(), t.passed))
            .collect();
        assert_eq!(names, [("a.B.t1", true), ("a.B.t2", false), ("t3", false)]);
        assert_eq!(
            with_child(xml, &cases[0], "<skipped/>"),
            xml.replace(r#"name="t1"/>"#, r#"name="t1"><skipped/></testcase>"#)
        );
        assert_eq!(
            without(xml, &cases[..1]),
            xml.replace(r#"<testcase classname="a.B" name="t1"/>"#, "")
        );
        let changed: Vec<String> = corrupted_elements(xml)
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(changed.len(), 6, "{changed:?}");
        assert!(
            corrupted_elements(xml)[4]
                .1
                .contains("<Failure message=\"x\">y</Failure>")
        );
        assert!(corrupted_elements(xml)[5].1.contains("st,tus=\"disabled\""));
        assert_eq!(
            a_month_earlier(r#"<testsuite timestamp="2026-01-31T09:00:00Z"><x timestamp="bad"/>"#),
            r#"<testsuite timestamp="2025-12-28T09:00:00Z"><x timestamp="bad"/>"#
        );
        assert!(matches("*Login*", "LoginForm.LoginForm signs in"));
        assert!(matches(
            "com.acme.ledger.Posting*",
            "com.acme.ledger.PostingTest.x"
        ));
        assert!(!matches("tests.test_payment.*", "tests.test_auth.X.y"));
    }
}
