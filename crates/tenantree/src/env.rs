//! What the store takes from its host: the time and randomness.
//!
//! The core never asks the operating system for either directly, so it runs unchanged on
//! `wasm32-unknown-unknown` (where `SystemTime::now` panics) and deterministically in tests.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::error::Error;
use crate::ids::Timestamp;

/// A source of the current time.
///
/// # Examples
///
/// ```
/// use tenantree::{Clock, ManualClock, Timestamp};
///
/// let clock = ManualClock::new(Timestamp::from_micros(10));
/// clock.advance(5);
/// assert_eq!(clock.now(), Timestamp::from_micros(15));
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// A source of cryptographically secure random bytes (ids, salts, API tokens).
pub trait Entropy: Send + Sync + fmt::Debug {
    /// Fills `buf` with random bytes.
    ///
    /// # Errors
    ///
    /// `STORAGE` when the platform cannot provide randomness.
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error>;
}

/// The operating system's clock. Not available on `wasm32-unknown-unknown`, where the host
/// injects a clock (the wasm binding uses `Date.now()`).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        // The one place the core reads the system time; compiled only where it exists.
        let micros = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_micros()).map_or(i64::MIN, |m| -m),
        };
        Timestamp::from_micros(micros)
    }
}

/// The operating system's randomness, through `getrandom`. Not available on
/// `wasm32-unknown-unknown`, where the host injects its own.
///
/// Small requests (the 10 random bytes of a node id) are served from a per-thread pool of
/// 256 bytes fetched from the OS at once: a system call per id cost about 3 % of a bulk load.
/// Each pooled byte is handed out once and then zeroed. Requests of [`POOLED_MAX`] bytes or
/// more (salts, API tokens) always go to the OS directly, so no secret ever comes from a pool
/// that a forked child could share with its parent.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

/// Requests shorter than this are served from [`OsEntropy`]'s pool.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
const POOLED_MAX: usize = 16;

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn os_fill(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|e| Error::Storage { message: format!("no randomness available: {e}") })
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
struct Pool {
    bytes: [u8; 256],
    /// The first byte not handed out yet.
    next: usize,
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
thread_local! {
    static POOL: std::cell::RefCell<Pool> = const { std::cell::RefCell::new(Pool { bytes: [0; 256], next: 256 }) };
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl Entropy for OsEntropy {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
        if buf.len() >= POOLED_MAX {
            return os_fill(buf);
        }
        POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            let Pool { bytes, next } = &mut *pool;
            if bytes.len() - *next < buf.len() {
                os_fill(bytes)?;
                *next = 0;
            }
            let end = *next + buf.len();
            let taken = bytes
                .get_mut(*next..end)
                .ok_or_else(|| Error::Storage { message: "the randomness pool is out of step".to_owned() })?;
            buf.copy_from_slice(taken);
            taken.fill(0);
            *next = end;
            Ok(())
        })
    }
}

/// A clock that moves only when told to: for tests, simulations and replays.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock standing at `start`.
    #[must_use]
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(start.as_micros())))
    }

    /// Moves the clock forward by `micros` microseconds (backward if negative).
    pub fn advance(&self, micros: i64) {
        self.0.fetch_add(micros, Ordering::SeqCst);
    }

    /// Sets the clock to `t`.
    pub fn set(&self, t: Timestamp) {
        self.0.store(t.as_micros(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_micros(self.0.load(Ordering::SeqCst))
    }
}

/// Deterministic, non-secure randomness from a seed (SplitMix64): for tests and reproducible
/// fixtures only. Never use it for a store that issues real API tokens.
#[derive(Debug, Clone)]
pub struct SeededEntropy(Arc<AtomicU64>);

impl SeededEntropy {
    /// A generator starting from `seed`.
    #[must_use]
    pub fn new(seed: u64) -> SeededEntropy {
        SeededEntropy(Arc::new(AtomicU64::new(seed)))
    }
}

impl Entropy for SeededEntropy {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
        for chunk in buf.chunks_mut(8) {
            let mut z = self.0.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::SeqCst).wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let bytes = z.to_le_bytes();
            for (dst, src) in chunk.iter_mut().zip(bytes) {
                *dst = src;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Timestamp::from_micros(100));
        assert_eq!(clock.now().as_micros(), 100);
        clock.advance(-50);
        assert_eq!(clock.now().as_micros(), 50);
        clock.set(Timestamp::from_micros(7));
        assert_eq!(clock.now().as_micros(), 7);
    }

    #[test]
    fn seeded_entropy_is_reproducible_and_not_constant() {
        let (a, b) = (SeededEntropy::new(1), SeededEntropy::new(1));
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        a.fill(&mut x).unwrap();
        b.fill(&mut y).unwrap();
        assert_eq!(x, y);
        let mut z = [0u8; 13];
        a.fill(&mut z).unwrap();
        assert_ne!(x, z);
    }

    #[test]
    fn system_sources_work() {
        assert!(SystemClock.now() > Timestamp::from_micros(1_600_000_000_000_000));
        let mut buf = [0u8; 32];
        OsEntropy.fill(&mut buf).unwrap();
        assert_ne!(buf, [0u8; 32]);
    }

    #[test]
    fn pooled_os_entropy_never_repeats_and_crosses_refills() {
        // 100 draws of 10 bytes span four refills of the 256-byte pool; a pool handing out a
        // byte twice, or zeros after a refill, would repeat a draw.
        let mut seen = std::collections::HashSet::new();
        for _ in 0..100 {
            let mut id = [0u8; 10];
            OsEntropy.fill(&mut id).unwrap();
            assert!(seen.insert(id), "a pooled draw repeated");
        }
        // Odd sizes that do not divide the pool, and an empty request.
        let mut odd = [0u8; 15];
        for _ in 0..40 {
            OsEntropy.fill(&mut odd).unwrap();
            assert_ne!(odd, [0u8; 15]);
        }
        OsEntropy.fill(&mut []).unwrap();
    }
}
