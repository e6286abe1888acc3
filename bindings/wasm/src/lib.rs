//! tenantree for JavaScript: the wasm-bindgen binding behind the npm package `tenantree`.
//!
//! A thin layer over the core, with no rules of its own:
//!
//! - one JS class per core handle: [`Store`], [`ReadTx`], [`WriteTx`];
//! - every core operation under its own name in camelCase (`get_node` → `getNode`), with the
//!   same parameters in the same order, the actor first on the store's shortcuts;
//! - records cross as plain objects in the core's serde format (camelCase, the JSON the core
//!   documents); records in go through JSON so that `undefined` means "absent" as it does in
//!   TypeScript's optional fields, records out come back as plain objects;
//! - every error crosses as a real JS `Error` named `TenantreeError` with the core's `code`,
//!   its `message` and a `details` object ([`convert`]);
//! - the host gives time (`Date.now()`) and randomness (`crypto.getRandomValues` through
//!   getrandom's JS backend) ([`env`]);
//! - persistence: file images as `Uint8Array` for any host, and a redb backend over the Origin
//!   Private File System's synchronous access handle for dedicated Web Workers ([`opfs`]).
//!
//! The TypeScript declarations of the records are generated from the Rust types into
//! `types/index.d.ts` by the test in `src/typescript.rs`, and brought into the package's
//! `.d.ts` here.
//!
//! How to expose a new core operation: see this crate's README.

mod convert;
mod env;
mod http;
mod opfs;
mod options;
mod store;
mod tx;

#[cfg(test)]
mod typescript;

pub use store::Store;
pub use tx::{ReadTx, WriteTx};

use wasm_bindgen::prelude::wasm_bindgen;

// The record, option and error types are generated from the Rust types (src/typescript.rs) into
// types/index.d.ts and committed; this brings them into the package's .d.ts, whose classes'
// signatures refer to them by name, and re-exports them.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("../types/bindgen.d.ts");

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!(
    "tenantree-wasm assumes single-threaded wasm (see the SAFETY notes in tx.rs and opfs.rs); \
     build without the atomics target feature"
);
