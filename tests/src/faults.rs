//! A storage backend that fails on demand: a disk in memory, shared between the backends of
//! successive opens (so a test can "reopen the file" after a failure), whose writes, syncs and
//! resizes can be made to fail, or to run out of space after a number of bytes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tenantree::StorageBackend;

/// Which operations fail.
#[derive(Debug, Default)]
pub struct Faults {
    /// Every `write` fails.
    pub writes: AtomicBool,
    /// Every `sync_data` fails.
    pub syncs: AtomicBool,
    /// Every `set_len` that grows the disk fails (the disk is full).
    pub grows: AtomicBool,
    /// Bytes that may still be written before writes fail with "no space" (`u64::MAX`: no
    /// limit).
    pub space: AtomicU64,
    /// How many operations failed so far.
    pub failed: AtomicU64,
}

/// The shared disk: its bytes and its faults.
#[derive(Debug, Clone)]
pub struct Disk {
    bytes: Arc<Mutex<Vec<u8>>>,
    /// The faults in force.
    pub faults: Arc<Faults>,
}

impl Default for Disk {
    fn default() -> Disk {
        Disk::new()
    }
}

impl Disk {
    /// An empty disk with no faults.
    #[must_use]
    pub fn new() -> Disk {
        let faults = Faults { space: AtomicU64::new(u64::MAX), ..Faults::default() };
        Disk { bytes: Arc::new(Mutex::new(Vec::new())), faults: Arc::new(faults) }
    }

    /// A backend over this disk, for one open.
    #[must_use]
    pub fn backend(&self) -> FaultyBackend {
        FaultyBackend { disk: self.clone() }
    }

    /// Clears every fault.
    pub fn heal(&self) {
        self.faults.writes.store(false, Ordering::SeqCst);
        self.faults.syncs.store(false, Ordering::SeqCst);
        self.faults.grows.store(false, Ordering::SeqCst);
        self.faults.space.store(u64::MAX, Ordering::SeqCst);
    }

    /// How many operations failed since the disk was made.
    #[must_use]
    pub fn failures(&self) -> u64 {
        self.faults.failed.load(Ordering::SeqCst)
    }

    fn fail(&self, what: &str) -> std::io::Error {
        self.faults.failed.fetch_add(1, Ordering::SeqCst);
        std::io::Error::new(std::io::ErrorKind::StorageFull, format!("injected fault: {what}"))
    }

    fn lock(&self) -> std::io::Result<std::sync::MutexGuard<'_, Vec<u8>>> {
        self.bytes.lock().map_err(|_| std::io::Error::other("disk lock poisoned"))
    }
}

/// The backend handed to [`tenantree::StoreBuilder::open_backend`].
#[derive(Debug)]
pub struct FaultyBackend {
    disk: Disk,
}

impl StorageBackend for FaultyBackend {
    fn len(&self) -> std::io::Result<u64> {
        Ok(self.disk.lock()?.len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
        let bytes = self.disk.lock()?;
        let start = usize::try_from(offset).map_err(std::io::Error::other)?;
        let src = bytes
            .get(start..start + out.len())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "read past the end"))?;
        out.copy_from_slice(src);
        Ok(())
    }

    fn set_len(&self, len: u64) -> std::io::Result<()> {
        let mut bytes = self.disk.lock()?;
        let len = usize::try_from(len).map_err(std::io::Error::other)?;
        if len > bytes.len() && self.disk.faults.grows.load(Ordering::SeqCst) {
            return Err(self.disk.fail("set_len"));
        }
        bytes.resize(len, 0);
        Ok(())
    }

    fn sync_data(&self) -> std::io::Result<()> {
        if self.disk.faults.syncs.load(Ordering::SeqCst) {
            return Err(self.disk.fail("sync_data"));
        }
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        let f = &self.disk.faults;
        if f.writes.load(Ordering::SeqCst) {
            return Err(self.disk.fail("write"));
        }
        let n = data.len() as u64;
        if f.space.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(n)).is_err() {
            f.space.store(0, Ordering::SeqCst);
            return Err(self.disk.fail("write: no space left"));
        }
        let mut bytes = self.disk.lock()?;
        let start = usize::try_from(offset).map_err(std::io::Error::other)?;
        let dst = bytes
            .get_mut(start..start + data.len())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "write past the end"))?;
        dst.copy_from_slice(data);
        Ok(())
    }
}
