//! Reading a file once: hashing every byte as it streams past, recognising the format from its
//! first bytes, and handing the stream to the right reader.

use crate::error::PerfError;
use crate::{Format, gatling, generic, jmeter, k6_ndjson, k6_summary, locust, snapshot};
use serde_json::Value;
use sha2::{Digest, Sha256};
use shipgate_model::PerfEvidence;
use std::io::{BufRead, BufReader, Read};

/// A reader that hashes and counts everything read through it.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    fn finish(self) -> (String, u64) {
        (hex(&self.hasher.finalize()), self.bytes)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Lower-case hex of `bytes`, into one string.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        hex.push(char::from(DIGITS[usize::from(b >> 4)]));
        hex.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    hex
}

/// The shape of a file, as recognised from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    K6Summary,
    K6MachineReadable,
    K6Ndjson,
    JmeterJtl,
    JmeterStatistics,
    LocustStats,
    GatlingStats,
    Generic,
    Bencher,
    Baseline,
}

impl Kind {
    /// The format family a kind belongs to.
    fn family(self) -> Format {
        match self {
            Kind::K6Summary | Kind::K6MachineReadable | Kind::K6Ndjson => Format::K6,
            Kind::JmeterJtl | Kind::JmeterStatistics => Format::Jmeter,
            Kind::LocustStats => Format::Locust,
            Kind::GatlingStats => Format::Gatling,
            Kind::Generic | Kind::Bencher => Format::Generic,
            Kind::Baseline => Format::Baseline,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::K6Summary => "a k6 summary (handleSummary data or --summary-export)",
            Kind::K6MachineReadable => "a k6 machine-readable summary",
            Kind::K6Ndjson => "k6 `--out json` output",
            Kind::JmeterJtl => "a JMeter JTL",
            Kind::JmeterStatistics => "a JMeter dashboard statistics.json",
            Kind::LocustStats => "a Locust `--csv` stats file",
            Kind::GatlingStats => "a Gatling stats.json or global_stats.json",
            Kind::Generic => "a generic metrics JSON",
            Kind::Bencher => "a Bencher Metric Format file",
            Kind::Baseline => "a shipgate baseline snapshot",
        }
    }
}

/// What was read: the evidence and the provenance of the bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct PerfRead {
    /// The evidence.
    pub evidence: PerfEvidence,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// Reads one file from `inner`; `path` names it in messages and provenance.
pub(crate) fn read_from<R: Read>(
    inner: R,
    path: &str,
    format: Format,
) -> Result<PerfRead, PerfError> {
    let io = |source| PerfError::Io {
        path: path.to_owned(),
        source,
    };
    let mut reader = BufReader::with_capacity(64 * 1024, HashingReader::new(inner));
    let head = reader.fill_buf().map_err(io)?.to_vec();
    let shape = sniff(&head, path)?;
    let mut is_snapshot = false;
    let evidence = match shape {
        Sniffed::Ndjson => {
            check_family(Kind::K6Ndjson, format, path)?;
            k6_ndjson::read(&mut reader, path)?
        }
        Sniffed::JtlCsv => {
            check_family(Kind::JmeterJtl, format, path)?;
            jmeter::read_jtl(&mut reader, path)?
        }
        Sniffed::LocustCsv => {
            check_family(Kind::LocustStats, format, path)?;
            locust::read(&mut reader, path)?
        }
        Sniffed::Snapshot => {
            // Snapshots can be large (every raw sample): read them straight into their type.
            check_family(Kind::Baseline, format, path)?;
            is_snapshot = true;
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(io)?;
            snapshot::read_bytes(strip_bom(&bytes), path)?
        }
        Sniffed::Json => {
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(io)?;
            let doc = shipgate_json::parse_value(&bytes).map_err(|source| PerfError::Json {
                path: path.to_owned(),
                format: "JSON".to_owned(),
                source,
            })?;
            drop(bytes);
            let kind = classify_json(&doc).ok_or_else(|| PerfError::NotRecognised {
                path: path.to_owned(),
                what: "it is JSON, but not a k6 summary, a JMeter statistics.json, a Gatling stats.json, a generic metrics file, a Bencher Metric Format file or a shipgate baseline".to_owned(),
            })?;
            check_family(kind, format, path)?;
            is_snapshot = kind == Kind::Baseline;
            match kind {
                Kind::K6Summary => k6_summary::read_summary(&doc, path)?,
                Kind::K6MachineReadable => k6_summary::read_machine_readable(&doc, path)?,
                Kind::JmeterStatistics => jmeter::read_statistics(&doc, path)?,
                Kind::GatlingStats => gatling::read(&doc, path)?,
                Kind::Generic => generic::read_generic(&doc, path)?,
                Kind::Bencher => generic::read_bencher(&doc, path)?,
                Kind::Baseline => snapshot::read(doc, path)?,
                Kind::K6Ndjson | Kind::JmeterJtl | Kind::LocustStats => {
                    return Err(PerfError::NotRecognised {
                        path: path.to_owned(),
                        what: "the file's shape changed while it was read".to_owned(),
                    });
                }
            }
        }
    };
    // Whatever a reader left unread still belongs to the file's hash.
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(io)?;
    let (sha256, bytes) = reader.into_inner().finish();
    let mut evidence = evidence;
    if !is_snapshot {
        // A tool's own file: it is its own source. (A baseline snapshot keeps the recorded
        // provenance of the file it was promoted from.)
        evidence.provenance.source_path = path.to_owned();
        evidence.provenance.source_sha256 = sha256.clone();
        evidence.provenance.source_bytes = bytes;
    }
    Ok(PerfRead {
        evidence,
        sha256,
        bytes,
    })
}

fn check_family(kind: Kind, declared: Format, path: &str) -> Result<(), PerfError> {
    if declared == Format::Auto || declared == kind.family() {
        return Ok(());
    }
    Err(PerfError::FormatMismatch {
        path: path.to_owned(),
        declared: declared.describe().to_owned(),
        found: kind.describe().to_owned(),
    })
}

/// A UTF-8 byte order mark, as Windows tools write one.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

enum Sniffed {
    Snapshot,
    Json,
    Ndjson,
    JtlCsv,
    LocustCsv,
}

/// Recognises the format family from the first bytes of the file.
fn sniff(head: &[u8], path: &str) -> Result<Sniffed, PerfError> {
    let not = |what: &str| PerfError::NotRecognised {
        path: path.to_owned(),
        what: what.to_owned(),
    };
    if head.starts_with(&[0x1f, 0x8b]) {
        return Err(not(
            "it is gzip-compressed; decompress it first (`gunzip`), then point `sources.performance` at the result",
        ));
    }
    let text = strip_bom(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(PerfError::EmptyFile {
            path: path.to_owned(),
        });
    };
    let text = &text[start..];
    let first_line = match text.iter().position(|&b| b == b'\n') {
        Some(i) => &text[..i],
        None => text,
    };
    match text[0] {
        b'{' => {
            // `shipgate perf baseline promote` writes this key first.
            let inner = &text[1..];
            let key_at = inner
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(0);
            if inner[key_at..].starts_with(b"\"shipgate_perf_baseline\"") {
                return Ok(Sniffed::Snapshot);
            }
            // k6 `--out json` writes one small object per line, each with a `type`.
            match shipgate_json::parse_value(first_line) {
                Ok(Value::Object(obj))
                    if matches!(
                        obj.get("type").and_then(Value::as_str),
                        Some("Metric" | "Point")
                    ) =>
                {
                    Ok(Sniffed::Ndjson)
                }
                // A first line that is a whole object with a key given twice: refused here, as
                // neither reading of it can tell which format the file is in.
                Err(source) if source.is_duplicate_key() => Err(PerfError::Json {
                    path: path.to_owned(),
                    format: "JSON".to_owned(),
                    source,
                }),
                _ => Ok(Sniffed::Json),
            }
        }
        b'[' => Err(not(
            "it is a JSON list; shipgate reads JSON objects (a k6 summary, a generic metrics file with a `metrics` list, ...)",
        )),
        b'<' => {
            let snippet = String::from_utf8_lossy(&text[..text.len().min(4096)]).into_owned();
            if snippet.contains("<testResults") {
                Err(not(
                    "it is a JMeter JTL in XML; shipgate reads JTL files in CSV, JMeter's default (`jmeter.save.saveservice.output_format=csv`)",
                ))
            } else {
                Err(not(
                    "it is XML or HTML, not a load-test result shipgate reads",
                ))
            }
        }
        _ => {
            let line = String::from_utf8_lossy(first_line);
            let line = line.trim_end_matches('\r');
            if line.starts_with("Type,Name,") || line.starts_with("\"Type\",\"Name\",") {
                return Ok(Sniffed::LocustCsv);
            }
            if line.contains("timeStamp") && line.contains("elapsed") {
                return Ok(Sniffed::JtlCsv);
            }
            // JMeter before 3.0 writes no header row by default: a row starts with the epoch
            // milliseconds of the sample.
            let first_field = line.split([',', '\t']).next().unwrap_or("");
            if first_field.len() >= 12 && first_field.bytes().all(|b| b.is_ascii_digit()) {
                return Ok(Sniffed::JtlCsv);
            }
            Err(not(
                "it is neither JSON nor a JMeter JTL or Locust stats CSV",
            ))
        }
    }
}

/// Which JSON format a document is, from its keys.
fn classify_json(doc: &Value) -> Option<Kind> {
    let obj = doc.as_object()?;
    if obj.contains_key("shipgate_perf_baseline") {
        return Some(Kind::Baseline);
    }
    if obj.contains_key("version")
        && obj
            .get("results")
            .and_then(|r| r.get("metrics"))
            .is_some_and(Value::is_array)
    {
        return Some(Kind::K6MachineReadable);
    }
    match obj.get("metrics") {
        Some(Value::Object(_)) => return Some(Kind::K6Summary),
        Some(Value::Array(_)) => return Some(Kind::Generic),
        _ => {}
    }
    if obj.get("type").and_then(Value::as_str) == Some("GROUP") && obj.contains_key("stats") {
        return Some(Kind::GatlingStats);
    }
    if obj.contains_key("numberOfRequests") {
        return Some(Kind::GatlingStats);
    }
    if !obj.is_empty()
        && obj
            .values()
            .all(|v| v.get("sampleCount").is_some() && v.get("transaction").is_some())
    {
        return Some(Kind::JmeterStatistics);
    }
    let bencher = !obj.is_empty()
        && obj.values().all(|bench| {
            bench.as_object().is_some_and(|measures| {
                !measures.is_empty()
                    && measures
                        .values()
                        .all(|m| m.get("value").is_some_and(Value::is_number))
            })
        });
    bencher.then_some(Kind::Bencher)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff, 0x5c]), "000fa0ff5c");
        // The SHA-256 of no bytes, as `sha256sum` prints it.
        let (digest, bytes) = HashingReader::new(&b""[..]).finish();
        assert_eq!(
            digest,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(bytes, 0);
    }

    #[test]
    fn json_documents_are_told_apart_by_their_keys() {
        assert_eq!(
            classify_json(&json!({"metrics": {}})),
            Some(Kind::K6Summary)
        );
        assert_eq!(classify_json(&json!({"metrics": []})), Some(Kind::Generic));
        assert_eq!(
            classify_json(&json!({"version": "1.0.0", "results": {"metrics": []}})),
            Some(Kind::K6MachineReadable)
        );
        assert_eq!(
            classify_json(&json!({"Total": {"transaction": "Total", "sampleCount": 1}})),
            Some(Kind::JmeterStatistics)
        );
        assert_eq!(
            classify_json(&json!({"bench": {"latency": {"value": 1.0}}})),
            Some(Kind::Bencher)
        );
        assert_eq!(
            classify_json(&json!({"bench": {"latency": {"v": 1.0}}})),
            None
        );
        assert_eq!(classify_json(&json!({})), None);
        assert_eq!(classify_json(&json!([1])), None);
    }
}
