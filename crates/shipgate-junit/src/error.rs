//! Why a JUnit report could not be read: the crate's one error type.
//!
//! Every variant names the file, and the line and column where there is one, so that a
//! pipeline log points straight at the problem. [`JunitError::kind`] gives the stable reason
//! (the conformance corpus uses the same words) and [`JunitError::remedy`] what to do about it.

use std::io;

/// A report that could not be read, or a glob that could not be expanded.
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    /// The file could not be opened or read.
    #[error("failed to read JUnit report `{path}`: {source}")]
    Io {
        /// The report's path as shown to the user.
        path: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },

    /// The file is empty or holds only white space.
    #[error("failed to read JUnit report `{path}`: the file is empty")]
    Empty {
        /// The report's path as shown to the user.
        path: String,
    },

    /// The file declares a DOCTYPE or entities. They are refused, never resolved or expanded.
    #[error(
        "failed to read JUnit report `{path}` at line {line}, column {column}: it declares a DOCTYPE or entities, which are refused and never expanded"
    )]
    Dtd {
        /// The report's path as shown to the user.
        path: String,
        /// 1-based line of the declaration.
        line: u64,
        /// 1-based column (in characters) of the declaration.
        column: u64,
    },

    /// The file is not well-formed XML (and not merely cut short).
    #[error("failed to parse JUnit report `{path}` at line {line}, column {column}: {reason}")]
    NotXml {
        /// The report's path as shown to the user.
        path: String,
        /// 1-based line of the problem.
        line: u64,
        /// 1-based column (in characters) of the problem.
        column: u64,
        /// What is wrong, as a lowercase fragment.
        reason: String,
    },

    /// The input ends inside the document: the report was cut short.
    #[error(
        "failed to parse JUnit report `{path}` at line {line}, column {column}: the file ends {inside}, so it looks truncated"
    )]
    Truncated {
        /// The report's path as shown to the user.
        path: String,
        /// 1-based line where the input stops (or where the unclosed markup starts).
        line: u64,
        /// 1-based column (in characters).
        column: u64,
        /// Where the input stopped, e.g. ``inside `<testcase>` `` or `inside a CDATA section`.
        inside: String,
    },

    /// An NUnit 2 (`<test-results>`) or NUnit 3 (`<test-run>`) result file.
    #[error(
        "failed to read JUnit report `{path}` at line {line}, column {column}: this is NUnit {version} XML (root `<{root}>`), not JUnit"
    )]
    Nunit {
        /// The report's path as shown to the user.
        path: String,
        /// 1-based line of the root element.
        line: u64,
        /// 1-based column of the root element.
        column: u64,
        /// 2 or 3.
        version: u8,
        /// The root element's name.
        root: String,
    },

    /// An xUnit.net result file (`<assemblies>`, or `<assembly>` from v1).
    #[error(
        "failed to read JUnit report `{path}` at line {line}, column {column}: this is xUnit.net XML (root `<{root}>`), not JUnit"
    )]
    XunitNet {
        /// The report's path as shown to the user.
        path: String,
        /// 1-based line of the root element.
        line: u64,
        /// 1-based column of the root element.
        column: u64,
        /// The root element's name.
        root: String,
    },

    /// A Visual Studio / `dotnet test` TRX file (`<TestRun xmlns=".../TeamTest/2010">`).
    #[error(
        "failed to read JUnit report `{path}` at line {line}, column {column}: this is a Visual Studio TRX file (root `<TestRun>`), not JUnit"
    )]
    Trx {
        /// The report's path as shown to the user.
        path: String,
        /// 1-based line of the root element.
        line: u64,
        /// 1-based column of the root element.
        column: u64,
    },

    /// Well-formed XML whose root is neither `<testsuites>` nor `<testsuite>`.
    #[error(
        "failed to read JUnit report `{path}` at line {line}, column {column}: the root element is `<{root}>`, but a JUnit report starts with `<testsuites>` or `<testsuite>`"
    )]
    NotJunit {
        /// The report's path as shown to the user.
        path: String,
        /// 1-based line of the root element.
        line: u64,
        /// 1-based column of the root element.
        column: u64,
        /// The root element's name as written.
        root: String,
    },

    /// Well-formed XML that breaks a JUnit rule in a way that could hide a result: an element,
    /// attribute or `status` value one slip away from a JUnit one (`<Failure>`, `Status=`,
    /// `status="disab1ed"`), text between the elements of a suite or testcase, a CDATA section
    /// that holds another. No runner writes these; a corrupted or hand-edited file does.
    #[error("failed to read JUnit report `{path}` at line {line}, column {column}: {reason}")]
    Invalid {
        /// The report's path as shown to the user.
        path: String,
        /// 1-based line of the problem.
        line: u64,
        /// 1-based column (in characters) of the problem.
        column: u64,
        /// What is wrong, as a lowercase fragment.
        reason: String,
    },

    /// Elements nested deeper than the reader allows.
    #[error(
        "failed to read JUnit report `{path}` at line {line}, column {column}: elements are nested more than {limit} levels deep"
    )]
    TooDeep {
        /// The report's path as shown to the user.
        path: String,
        /// 1-based line of the element that went past the limit.
        line: u64,
        /// 1-based column of that element.
        column: u64,
        /// The nesting limit.
        limit: usize,
    },

    /// The XML declaration names an encoding the reader does not know.
    #[error(
        "failed to read JUnit report `{path}`: it declares the encoding `{label}`, which is not a known encoding"
    )]
    Encoding {
        /// The report's path as shown to the user.
        path: String,
        /// The encoding label as written in the declaration.
        label: String,
    },

    /// A glob's walk had to stop: a symlink loop that could hide reports, or far too many
    /// folders.
    #[error("failed to expand the glob `{pattern}`: {reason}")]
    GlobWalk {
        /// The pattern as the user wrote it.
        pattern: String,
        /// Why the walk stopped.
        reason: String,
    },

    /// A glob pattern is not valid glob syntax.
    #[error("failed to expand the glob `{pattern}`: {source}")]
    Glob {
        /// The pattern as the user wrote it.
        pattern: String,
        /// What the glob parser objected to.
        #[source]
        source: glob::PatternError,
    },
}

impl JunitError {
    /// The stable reason, as used by the conformance corpus: `empty`, `xxe-dtd`, `not-xml`,
    /// `truncated`, `nunit`, `not-junit`, plus `xunit-net`, `trx`, `invalid-junit`,
    /// `too-deep`, `encoding`, `io` and `glob`.
    pub fn kind(&self) -> &'static str {
        match self {
            JunitError::Io { .. } => "io",
            JunitError::Empty { .. } => "empty",
            JunitError::Dtd { .. } => "xxe-dtd",
            JunitError::NotXml { .. } => "not-xml",
            JunitError::Truncated { .. } => "truncated",
            JunitError::Nunit { .. } => "nunit",
            JunitError::XunitNet { .. } => "xunit-net",
            JunitError::Trx { .. } => "trx",
            JunitError::NotJunit { .. } => "not-junit",
            JunitError::Invalid { .. } => "invalid-junit",
            JunitError::TooDeep { .. } => "too-deep",
            JunitError::Encoding { .. } => "encoding",
            JunitError::Glob { .. } | JunitError::GlobWalk { .. } => "glob",
        }
    }

    /// The file concerned (the pattern, for a glob error).
    pub fn path(&self) -> &str {
        match self {
            JunitError::Io { path, .. }
            | JunitError::Empty { path }
            | JunitError::Dtd { path, .. }
            | JunitError::NotXml { path, .. }
            | JunitError::Truncated { path, .. }
            | JunitError::Nunit { path, .. }
            | JunitError::XunitNet { path, .. }
            | JunitError::Trx { path, .. }
            | JunitError::NotJunit { path, .. }
            | JunitError::Invalid { path, .. }
            | JunitError::TooDeep { path, .. }
            | JunitError::Encoding { path, .. } => path,
            JunitError::Glob { pattern, .. } | JunitError::GlobWalk { pattern, .. } => pattern,
        }
    }

    /// The 1-based line of the problem, where there is one.
    pub fn line(&self) -> Option<u64> {
        match self {
            JunitError::Dtd { line, .. }
            | JunitError::NotXml { line, .. }
            | JunitError::Truncated { line, .. }
            | JunitError::Nunit { line, .. }
            | JunitError::XunitNet { line, .. }
            | JunitError::Trx { line, .. }
            | JunitError::NotJunit { line, .. }
            | JunitError::Invalid { line, .. }
            | JunitError::TooDeep { line, .. } => Some(*line),
            JunitError::Io { .. }
            | JunitError::Empty { .. }
            | JunitError::Encoding { .. }
            | JunitError::Glob { .. }
            | JunitError::GlobWalk { .. } => None,
        }
    }

    /// What the user can do about it, as a sentence.
    pub fn remedy(&self) -> String {
        let text = match self {
            JunitError::Io { .. } => {
                "Check that the file exists and that the user running shipgate may read it."
            }
            JunitError::Empty { .. } => {
                "The test runner wrote nothing: check that it finished (a crash, a timeout or a full disk leaves an empty report) and that the glob does not match placeholder files."
            }
            JunitError::Dtd { .. } => {
                "JUnit reports never need a DOCTYPE or entity declarations; shipgate refuses them so that no entity can read local files or reach the network. Remove the declarations, or find out what injected them."
            }
            JunitError::NotXml { .. } => {
                "Check that the glob matches only JUnit XML reports, and that the runner escaped `&` and `<` in names and output. Rerun the tests to get a well-formed report."
            }
            JunitError::Truncated { .. } => {
                "The report was cut short: the test run was probably killed, timed out or ran out of disk while writing it. Rerun the tests so the report is written completely."
            }
            JunitError::Nunit { .. } => {
                "Write JUnit XML instead: `dotnet test --logger junit` (JunitXml.TestLogger), or convert the NUnit result with NUnit's `nunit3-junit.xslt` transform. Or leave the file out of `sources.tests.junit`."
            }
            JunitError::XunitNet { .. } => {
                "Write JUnit XML instead: `dotnet test --logger junit` (JunitXml.TestLogger), or convert the xUnit.net result with its published `JUnitXml.xslt` transform. Or leave the file out of `sources.tests.junit`."
            }
            JunitError::Trx { .. } => {
                "Write JUnit XML instead of TRX: `dotnet test --logger junit` (JunitXml.TestLogger), or convert the TRX file with `trx2junit`. Or leave the file out of `sources.tests.junit`."
            }
            JunitError::NotJunit { .. } => {
                "Narrow the glob in `sources.tests.junit` so it matches only JUnit reports, or configure the runner to write JUnit XML."
            }
            JunitError::Invalid { .. } => {
                "No test runner writes this: the report was corrupted (a disk or transfer error) or edited by hand. Rerun the tests to get a clean report, and find out what changed the file; if a runner really writes it, report it to the shipgate developers with the runner's name."
            }
            JunitError::TooDeep { .. } => {
                "No real runner nests suites this deep; check what produced the file."
            }
            JunitError::Encoding { .. } => {
                "Write the report in UTF-8, or declare a standard encoding such as ISO-8859-1, windows-1252 or UTF-16."
            }
            JunitError::GlobWalk { .. } => {
                "Remove the symlink loop (or the link), or start the glob at the folder the reports are written to, with only a file name after `**` (`reports/**/*.xml`)."
            }
            JunitError::Glob { .. } => {
                "Fix the pattern: `*` matches within a folder, `**` across folders, `?` one character, `[abc]` a set."
            }
        };
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_position() {
        let e = JunitError::NotXml {
            path: "reports/a.xml".into(),
            line: 12,
            column: 3,
            reason: "undefined entity `&nbsp;`".into(),
        };
        assert_eq!(
            e.to_string(),
            "failed to parse JUnit report `reports/a.xml` at line 12, column 3: undefined entity `&nbsp;`"
        );
        assert_eq!(e.kind(), "not-xml");
        assert_eq!(e.line(), Some(12));
        assert_eq!(e.path(), "reports/a.xml");
        assert!(!e.remedy().is_empty());
    }

    #[test]
    fn nunit_is_named() {
        let e = JunitError::Nunit {
            path: "r.xml".into(),
            line: 2,
            column: 1,
            version: 3,
            root: "test-run".into(),
        };
        assert_eq!(
            e.to_string(),
            "failed to read JUnit report `r.xml` at line 2, column 1: this is NUnit 3 XML (root `<test-run>`), not JUnit"
        );
        assert_eq!(e.kind(), "nunit");
        assert!(e.remedy().contains("dotnet test --logger junit"));
    }
}
