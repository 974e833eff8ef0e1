//! Instants written with their zone, found in any text (YAML, JSON, XML, a command line), so
//! that a mutation can take the zone away: `2026-12-31T18:00:00+01:00` becomes
//! `2026-12-31T18:00:00`, `2026-11-24T05:00:00[America/New_York]` becomes `2026-11-24T05:00:00`.

/// The byte ranges of the zones (`Z`, an offset, a bracketed zone, or an offset and a zone) of
/// every date and time in `text` that has one.
pub fn zones(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let digits =
        |at: usize, n: usize| b.len() >= at + n && b[at..at + n].iter().all(u8::is_ascii_digit);
    let mut out = Vec::new();
    let mut i = 0;
    while i + 16 <= b.len() {
        // YYYY-MM-DD[T ]HH:MM
        let date = digits(i, 4)
            && b[i + 4] == b'-'
            && digits(i + 5, 2)
            && b[i + 7] == b'-'
            && digits(i + 8, 2)
            && matches!(b[i + 10], b'T' | b't' | b' ')
            && digits(i + 11, 2)
            && b[i + 13] == b':'
            && digits(i + 14, 2);
        if !date || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let mut j = i + 16;
        if b.get(j) == Some(&b':') && digits(j + 1, 2) {
            j += 3;
            if b.get(j) == Some(&b'.') {
                j += 1;
                while b.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
            }
        }
        let zone_start = j;
        match b.get(j) {
            Some(b'Z' | b'z') => j += 1,
            Some(b'+' | b'-') if digits(j + 1, 2) => {
                j += 3;
                if b.get(j) == Some(&b':') && digits(j + 1, 2) {
                    j += 3;
                } else if digits(j, 2) {
                    j += 2;
                }
            }
            _ => {}
        }
        if b.get(j) == Some(&b'[')
            && let Some(end) = text[j..].find(']')
        {
            j += end + 1;
        }
        if j > zone_start {
            out.push((zone_start, j));
        }
        i = j.max(i + 1);
    }
    out
}

/// `text` without the zone at `range`.
pub fn strip(text: &str, range: (usize, usize)) -> String {
    format!("{}{}", &text[..range.0], &text[range.1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_written_zone_and_only_those() {
        let text = "a: 2026-12-31T18:00:00+01:00\nb: 2026-12-31\nc: \"2026-10-01T09:41:00.000+0000\"\nd: 2026-11-24T05:00[America/New_York] e: 2026-11-24 10:00 f: 2026-11-24T01:10:33.773664Z";
        let stripped: Vec<String> = zones(text)
            .into_iter()
            .map(|r| text[r.0..r.1].to_owned())
            .collect();
        assert_eq!(stripped, ["+01:00", "+0000", "[America/New_York]", "Z"]);
        assert_eq!(
            strip(
                "x 2026-01-01T00:00:00Z y",
                zones("x 2026-01-01T00:00:00Z y")[0]
            ),
            "x 2026-01-01T00:00:00 y"
        );
    }
}
