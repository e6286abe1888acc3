//! A store's file image as bytes: a redb storage backend over a byte buffer, and the reader
//! that copies any backend's bytes out.
//!
//! The image is redb's own file format, byte for byte: written to a file it opens with
//! `Store::open`, and a file's bytes open with `StoreBuilder::from_image`. It is a physical
//! snapshot, so it carries redb's crash safety with it: an image taken while the store is open
//! is exactly what the file would hold if the process stopped there, and redb repairs its
//! allocator state when the image is opened.

use std::io;
use std::ops::Bound;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use redb::{BackendError, StorageBackend};

use crate::error::{Error, Result};

/// A redb backend over a growable byte buffer: an in-memory store whose bytes can be exported.
#[derive(Default)]
pub(crate) struct ImageBackend {
    bytes: RwLock<Vec<u8>>,
}

impl std::fmt::Debug for ImageBackend {
    // The bytes are the whole database; printing them would flood any log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = self.bytes.read().map_or(0, |b| b.len());
        f.debug_struct("ImageBackend").field("len", &len).finish()
    }
}

fn poisoned<T>(_: T) -> io::Error {
    io::Error::other("the image buffer's lock is poisoned by an earlier panic")
}

fn out_of_range(offset: u64, len: usize, size: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("bytes {offset}..{} lie beyond the end of the image ({size} bytes)", offset.saturating_add(len as u64)),
    )
}

/// The byte range `offset .. offset + len` of a buffer of `size` bytes, if it lies inside.
fn span(offset: u64, len: usize, size: usize) -> io::Result<std::ops::Range<usize>> {
    let start = usize::try_from(offset).map_err(|_| out_of_range(offset, len, size))?;
    let end = start.checked_add(len).filter(|&end| end <= size).ok_or_else(|| out_of_range(offset, len, size))?;
    Ok(start..end)
}

impl ImageBackend {
    /// A backend holding `bytes` (an image, or nothing for a fresh store).
    pub(crate) fn new(bytes: Vec<u8>) -> ImageBackend {
        ImageBackend { bytes: RwLock::new(bytes) }
    }

    fn read_guard(&self) -> io::Result<RwLockReadGuard<'_, Vec<u8>>> {
        self.bytes.read().map_err(poisoned)
    }

    fn write_guard(&self) -> io::Result<RwLockWriteGuard<'_, Vec<u8>>> {
        self.bytes.write().map_err(poisoned)
    }
}

impl StorageBackend for ImageBackend {
    fn len(&self) -> io::Result<u64> {
        Ok(self.read_guard()?.len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let bytes = self.read_guard()?;
        let range = span(offset, out.len(), bytes.len())?;
        let src = bytes.get(range).ok_or_else(|| out_of_range(offset, out.len(), bytes.len()))?;
        out.copy_from_slice(src);
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let len = usize::try_from(len)
            .map_err(|_| io::Error::new(io::ErrorKind::OutOfMemory, format!("an image of {len} bytes does not fit")))?;
        let mut bytes = self.write_guard()?;
        // Reserve first, so that a size this host cannot hold is an error instead of an abort.
        if let Some(extra) = len.checked_sub(bytes.len()) {
            bytes.try_reserve_exact(extra).map_err(|e| io::Error::new(io::ErrorKind::OutOfMemory, e.to_string()))?;
        }
        bytes.resize(len, 0);
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut bytes = self.write_guard()?;
        let size = bytes.len();
        let range = span(offset, data.len(), size)?;
        let dst = bytes.get_mut(range).ok_or_else(|| out_of_range(offset, data.len(), size))?;
        dst.copy_from_slice(data);
        Ok(())
    }
}

/// A backend shared between redb and the store, which reads the image out of it.
#[derive(Debug)]
pub(crate) struct SharedBackend(pub(crate) Arc<dyn StorageBackend>);

/// Every method delegates, the optional lock methods too, so a host backend keeps its locking.
impl StorageBackend for SharedBackend {
    fn len(&self) -> io::Result<u64> {
        self.0.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        self.0.read(offset, out)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }

    fn sync_data(&self) -> io::Result<()> {
        self.0.sync_data()
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.0.write(offset, data)
    }

    fn close(&self) -> io::Result<()> {
        self.0.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> std::result::Result<bool, BackendError> {
        self.0.try_lock_range(start, end)
    }

    fn try_lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> std::result::Result<bool, BackendError> {
        self.0.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> std::result::Result<(), BackendError> {
        self.0.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> std::result::Result<(), BackendError> {
        self.0.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> std::result::Result<(), BackendError> {
        self.0.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> std::result::Result<bool, BackendError> {
        self.0.query_lock_range(start, end)
    }
}

/// Copies every byte out of a backend. The caller makes sure no transaction is running.
pub(crate) fn read_all(backend: &dyn StorageBackend) -> Result<Vec<u8>> {
    let storage = |e: io::Error| Error::Storage { message: format!("the image cannot be read: {e}") };
    let len = backend.len().map_err(storage)?;
    let len = usize::try_from(len)
        .map_err(|_| Error::Storage { message: format!("an image of {len} bytes does not fit in memory here") })?;
    let mut out = Vec::new();
    out.try_reserve_exact(len).map_err(|e| Error::Storage { message: format!("the image does not fit: {e}") })?;
    out.resize(len, 0);
    backend.read(0, &mut out).map_err(storage)?;
    Ok(out)
}

/// The checks an image passes before redb sees it, so that the common mistakes (an empty
/// buffer, some other file) get a clear error of their own.
pub(crate) fn precheck(bytes: &[u8]) -> Result<()> {
    /// redb's file magic (the first bytes of every redb database).
    const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];
    if bytes.is_empty() {
        return Err(Error::invalid("image", "is empty: a store image holds at least redb's header"));
    }
    /// redb's header: the magic, the layout and two commit slots.
    const REDB_HEADER: usize = 320;
    if bytes.len() < REDB_HEADER && REDB_MAGIC.starts_with(bytes.get(..REDB_MAGIC.len()).unwrap_or(bytes)) {
        return Err(Error::IncompatibleFormat {
            found: format!("a truncated image of {} bytes, shorter than redb's header", bytes.len()),
            supported: super::supported(),
        });
    }
    if !bytes.starts_with(&REDB_MAGIC) {
        return Err(Error::IncompatibleFormat {
            found: "bytes that are not a redb database image".to_owned(),
            supported: super::supported(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_stay_inside_the_buffer() {
        let b = ImageBackend::new(vec![1, 2, 3]);
        let mut out = [0u8; 2];
        b.read(1, &mut out).unwrap();
        assert_eq!(out, [2, 3]);
        assert_eq!(b.read(2, &mut out).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(b.read(u64::MAX, &mut out).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        assert!(b.write(3, &[9]).is_err());
        b.set_len(5).unwrap();
        b.write(3, &[9, 8]).unwrap();
        let mut all = [0u8; 5];
        b.read(0, &mut all).unwrap();
        assert_eq!(all, [1, 2, 3, 9, 8]);
        b.set_len(1).unwrap();
        assert_eq!(b.len().unwrap(), 1);
        assert_eq!(read_all(&b).unwrap(), vec![1]);
    }

    #[test]
    fn an_impossible_size_is_an_error_not_an_abort() {
        let b = ImageBackend::default();
        assert!(b.set_len(u64::MAX).is_err());
        assert_eq!(b.len().unwrap(), 0);
    }

    #[test]
    fn debug_shows_the_length_only() {
        assert_eq!(format!("{:?}", ImageBackend::new(vec![0; 4096])), "ImageBackend { len: 4096 }");
    }
}
