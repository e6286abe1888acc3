//! 004's tenant balance: a ledger of recharges and their sum.

use serde::{Deserialize, Serialize};

use crate::decimal::Decimal;
use crate::engine::access::Actor;
use crate::ids::Timestamp;

/// One recharge in a tenant's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LedgerEntry {
    /// Increasing, store-wide: the ledger's order.
    pub id: u64,
    /// When it was recorded.
    pub time: Timestamp,
    /// Who recorded it.
    pub actor: Actor,
    /// The amount added: positive, at most 5 decimal places.
    pub amount: Decimal,
    /// The balance after it.
    pub balance: Decimal,
}

/// A tenant's balance and a page of its ledger, oldest first.
///
/// Invariant: `balance` is the sum of every entry's amount, exactly (fixed point with 5
/// decimal places, 004's precision); `count` is the number of entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Balance {
    /// The balance: the ledger's sum.
    pub balance: Decimal,
    /// How many entries the ledger holds.
    pub count: u64,
    /// The page of entries.
    pub entries: Vec<LedgerEntry>,
    /// The id to pass as `after` for the next page; `None` on the last page.
    pub next: Option<u64>,
}

/// Which part of a ledger to read: the entries after entry `after` (from the start when
/// `None`), at most `limit` (default 10, at most 1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(default)]
pub struct LedgerQuery {
    /// Continue after this entry id.
    pub after: Option<u64>,
    /// Page size.
    pub limit: Option<u32>,
}
