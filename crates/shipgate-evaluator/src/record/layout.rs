//! Where each file of a release record lives: the record's folder, its manifest, the reports
//! beside it, and the name under which an input's copy is stored. The writer, the snapshot
//! reader, the resolver and the guard against reading a record as evidence all name files the
//! same way through here.

/// The record's folder inside a report folder.
pub const EVIDENCE_DIR: &str = "evidence";
/// The manifest, relative to the report folder.
pub const MANIFEST_FILE: &str = "evidence/manifest.json";
/// The JSON report, relative to the report folder.
pub const REPORT_FILE: &str = "report.json";
/// The reports `check --report-dir` writes beside the record. Like the record, they are never
/// read as evidence by a glob (see `finder`).
pub const REPORT_FILES: [&str; 4] = [REPORT_FILE, "summary.md", "gate-junit.xml", "gate.env"];

/// The suffix of a stored copy whose name ends in `.xml`.
///
/// CI test-result collectors take every `*.xml` under the folder they are pointed at (CircleCI's
/// `store_test_results: path: shipgate-report`, a Jenkins `junit '**/*.xml'`): without it, the
/// record's copies of the evaluated JUnit files were imported as the gate job's own results. The
/// manifest names each copy, so a replay finds it whatever it is called; the readers of a
/// renamed copy (JUnit, JMeter's XML) recognise it by its content, never by its name.
pub const XML_COPY_SUFFIX: &str = ".recorded";

/// `files/tests/reports/a.xml.recorded` under the record, from the input's shown path: `..`
/// becomes `_up`, an absolute path starts at `_root`, characters some file systems refuse become
/// `_`, and a name ending in `.xml` gets [`XML_COPY_SUFFIX`], so that every input gets a readable
/// place inside the record that no test-result collector mistakes for the gate's results.
pub(crate) fn stored_path(kind: &str, source: &str, shown: &str) -> String {
    let mut parts = vec![EVIDENCE_DIR.to_owned(), kind.to_owned(), sanitize(source)];
    let absolute = shown.starts_with(['/', '\\'])
        || shown.as_bytes().get(1) == Some(&b':')
            && shown
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_alphabetic);
    if absolute {
        parts.push("_root".to_owned());
    }
    for component in shown.split(['/', '\\']) {
        match component {
            "" | "." => {}
            ".." => parts.push("_up".to_owned()),
            c => parts.push(sanitize(c)),
        }
    }
    let mut stored = parts.join("/");
    let name = stored.rsplit('/').next().unwrap_or_default();
    let name = name.as_bytes();
    if name.len() >= 4 && name[name.len() - 4..].eq_ignore_ascii_case(b".xml") {
        stored.push_str(XML_COPY_SUFFIX);
    }
    stored
}

pub(crate) fn sanitize(component: &str) -> String {
    let s: String = component
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|' | '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if s.is_empty() || s == "." || s == ".." {
        "_".to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_stay_inside_the_record() {
        assert_eq!(
            stored_path("files", "tests", "r/a.xml"),
            "evidence/files/tests/r/a.xml.recorded"
        );
        assert_eq!(
            stored_path("files", "tests", "/abs/a.xml"),
            "evidence/files/tests/_root/abs/a.xml.recorded"
        );
        assert_eq!(
            stored_path("files", "tests", "../../x/./a.xml"),
            "evidence/files/tests/_up/_up/x/a.xml.recorded"
        );
        assert_eq!(
            stored_path("files", "tests", "C:\\r\\a?.xml"),
            "evidence/files/tests/_root/C_/r/a_.xml.recorded"
        );
        // Only XML gets the suffix (in any case); other readers need their extension.
        assert_eq!(
            stored_path("files", "tests", "r/TEST-A.XML"),
            "evidence/files/tests/r/TEST-A.XML.recorded"
        );
        assert_eq!(
            stored_path("files", "defects", "defects.csv"),
            "evidence/files/defects/defects.csv"
        );
        assert_eq!(
            stored_path("files", "tests", "r/.xml"),
            "evidence/files/tests/r/.xml.recorded"
        );
        assert_eq!(
            stored_path("files", "tests", "r/résumé.xml"),
            "evidence/files/tests/r/résumé.xml.recorded"
        );
    }
}
