//! Fuzz target `api_request`: see `tests::fuzz` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = tests::fuzz::run("api_request", data);
});
