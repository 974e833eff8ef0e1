//! Finding and removing a run's secrets in text, in every form the text could hold them.
//!
//! A server, a proxy, a test's output or a report can carry a token in other forms than the
//! raw value: the `Authorization: Basic` value is the base64 of `user:token` (standard or
//! URL-safe alphabet, with or without padding); a URL carries it percent-encoded (upper- or
//! lower-case hex, each character encoded or not); a JSON document escapes `/` as `\/` and any
//! character as `\uXXXX`; HTML and XML as `&#47;`, `&#x2F;` or `&amp;`. A [`Redactor`] holds,
//! for each secret, the exact strings it can be written as (the raw value and its base64
//! forms), and matches each character of them in any of its encodings, so one search finds
//! every mix of them.
//!
//! The rule a caller must keep: redact the whole text *before* cutting it short. A cut made
//! first can split a secret, and a part of it no longer matches.
//!
//! This module must not hold a secret anywhere it could be printed: `Debug` shows how many
//! secrets a redactor knows, never them.

use std::borrow::Cow;
use std::fmt;
use std::io::Read;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// A secret shorter than this is not searched for: it would match ordinary words. Real tokens
/// are far longer (GitHub 40, GitLab 20, Redmine 40, Jira 24 characters and more).
pub const MIN_SECRET_LEN: usize = 4;

/// The secrets of a run, and their removal from text. Built from every credential the run
/// resolved; cheap to clone.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    forms: Vec<Form>,
}

/// One exact string a secret can be written as, each of its characters with every encoding it
/// may appear in.
#[derive(Clone, PartialEq, Eq)]
struct Form {
    /// What the secret is called where it may be named: the environment variable it came from.
    label: String,
    /// For each character of the form, the byte strings that write it.
    chars: Vec<Vec<Vec<u8>>>,
    /// Whether a byte can start a match (the first bytes of the first character's encodings).
    starts: [bool; 256],
    /// The longest a match can be, in bytes.
    max_len: usize,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} forms)", self.forms.len())
    }
}

impl Redactor {
    /// A redactor that knows no secret.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret (a token or password) named by `label` (the environment variable it came
    /// from; never the secret): its raw value and the base64 of it. Leading and trailing white
    /// space is not part of it (it is not sent either). A secret shorter than
    /// [`MIN_SECRET_LEN`] is ignored.
    pub fn add_secret(&mut self, label: &str, secret: &str) {
        let secret = secret.trim();
        if secret.len() < MIN_SECRET_LEN {
            return;
        }
        self.add_form(label, secret);
        self.add_base64(label, secret.as_bytes());
    }

    /// Adds a secret used with HTTP basic authentication: besides the secret itself, the base64
    /// of `user:secret`, which is what the `Authorization` header carries.
    pub fn add_basic(&mut self, label: &str, user: &str, secret: &str) {
        let secret = secret.trim();
        if secret.len() < MIN_SECRET_LEN {
            return;
        }
        self.add_secret(label, secret);
        self.add_base64(label, format!("{}:{secret}", user.trim()).as_bytes());
    }

    /// Adds every secret of `other`.
    pub fn extend(&mut self, other: &Redactor) {
        for form in &other.forms {
            if !self.forms.contains(form) {
                self.forms.push(form.clone());
            }
        }
    }

    /// Whether it knows no secret (then it changes nothing).
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// The label of a secret the bytes hold in any form, if any.
    pub fn find(&self, text: &[u8]) -> Option<&str> {
        (0..text.len()).find_map(|at| self.longest_at(text, at).map(|(_, form)| form))
    }

    /// Reads everything from `reader` and says which secret it holds, if any, without holding
    /// it all in memory (inputs can be large).
    pub fn find_in(&self, mut reader: impl Read) -> std::io::Result<Option<String>> {
        if self.is_empty() {
            return Ok(None);
        }
        let keep = self.forms.iter().map(|f| f.max_len).max().unwrap_or(0);
        let mut buffer: Vec<u8> = Vec::new();
        let mut chunk = vec![0u8; 1 << 20];
        loop {
            let n = reader.read(&mut chunk)?;
            let done = n == 0;
            buffer.extend_from_slice(&chunk[..n]);
            if let Some(label) = self.find(&buffer) {
                return Ok(Some(label.to_owned()));
            }
            if done {
                return Ok(None);
            }
            // A secret that starts in this chunk and ends in the next is found next time.
            let cut = buffer.len().saturating_sub(keep);
            buffer.drain(..cut);
        }
    }

    /// The text with every secret, in every form, replaced by [`MASK`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.is_empty() {
            return Cow::Borrowed(text);
        }
        let bytes = text.as_bytes();
        let mut out = String::new();
        let mut copied = 0;
        let mut at = 0;
        while at < bytes.len() {
            match self.longest_at(bytes, at) {
                Some((end, _)) => {
                    // Matches start on a character's first byte and end after its last (every
                    // encoding written is whole characters), so both are boundaries.
                    out.push_str(text.get(copied..at).unwrap_or_default());
                    out.push_str(MASK);
                    copied = end;
                    at = end;
                }
                None => at += 1,
            }
        }
        if copied == 0 && out.is_empty() {
            return Cow::Borrowed(text);
        }
        out.push_str(text.get(copied..).unwrap_or_default());
        Cow::Owned(out)
    }

    /// The longest match of any form starting at `at`: where it ends, and its label.
    fn longest_at(&self, text: &[u8], at: usize) -> Option<(usize, &str)> {
        let first = *text.get(at)?;
        self.forms
            .iter()
            .filter(|f| f.starts[usize::from(first)])
            .filter_map(|f| f.match_at(text, at).map(|end| (end, f.label.as_str())))
            .max_by_key(|(end, _)| *end)
    }

    fn add_form(&mut self, label: &str, value: &str) {
        let chars: Vec<Vec<Vec<u8>>> = value.chars().map(encodings).collect();
        let mut starts = [false; 256];
        if let Some(first) = chars.first() {
            for e in first {
                if let Some(b) = e.first() {
                    starts[usize::from(*b)] = true;
                }
            }
        }
        let max_len = chars
            .iter()
            .map(|c| c.iter().map(Vec::len).max().unwrap_or(0))
            .sum();
        let form = Form {
            label: label.to_owned(),
            chars,
            starts,
            max_len,
        };
        if !self.forms.contains(&form) {
            self.forms.push(form);
        }
    }

    /// The base64 of `bytes` in the standard and the URL-safe alphabet. Without padding: the
    /// padded form starts with it, and the `=` left over reveals nothing.
    fn add_base64(&mut self, label: &str, bytes: &[u8]) {
        for alphabet in [STANDARD, URL_SAFE] {
            self.add_form(label, &base64(bytes, alphabet));
        }
    }
}

impl Form {
    /// Where a match starting at `at` ends (the longest), if one does.
    fn match_at(&self, text: &[u8], at: usize) -> Option<usize> {
        let mut ends = vec![at];
        for encodings in &self.chars {
            let mut next: Vec<usize> = Vec::new();
            for &pos in &ends {
                let rest = text.get(pos..).unwrap_or_default();
                for e in encodings {
                    if rest.starts_with(e) && !next.contains(&(pos + e.len())) {
                        next.push(pos + e.len());
                    }
                }
            }
            if next.is_empty() {
                return None;
            }
            ends = next;
        }
        ends.into_iter().max()
    }
}

/// Every way a character is written in the text a secret may turn up in: itself; URL
/// percent-encoding (upper- or lower-case hex); a JSON `\uXXXX` escape and the short escapes
/// (`\/`, `\"`, `\\`); an HTML/XML character reference (`&#47;`, `&#x2F;`) or named entity; and
/// `+` for a space (form encoding).
fn encodings(c: char) -> Vec<Vec<u8>> {
    let mut utf8 = [0u8; 4];
    let raw = c.encode_utf8(&mut utf8).as_bytes().to_vec();
    let mut out = vec![raw.clone()];
    let mut push = |s: String| {
        let b = s.into_bytes();
        if !out.contains(&b) {
            out.push(b);
        }
    };
    for upper in [true, false] {
        let hex = |n: u32, width: usize| {
            if upper {
                format!("{n:0width$X}")
            } else {
                format!("{n:0width$x}")
            }
        };
        push(
            raw.iter()
                .map(|b| format!("%{}", hex(u32::from(*b), 2)))
                .collect(),
        );
        let mut units = [0u16; 2];
        push(
            c.encode_utf16(&mut units)
                .iter()
                .map(|u| format!("\\u{}", hex(u32::from(*u), 4)))
                .collect(),
        );
        push(format!("&#x{};", hex(u32::from(c), 1)));
    }
    push(format!("&#{};", u32::from(c)));
    let named: &[&str] = match c {
        '/' => &["\\/"],
        '"' => &["\\\"", "&quot;"],
        '\\' => &["\\\\"],
        '&' => &["&amp;"],
        '<' => &["&lt;"],
        '>' => &["&gt;"],
        '\'' => &["&apos;"],
        ' ' => &["+"],
        _ => &[],
    };
    for n in named {
        push((*n).to_owned());
    }
    out
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 without padding (RFC 4648, sections 4 and 5).
fn base64(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group.first().copied().unwrap_or(0),
            group.get(1).copied().unwrap_or(0),
            group.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=group.len() {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(alphabet[index as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "tok/5e1f+0c9d=never";

    fn redactor() -> Redactor {
        let mut r = Redactor::new();
        r.add_basic("TRACKER_TOKEN", "qa@acme.example", TOKEN);
        r
    }

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes(), STANDARD), encoded);
        }
        assert_eq!(base64(&[0xfb, 0xff], STANDARD), "+/8");
        assert_eq!(base64(&[0xfb, 0xff], URL_SAFE), "-_8");
    }

    #[test]
    fn every_form_of_the_secret_is_removed() {
        let r = redactor();
        let basic = base64(format!("qa@acme.example:{TOKEN}").as_bytes(), STANDARD);
        let basic_url = base64(format!("qa@acme.example:{TOKEN}").as_bytes(), URL_SAFE);
        let forms = [
            TOKEN.to_owned(),
            // Percent-encoded, upper and lower case, and only in part.
            "tok%2F5e1f%2B0c9d%3Dnever".to_owned(),
            "tok%2f5e1f%2b0c9d%3dnever".to_owned(),
            "tok/5e1f%2B0c9d=never".to_owned(),
            "%74%6F%6B/5e1f+0c9d=never".to_owned(),
            // JSON-escaped.
            "tok\\/5e1f+0c9d=never".to_owned(),
            "tok\\u002f5e1f\\u002B0c9d\\u003dnever".to_owned(),
            // HTML and XML.
            "tok&#47;5e1f&#x2B;0c9d&#61;never".to_owned(),
            // The basic-auth header value, padded or not, both alphabets.
            format!("Basic {basic}"),
            format!("Basic {basic}=="),
            basic_url.clone(),
            basic.replace('/', "\\/"),
            basic.replace('+', "%2B").replace('/', "%2F"),
            base64(TOKEN.as_bytes(), STANDARD),
        ];
        for form in &forms {
            let text = format!("before {form} after");
            let out = r.redact(&text);
            assert!(out.starts_with("before ") && out.contains(MASK), "{out}");
            assert!(!out.contains("5e1f"), "{form} → {out}");
            assert_eq!(r.find(text.as_bytes()), Some("TRACKER_TOKEN"), "{form}");
        }
    }

    #[test]
    fn text_without_a_secret_is_unchanged() {
        let r = redactor();
        let text = "tok/5e1f+0c9d=neve (a part is not the secret) Zm9vYmFy %2F &#47;";
        assert!(matches!(r.redact(text), Cow::Borrowed(_)));
        assert_eq!(r.find(text.as_bytes()), None);
        assert_eq!(Redactor::new().redact(TOKEN), TOKEN);
    }

    #[test]
    fn non_ascii_secrets_and_json_surrogates() {
        let mut r = Redactor::new();
        r.add_secret("PW", "pässwörd😀x");
        for form in [
            "pässwörd😀x",
            "p\\u00e4sswörd\\uD83D\\uDE00x",
            "p%C3%A4sswörd%F0%9F%98%80x",
        ] {
            assert_eq!(r.redact(&format!("[{form}]")), "[***]", "{form}");
        }
    }

    #[test]
    fn short_secrets_are_not_searched() {
        let mut r = Redactor::new();
        r.add_secret("T", " ab ");
        assert!(r.is_empty());
        r.add_secret("T", "  abcd  ");
        assert_eq!(r.redact("x abcd y"), "x *** y");
    }

    #[test]
    fn a_secret_across_chunks_is_found() {
        let r = redactor();
        let mut data = vec![b'x'; (1 << 20) - 5];
        data.extend_from_slice(TOKEN.as_bytes());
        data.extend_from_slice(b" tail");
        assert_eq!(
            r.find_in(&data[..]).unwrap().as_deref(),
            Some("TRACKER_TOKEN")
        );
        assert_eq!(r.find_in(&b"nothing here"[..]).unwrap(), None);
    }

    #[test]
    fn debug_shows_no_secret() {
        let shown = format!("{:?}", redactor());
        assert!(!shown.contains("5e1f") && !shown.contains("tok"), "{shown}");
    }
}
