//! The seed documents replayed against the dispatcher: every request example of 000–003 with
//! the documented status and response shape, the error cases each document lists, `/v1`, and
//! scope across dialects. One test binary (one link) for all of them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod apio;
mod dealers;
mod draas;
mod horn;
mod scope;
mod support;
mod tenant;
mod v1;
