//! Reading a file once: hashing every byte as it streams past, refusing what no reader reads,
//! and handing the file to the reader of the registry (`crate::readers`) that recognises it from
//! its first bytes, or else, for a JSON document, from its keys.

use crate::PerfRead;
use crate::error::PerfError;
use crate::reader::{Head, Input, Reader, Sample, strip_bom};
use crate::readers;
use sha2::{Digest, Sha256};
use shipgate_model::{PerfEvidence, PerfFormat};
use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{Receiver, channel};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

/// A buffered reader that hashes and counts everything read through it. It reads as a
/// `BufReader` of [`READ`] bytes does, into a buffer of [`CHUNK`] bytes that, once full and
/// read, is handed whole to the hashing thread (no copy) and a spare one taken in its place.
pub(crate) struct HashingReader<'s, R> {
    inner: R,
    hasher: Hasher<'s>,
    bytes: u64,
    /// `buf[..filled]` was read from `inner`, `buf[..pos]` of it handed on to the caller.
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
}

/// Where the bytes are hashed: here, or on a thread of their own beside the reading (on a file
/// of gigabytes, SHA-256 costs a third of what parsing does; the reader need not wait for it).
enum Hasher<'s> {
    Here(Sha256),
    Beside {
        /// Full buffers, and how many of their bytes were read, to hash in this order.
        chunks: SyncSender<(Vec<u8>, usize)>,
        /// Buffers the hashing thread is done with, to read into again.
        spare: Receiver<Vec<u8>>,
        thread: ScopedJoinHandle<'s, Sha256>,
    },
}

/// The bytes handed to the hashing thread at a time: it is woken a thousand times a gigabyte,
/// not tens of thousands.
const CHUNK: usize = 1 << 20;
/// The most read from the file at a time, as the `BufReader` before (the readers look at the
/// first read's bytes to recognise a file).
const READ: usize = 64 * 1024;

impl<'s, R: Read> HashingReader<'s, R> {
    fn with(inner: R, hasher: Hasher<'s>) -> Self {
        Self {
            inner,
            hasher,
            bytes: 0,
            buf: vec![0; CHUNK],
            pos: 0,
            filled: 0,
        }
    }

    /// Hashes here, on the reading thread.
    #[cfg(test)]
    fn new(inner: R) -> Self {
        Self::with(inner, Hasher::Here(Sha256::new()))
    }

    /// Hashes on a thread of `scope`, or here when no thread can be started.
    fn beside<'e>(inner: R, scope: &'s Scope<'s, 'e>) -> Self {
        // At most four chunks wait for the hash: the memory stays a few megabytes.
        let (chunks, receive) = sync_channel::<(Vec<u8>, usize)>(4);
        let (give_back, spare) = channel::<Vec<u8>>();
        let thread = std::thread::Builder::new()
            .name("shipgate-perf-sha256".to_owned())
            .spawn_scoped(scope, move || {
                let mut hasher = Sha256::new();
                for (chunk, n) in receive {
                    hasher.update(chunk.get(..n).unwrap_or(&chunk));
                    // The reader may be done and gone: the buffer is then simply dropped.
                    let _ = give_back.send(chunk);
                }
                hasher
            });
        let hasher = match thread {
            Ok(thread) => Hasher::Beside {
                chunks,
                spare,
                thread,
            },
            Err(_) => Hasher::Here(Sha256::new()),
        };
        Self::with(inner, hasher)
    }

    /// Hashes `buf[..filled]`, read or not, and starts an empty buffer.
    fn hand_over(&mut self) -> std::io::Result<()> {
        if self.filled > 0 {
            match &mut self.hasher {
                Hasher::Here(hasher) => hasher.update(self.buf.get(..self.filled).unwrap_or(&[])),
                Hasher::Beside { chunks, spare, .. } => {
                    let next = spare.try_recv().unwrap_or_else(|_| vec![0; CHUNK]);
                    let full = std::mem::replace(&mut self.buf, next);
                    chunks
                        .send((full, self.filled))
                        .map_err(|_| std::io::Error::other("the hashing thread stopped"))?;
                }
            }
        }
        self.pos = 0;
        self.filled = 0;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<(String, u64)> {
        self.hand_over()?;
        let digest = match self.hasher {
            Hasher::Here(hasher) => hasher.finalize(),
            Hasher::Beside { chunks, thread, .. } => {
                drop(chunks);
                thread
                    .join()
                    .map_err(|_| std::io::Error::other("the hashing thread stopped"))?
                    .finalize()
            }
        };
        Ok((hex(&digest), self.bytes))
    }
}

impl<R: Read> BufRead for HashingReader<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos >= self.filled {
            if self.filled + READ > self.buf.len() {
                self.hand_over()?;
            }
            let end = (self.filled + READ).min(self.buf.len());
            let n = match self.buf.get_mut(self.filled..end) {
                Some(room) => self.inner.read(room)?,
                None => 0,
            };
            self.pos = self.filled;
            self.filled += n;
            self.bytes += n as u64;
        }
        Ok(self.buf.get(self.pos..self.filled).unwrap_or(&[]))
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.filled);
    }
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
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

/// Reads one file from `inner`; `path` names it in messages and provenance. A gzip-compressed
/// file (k6 `--out json=FILE.gz`) is decompressed as it streams; its hash stays the hash of the
/// file's own (compressed) bytes.
pub(crate) fn read_from<R: Read>(
    inner: R,
    path: &str,
    format: PerfFormat,
) -> Result<PerfRead, PerfError> {
    std::thread::scope(|scope| read_hashed(HashingReader::beside(inner, scope), path, format))
}

fn read_hashed<R: Read>(
    hashing: HashingReader<'_, R>,
    path: &str,
    format: PerfFormat,
) -> Result<PerfRead, PerfError> {
    let io = |source| PerfError::Io {
        path: path.to_owned(),
        source,
    };
    let mut reader = hashing;
    let gzip = reader.fill_buf().map_err(io)?.starts_with(&GZIP_MAGIC);
    let (found, evidence) = if gzip {
        let mut unzipped = BufReader::with_capacity(
            64 * 1024,
            Gunzip(flate2::bufread::MultiGzDecoder::new(&mut reader)),
        );
        let read = dispatch(&mut unzipped, path, format, true)?;
        // To its end, so that a stream cut short or with a wrong checksum is refused even when
        // the reader stopped early.
        std::io::copy(&mut unzipped, &mut std::io::sink()).map_err(io)?;
        read
    } else {
        dispatch(&mut reader, path, format, false)?
    };
    // Whatever a reader left unread still belongs to the file's hash.
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(io)?;
    let (sha256, bytes) = reader.finish().map_err(io)?;
    let mut evidence = evidence;
    if found.format() != PerfFormat::Baseline {
        // A tool's own file: it is its own source. (A baseline snapshot keeps the recorded
        // provenance of the file it was promoted from.)
        evidence.provenance.source_path = path.to_owned();
        evidence.provenance.source_sha256 = sha256.clone();
        evidence.provenance.source_bytes = bytes;
        if gzip {
            evidence.provenance.format = format!("{}, gzip-compressed", evidence.provenance.format);
        }
    }
    Ok(PerfRead {
        evidence,
        sha256,
        bytes,
        family: found.format(),
    })
}

/// The first two bytes of a gzip stream (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A gzip decoder whose errors say that the compressed stream is at fault.
struct Gunzip<R>(R);

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "the gzip-compressed file is cut short or damaged ({e}); check it with `gzip -t`, and copy or write it again"
                ),
            )
        })
    }
}

/// Recognises the file from its first bytes (or, for a JSON document, its keys) and hands it
/// to its reader.
fn dispatch(
    reader: &mut dyn BufRead,
    path: &str,
    format: PerfFormat,
    unzipped: bool,
) -> Result<(&'static dyn Reader, PerfEvidence), PerfError> {
    let io = |source| PerfError::Io {
        path: path.to_owned(),
        source,
    };
    let head = reader.fill_buf().map_err(io)?.to_vec();
    if unzipped && head.starts_with(&GZIP_MAGIC) {
        return Err(PerfError::NotRecognised {
            path: path.to_owned(),
            what: "it is gzip-compressed twice; decompress it once (`gunzip`) and point `sources.performance` at the result".to_owned(),
        });
    }
    let head = frame(&head, path)?;
    match readers::recognise(&Sample::Head(&head)) {
        Some(found) => {
            check_family(found, format, path)?;
            Ok((found, found.read(Input::Stream(reader), path)?))
        }
        None if head.is_json_object() => {
            // A first line that is a whole object with a key given twice: refused here, as
            // neither reading of it (one k6 `--out json` point, or the start of a document) can
            // tell which format the file is in.
            if let Err(source) = shipgate_json::parse_value(head.first_line)
                && source.is_duplicate_key()
            {
                return Err(PerfError::Json {
                    path: path.to_owned(),
                    format: "JSON".to_owned(),
                    source,
                });
            }
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(io)?;
            let doc = shipgate_json::parse_value(&bytes).map_err(|source| PerfError::Json {
                path: path.to_owned(),
                format: "JSON".to_owned(),
                source,
            })?;
            drop(bytes);
            let found = doc
                .as_object()
                .and_then(|obj| readers::recognise(&Sample::Json(obj)))
                .ok_or_else(|| PerfError::NotRecognised {
                    path: path.to_owned(),
                    what: "it is JSON, but not a k6 summary, a JMeter statistics.json, a Gatling stats.json, a generic metrics file, a Bencher Metric Format file or a shipgate baseline".to_owned(),
                })?;
            check_family(found, format, path)?;
            Ok((found, found.read(Input::Json(doc), path)?))
        }
        None => Err(PerfError::NotRecognised {
            path: path.to_owned(),
            what: match head.text.first() {
                Some(b'[') => "it is a JSON list, and not Locust's `--json` stats; shipgate reads JSON objects (a k6 summary, a generic metrics file with a `metrics` list, ...) and Locust's list of stats entries",
                Some(b'<') => "it is XML or HTML, not a load-test result shipgate reads (a JMeter JTL in XML starts with `<testResults`)",
                _ => "it is neither JSON nor a JMeter JTL, a Locust stats CSV or a Gatling binary simulation.log",
            }
            .to_owned(),
        }),
    }
}

/// Refuses a file declared as one format family that is another.
fn check_family(found: &dyn Reader, declared: PerfFormat, path: &str) -> Result<(), PerfError> {
    if declared == PerfFormat::Auto || declared == found.format() {
        return Ok(());
    }
    Err(PerfError::FormatMismatch {
        path: path.to_owned(),
        declared: declared.describe().to_owned(),
        found: found.describe().to_owned(),
    })
}

/// The first bytes of a file, past a byte order mark and white space; an empty file refused.
fn frame<'a>(head: &'a [u8], path: &str) -> Result<Head<'a>, PerfError> {
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
    Ok(Head { text, first_line })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff, 0x5c]), "000fa0ff5c");
        // The SHA-256 of no bytes, as `sha256sum` prints it.
        let (digest, bytes) = HashingReader::new(&b""[..]).finish().unwrap();
        assert_eq!(
            digest,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(bytes, 0);
    }

    #[test]
    fn hashing_beside_the_reading_hashes_every_byte_once_across_chunks() {
        // Two and a half chunks, read in reads of odd sizes: the chunks handed to the hashing
        // thread, and the rest at the end, must hash as the whole does.
        let data: Vec<u8> = (0..CHUNK * 5 / 2 + 7)
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let expected = hex(&Sha256::digest(&data));
        let (digest, bytes) = std::thread::scope(|scope| {
            let mut reader = HashingReader::beside(&data[..], scope);
            let mut buf = vec![0u8; 65_537];
            while reader.read(&mut buf).unwrap() > 0 {}
            reader.finish().unwrap()
        });
        assert_eq!(digest, expected);
        assert_eq!(bytes, data.len() as u64);
        // The same here, on the reading thread, read by lines as the NDJSON reader does.
        let mut reader = HashingReader::new(&data[..]);
        let mut line = Vec::new();
        let mut read = 0;
        loop {
            line.clear();
            let n = reader.read_until(17, &mut line).unwrap();
            if n == 0 {
                break;
            }
            read += n;
        }
        assert_eq!(read, data.len());
        assert_eq!(reader.finish().unwrap(), (expected, data.len() as u64));
    }
}
