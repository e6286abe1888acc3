//! tenantree: an embedded store for reseller hierarchies.
//!
//! A platform has distributors, which have sub-distributors and resellers, which own tenants.
//! tenantree keeps that tree in [redb](https://docs.rs/redb) with every rule of the model
//! checked inside the write transaction: quotas that roll up the tree, status that cascades
//! down, deletion only when empty, kind rules, uniqueness, and scoped access. No caller can
//! ever observe a broken tree: a refused write returns a typed [`Error`] with a stable
//! [`code`](Error::code) and changes nothing.
//!
//! # Examples
//!
//! ```
//! use tenantree::{Actor, ChildQuery, NewNode, Status, Store};
//!
//! let store = Store::in_memory()?;
//! let sys = Actor::system();
//! let root = store.create_node(&sys, NewNode::new("platform", "acme"))?;
//! let dist = store.create_node(&sys, NewNode::new("distributor", "north").parent(root.id).limit("extensions", 10))?;
//! let tenant = store.create_node(&sys, NewNode::new("tenant", "bakery").parent(dist.id))?;
//!
//! // Quotas roll up: the tenant's allocation counts against the distributor's limit.
//! store.allocate(&sys, tenant.id, "extensions", 8)?;
//! assert_eq!(store.allocate(&sys, tenant.id, "extensions", 3).unwrap_err().code(), "QUOTA_EXCEEDED");
//!
//! // Status cascades: below a disabled node nothing new can be allocated.
//! store.set_status(&sys, dist.id, Status::Disabled)?;
//! assert!(!store.get_node(&sys, tenant.id)?.effective_status.is_enabled());
//! assert_eq!(store.allocate(&sys, tenant.id, "extensions", 1).unwrap_err().code(), "SERVICE_DISABLED");
//!
//! // Deletion only when empty.
//! assert_eq!(store.delete_node(&sys, dist.id).unwrap_err().code(), "STILL_IN_USE");
//! let page = store.children(&sys, Some(dist.id), &ChildQuery::default())?;
//! assert_eq!(page.total, 1);
//! # Ok::<(), tenantree::Error>(())
//! ```

mod account;
mod config;
mod decimal;
mod engine;
mod env;
mod error;
mod ids;
mod model;
mod schema;
mod store;
mod store_api;
mod tenant;
mod validate;

pub use account::{
    Account, AccountId, AccountQuery, AccountUpdate, EffectivePolicy, IssuedToken, Message, MessageKind, NewAccount,
    NewToken, PasswordParams, PasswordPolicy, Role, Session, TokenInfo,
};
pub use config::{EffectivePrice, EffectiveProperties, Markup, PriceStep, PropQuery, Properties, namespaces};
pub use decimal::Decimal;
pub use engine::access::Actor;
pub use engine::feed::{Change, ChangePage, MASK, is_secret_key};
pub use engine::props::mask_properties;
pub use engine::query::DEFAULT_PAGE_SIZE;
pub use engine::snapshot::{MAX_RECORD_BYTES, SNAPSHOT_VERSION, SnapshotFormat, SnapshotSummary};
pub use env::{Clock, Entropy, ManualClock, SeededEntropy};
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use env::{OsEntropy, SystemClock};
pub use error::{Blocker, Error, LimitRule, Result};
pub use ids::{NodeId, Timestamp};
pub use model::{
    CheckReport, ChildQuery, DescendantQuery, Direction, EffectiveStatus, Finding, NewNode, Node, NodeSummary,
    NodeSummaryRef, NodeUpdate, NodeWithQuotas, Page, Profile, Quota, SortBy, Status, StatusFilter,
};
pub use redb::StorageBackend;
pub use schema::{BillingScope, KindDef, MAX_DEPTH, MAX_KINDS, MAX_RESOURCES, Preset, ResourceDef, Schema, Uniqueness};
pub use store::Durability;
pub use store_api::{Op, OpOutput, ReadTx, Store, StoreBuilder, WriteTx};
pub use tenant::{
    AddedHeader, Balance, ByteSize, CallCount, ContactAppendType, ContactMatchType, CustomHeaders, CustomHeadersUpdate,
    DayHours, E164Settings, E164Update, EventHook, EventHookUpdate, FilterOp, FilterValue, HEADER_SCOPES, Holiday,
    HolidayField, HolidayFilter, HolidayId, HolidayOrder, HolidayPage, HolidayQuery, HolidayUpdate, HookAuth,
    LedgerEntry, LedgerQuery, NewHoliday, OfficeHours, OfficeHoursUpdate, OutboundCallerId, RelayedHeader, SipDomain,
    TenantSettings, TenantSettingsUpdate, TenantStatus, TimeRange, VoicemailSettings, VoicemailUpdate, iso,
};
pub use validate::{Email, NameRule, NodeName, RESERVED_NAMES, limits};
