//! Shared helpers for tenantree's cross-crate tests: fixtures and the in-memory reference
//! model the property tests compare the store against.
