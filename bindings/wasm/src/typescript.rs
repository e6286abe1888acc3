//! The TypeScript declarations of every record, option and error, generated from the Rust
//! types with ts-rs, into `types/index.d.ts`.
//!
//! The file is committed and embedded into the package's `.d.ts` (lib.rs). This test fails
//! when it is stale; `TENANTREE_UPDATE_TYPES=1 cargo test -p tenantree-wasm typescript` writes
//! it anew.

use std::path::PathBuf;

use ts_rs::{Config, TS};

use crate::options::StoreOptions;

const HEADER: &str = "\
// The records, options and errors of tenantree, as TypeScript declarations.
// Generated from the Rust types by `cargo test -p tenantree-wasm typescript`
// (bindings/wasm/src/typescript.rs). Do not edit: change the Rust types and regenerate with
// TENANTREE_UPDATE_TYPES=1.
//
// Numbers: every integer (limits, usage, versions, timestamps in microseconds since the epoch)
// is a JS number; a value above 2^53 is refused rather than rounded.
";

/// What a thrown error looks like: written by hand over the generated `ErrorInfo`, which is
/// the core's error as serde writes it (`{ code, ...fields }`).
const ERRORS: &str = "
/** The stable code of an error. A failed batch reports the code of the failing operation. */
export type ErrorCode = Exclude<ErrorInfo[\"code\"], \"BATCH\">;

/** The fields of each error, by code. */
export type ErrorDetailsOf<C extends ErrorCode> = Omit<Extract<ErrorInfo, { code: C }>, \"code\">;

/** The details of a failed batch: the index of the failing operation and its error. */
export type BatchDetails = { index: number; source: ErrorInfo };

/**
 * Every error the package throws: a real `Error` named `TenantreeError`, with the core's
 * stable `code`, its `message`, and the error's fields in `details` (for a failed batch,
 * `{ index, source }`). Narrow on `code`:
 *
 *     if (e.name === \"TenantreeError\" && e.code === \"QUOTA_EXCEEDED\" && !(\"index\" in e.details))
 *       console.log(e.details.limit, e.details.used);
 */
export type TenantreeError = {
  [C in ErrorCode]: Error & { name: \"TenantreeError\"; code: C; details: ErrorDetailsOf<C> | BatchDetails };
}[ErrorCode];
";

fn generate() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(HEADER);
    macro_rules! export {
        ($($t:ty),* $(,)?) => {$(
            out.push('\n');
            out.push_str("export ");
            out.push_str(&<$t as TS>::decl(&cfg));
            out.push('\n');
        )*};
    }
    export!(
        // Ids and values.
        tenantree::NodeId,
        tenantree::Timestamp,
        tenantree::NodeName,
        serde_json::Value,
        tenantree::Actor,
        // Nodes.
        tenantree::Status,
        tenantree::EffectiveStatus,
        tenantree::Profile,
        tenantree::Node,
        tenantree::NewNode,
        tenantree::NodeUpdate,
        tenantree::Quota,
        // Queries.
        tenantree::ChildQuery,
        tenantree::DescendantQuery,
        tenantree::StatusFilter,
        tenantree::SortBy,
        tenantree::Direction,
        tenantree::Page<ts_rs::Dummy>,
        // Batches.
        tenantree::Op,
        tenantree::OpOutput,
        // The integrity check.
        tenantree::CheckReport,
        tenantree::Finding,
        // Schemas and options.
        tenantree::Schema,
        tenantree::KindDef,
        tenantree::ResourceDef,
        tenantree::NameRule,
        tenantree::Uniqueness,
        tenantree::BillingScope,
        tenantree::Preset,
        tenantree::Durability,
        StoreOptions,
        // Errors.
        tenantree::Error,
        tenantree::LimitRule,
        tenantree::Blocker,
    );
    out.push_str(ERRORS);
    out
}

#[test]
fn typescript_types_are_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("types/index.d.ts");
    let generated = generate();
    if std::env::var_os("TENANTREE_UPDATE_TYPES").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: regenerate it with `TENANTREE_UPDATE_TYPES=1 cargo test -p tenantree-wasm typescript` \
         and commit it",
        path.display()
    );
}
