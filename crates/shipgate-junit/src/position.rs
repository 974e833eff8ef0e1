//! Byte offsets to 1-based line and column. Computed only when an error is reported, by reading
//! the (decoded) document again up to the offset, so the fast path never counts lines.

use std::io::{self, BufRead};

/// 1-based line and column (in characters) of a byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineColumn {
    pub line: u64,
    pub column: u64,
}

/// Counts lines and characters over UTF-8 text fed in pieces.
struct Counter {
    line: u64,
    /// Characters since the last line feed.
    chars: u64,
    /// Bytes fed so far.
    fed: u64,
}

impl Counter {
    fn feed(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            self.line += 1;
            self.chars = 0;
            rest = &rest[nl + 1..];
        }
        // Count characters, not bytes: skip UTF-8 continuation bytes.
        self.chars += rest.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64;
        self.fed += bytes.len() as u64;
    }
}

/// Where `offset` falls in `text`. A UTF-8 BOM does not count as a column.
pub(crate) fn in_memory(text: &[u8], offset: u64) -> LineColumn {
    let end = usize::try_from(offset).map_or(text.len(), |o| o.min(text.len()));
    let mut counter = Counter {
        line: 1,
        chars: 0,
        fed: 0,
    };
    counter.feed(&text[..end]);
    finish(&counter, text.starts_with(b"\xEF\xBB\xBF") && end >= 3)
}

/// Where `offset` falls in a stream, reading it up to there.
pub(crate) fn in_stream(mut reader: impl BufRead, offset: u64) -> io::Result<LineColumn> {
    let mut counter = Counter {
        line: 1,
        chars: 0,
        fed: 0,
    };
    let mut bom = false;
    while counter.fed < offset {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        if counter.fed == 0 {
            bom = chunk.starts_with(b"\xEF\xBB\xBF");
        }
        let take =
            usize::try_from(offset - counter.fed).map_or(chunk.len(), |n| n.min(chunk.len()));
        counter.feed(&chunk[..take]);
        reader.consume(take);
    }
    Ok(finish(&counter, bom && counter.fed >= 3))
}

fn finish(counter: &Counter, skipped_bom: bool) -> LineColumn {
    let bom_column = u64::from(skipped_bom && counter.line == 1);
    LineColumn {
        line: counter.line,
        column: counter.chars.saturating_sub(bom_column) + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\ncd\n\u{e9}f<".as_bytes();
        assert_eq!(in_memory(text, 0), LineColumn { line: 1, column: 1 });
        assert_eq!(in_memory(text, 1), LineColumn { line: 1, column: 2 });
        assert_eq!(in_memory(text, 3), LineColumn { line: 2, column: 1 });
        // `<` is after a two-byte character: column 3, not 4.
        let lt = text.iter().position(|b| *b == b'<').unwrap() as u64;
        assert_eq!(in_memory(text, lt), LineColumn { line: 3, column: 3 });
        assert_eq!(in_memory(text, 999), LineColumn { line: 3, column: 4 });
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = b"\xEF\xBB\xBF<a>";
        assert_eq!(in_memory(text, 3), LineColumn { line: 1, column: 1 });
        assert_eq!(in_memory(text, 4), LineColumn { line: 1, column: 2 });
    }

    #[test]
    fn stream_agrees_with_memory() {
        let text = "x\u{1F600}y\n".repeat(3000);
        for offset in [0u64, 1, 5, 6, 7, 999, 12_345, 20_999, 50_000] {
            let reader = io::BufReader::with_capacity(64, text.as_bytes());
            assert_eq!(
                in_stream(reader, offset).unwrap(),
                in_memory(text.as_bytes(), offset),
                "offset {offset}"
            );
        }
    }
}
