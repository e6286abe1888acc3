//! Public records of what 003 hangs on a node: configuration properties and markups.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::decimal::Decimal;
use crate::ids::{NodeId, Timestamp};

/// Configuration properties: key → JSON value.
pub type Properties = BTreeMap<String, serde_json::Value>;

/// The namespaces 003 uses. Any namespace of dot-separated lower-case segments works; these
/// are the ones the seed APIs read and write.
pub mod namespaces {
    /// 003's general configuration.
    pub const GENERAL: &str = "general";
    /// 003's branding, general part.
    pub const BRANDING_GENERAL: &str = "branding.general";
    /// 003's branding of pages.
    pub const BRANDING_PAGES: &str = "branding.pages";
    /// 003's styling: fonts.
    pub const STYLING_FONT: &str = "branding.styling.font";
    /// 003's styling: images.
    pub const STYLING_IMAGE: &str = "branding.styling.image";
    /// 003's styling: themes.
    pub const STYLING_THEME: &str = "branding.styling.theme";
}

/// What to read of a namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", default)]
pub struct PropQuery {
    /// Only these keys (003's `keys=a,b`).
    pub keys: Option<Vec<String>>,
    /// Only keys containing this, ignoring case (003's `search`).
    pub search: Option<String>,
}

/// Properties merged down the ancestors: the nearest node's value wins, so a reseller's
/// branding applies to its tenants unless they set their own.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EffectiveProperties {
    /// The merged properties (secrets masked).
    pub properties: Properties,
    /// For each key, the node whose value is in force.
    pub sources: BTreeMap<String, NodeId>,
}

/// One entry of a node's markup history (003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Markup {
    /// The markup in percent (may be negative: a discount, above -100).
    pub percent: Decimal,
    /// From when it applies (until the next one starts).
    pub start: Timestamp,
}

/// One node's part in an effective price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PriceStep {
    /// The node whose markup applied.
    pub node: NodeId,
    /// Its markup in force at the time.
    pub percent: Decimal,
    /// The price after it.
    pub price: Decimal,
}

/// A base price carried through the markups of a node's whole chain at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EffectivePrice {
    /// The price asked about.
    pub base: Decimal,
    /// The time the markups were taken at.
    pub at: Timestamp,
    /// The price entering the caller's scope: the base with the markups of the nodes above
    /// the scope applied (their individual markups are not shown to a scoped caller).
    pub inherited: Decimal,
    /// Each markup inside the caller's scope, top-down.
    pub steps: Vec<PriceStep>,
    /// The final price, exact.
    pub price: Decimal,
}
