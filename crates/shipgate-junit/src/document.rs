//! One JUnit document, read as a stream of XML events into the facts of one [`TestFile`].
//!
//! The reader keeps an explicit stack of open elements (never recursion), so nesting depth costs
//! heap, not call stack, and is bounded by [`MAX_DEPTH`]. Per-test work is a handful of
//! attribute reads into reused buffers; a record is allocated only for a test that is kept
//! (see [`TestRetention`]). Text is looked at only where a message is needed: directly inside
//! the first `<failure>`, `<error>`, `<skipped>` or flaky element of a testcase, a suite-level
//! `<error>`/`<failure>` (directly under a `<testsuite>` or the root `<testsuites>`), or a
//! property the gate reads.
//!
//! Well-formedness is checked as the events go by (quick-xml checks tags, end names and
//! comments; `wellformed.rs` checks names, attribute syntax, characters, references, the
//! declaration and namespace prefixes; this module checks what may stand outside the root and
//! the prolog), and every problem stops the read with its byte offset. Then the JUnit rules
//! that keep one slip from hiding a result (`lookalike.rs`, no text between the elements of a
//! suite or case, no CDATA section inside another): found as the events go by, reported once
//! the whole file has proved well-formed. The order of the checks follows the corpus README:
//! empty, DOCTYPE, not XML, truncated, then the root element, then those JUnit rules.

use crate::input::EventSource;
use crate::lookalike;
use crate::outcome::{StatusChild, StatusSeen, deciding_slot, is_skip_status};
use crate::properties::{PropertyRole, commit_value, push_defect_keys, role_of};
use crate::retries::Merger;
use crate::text::{
    Resolved, bad_reference, cut_message, is_blank, is_plain, lowercase_first, normalize_eols,
    push_capped, resolve_reference,
};
use crate::time::{SuiteTime, parse_time, parse_timestamp};
use crate::wellformed::{
    Chars, Namespaces, declaration_problem, each_raw_attribute, first_bad_char, is_space,
    name_problem, pi_problem, shown,
};
use crate::{KeyedOutcome, ReadOptions, RetryMode};
use foldhash::quality::FixedState;
use jiff::Timestamp;
use jiff::civil::DateTime;
use quick_xml::XmlVersion;
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesCData, BytesRef, BytesStart, Event};
use quick_xml::name::QName;
use shipgate_model::{
    SuiteError, SuiteErrorKind, TestCounts, TestFile, TestOutcome, TestRecord, TestRetention,
};
use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};
use std::ops::Range;

/// How deep elements may nest. Real reports nest a handful of levels; this is generous enough
/// for any generator and small enough that a hostile file cannot make the stack eat memory.
pub(crate) const MAX_DEPTH: usize = 100_000;

/// The facts of one document.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// Counts and file-level facts; `path` is left empty for the caller.
    pub file: TestFile,
    /// Kept tests, in document order, `file` index 0.
    pub records: Vec<TestRecord>,
    /// Suite-level errors, in document order, `file` index 0.
    pub suite_errors: Vec<SuiteError>,
    /// Every test's identity and outcome, when [`ReadOptions::outcomes`] asks for them.
    pub outcomes: Vec<KeyedOutcome>,
    /// The distinct [`test_key`]s of the file, sorted, when [`Scanner::identities`] asks for
    /// them (to find tests that occur in more than one file).
    pub identities: Vec<u64>,
    /// Suite, classname and name of the tests whose key is in [`Scanner::wanted`].
    pub named: Vec<(u64, [String; 3])>,
}

/// Why a document was refused, and where (a byte offset in the UTF-8 text).
#[derive(Debug)]
pub(crate) struct Failure {
    pub kind: FailureKind,
    pub offset: u64,
}

#[derive(Debug)]
pub(crate) enum FailureKind {
    Empty,
    Dtd,
    NotXml(String),
    Truncated(String),
    Nunit {
        version: u8,
        root: String,
    },
    XunitNet(String),
    Trx,
    NotJunit(String),
    TooDeep,
    /// Well-formed XML that breaks a JUnit rule in a way that could hide a result.
    Invalid(String),
    /// The declared encoding label is unknown.
    Encoding(String),
    /// Invalid UTF-8 on the fast path: the caller reads again through a replacing decoder.
    InvalidUtf8,
    Io(std::io::Error),
}

fn fail<T>(kind: FailureKind, offset: u64) -> Result<T, Failure> {
    Err(Failure { kind, offset })
}

fn not_xml<T>(reason: impl Into<String>, offset: u64) -> Result<T, Failure> {
    fail(FailureKind::NotXml(reason.into()), offset)
}

/// Finds a `<!DOCTYPE` or `<!ENTITY` that the prolog leads to (after a BOM, white space, the
/// XML declaration, processing instructions and comments), as the corpus's `expected.py` does.
/// Looks only at `head`; a DOCTYPE further on is caught by the event reader.
pub(crate) fn prolog_declaration(head: &[u8]) -> Option<u64> {
    let mut pos = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    loop {
        pos += head[pos..].iter().take_while(|b| is_blank(**b)).count();
        let rest = &head[pos..];
        let close: &[u8] = if rest.starts_with(b"<?") {
            b"?>"
        } else if rest.starts_with(b"<!--") {
            b"-->"
        } else {
            break;
        };
        pos += memchr::memmem::find(&rest[2..], close)? + 2 + close.len();
    }
    let rest = &head[pos..];
    (rest.starts_with(b"<!DOCTYPE") || rest.starts_with(b"<!ENTITY")).then_some(pos as u64)
}

/// A root element that is not JUnit: remembered, then reported once the whole document has
/// proved well-formed (a truncated NUnit file is reported as truncated, as the corpus says).
#[derive(Debug)]
enum Rejected {
    Nunit { version: u8, root: String },
    XunitNet(String),
    Trx,
    NotJunit(String),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Phase {
    #[default]
    Prolog,
    InRoot,
    AfterRoot,
}

/// What an open element is to the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    /// The root `<testsuites>`.
    Testsuites,
    /// A `<testsuite>` (the root one or nested).
    Suite,
    /// A `<testcase>`.
    Case,
    /// A status child of a testcase; `collecting` while its text is the message.
    CaseStatus {
        child: StatusChild,
        collecting: bool,
    },
    /// A `<failure>`/`<error>` directly under a `<testsuite>` or the root `<testsuites>`.
    SuiteStatus {
        kind: SuiteErrorKind,
        collecting: bool,
    },
    /// `<properties>` of a testcase, or of a suite or the root.
    Properties { owner: Owner },
    /// A `<property>` the gate reads, whose value is its text.
    Property {
        owner: Owner,
        role: PropertyRole,
        collecting: bool,
    },
    /// Anything else (including everything inside a rejected root).
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Case,
    Suite,
}

/// An open `<testsuite>` or root `<testsuites>`.
struct SuiteState {
    name: String,
    /// [`suite_key`] of the name (of `""` for the root `<testsuites>`, which is not a suite).
    key: u64,
    /// The root `<testsuites>`: its properties count, but it is not a suite.
    is_root: bool,
    has_case_child: bool,
    /// `records.len()` when the suite opened: the records its defect references apply to.
    first_record: usize,
    defect_refs: Vec<String>,
}

/// An open `<testcase>`. Kept in a vector that is reused across testcases and files, so a
/// passing test costs no allocation once the buffers have grown.
#[derive(Default)]
struct CaseState {
    classname: String,
    name: String,
    time: String,
    has_time: bool,
    seen: StatusSeen,
    messages: [String; 4],
    has_message: [bool; 4],
    defect_refs: Vec<String>,
    /// Document order of the testcase's start tag (records are made at its end).
    seq: u64,
}

impl CaseState {
    fn reset(&mut self, seq: u64) {
        self.classname.clear();
        self.name.clear();
        self.time.clear();
        self.has_time = false;
        self.seen = StatusSeen::default();
        self.has_message = [false; 4];
        self.defect_refs.clear();
        self.seq = seq;
    }
}

/// Reads JUnit documents. Holds buffers that are reused from one document to the next.
#[derive(Default)]
pub(crate) struct Scanner {
    frames: Vec<Frame>,
    /// Names of the open elements, back to back (for "the file ends inside `<x>`").
    open_names: String,
    name_starts: Vec<usize>,
    suites: Vec<SuiteState>,
    cases: Vec<CaseState>,
    open_cases: usize,
    /// Text being collected for the top frame.
    text: String,
    /// Hashes of (classname, name) of every testcase, for `duplicate_names`.
    name_hashes: Vec<u64>,
    /// Collect every test's [`test_key`] into [`Parsed::identities`] (set by the caller).
    pub identities: bool,
    /// Keys whose suite, classname and name to return in [`Parsed::named`], sorted (set by the
    /// caller; usually empty).
    pub wanted: Vec<u64>,
    identity_keys: Vec<u64>,
    named: Vec<(u64, [String; 3])>,
    /// Scratch for `classname.name` when matching retention patterns.
    qualified: String,
    merger: Merger,
    /// The document is being read again with invalid UTF-8 replaced by U+FFFD: names holding
    /// a replacement are refused (see [`refuse_replaced_names`]).
    lossy: bool,
    /// What the attribute reader reuses from tag to tag.
    tags: Tags,
    /// The first JUnit rule broken, with its offset: reported once the file proved well-formed.
    invalid: Option<(String, u64)>,
    // Per-document facts.
    phase: Phase,
    rejected: Option<(Rejected, u64)>,
    seen_content: bool,
    events: u64,
    seq: u64,
    nested_cases: bool,
    counts: TestCounts,
    suite_count: u64,
    timestamp: Option<Timestamp>,
    local_timestamp: Option<DateTime>,
    commit: Option<String>,
    records: Vec<TestRecord>,
    record_seqs: Vec<u64>,
    suite_errors: Vec<SuiteError>,
    outcomes: Vec<KeyedOutcome>,
}

impl Scanner {
    fn reset(&mut self) {
        self.frames.clear();
        self.open_names.clear();
        self.name_starts.clear();
        self.suites.clear();
        self.open_cases = 0;
        self.text.clear();
        self.name_hashes.clear();
        self.identity_keys.clear();
        self.named.clear();
        self.merger.clear();
        self.tags.namespaces.clear();
        self.invalid = None;
        self.phase = Phase::Prolog;
        self.rejected = None;
        self.seen_content = false;
        self.events = 0;
        self.seq = 0;
        self.nested_cases = false;
        self.counts = TestCounts::default();
        self.suite_count = 0;
        self.timestamp = None;
        self.local_timestamp = None;
        self.commit = None;
        self.records = Vec::new();
        self.record_seqs.clear();
        self.suite_errors = Vec::new();
        self.outcomes = Vec::new();
    }

    /// Reads one document from `source`. `lossy` says that `source` is the document read again
    /// with its invalid UTF-8 replaced by U+FFFD.
    pub fn scan<S: EventSource>(
        &mut self,
        source: &mut S,
        options: &ReadOptions,
        lossy: bool,
    ) -> Result<Parsed, Failure> {
        self.reset();
        self.lossy = lossy;
        loop {
            let start = source.position();
            let event = match source.next_event() {
                Ok(event) => event,
                Err(error) => return Err(self.xml_error(error, source)),
            };
            match event {
                Event::Eof => return self.eof(source.position(), options),
                Event::Start(e) => self.start(&e, start, false, options)?,
                Event::Empty(e) => self.start(&e, start, true, options)?,
                Event::End(_) => self.end(start, options)?,
                Event::Text(t) => self.text_event(&t, start)?,
                Event::CData(c) => self.cdata(&c, start)?,
                Event::GeneralRef(r) => self.general_ref(&r, start)?,
                Event::Decl(decl) => {
                    if self.events > 0 {
                        return not_xml(
                            "the XML declaration `<?xml ...?>` is allowed only at the very start of the file",
                            start,
                        );
                    }
                    if let Some(problem) = declaration_problem(&decl) {
                        return not_xml(problem, start);
                    }
                    check_chars(&decl, start + 2, Chars::Strict, "the XML declaration")?;
                    self.seen_content = true;
                }
                Event::DocType(_) => {
                    if self.phase == Phase::Prolog {
                        return fail(FailureKind::Dtd, start);
                    }
                    return not_xml("a DOCTYPE after the root element started", start);
                }
                Event::Comment(comment) => {
                    check_chars(&comment, start + 4, Chars::Strict, "a comment")?;
                    self.seen_content = true;
                }
                Event::PI(pi) => {
                    if let Some(problem) = pi_problem(&pi) {
                        return not_xml(problem, start);
                    }
                    self.seen_content = true;
                }
            }
            self.events += 1;
        }
    }

    fn xml_error<S: EventSource>(&self, error: XmlError, source: &mut S) -> Failure {
        let offset = source.error_position();
        let kind = match error {
            XmlError::Syntax(SyntaxError::UnclosedDoctype) if self.phase == Phase::Prolog => {
                FailureKind::Dtd
            }
            XmlError::Syntax(SyntaxError::InvalidBangMarkup) if !source.at_eof() => {
                FailureKind::NotXml(
                    "`<!` starts neither a comment nor a CDATA section".to_owned(),
                )
            }
            XmlError::Syntax(syntax) => FailureKind::Truncated(
                match syntax {
                    SyntaxError::UnclosedCData => "inside a CDATA section",
                    SyntaxError::UnclosedComment => "inside a comment",
                    SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl => {
                        "inside a processing instruction"
                    }
                    SyntaxError::UnclosedDoctype => "inside a DOCTYPE",
                    SyntaxError::InvalidBangMarkup => "just after `<!`",
                    SyntaxError::UnclosedTag
                    | SyntaxError::UnclosedSingleQuotedAttributeValue
                    | SyntaxError::UnclosedDoubleQuotedAttributeValue => "inside a tag",
                }
                .to_owned(),
            ),
            XmlError::IllFormed(IllFormedError::UnclosedReference) if source.at_eof() => {
                FailureKind::Truncated("inside an entity reference".to_owned())
            }
            XmlError::IllFormed(IllFormedError::UnclosedReference) => FailureKind::NotXml(
                "`&` does not start an entity reference (a literal ampersand must be written `&amp;`)"
                    .to_owned(),
            ),
            XmlError::IllFormed(IllFormedError::MissingDoctypeName)
                if self.phase == Phase::Prolog =>
            {
                FailureKind::Dtd
            }
            XmlError::IllFormed(IllFormedError::MissingEndTag(name)) => {
                FailureKind::Truncated(format!("inside `<{name}>`"))
            }
            XmlError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                FailureKind::NotXml(format!(
                    "mismatched tag: expected `</{expected}>`, found `</{found}>`"
                ))
            }
            XmlError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => FailureKind::NotXml(
                format!("`</{name}>` closes an element that was never opened"),
            ),
            XmlError::Encoding(_) => FailureKind::InvalidUtf8,
            XmlError::Io(io) => FailureKind::Io(std::io::Error::new(io.kind(), io.to_string())),
            other => FailureKind::NotXml(lowercase_first(&other.to_string())),
        };
        Failure { kind, offset }
    }

    fn eof(&mut self, offset: u64, options: &ReadOptions) -> Result<Parsed, Failure> {
        match self.phase {
            Phase::Prolog if !self.seen_content => fail(FailureKind::Empty, offset),
            Phase::Prolog => fail(
                FailureKind::Truncated("before the root element".to_owned()),
                offset,
            ),
            Phase::InRoot => {
                let inside = match self.name_starts.last() {
                    Some(at) => format!("inside `<{}>`", &self.open_names[*at..]),
                    None => "inside the root element".to_owned(),
                };
                fail(FailureKind::Truncated(inside), offset)
            }
            Phase::AfterRoot => match self.rejected.take() {
                Some((rejected, at)) => {
                    let kind = match rejected {
                        Rejected::Nunit { version, root } => FailureKind::Nunit { version, root },
                        Rejected::XunitNet(root) => FailureKind::XunitNet(root),
                        Rejected::Trx => FailureKind::Trx,
                        Rejected::NotJunit(root) => FailureKind::NotJunit(root),
                    };
                    fail(kind, at)
                }
                None => match self.invalid.take() {
                    Some((reason, at)) => fail(FailureKind::Invalid(reason), at),
                    None => Ok(self.finish(options)),
                },
            },
        }
    }

    fn finish(&mut self, options: &ReadOptions) -> Parsed {
        let mut records = std::mem::take(&mut self.records);
        match options.retries {
            RetryMode::PerTestcase => {
                if self.nested_cases {
                    // A testcase inside a testcase ends first but starts later: restore
                    // document order (the order of the start tags).
                    let mut paired: Vec<(u64, TestRecord)> =
                        self.record_seqs.drain(..).zip(records).collect();
                    paired.sort_by_key(|(seq, _)| *seq);
                    records = paired.into_iter().map(|(_, r)| r).collect();
                }
            }
            RetryMode::RepeatedTestcases => {
                let retention = &options.retention;
                let qualified = &mut self.qualified;
                let outcomes = options.outcomes.then_some(&mut self.outcomes);
                records = self.merger.finish(
                    records,
                    &mut self.counts,
                    outcomes,
                    |outcome, classname, name, refs| {
                        retains(retention, outcome, classname, name, refs, qualified)
                    },
                );
            }
        }
        self.name_hashes.sort_unstable();
        let duplicate_names = self
            .name_hashes
            .chunk_by(|a, b| a == b)
            .filter(|run| run.len() > 1)
            .count() as u64;
        let suite_errors = std::mem::take(&mut self.suite_errors);
        let identities = if self.identities {
            self.identity_keys.sort_unstable();
            self.identity_keys.dedup();
            self.identity_keys.clone()
        } else {
            Vec::new()
        };
        Parsed {
            file: TestFile {
                path: String::new(),
                counts: self.counts,
                suites: self.suite_count,
                suite_errors: suite_errors.len() as u64,
                duplicate_names,
                timestamp: self.timestamp,
                local_timestamp: self.local_timestamp,
                commit: self.commit.take(),
            },
            records,
            suite_errors,
            outcomes: std::mem::take(&mut self.outcomes),
            identities,
            named: std::mem::take(&mut self.named),
        }
    }

    fn text_event(&mut self, text: &str, start: u64) -> Result<(), Failure> {
        match self.phase {
            Phase::InRoot => {
                check_chars(text, start, Chars::Lenient, "text")?;
                if let Some(at) = memchr::memmem::find(text.as_bytes(), b"]]>") {
                    return not_xml(
                        "`]]>` in text (outside a CDATA section it must be written `]]&gt;`)",
                        start + at as u64,
                    );
                }
                if self.collecting() {
                    push_capped(&mut self.text, &normalize_eols(text));
                } else if let Some(at) = text.bytes().position(|b| !is_space(b)) {
                    self.text_between_elements(start + at as u64);
                }
                Ok(())
            }
            Phase::Prolog | Phase::AfterRoot => {
                let Some(at) = text.bytes().position(|b| !is_blank(b)) else {
                    return check_chars(text, start, Chars::Strict, "white space");
                };
                let offset = start + at as u64;
                if self.phase == Phase::AfterRoot {
                    not_xml("text after the end of the root element", offset)
                } else if self.seen_content {
                    not_xml("text before the root element", offset)
                } else {
                    not_xml("the file does not start with `<`, so it is not XML", offset)
                }
            }
        }
    }

    /// Text directly inside `<testsuites>`, `<testsuite>`, `<testcase>` or `<properties>`: no
    /// JUnit writer puts any there, but one byte can turn an element into text there: `<` of
    /// `<failure/>` changed to anything else leaves `xfailure/>`, and the failure is gone.
    fn text_between_elements(&mut self, at: u64) {
        if self.rejected.is_some() || self.invalid.is_some() {
            return;
        }
        let inside = match self.frames.last() {
            Some(Frame::Testsuites) => "testsuites",
            Some(Frame::Suite) => "testsuite",
            Some(Frame::Case) => "testcase",
            Some(Frame::Properties { .. }) => "properties",
            _ => return,
        };
        self.invalid = Some((
            format!(
                "text directly inside `<{inside}>`, where JUnit has only elements: an element that lost its `<` (a corrupted `<failure/>` reads as text) would hide a result"
            ),
            at,
        ));
    }

    fn cdata(&mut self, cdata: &BytesCData<'_>, start: u64) -> Result<(), Failure> {
        if self.phase != Phase::InRoot {
            return not_xml("a CDATA section outside the root element", start);
        }
        let content_at = start + "<![CDATA[".len() as u64;
        check_chars(cdata, content_at, Chars::Lenient, "a CDATA section")?;
        if let Some(at) = memchr::memmem::find(cdata.as_bytes(), b"<![CDATA[")
            && self.rejected.is_none()
            && self.invalid.is_none()
        {
            // A CDATA section whose `]]>` was corrupted runs on to the next section's end,
            // swallowing every element between them (a failing testcase among them).
            self.invalid = Some((
                "a CDATA section that holds `<![CDATA[`: sections cannot nest, so the `]]>` that should end this one is probably corrupted, and the elements after it were read as text".to_owned(),
                content_at + at as u64,
            ));
        }
        if self.collecting() {
            push_capped(&mut self.text, &normalize_eols(cdata));
        } else if cdata.bytes().any(|b| !is_space(b)) {
            self.text_between_elements(start);
        }
        Ok(())
    }

    fn general_ref(&mut self, reference: &BytesRef<'_>, start: u64) -> Result<(), Failure> {
        if self.phase != Phase::InRoot {
            return not_xml("an entity reference outside the root element", start);
        }
        let resolved = resolve_reference(reference).or_else(|reason| not_xml(reason, start))?;
        let mut utf8 = [0u8; 4];
        let piece = match resolved {
            Resolved::Char(c) => &*c.encode_utf8(&mut utf8),
            Resolved::Str(s) => s,
        };
        if self.collecting() {
            push_capped(&mut self.text, piece);
        } else if piece.bytes().any(|b| !is_space(b)) {
            self.text_between_elements(start);
        }
        Ok(())
    }

    /// Whether the top frame's text is being collected.
    fn collecting(&self) -> bool {
        matches!(
            self.frames.last(),
            Some(
                Frame::CaseStatus {
                    collecting: true,
                    ..
                } | Frame::SuiteStatus {
                    collecting: true,
                    ..
                } | Frame::Property {
                    collecting: true,
                    ..
                }
            )
        )
    }

    fn start(
        &mut self,
        e: &BytesStart<'_>,
        start: u64,
        empty: bool,
        options: &ReadOptions,
    ) -> Result<(), Failure> {
        self.seen_content = true;
        let qname = e.name();
        let qname = qname.as_ref();
        if qname.is_empty() {
            return not_xml("an element without a name", start);
        }
        if let Some(problem) = name_problem(qname) {
            return not_xml(
                format!("the element name `{qname}` is not a name: {problem}"),
                start + 1,
            );
        }
        if self.lossy {
            refuse_replaced_names(e, qname, start)?;
        }
        if self.phase == Phase::AfterRoot {
            return not_xml(
                format!("a second root element `<{qname}>` after the end of the first"),
                start,
            );
        }
        if self.frames.len() >= MAX_DEPTH {
            return fail(FailureKind::TooDeep, start);
        }
        // Text after a child element is no longer its parent's text (ElementTree's `.text`,
        // which the corpus follows): stop collecting.
        self.stop_collecting();

        let local = e.local_name();
        let local = local.as_ref();
        let kind = if self.phase == Phase::Prolog {
            self.phase = Phase::InRoot;
            self.root_frame(local, qname, start)
        } else if self.rejected.is_some() {
            Frame::Other
        } else {
            self.child_frame(local)
        };
        if self.rejected.is_none()
            && self.invalid.is_none()
            && let Some(word) = lookalike::element(local)
        {
            self.invalid = Some((
                format!(
                    "`<{qname}>` is not a JUnit element, but looks like `<{word}>`: a misspelt or corrupted `<{word}>` would be skipped, and the result it holds lost"
                ),
                start,
            ));
        }
        self.tags.start(self.frames.len());
        let frame = match kind {
            Frame::Case => self.open_case(e, start)?,
            Frame::Suite | Frame::Testsuites => self.open_suite(e, kind, start)?,
            Frame::CaseStatus { child, .. } => self.open_case_status(e, child, start)?,
            Frame::SuiteStatus { kind, .. } => self.open_suite_status(e, kind, start)?,
            Frame::Property { owner, .. } => self.open_property(e, owner, start)?,
            Frame::Properties { .. } | Frame::Other => {
                each_attribute(e, start, &mut self.tags, |_, _| Ok(()))?;
                kind
            }
        };
        self.tags
            .namespaces
            .end_tag(e.attributes_raw(), qname)
            .or_else(|reason| not_xml(reason, start))?;
        self.frames.push(frame);
        self.name_starts.push(self.open_names.len());
        self.open_names.push_str(qname);
        if empty {
            self.end(start, options)?;
        }
        Ok(())
    }

    fn root_frame(&mut self, local: &str, qname: &str, start: u64) -> Frame {
        let rejected = match local {
            "testsuites" => return Frame::Testsuites,
            "testsuite" => return Frame::Suite,
            "test-run" => Rejected::Nunit {
                version: 3,
                root: qname.to_owned(),
            },
            "test-results" => Rejected::Nunit {
                version: 2,
                root: qname.to_owned(),
            },
            "assemblies" | "assembly" => Rejected::XunitNet(qname.to_owned()),
            "TestRun" => Rejected::Trx,
            _ => Rejected::NotJunit(qname.to_owned()),
        };
        self.rejected = Some((rejected, start));
        Frame::Other
    }

    fn child_frame(&self, local: &str) -> Frame {
        match local {
            "testcase" => return Frame::Case,
            "testsuite" => return Frame::Suite,
            _ => {}
        }
        match (self.frames.last(), local) {
            (Some(Frame::Case), "properties") => Frame::Properties { owner: Owner::Case },
            (Some(Frame::Case), _) => match StatusChild::from_local_name(local.as_bytes()) {
                Some(child) => Frame::CaseStatus {
                    child,
                    collecting: false,
                },
                None => Frame::Other,
            },
            // Directly under the root `<testsuites>` too: a run that failed outside any suite
            // (global setup, a crashed runner) must never read as green.
            (Some(Frame::Suite | Frame::Testsuites), "failure") => Frame::SuiteStatus {
                kind: SuiteErrorKind::Failure,
                collecting: false,
            },
            (Some(Frame::Suite | Frame::Testsuites), "error") => Frame::SuiteStatus {
                kind: SuiteErrorKind::Error,
                collecting: false,
            },
            (Some(Frame::Suite | Frame::Testsuites), "properties") => Frame::Properties {
                owner: Owner::Suite,
            },
            (Some(Frame::Properties { owner }), "property") => Frame::Property {
                owner: *owner,
                role: PropertyRole::Defect,
                collecting: false,
            },
            _ => Frame::Other,
        }
    }

    fn open_case(&mut self, e: &BytesStart<'_>, start: u64) -> Result<Frame, Failure> {
        if self.frames.last() == Some(&Frame::Suite)
            && let Some(suite) = self.suites.last_mut()
        {
            suite.has_case_child = true;
        }
        if self.open_cases > 0 {
            self.nested_cases = true;
        }
        if self.open_cases == self.cases.len() {
            self.cases.push(CaseState::default());
        }
        let case = &mut self.cases[self.open_cases];
        case.reset(self.seq);
        self.seq += 1;
        let invalid = &mut self.invalid;
        each_attribute(e, start, &mut self.tags, |key, value| {
            match key {
                "classname" => case.classname.push_str(&value),
                "name" => case.name.push_str(&value),
                "time" => {
                    case.time.push_str(&value);
                    case.has_time = true;
                }
                "status" => {
                    case.seen.skip_status = is_skip_status(&value);
                    if invalid.is_none() {
                        *invalid = status_problem(&value).map(|reason| (reason, start));
                    }
                }
                _ => {
                    if invalid.is_none()
                        && let Some(word) = lookalike::case_attribute(key)
                    {
                        *invalid = Some((lookalike_attribute(key, word, "testcase"), start));
                    }
                }
            }
            Ok(())
        })?;
        self.open_cases += 1;
        Ok(Frame::Case)
    }

    fn open_suite(
        &mut self,
        e: &BytesStart<'_>,
        kind: Frame,
        start: u64,
    ) -> Result<Frame, Failure> {
        let mut name = String::new();
        let timestamp = &mut self.timestamp;
        let local_timestamp = &mut self.local_timestamp;
        let invalid = &mut self.invalid;
        each_attribute(e, start, &mut self.tags, |key, value| {
            match key {
                "name" => name.push_str(&value),
                // An instant and a zoneless local time are kept apart: which is later cannot be
                // known until the policy names the zone the runner wrote in.
                "timestamp" => match parse_timestamp(&value) {
                    Some(SuiteTime::Instant(ts)) => {
                        *timestamp = Some(timestamp.map_or(ts, |t| t.max(ts)));
                    }
                    Some(SuiteTime::Local(dt)) => {
                        *local_timestamp = Some(local_timestamp.map_or(dt, |t| t.max(dt)));
                    }
                    None => {}
                },
                _ => {
                    if invalid.is_none()
                        && let Some(word) = lookalike::suite_attribute(key)
                    {
                        *invalid = Some((lookalike_attribute(key, word, "testsuite"), start));
                    }
                }
            }
            Ok(())
        })?;
        let is_root = kind == Frame::Testsuites;
        self.suites.push(SuiteState {
            key: suite_key(if is_root { "" } else { &name }),
            name,
            is_root,
            has_case_child: false,
            first_record: self.records.len(),
            defect_refs: Vec::new(),
        });
        Ok(kind)
    }

    fn open_case_status(
        &mut self,
        e: &BytesStart<'_>,
        child: StatusChild,
        start: u64,
    ) -> Result<Frame, Failure> {
        let Some(case) = self.open_cases.checked_sub(1).map(|i| &mut self.cases[i]) else {
            each_attribute(e, start, &mut self.tags, |_, _| Ok(()))?;
            return Ok(Frame::Other);
        };
        let first = !child.is_marked(&case.seen);
        child.mark(&mut case.seen);
        let slot = child.slot();
        let mut from_attribute = false;
        each_attribute(e, start, &mut self.tags, |key, message| {
            if first && key == "message" && !message.is_empty() {
                let out = &mut case.messages[slot];
                out.clear();
                out.push_str(cut_message(&message));
                case.has_message[slot] = !out.is_empty();
                from_attribute = true;
            }
            Ok(())
        })?;
        let collecting = first && !from_attribute;
        if collecting {
            self.text.clear();
        }
        Ok(Frame::CaseStatus { child, collecting })
    }

    fn open_suite_status(
        &mut self,
        e: &BytesStart<'_>,
        kind: SuiteErrorKind,
        start: u64,
    ) -> Result<Frame, Failure> {
        let mut message = None;
        each_attribute(e, start, &mut self.tags, |key, value| {
            if key == "message" && !value.is_empty() {
                message = Some(cut_message(&value).to_owned());
            }
            Ok(())
        })?;
        if let Some(message) = message {
            self.push_suite_error(kind, Some(message));
            return Ok(Frame::SuiteStatus {
                kind,
                collecting: false,
            });
        }
        self.text.clear();
        Ok(Frame::SuiteStatus {
            kind,
            collecting: true,
        })
    }

    fn open_property(
        &mut self,
        e: &BytesStart<'_>,
        owner: Owner,
        start: u64,
    ) -> Result<Frame, Failure> {
        let mut role = None;
        let mut value = None;
        each_attribute(e, start, &mut self.tags, |key, raw| {
            match key {
                "name" => role = role_of(&raw),
                "value" => value = Some(raw),
                _ => {}
            }
            Ok(())
        })?;
        let role = match (role, owner) {
            (None, _) | (Some(PropertyRole::Commit), Owner::Case) => return Ok(Frame::Other),
            (Some(role), _) => role,
        };
        if let Some(value) = value {
            self.apply_property(owner, role, &value);
            return Ok(Frame::Other);
        }
        self.text.clear();
        Ok(Frame::Property {
            owner,
            role,
            collecting: true,
        })
    }

    fn apply_property(&mut self, owner: Owner, role: PropertyRole, value: &str) {
        match (role, owner) {
            (PropertyRole::Defect, Owner::Case) => {
                if let Some(i) = self.open_cases.checked_sub(1) {
                    push_defect_keys(value, &mut self.cases[i].defect_refs);
                }
            }
            (PropertyRole::Defect, Owner::Suite) => {
                if let Some(suite) = self.suites.last_mut() {
                    push_defect_keys(value, &mut suite.defect_refs);
                }
            }
            (PropertyRole::Commit, Owner::Suite) => {
                if self.commit.is_none() {
                    self.commit = commit_value(value);
                }
            }
            (PropertyRole::Commit, Owner::Case) => {}
        }
    }

    fn push_suite_error(&mut self, kind: SuiteErrorKind, message: Option<String>) {
        let suite = self
            .suites
            .last()
            .map(|s| s.name.clone())
            .unwrap_or_default();
        self.suite_errors.push(SuiteError {
            file: 0,
            suite,
            kind,
            message: message.filter(|m| !m.is_empty()),
        });
    }

    /// Ends text collection for the top frame, delivering what was collected.
    fn stop_collecting(&mut self) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let delivered = *frame;
        match frame {
            Frame::CaseStatus { collecting, .. }
            | Frame::SuiteStatus { collecting, .. }
            | Frame::Property { collecting, .. }
                if *collecting =>
            {
                *collecting = false;
            }
            _ => return,
        }
        self.deliver(delivered);
    }

    fn deliver(&mut self, frame: Frame) {
        let text = std::mem::take(&mut self.text);
        match frame {
            Frame::CaseStatus { child, .. } => {
                if let Some(i) = self.open_cases.checked_sub(1) {
                    let case = &mut self.cases[i];
                    let out = &mut case.messages[child.slot()];
                    out.clear();
                    out.push_str(cut_message(&text));
                    case.has_message[child.slot()] = !out.is_empty();
                }
            }
            Frame::SuiteStatus { kind, .. } => {
                self.push_suite_error(kind, Some(cut_message(&text).to_owned()));
            }
            Frame::Property { owner, role, .. } => self.apply_property(owner, role, &text),
            _ => {}
        }
        self.text = text;
        self.text.clear();
    }

    fn end(&mut self, start: u64, options: &ReadOptions) -> Result<(), Failure> {
        let Some(frame) = self.frames.pop() else {
            return not_xml("an end tag that closes nothing", start);
        };
        if let Some(at) = self.name_starts.pop() {
            self.open_names.truncate(at);
        }
        self.tags.namespaces.close(self.frames.len());
        match frame {
            Frame::Case => self.close_case(options),
            Frame::Suite | Frame::Testsuites => self.close_suite(),
            Frame::CaseStatus {
                collecting: true, ..
            }
            | Frame::SuiteStatus {
                collecting: true, ..
            }
            | Frame::Property {
                collecting: true, ..
            } => self.deliver(frame),
            _ => {}
        }
        if self.frames.is_empty() {
            self.phase = Phase::AfterRoot;
        }
        Ok(())
    }

    fn close_case(&mut self, options: &ReadOptions) {
        let Some(i) = self.open_cases.checked_sub(1) else {
            return;
        };
        self.open_cases = i;
        let case = &mut self.cases[i];
        let outcome = case.seen.outcome();
        let name_hash = name_key(&case.classname, &case.name);
        self.name_hashes.push(name_hash);
        // Suite properties written before the cases are known here; those written after them
        // reach only the tests kept for another reason (traceability then misses them, and says
        // so by listing the defect as untraced: it fails closed).
        let has_refs =
            !case.defect_refs.is_empty() || self.suites.iter().any(|s| !s.defect_refs.is_empty());
        let innermost = self.suites.last().filter(|s| !s.is_root);
        let suite = innermost.map_or("", |s| s.name.as_str());
        let identity = identity_key(
            innermost.map_or_else(|| suite_key(""), |s| s.key),
            name_hash,
        );
        if self.identities {
            self.identity_keys.push(identity);
        }
        if !self.wanted.is_empty() && self.wanted.binary_search(&identity).is_ok() {
            self.named.push((
                identity,
                [suite.to_owned(), case.classname.clone(), case.name.clone()],
            ));
        }
        let merging = options.retries == RetryMode::RepeatedTestcases;
        let key = (merging || options.outcomes).then_some(identity);
        // A repeated attempt is kept even when it looks passed, so that the merged test has a
        // record: it is flaky at least (see `retries.rs`).
        let kept = retains(
            &options.retention,
            outcome,
            &case.classname,
            &case.name,
            has_refs,
            &mut self.qualified,
        ) || (merging && key.is_some_and(|k| self.merger.seen(k)));
        // A duration is needed only for a kept record or a merged attempt; most tests need none.
        let needs_time = kept || merging;
        let time = if case.has_time && needs_time {
            parse_time(&case.time)
        } else {
            None
        };
        let record = kept.then(|| {
            let message = deciding_slot(outcome)
                .filter(|slot| case.has_message[*slot])
                .map(|slot| std::mem::take(&mut case.messages[slot]));
            self.records.push(TestRecord {
                file: 0,
                suite: suite.to_owned(),
                classname: case.classname.clone(),
                name: case.name.clone(),
                outcome,
                time,
                message,
                defect_refs: std::mem::take(&mut case.defect_refs),
                attempts: 1,
            });
            self.record_seqs.push(case.seq);
            self.records.len() - 1
        });
        match (options.retries, key) {
            (RetryMode::RepeatedTestcases, Some(key)) => {
                self.merger.attempt(key, outcome, time, record);
            }
            _ => {
                self.counts.record(outcome);
                if let Some(key) = key {
                    self.outcomes.push(KeyedOutcome::new(key, outcome));
                }
            }
        }
    }

    fn close_suite(&mut self) {
        let Some(suite) = self.suites.pop() else {
            return;
        };
        if suite.has_case_child && !suite.is_root {
            self.suite_count += 1;
        }
        if suite.defect_refs.is_empty() {
            return;
        }
        // Suite properties apply to every test inside, including those read before the
        // `<properties>` element (some runners write it last).
        for record in self.records.iter_mut().skip(suite.first_record) {
            for key in &suite.defect_refs {
                if !record.defect_refs.contains(key) {
                    record.defect_refs.push(key.clone());
                }
            }
        }
    }
}

/// On a document read again with its invalid UTF-8 replaced, refuses an element or attribute
/// name that holds a replacement character. In text and attribute values a replacement is a
/// mangled message or test name, and the report is still read; in a name it is not: the element
/// would no longer be a `<testcase>` or a `<failure>` (a failing test would vanish, or pass),
/// nor the attribute a `status`. End tags need no check: they must match their start tag.
fn refuse_replaced_names(e: &BytesStart<'_>, qname: &str, start: u64) -> Result<(), Failure> {
    const REPLACEMENT: char = '\u{FFFD}';
    if qname.contains(REPLACEMENT) {
        return not_xml(
            format!("invalid UTF-8 in the element name `{qname}`"),
            start,
        );
    }
    // A malformed attribute is reported by `each_attribute`, which every element goes through.
    let mut replaced = None;
    let _ = each_raw_attribute(e.attributes_raw(), &mut Vec::new(), |attr| {
        if replaced.is_none() && attr.key.contains(REPLACEMENT) {
            replaced = Some(attr.key);
        }
        Ok(())
    });
    match replaced {
        Some(key) => not_xml(
            format!("invalid UTF-8 in the attribute name `{key}` of `<{qname}>`"),
            start,
        ),
        None => Ok(()),
    }
}

/// What the attribute reader keeps from tag to tag: the duplicate check's scratch space, the
/// namespace prefixes in scope, and the depth of the tag being read.
#[derive(Default)]
struct Tags {
    seen: Vec<Range<usize>>,
    namespaces: Namespaces,
    depth: usize,
}

impl Tags {
    fn start(&mut self, depth: usize) {
        self.depth = depth;
        self.namespaces.start_tag();
    }
}

/// Calls `f` with the name and value (as XML reads it) of every attribute of `e`, after checking
/// its syntax (white space before it, a valid name, `=`, quotes, no duplicate), its characters
/// and its value (no `<`, only defined entity references, character references to characters),
/// and noting namespace declarations and prefixes in `tags`. A value with nothing to decode or
/// normalise is passed as it stands in the input.
fn each_attribute<'a>(
    e: &'a BytesStart<'_>,
    start: u64,
    tags: &mut Tags,
    mut f: impl FnMut(&'a str, Cow<'a, str>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let raw = e.attributes_raw();
    // `<` + the name: where the attribute text starts in the document.
    let base = start + 1 + (e.len() - raw.len()) as u64;
    let Tags {
        seen,
        namespaces,
        depth,
    } = tags;
    let mut failure = None;
    let parsed = each_raw_attribute(raw, seen, |attr| {
        let result = (|| {
            check_chars(
                attr.value,
                base + attr.value_at as u64,
                Chars::Lenient,
                "an attribute value",
            )?;
            let value = if is_plain(attr.value) {
                Cow::Borrowed(attr.value)
            } else {
                decoded(attr.key, attr.value, base + attr.value_at as u64)?
            };
            namespaces
                .attribute(
                    attr.key,
                    &value,
                    attr.key_at..attr.key_at + attr.key.len(),
                    *depth,
                )
                .or_else(|reason| not_xml(reason, base + attr.key_at as u64))?;
            f(attr.key, value)
        })();
        result.map_err(|f| {
            failure = Some(f);
            crate::wellformed::AttributeError {
                at: 0,
                reason: String::new(),
            }
        })
    });
    match (parsed, failure) {
        (_, Some(failure)) => Err(failure),
        (Err(e), None) => not_xml(
            format!("malformed attribute: {}", e.reason),
            base + e.at as u64,
        ),
        (Ok(()), None) => Ok(()),
    }
}

/// An attribute value as XML reads it: references replaced, white space characters turned into
/// spaces (so a name written over two lines reads as one line, as every XML parser reads it).
/// `<` was refused already.
fn decoded<'a>(key: &str, value: &'a str, at: u64) -> Result<Cow<'a, str>, Failure> {
    if let Some(reason) = bad_reference(value) {
        return not_xml(format!("in attribute `{key}`: {reason}"), at);
    }
    let attr = Attribute {
        key: QName(key),
        value: Cow::Borrowed(value),
    };
    match attr.normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_xml_entity) {
        Ok(Cow::Borrowed(_)) => Ok(Cow::Borrowed(value)),
        Ok(Cow::Owned(owned)) => Ok(Cow::Owned(owned)),
        Err(err) => not_xml(
            format!(
                "in attribute `{key}`: {}",
                lowercase_first(&err.to_string())
            ),
            at,
        ),
    }
}

/// Refuses a character `rule` does not allow in `text`, which starts at `offset`.
fn check_chars(text: &str, offset: u64, rule: Chars, what: &str) -> Result<(), Failure> {
    match first_bad_char(text, rule) {
        Some((at, c)) => not_xml(
            format!(
                "the character {} is not allowed in XML (in {what})",
                shown(c)
            ),
            offset + at as u64,
        ),
        None => Ok(()),
    }
}

/// Why a testcase's `status` value could hide a skip, if it could: it decides a count, so the
/// leniency for control characters in attribute values stops here, and a value one slip away
/// from a skip status is refused.
fn status_problem(value: &str) -> Option<String> {
    if let Some((_, c)) = first_bad_char(value, Chars::Strict) {
        return Some(format!(
            "the testcase `status` holds the character {}, which would hide whether the test ran",
            shown(c)
        ));
    }
    lookalike::skip_status(value).map(|word| {
        format!(
            "the testcase `status=\"{value}\"` is not a status, but looks like `{word}`: a corrupted `{word}` would read as a test that ran"
        )
    })
}

fn lookalike_attribute(key: &str, word: &str, element: &str) -> String {
    format!(
        "the `<{element}>` attribute `{key}` is not a JUnit attribute, but looks like `{word}`: a misspelt or corrupted `{word}` would be ignored"
    )
}

/// Whether a test is kept: the same rule as [`TestRetention::keeps_with_refs`], but matching
/// patterns against a reused buffer so that a passing test that is not kept allocates nothing.
pub(crate) fn retains(
    retention: &TestRetention,
    outcome: TestOutcome,
    classname: &str,
    name: &str,
    has_defect_refs: bool,
    qualified: &mut String,
) -> bool {
    if retention.all || outcome != TestOutcome::Passed {
        return true;
    }
    if retention.defect_references
        && (has_defect_refs || shipgate_model::test_evidence::may_name_a_defect(classname, name))
    {
        return true;
    }
    if retention.patterns.is_empty() {
        return false;
    }
    qualified.clear();
    if !classname.is_empty() {
        qualified.push_str(classname);
        qualified.push('.');
    }
    qualified.push_str(name);
    retention.patterns.iter().any(|p| p.matches(qualified))
}

/// Keys for (classname, name) and (suite, classname, name): a 64-bit quality hash, so a file of
/// two million tests keeps 16 MB of keys instead of every name. With 64 bits the chance of any
/// false duplicate among two million names is about one in ten million.
const KEYS: FixedState = FixedState::with_seed(0x5348_4950_4741_5445);

/// 0xFF never occurs in UTF-8, so it separates the parts unambiguously.
fn name_key(classname: &str, name: &str) -> u64 {
    let mut h = KEYS.build_hasher();
    h.write(classname.as_bytes());
    h.write_u8(0xFF);
    h.write(name.as_bytes());
    h.finish()
}

/// The identity of a test across files and runs: its suite, classname and name (the key retries
/// are merged by, history is kept by, and tests repeated across files are found by).
pub fn test_key(suite: &str, classname: &str, name: &str) -> u64 {
    identity_key(suite_key(suite), name_key(classname, name))
}

/// The hash of a suite's name, computed once per suite rather than once per test.
fn suite_key(suite: &str) -> u64 {
    let mut h = KEYS.build_hasher();
    h.write(suite.as_bytes());
    h.finish()
}

/// [`test_key`] from the hashes of its parts: 16 bytes hashed per test.
fn identity_key(suite: u64, name: u64) -> u64 {
    let mut h = KEYS.build_hasher();
    h.write_u64(suite);
    h.write_u64(name);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::TestPattern;

    #[test]
    fn prolog_declarations_are_found_behind_comments_and_pis() {
        assert_eq!(prolog_declaration(b"<!DOCTYPE x>"), Some(0));
        assert_eq!(
            prolog_declaration(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c --> <!DOCTYPE x>"),
            Some(36)
        );
        assert_eq!(prolog_declaration(b"<!ENTITY % p \"x\">"), Some(0));
        assert_eq!(
            prolog_declaration(b"<?xml version=\"1.0\"?><testsuite/>"),
            None
        );
        assert_eq!(prolog_declaration(b"<testsuite/><!DOCTYPE x>"), None);
        assert_eq!(prolog_declaration(b"<!-- unclosed"), None);
        assert_eq!(prolog_declaration(b""), None);
    }

    #[test]
    fn retains_agrees_with_the_model() {
        let retention = TestRetention {
            patterns: vec![
                TestPattern::new("com.acme.payment.*").unwrap(),
                TestPattern::new("*login*").unwrap(),
            ],
            all: false,
            ..TestRetention::default()
        };
        let mut buf = String::new();
        let cases = [
            ("com.acme.payment.RefundTest", "refunds"),
            ("com.acme.Other", "login_works"),
            ("", "login"),
            ("", "other"),
            ("com.acme.Other", "other"),
            ("com.acme.paymentX", "x"),
            ("com.acme.RefundTest", "pay_123"),
        ];
        let traceability = TestRetention {
            defect_references: true,
            ..TestRetention::default()
        };
        for outcome in [
            TestOutcome::Passed,
            TestOutcome::Failed,
            TestOutcome::Skipped,
        ] {
            for (classname, name) in cases {
                for r in [&retention, &TestRetention::default(), &traceability] {
                    for refs in [false, true] {
                        assert_eq!(
                            retains(r, outcome, classname, name, refs, &mut buf),
                            r.keeps_with_refs(outcome, classname, name, refs),
                            "{outcome:?} {classname} {name} {refs}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn name_keys_separate_the_parts() {
        assert_ne!(name_key("a.b", "c"), name_key("a", "b.c"));
        assert_ne!(name_key("ab", ""), name_key("a", "b"));
        assert_eq!(name_key("a", "b"), name_key("a", "b"));
        assert_ne!(test_key("s", "a", "b"), test_key("", "sa", "b"));
    }
}
