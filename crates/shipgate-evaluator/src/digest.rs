//! The evaluator's streams of SHA-256 (the one hash of the workspace is
//! `shipgate_model::digest`): a stream copied while it is hashed, for the release record, and a
//! file hashed without being held in memory whole.

use shipgate_model::HashingReader;
pub use shipgate_model::sha256_hex;
use std::path::Path;

/// Why a streamed hash stopped: reading its input, or writing the copy.
#[derive(Debug)]
pub(crate) enum StreamError {
    /// The input could not be read.
    Read(std::io::Error),
    /// The copy could not be written.
    Write(std::io::Error),
}

/// The SHA-256 (lowercase hex) and size of what `reader` yields, read in fixed chunks so that an
/// input of any size is never held in memory whole; each chunk is also written to `copy` when
/// given. The one streaming hash of the crate: the record's copies and checks, unreadable
/// load-test files.
pub(crate) fn sha256_stream(
    reader: &mut dyn std::io::Read,
    mut copy: Option<&mut dyn std::io::Write>,
) -> Result<(String, u64), StreamError> {
    use std::io::Read as _;
    let mut reader = HashingReader::new(reader);
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(StreamError::Read(e)),
        };
        if let Some(out) = copy.as_mut() {
            let chunk = buffer.get(..n).unwrap_or_default();
            out.write_all(chunk).map_err(StreamError::Write)?;
        }
    }
    if let Some(out) = copy.as_mut() {
        out.flush().map_err(StreamError::Write)?;
    }
    Ok(reader.finish())
}

/// The SHA-256 (lowercase hex) and size of a file, streamed.
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    sha256_stream(&mut file, None).map_err(|e| match e {
        StreamError::Read(e) | StreamError::Write(e) => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn streamed_hashes_and_copies_match_the_bytes() {
        let data: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        let mut copy = Vec::new();
        let (sha, n) = sha256_stream(&mut data.as_slice(), Some(&mut copy)).unwrap();
        assert_eq!((sha.as_str(), n), (sha256_hex(&data).as_str(), 600_000));
        assert_eq!(copy, data);
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), &data).unwrap();
        assert_eq!(sha256_file(&dir.path().join("f")).unwrap(), (sha, n));
    }
}
