//! SHA-256, the hash every input's provenance records: the one helper of the workspace, so that
//! a file hashed by the JUnit reader, the load-test reader and the release record gives the same
//! lowercase hex. It opens nothing: [`HashingReader`] hashes what another crate reads through it.

use sha2::{Digest, Sha256};
use std::io::{self, Read};

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of a digest.
fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(digest.len() * 2);
    for b in digest {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Hashes and counts every byte read through it, so that a streamed file is hashed in the same
/// pass that parses it, and never held in memory whole.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The lowercase hex SHA-256 and the size of what was read through it.
    pub fn finish(self) -> (String, u64) {
        (hex(&self.hasher.finalize()), self.bytes)
    }

    /// Reads whatever is left unread (a parser that stopped early), then
    /// [`finish`](Self::finish)es: the hash of the whole input.
    pub fn finish_all(mut self) -> io::Result<(String, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(self.finish())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        self.hasher.update(read);
        self.bytes += read.len() as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn a_hashing_reader_hashes_everything_read_through_it_or_left() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let mut r = HashingReader::new(&data[..]);
        let mut first = [0u8; 10];
        r.read_exact(&mut first).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.bytes, 10);
        let (digest, bytes) = r.finish_all().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((digest, bytes), (sha256_hex(&data), 100_000));
        let mut r = HashingReader::new(&data[..]);
        let mut all = Vec::new();
        r.read_to_end(&mut all).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.finish(), (sha256_hex(&data), 100_000));
    }
}
