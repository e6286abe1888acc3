//! Time and randomness from the JS host: the core has neither on wasm32-unknown-unknown.

use tenantree::{Clock, Entropy, Error, Timestamp};

/// The host's wall clock, `Date.now()`, in milliseconds; or the one reading a [`ClockPin`]
/// holds while it lives.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct JsClock;

thread_local! {
    /// The reading every clock of this instance answers while a [`ClockPin`] lives.
    static PINNED: std::cell::Cell<Option<Timestamp>> = const { std::cell::Cell::new(None) };
}

fn host_now() -> Timestamp {
    // Date.now() is a whole number of milliseconds, far inside i64: the cast is exact.
    Timestamp::from_millis(js_sys::Date::now() as i64)
}

impl Clock for JsClock {
    fn now(&self) -> Timestamp {
        PINNED.with(std::cell::Cell::get).unwrap_or_else(host_now)
    }
}

/// One reading of the clock for everything a bulk call does (`createNodes` stamps its nodes
/// with one time): each reading is a call into JavaScript, a few percent of a bulk create.
/// Made only where no JavaScript runs until it drops (no callback, no `toJSON`), so that no
/// other call can see the pinned time.
#[must_use]
pub(crate) struct ClockPin {
    before: Option<Timestamp>,
}

impl ClockPin {
    pub(crate) fn new() -> ClockPin {
        let now = JsClock.now();
        ClockPin { before: PINNED.with(|p| p.replace(Some(now))) }
    }

    /// Drops any pin left behind: a trap (a panic aborts) inside a pinned call skips its
    /// drop, and every clock of the instance would keep its time. Called as each store
    /// operation begins, when no pin can be live (no JavaScript runs while one is).
    pub(crate) fn clear() {
        PINNED.with(|p| p.set(None));
    }
}

impl Drop for ClockPin {
    fn drop(&mut self) {
        let before = self.before;
        PINNED.with(|p| p.set(before));
    }
}

/// The host's secure randomness, `crypto.getRandomValues`, through getrandom's JS backend.
///
/// Small requests (every node id takes 10 bytes) are served from the store's own pool, filled
/// 4 KiB at a time: one call into JavaScript per 409 ids instead of one per id (it was 5 % of a
/// bulk import's time in Node, and still 3 % with a pool of 256 bytes: a call costs about as
/// much for 256 bytes as for 4 KiB). Every byte is handed out once and wiped from the pool as
/// it goes; a new store starts with an empty pool.
#[derive(Debug, Default)]
pub(crate) struct JsEntropy {
    pool: std::sync::Mutex<Pool>,
}

/// Requests up to this many bytes come from the pool; larger ones go to the host directly.
const POOLED: usize = 32;

/// The pool's size.
const POOL: usize = 4096;

#[derive(Debug)]
struct Pool {
    bytes: Box<[u8; POOL]>,
    /// Bytes of `bytes` already handed out (and wiped), from the start.
    used: usize,
}

impl Default for Pool {
    fn default() -> Pool {
        Pool { bytes: Box::new([0; POOL]), used: POOL }
    }
}

fn host_fill(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|e| Error::Storage { message: format!("crypto.getRandomValues failed: {e}") })
}

impl Entropy for JsEntropy {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
        if buf.len() > POOLED {
            return host_fill(buf);
        }
        let mut pool = self
            .pool
            .lock()
            .map_err(|_| Error::Storage { message: "the randomness pool's lock is poisoned".to_owned() })?;
        if pool.bytes.len() - pool.used < buf.len() {
            host_fill(&mut pool.bytes[..])?;
            pool.used = 0;
        }
        let end = pool.used + buf.len();
        let start = pool.used;
        let taken = pool
            .bytes
            .get_mut(start..end)
            .ok_or_else(|| Error::Storage { message: "the randomness pool is out of step".to_owned() })?;
        buf.copy_from_slice(taken);
        taken.fill(0);
        pool.used = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_clock_answers_one_reading_until_the_pin_drops() {
        let pinned = Timestamp::from_millis(7);
        PINNED.with(|p| p.set(Some(pinned)));
        assert_eq!(JsClock.now(), pinned);
        {
            // A pin inside a pin: the outer one's reading (the host is not asked), then back.
            let inner = ClockPin::new();
            assert_eq!(JsClock.now(), pinned);
            drop(inner);
        }
        assert_eq!(JsClock.now(), pinned, "the outer pin holds after the inner one drops");
        // A pin whose drop was skipped (a trap) is cleared as the next operation begins.
        std::mem::forget(ClockPin::new());
        ClockPin::clear();
        assert_eq!(PINNED.with(std::cell::Cell::get), None);
    }

    #[test]
    fn pooled_randomness_is_never_handed_out_twice() {
        let entropy = JsEntropy::default();
        let mut seen = std::collections::HashSet::new();
        for len in [10usize, 10, 16, 32, 1, 10, 250, 10, 33, 300] {
            // Enough draws of each size to cross refills of the pool.
            for _ in 0..(2 * POOL / len.min(POOLED)) {
                let mut buf = vec![0u8; len];
                entropy.fill(&mut buf).unwrap();
                if len >= 10 {
                    assert!(seen.insert(buf.clone()), "{len} bytes repeated");
                    assert_ne!(buf, vec![0u8; len]);
                }
            }
        }
        let pool = entropy.pool.lock().unwrap();
        assert!(pool.bytes[..pool.used].iter().all(|&b| b == 0), "handed-out bytes are wiped");
    }
}
