//! Bytes in, UTF-8 XML events out: encoding detection, transcoding, hashing while reading, and
//! the two event sources (a document in memory, a stream for large files).
//!
//! quick-xml 0.42 reads UTF-8 only, so anything else (UTF-16 with or without a BOM, an encoding
//! declared in the prolog such as ISO-8859-1) is transcoded with encoding_rs first. UTF-8 takes
//! the fast path untouched; if it turns out to hold invalid bytes the caller reads the document
//! again through a replacing decoder, because a report with a mangled test name is still a
//! report (the brief: replace, don't reject). A replacement in an element or attribute name is
//! refused, though: it would hide what the element was (see `document::refuse_replaced_names`).

use encoding_rs::{CoderResult, Decoder, Encoding, UTF_8, UTF_16BE, UTF_16LE};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::borrow::Cow;
use std::io::{self, BufRead, Read};

/// How the bytes of a document are to be turned into UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Charset {
    /// Read as is (a UTF-8 BOM is skipped by quick-xml).
    Utf8,
    /// UTF-8, but with invalid sequences replaced by U+FFFD.
    Utf8Lossy,
    /// Transcoded from this encoding (a BOM of that encoding is removed).
    Other(&'static Encoding),
}

/// Decides the encoding from the first bytes: a BOM, the UTF-16 signature of `<?`, or the
/// `encoding="..."` of the XML declaration. `Err` carries a declared label nobody knows.
pub(crate) fn sniff_charset(head: &[u8]) -> Result<Charset, String> {
    match head {
        [0xEF, 0xBB, 0xBF, ..] => return Ok(Charset::Utf8),
        [0xFF, 0xFE, ..] | [b'<', 0, b'?', 0, ..] => return Ok(Charset::Other(UTF_16LE)),
        [0xFE, 0xFF, ..] | [0, b'<', 0, b'?', ..] => return Ok(Charset::Other(UTF_16BE)),
        _ => {}
    }
    let Some(label) = declared_encoding(head) else {
        return Ok(Charset::Utf8);
    };
    match Encoding::for_label(label.as_bytes()) {
        // A UTF-16 label on bytes we just read as ASCII is a lie; the WHATWG rule (and every
        // browser) reads such a document as UTF-8.
        Some(enc) if enc == UTF_8 || enc == UTF_16LE || enc == UTF_16BE => Ok(Charset::Utf8),
        Some(enc) if enc == encoding_rs::REPLACEMENT || enc == encoding_rs::X_USER_DEFINED => {
            Err(label.to_owned())
        }
        Some(enc) => Ok(Charset::Other(enc)),
        None => Err(label.to_owned()),
    }
}

/// The `encoding` pseudo-attribute of an XML declaration at the very start of `head`.
fn declared_encoding(head: &[u8]) -> Option<&str> {
    let rest = head.strip_prefix(b"<?xml")?;
    if !rest.first().is_some_and(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let end = memchr::memmem::find(rest, b"?>")?;
    let decl = std::str::from_utf8(&rest[..end]).ok()?;
    let after = &decl[decl.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(value[..value.find(quote)?].trim())
}

/// Decodes a whole document held in memory. Borrowed when it is UTF-8 already.
pub(crate) fn decode_all(bytes: &[u8], charset: Charset) -> Cow<'_, [u8]> {
    match charset {
        Charset::Utf8 => Cow::Borrowed(bytes),
        Charset::Utf8Lossy => match String::from_utf8_lossy(bytes) {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        },
        Charset::Other(enc) => match enc.decode_with_bom_removal(bytes).0 {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        },
    }
}

/// A `BufRead` that transcodes another one to UTF-8, replacing what cannot be decoded.
pub(crate) struct Transcoder<R> {
    inner: R,
    decoder: Decoder,
    out: Box<[u8]>,
    pos: usize,
    len: usize,
    finished: bool,
}

impl<R: BufRead> Transcoder<R> {
    pub fn new(inner: R, encoding: &'static Encoding) -> Self {
        Self {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            out: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            len: 0,
            finished: false,
        }
    }

    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: BufRead> BufRead for Transcoder<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.len && !self.finished {
            let src = self.inner.fill_buf()?;
            let last = src.is_empty();
            let (result, read, written, _) = self.decoder.decode_to_utf8(src, &mut self.out, last);
            self.inner.consume(read);
            self.pos = 0;
            self.len = written;
            // encoding_rs panics if called again after the last call completed.
            if last && result == CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        Ok(&self.out[self.pos..self.len])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.len);
    }
}

impl<R: BufRead> Read for Transcoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// A stream of UTF-8: the input itself, or the input transcoded.
pub(crate) enum Utf8Stream<R> {
    /// Already UTF-8 (or assumed to be, on the fast path).
    Direct(R),
    /// Transcoded (or UTF-8 with invalid sequences replaced).
    Transcoded(Transcoder<R>),
}

impl<R: BufRead> Utf8Stream<R> {
    pub fn new(inner: R, charset: Charset) -> Self {
        match charset {
            Charset::Utf8 => Utf8Stream::Direct(inner),
            Charset::Utf8Lossy => Utf8Stream::Transcoded(Transcoder::new(inner, UTF_8)),
            Charset::Other(enc) => Utf8Stream::Transcoded(Transcoder::new(inner, enc)),
        }
    }

    pub fn into_inner(self) -> R {
        match self {
            Utf8Stream::Direct(r) => r,
            Utf8Stream::Transcoded(t) => t.into_inner(),
        }
    }
}

impl<R: BufRead> BufRead for Utf8Stream<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Utf8Stream::Direct(r) => r.fill_buf(),
            Utf8Stream::Transcoded(t) => t.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match self {
            Utf8Stream::Direct(r) => r.consume(amt),
            Utf8Stream::Transcoded(t) => t.consume(amt),
        }
    }
}

impl<R: BufRead> Read for Utf8Stream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Utf8Stream::Direct(r) => r.read(buf),
            Utf8Stream::Transcoded(t) => t.read(buf),
        }
    }
}

/// Where XML events come from: a document in memory (events borrow from it, no copy) or a
/// buffered stream (events borrow from one reused buffer).
pub(crate) trait EventSource {
    /// The next event.
    fn next_event(&mut self) -> quick_xml::Result<Event<'_>>;
    /// Byte offset (in the UTF-8 text) just after the last event.
    fn position(&self) -> u64;
    /// Byte offset of the last error's start.
    fn error_position(&self) -> u64;
    /// Whether nothing is left to read. Used only after an error, to tell a document that was
    /// cut short from one that is wrong.
    fn at_eof(&mut self) -> bool;
}

fn configure<R>(reader: &mut Reader<R>) {
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.expand_empty_elements = false;
    config.allow_dangling_amp = false;
    config.allow_unmatched_ends = false;
    config.trim_text(false);
}

/// Events from a document in memory.
pub(crate) struct SliceSource<'a> {
    reader: Reader<&'a [u8]>,
    len: u64,
}

impl<'a> SliceSource<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        let mut reader = Reader::from_reader(text);
        configure(&mut reader);
        Self {
            reader,
            len: text.len() as u64,
        }
    }
}

impl EventSource for SliceSource<'_> {
    fn next_event(&mut self) -> quick_xml::Result<Event<'_>> {
        self.reader.read_event()
    }

    fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn error_position(&self) -> u64 {
        self.reader.error_position()
    }

    fn at_eof(&mut self) -> bool {
        self.reader.buffer_position() >= self.len
    }
}

/// Events from a buffered stream; one buffer is reused for every event.
pub(crate) struct StreamSource<R> {
    reader: Reader<R>,
    buf: Vec<u8>,
}

impl<R: BufRead> StreamSource<R> {
    pub fn new(inner: R) -> Self {
        let mut reader = Reader::from_reader(inner);
        configure(&mut reader);
        Self {
            reader,
            buf: Vec::with_capacity(8 * 1024),
        }
    }

    pub fn into_inner(self) -> R {
        self.reader.into_inner()
    }
}

impl<R: BufRead> EventSource for StreamSource<R> {
    fn next_event(&mut self) -> quick_xml::Result<Event<'_>> {
        self.buf.clear();
        self.reader.read_event_into(&mut self.buf)
    }

    fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn error_position(&self) -> u64 {
        self.reader.error_position()
    }

    fn at_eof(&mut self) -> bool {
        self.reader
            .get_mut()
            .fill_buf()
            .map_or(true, |rest| rest.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_and_signatures() {
        assert_eq!(sniff_charset(b"\xEF\xBB\xBF<a/>"), Ok(Charset::Utf8));
        assert_eq!(sniff_charset(b"\xFF\xFE<\0"), Ok(Charset::Other(UTF_16LE)));
        assert_eq!(sniff_charset(b"\xFE\xFF\0<"), Ok(Charset::Other(UTF_16BE)));
        assert_eq!(sniff_charset(b"<\0?\0x\0"), Ok(Charset::Other(UTF_16LE)));
        assert_eq!(sniff_charset(b"\0<\0?\0x"), Ok(Charset::Other(UTF_16BE)));
        assert_eq!(sniff_charset(b"<testsuite/>"), Ok(Charset::Utf8));
        assert_eq!(sniff_charset(b""), Ok(Charset::Utf8));
    }

    #[test]
    fn declared_encodings() {
        let latin = sniff_charset(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>").unwrap();
        assert_eq!(latin, Charset::Other(encoding_rs::WINDOWS_1252));
        let single = sniff_charset(b"<?xml version='1.0' encoding = 'windows-1251' ?>").unwrap();
        assert_eq!(single, Charset::Other(encoding_rs::WINDOWS_1251));
        assert_eq!(
            sniff_charset(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
            Ok(Charset::Utf8)
        );
        assert_eq!(
            sniff_charset(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?>"),
            Ok(Charset::Utf8)
        );
        assert_eq!(
            sniff_charset(b"<?xml version=\"1.0\" encoding=\"klingon\"?>"),
            Err("klingon".to_owned())
        );
        assert_eq!(sniff_charset(b"<?xml version=\"1.0\"?>"), Ok(Charset::Utf8));
        assert_eq!(
            sniff_charset(b"<?xmlfoo encoding=\"latin1\"?>"),
            Ok(Charset::Utf8)
        );
    }

    #[test]
    fn transcoding_stream_matches_decoding_in_memory() {
        let text = "<a>caf\u{e9} \u{20ac} \u{1F600}</a>".repeat(5000);
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let in_memory = decode_all(&utf16, Charset::Other(UTF_16LE));
        assert_eq!(&*in_memory, text.as_bytes());
        let mut streamed = Vec::new();
        let reader = io::BufReader::with_capacity(777, &utf16[..]);
        Utf8Stream::new(reader, Charset::Other(UTF_16LE))
            .read_to_end(&mut streamed)
            .unwrap();
        assert_eq!(streamed, text.as_bytes());
    }

    #[test]
    fn lossy_utf8_replaces() {
        let bytes = b"<a>\xFF ok</a>";
        assert_eq!(
            &*decode_all(bytes, Charset::Utf8Lossy),
            "<a>\u{FFFD} ok</a>".as_bytes()
        );
        let mut streamed = Vec::new();
        Utf8Stream::new(&bytes[..], Charset::Utf8Lossy)
            .read_to_end(&mut streamed)
            .unwrap();
        assert_eq!(streamed, "<a>\u{FFFD} ok</a>".as_bytes());
    }
}
