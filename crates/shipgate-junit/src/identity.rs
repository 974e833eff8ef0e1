//! Which file a path names, whatever its spelling: `r/a.xml`, `r/../r/a.xml`, a path through a
//! symlinked folder and a hard link are one file, and must be read (and counted) once.

use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};

/// The identity of a file: its device and inode on Unix, its canonical path elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FileIdentity(Inner);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Inner {
    #[cfg(unix)]
    Inode { device: u64, inode: u64 },
    #[cfg(not(unix))]
    Canonical(PathBuf),
}

impl FileIdentity {
    /// The identity of the file at `path`, whose metadata (symlinks followed) is `meta`.
    #[cfg(unix)]
    pub fn of(_path: &Path, meta: &Metadata) -> io::Result<Self> {
        use std::os::unix::fs::MetadataExt;
        Ok(Self(Inner::Inode {
            device: meta.dev(),
            inode: meta.ino(),
        }))
    }

    /// The identity of the file at `path`, whose metadata (symlinks followed) is `meta`.
    #[cfg(not(unix))]
    pub fn of(path: &Path, _meta: &Metadata) -> io::Result<Self> {
        fs::canonicalize(path).map(|p| Self(Inner::Canonical(p)))
    }
}

/// What paths are de-duplicated by: the file's identity, or when it cannot be found (the file
/// is missing or unreadable, which the read then reports) the path itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum DedupKey {
    File(FileIdentity),
    Path(PathBuf),
}

impl DedupKey {
    pub fn of(path: &Path) -> Self {
        fs::metadata(path)
            .and_then(|meta| FileIdentity::of(path, &meta))
            .map_or_else(|_| DedupKey::Path(path.to_path_buf()), DedupKey::File)
    }
}
