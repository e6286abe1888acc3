//! Benchmarks of tenantree against two baselines, with the same workloads in one harness:
//!
//! - [`raw::Raw`]: raw redb writing the same records under the same keys as tenantree, with no
//!   invariant checks and no reads before writes: the floor;
//! - [`sqlite::Sqlite`]: SQLite (bundled, WAL, `synchronous=NORMAL`) with the same model and the
//!   same invariants, kept by constraints and triggers;
//! - [`tt::Tt`]: tenantree itself, through its public API only.
//!
//! Every implementation answers the same [`Engine`] calls with the same observable results
//! (the tiny test compares them), so the timings of [`workloads`] compare like with like.
//! Workload sizes are parameters ([`spec::Size`]): `tiny` for CI, `quick` for the ratio command,
//! `full` for the table in `benches/README.md`.

pub mod engine;
pub mod js;
pub mod raw;
pub mod report;
pub mod spec;
pub mod sqlite;
pub mod tt;
pub mod workloads;

pub use engine::{
    CheckView, Engine, Error, Item, Kind, Mode, NewRec, NodeView, PageView, QuotaView, Result, SubtreeView,
};
