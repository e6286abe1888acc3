//! The TypeScript declarations of every record, option and error, generated from the Rust
//! types with ts-rs, into `types/index.d.ts`.
//!
//! The files are committed; the package's `.d.ts` brings them into scope through
//! `types/bindgen.d.ts` (lib.rs) and re-exports them. This test fails when they are stale;
//! `TENANTREE_UPDATE_TYPES=1 cargo test -p tenantree-wasm typescript` writes them anew.

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

/// Written by hand: what a thrown error looks like, over the generated `ErrorInfo` (the core's
/// error as serde writes it, `{ code, ...fields }`); and the handle `openBackend` takes, which
/// is a binding type with no Rust counterpart.
const HANDWRITTEN: &str = "
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

/** Configuration properties: key → JSON value (the core's `Properties`, a map). */
export type Properties = { [key in string]: JsonValue };

/** What `exportSnapshot` returns: the snapshot's bytes and what it holds. */
export type SnapshotExport = { bytes: Uint8Array; summary: SnapshotSummary };

/**
 * What `Store.openBackend` needs of a file: the synchronous methods of the Origin Private File
 * System's `FileSystemSyncAccessHandle` (which has them; it exists in dedicated workers only).
 */
export type SyncAccessHandle = {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
};
";

/// The generated files: `types/index.d.ts` with the declarations, and `types/bindgen.d.ts`,
/// which the package's `.d.ts` includes to bring them into scope for the classes' signatures.
fn generate() -> (String, String) {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(HEADER);
    let mut names: Vec<String> = Vec::new();
    macro_rules! export {
        ($($t:ty),* $(,)?) => {$(
            out.push('\n');
            out.push_str("export ");
            out.push_str(&<$t as TS>::decl(&cfg));
            out.push('\n');
            names.push(<$t as TS>::ident(&cfg));
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
        tenantree::NodeSummary,
        tenantree::NewNode,
        tenantree::NodeUpdate,
        tenantree::Quota,
        tenantree::NodeWithQuotas,
        // Queries.
        tenantree::ChildQuery,
        tenantree::DescendantQuery,
        tenantree::StatusFilter,
        tenantree::SortBy,
        tenantree::Direction,
        tenantree::Page<ts_rs::Dummy>,
        // Accounts, roles, tokens, sessions, password policies, the outbox.
        tenantree::AccountId,
        tenantree::Account,
        tenantree::NewAccount,
        tenantree::AccountUpdate,
        tenantree::AccountQuery,
        tenantree::Role,
        tenantree::PasswordPolicy,
        tenantree::EffectivePolicy,
        tenantree::PasswordParams,
        tenantree::TokenInfo,
        tenantree::NewToken,
        tenantree::IssuedToken,
        tenantree::Session,
        tenantree::Message,
        tenantree::MessageKind,
        // Configuration properties, markups, prices.
        tenantree::Decimal,
        tenantree::PropQuery,
        tenantree::EffectiveProperties,
        tenantree::Markup,
        tenantree::EffectivePrice,
        tenantree::PriceStep,
        // The change feed and logical snapshots.
        tenantree::Change,
        tenantree::ChangePage,
        tenantree::SnapshotFormat,
        tenantree::SnapshotSummary,
        // 004's tenant documents.
        tenantree::TenantSettings,
        tenantree::TenantSettingsUpdate,
        tenantree::TenantStatus,
        tenantree::CallCount,
        tenantree::OfficeHours,
        tenantree::OfficeHoursUpdate,
        tenantree::DayHours,
        tenantree::TimeRange,
        tenantree::OutboundCallerId,
        tenantree::E164Settings,
        tenantree::E164Update,
        tenantree::EventHook,
        tenantree::EventHookUpdate,
        tenantree::HookAuth,
        tenantree::ContactMatchType,
        tenantree::ContactAppendType,
        tenantree::HolidayId,
        tenantree::Holiday,
        tenantree::NewHoliday,
        tenantree::HolidayUpdate,
        tenantree::HolidayQuery,
        tenantree::HolidayFilter,
        tenantree::HolidayField,
        tenantree::FilterOp,
        tenantree::FilterValue,
        tenantree::HolidayOrder,
        tenantree::HolidayPage,
        tenantree::Balance,
        tenantree::LedgerEntry,
        tenantree::LedgerQuery,
        tenantree::CustomHeaders,
        tenantree::CustomHeadersUpdate,
        tenantree::AddedHeader,
        tenantree::RelayedHeader,
        tenantree::VoicemailSettings,
        tenantree::VoicemailUpdate,
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
    out.push_str(HANDWRITTEN);
    // The hand-written types are named in their own text.
    names.extend(HANDWRITTEN.lines().filter_map(|line| {
        let rest = line.strip_prefix("export type ")?;
        Some(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>())
    }));
    let list = names.join(", ");
    let scope = format!(
        "// Generated with index.d.ts (see there). The package's .d.ts includes this, so that its\n\
         // classes' signatures see the records; the package re-exports every one of them.\n\
         import type {{ {list} }} from \"../../types/index.js\";\n\
         export type * from \"../../types/index.js\";\n"
    );
    (out, scope)
}

#[test]
fn typescript_types_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("types");
    let (index, scope) = generate();
    for (name, generated) in [("index.d.ts", index), ("bindgen.d.ts", scope)] {
        let path = dir.join(name);
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
}
