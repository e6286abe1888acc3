//! Time and randomness from the JS host: the core has neither on wasm32-unknown-unknown.

use tenantree::{Clock, Entropy, Error, Timestamp};

/// The host's wall clock, `Date.now()`, in milliseconds.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct JsClock;

impl Clock for JsClock {
    fn now(&self) -> Timestamp {
        // Date.now() is a whole number of milliseconds, far inside i64: the cast is exact.
        Timestamp::from_millis(js_sys::Date::now() as i64)
    }
}

/// The host's secure randomness, `crypto.getRandomValues`, through getrandom's JS backend.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct JsEntropy;

impl Entropy for JsEntropy {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
        getrandom::fill(buf).map_err(|e| Error::Storage { message: format!("crypto.getRandomValues failed: {e}") })
    }
}
