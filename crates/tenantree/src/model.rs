//! The public records of the tree: what callers send and what they get back.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result};
use crate::ids::{NodeId, Timestamp};
use crate::validate::NodeName;

/// A node's own status. Disabled and suspended both stop writes below the node (they differ in
/// meaning to the host: 003 suspends with a suspension profile).
///
/// # Examples
///
/// ```
/// use tenantree::Status;
///
/// assert_eq!(serde_json::to_value(Status::Suspended { profile: 3 }).unwrap(),
///            serde_json::json!({"state": "suspended", "profile": 3}));
/// assert_eq!("disabled".parse::<Status>()?, Status::Disabled);
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Status {
    /// In service.
    #[default]
    Enabled,
    /// Service disabled (000's `service/disable`, 001's `enabled: false`).
    Disabled,
    /// Suspended under a suspension profile (003).
    Suspended {
        /// The suspension profile's index, as 003's `suspensionProfileId`.
        profile: u32,
    },
}

impl Status {
    /// `enabled`, `disabled` or `suspended`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Enabled => "enabled",
            Status::Disabled => "disabled",
            Status::Suspended { .. } => "suspended",
        }
    }

    /// Whether this status stops service (disabled or suspended).
    #[must_use]
    pub fn is_off(&self) -> bool {
        !matches!(self, Status::Enabled)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Suspended { profile } => write!(f, "suspended({profile})"),
            other => f.write_str(other.as_str()),
        }
    }
}

impl std::str::FromStr for Status {
    type Err = Error;

    /// Parses `enabled`, `disabled`, `suspended` (profile 0) or `suspended:N`.
    fn from_str(s: &str) -> Result<Status> {
        match s {
            "enabled" => Ok(Status::Enabled),
            "disabled" => Ok(Status::Disabled),
            "suspended" => Ok(Status::Suspended { profile: 0 }),
            other => other
                .strip_prefix("suspended:")
                .and_then(|p| p.parse().ok())
                .map(|profile| Status::Suspended { profile })
                .ok_or_else(|| Error::invalid("status", format!("{s:?} is not enabled, disabled or suspended[:N]"))),
        }
    }
}

/// A node's status as it acts: its own, or that of the nearest ancestor that is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EffectiveStatus {
    /// The status in force.
    pub status: Status,
    /// The node whose own status this is; `None` when in service.
    pub source: Option<NodeId>,
}

impl EffectiveStatus {
    /// Whether the node is in service.
    #[must_use]
    pub fn is_enabled(&self) -> bool {
        !self.status.is_off()
    }

    /// Whether the status comes from an ancestor rather than the node itself.
    #[must_use]
    pub fn is_inherited(&self, node: NodeId) -> bool {
        self.source.is_some_and(|s| s != node)
    }
}

/// The descriptive fields the seeds put on an account node. All optional.
///
/// Limits, checked on every write: `displayName` 1024 characters, `email` a valid address of at
/// most 128, `website` 256, `phone` 32 (digits, spaces, `+ - ( ) .`), `address` 128,
/// `description` 1024, `externalName` 128, `billingId` 128 (unique per the schema's billing
/// scope), `extra` a JSON object of at most 16 KiB.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default)]
pub struct Profile {
    /// A human-friendly name (001 `display_name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Contact e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Website URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Postal address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Free description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A name in another system (002 `externalName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_name: Option<String>,
    /// External billing reference (003 `billingId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_id: Option<String>,
    /// Free-form JSON object (002 `extraData`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<serde_json::Value>,
}

/// A node as read: its record plus what is derived from its ancestors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// The node's id (UUIDv7).
    pub id: NodeId,
    /// Its kind, from the schema.
    pub kind: String,
    /// Its parent; `None` at the top level.
    pub parent: Option<NodeId>,
    /// Its name.
    pub name: NodeName,
    /// Its own status.
    pub status: Status,
    /// The status in force, inherited from the nearest ancestor that is off.
    pub effective_status: EffectiveStatus,
    /// Descriptive fields.
    #[serde(flatten)]
    pub profile: Profile,
    /// 001's `tenant_full_access`: whether admins of this node may change the tenants below it.
    pub tenant_full_access: bool,
    /// The limits set on this node, by resource name.
    pub limits: BTreeMap<String, u64>,
    /// Depth in the tree; a top-level node has depth 1.
    pub depth: u32,
    /// When the node was created.
    pub created: Timestamp,
    /// When the node last changed.
    pub updated: Timestamp,
    /// Optimistic-concurrency version: starts at 1 and grows by one with every change.
    pub version: u64,
}

/// A node as a listing of children shows it: what the children index holds, without the
/// profile, limits and timestamps of a [`Node`]. A page of these sorted by name is one range
/// scan that reads no node record ([`ReadTx::child_summaries`](crate::ReadTx::child_summaries)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct NodeSummary {
    /// The node's id.
    pub id: NodeId,
    /// Its kind, from the schema.
    pub kind: String,
    /// Its parent; `None` at the top level.
    pub parent: Option<NodeId>,
    /// Its name.
    pub name: NodeName,
    /// Its own status.
    pub status: Status,
    /// The status in force, inherited from the nearest ancestor that is off.
    pub effective_status: EffectiveStatus,
    /// Depth in the tree; a top-level node has depth 1.
    pub depth: u32,
}

impl From<&Node> for NodeSummary {
    fn from(n: &Node) -> NodeSummary {
        NodeSummary {
            id: n.id,
            kind: n.kind.clone(),
            parent: n.parent,
            name: n.name.clone(),
            status: n.status,
            effective_status: n.effective_status,
            depth: n.depth,
        }
    }
}

/// What to create. Built with [`NewNode::new`] and the builder methods.
///
/// # Examples
///
/// ```
/// use tenantree::{Actor, NewNode, Store};
///
/// let store = Store::in_memory()?;
/// let sys = Actor::system();
/// let root = store.create_node(&sys, NewNode::new("platform", "acme"))?;
/// let dist = store.create_node(
///     &sys,
///     NewNode::new("distributor", "north").parent(root.id).limit("tenants", 100).email("ops@north.example"),
/// )?;
/// assert_eq!(dist.limits["tenants"], 100);
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", default)]
pub struct NewNode {
    /// A caller-chosen id (imports, idempotent batches); a fresh UUIDv7 when not given.
    pub id: Option<NodeId>,
    /// The kind.
    pub kind: String,
    /// The parent; `None` for a top-level node.
    pub parent: Option<NodeId>,
    /// The name.
    pub name: String,
    /// The initial status (enabled when not given).
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub status: Status,
    /// Descriptive fields.
    #[serde(flatten)]
    pub profile: Profile,
    /// 001's `tenant_full_access`; true when not given.
    pub tenant_full_access: Option<bool>,
    /// Limits to set, by resource name.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub limits: BTreeMap<String, u64>,
}

impl NewNode {
    /// A node of `kind` named `name`, at the top level until [`parent`](NewNode::parent) is set.
    #[must_use]
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> NewNode {
        NewNode { kind: kind.into(), name: name.into(), ..NewNode::default() }
    }

    /// Gives the node a chosen id instead of a fresh UUIDv7.
    #[must_use]
    pub fn id(mut self, id: NodeId) -> NewNode {
        self.id = Some(id);
        self
    }

    /// Places the node under `parent`.
    #[must_use]
    pub fn parent(mut self, parent: NodeId) -> NewNode {
        self.parent = Some(parent);
        self
    }

    /// Sets a limit on a resource.
    #[must_use]
    pub fn limit(mut self, resource: impl Into<String>, limit: u64) -> NewNode {
        self.limits.insert(resource.into(), limit);
        self
    }

    /// Sets the initial status.
    #[must_use]
    pub fn status(mut self, status: Status) -> NewNode {
        self.status = status;
        self
    }

    /// Sets the display name.
    #[must_use]
    pub fn display_name(mut self, v: impl Into<String>) -> NewNode {
        self.profile.display_name = Some(v.into());
        self
    }

    /// Sets the e-mail.
    #[must_use]
    pub fn email(mut self, v: impl Into<String>) -> NewNode {
        self.profile.email = Some(v.into());
        self
    }

    /// Sets the billing id.
    #[must_use]
    pub fn billing_id(mut self, v: impl Into<String>) -> NewNode {
        self.profile.billing_id = Some(v.into());
        self
    }

    /// Sets the external name.
    #[must_use]
    pub fn external_name(mut self, v: impl Into<String>) -> NewNode {
        self.profile.external_name = Some(v.into());
        self
    }

    /// Sets the free-form extra data.
    #[must_use]
    pub fn extra(mut self, v: serde_json::Value) -> NewNode {
        self.profile.extra = Some(v);
        self
    }

    /// Sets the whole profile.
    #[must_use]
    pub fn profile(mut self, profile: Profile) -> NewNode {
        self.profile = profile;
        self
    }

    /// Sets 001's `tenant_full_access`.
    #[must_use]
    pub fn tenant_full_access(mut self, v: bool) -> NewNode {
        self.tenant_full_access = Some(v);
        self
    }
}

/// A partial update of a node: fields left `None` are unchanged; `Some(None)` clears an
/// optional field; `Some(Some(v))` sets it. In JSON, an absent field is unchanged and `null`
/// clears it.
///
/// # Examples
///
/// ```
/// use tenantree::NodeUpdate;
///
/// let patch: NodeUpdate = serde_json::from_str(r#"{"email": null, "phone": "+32 2 555 01 01"}"#).unwrap();
/// assert_eq!(patch.email, Some(None));
/// assert_eq!(patch.phone, Some(Some("+32 2 555 01 01".to_owned())));
/// assert_eq!(patch.website, None);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default)]
pub struct NodeUpdate {
    /// A new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display name.
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Option<String>>,
    /// E-mail.
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub email: Option<Option<String>>,
    /// Website.
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub website: Option<Option<String>>,
    /// Phone.
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub phone: Option<Option<String>>,
    /// Address.
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub address: Option<Option<String>>,
    /// Description.
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub description: Option<Option<String>>,
    /// External name.
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub external_name: Option<Option<String>>,
    /// Billing id.
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub billing_id: Option<Option<String>>,
    /// Extra data.
    #[serde(deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    pub extra: Option<Option<serde_json::Value>>,
    /// 001's `tenant_full_access`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_full_access: Option<bool>,
    /// Refuse the update with CONFLICT unless the node is at this version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<u64>,
}

impl NodeUpdate {
    /// Whether the update changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        let NodeUpdate {
            name,
            display_name,
            email,
            website,
            phone,
            address,
            description,
            external_name,
            billing_id,
            extra,
            tenant_full_access,
            expected_version: _,
        } = self;
        name.is_none()
            && display_name.is_none()
            && email.is_none()
            && website.is_none()
            && phone.is_none()
            && address.is_none()
            && description.is_none()
            && external_name.is_none()
            && billing_id.is_none()
            && extra.is_none()
            && tenant_full_access.is_none()
    }
}

/// Deserialises a present field (even `null`) as `Some`, so that absent and `null` differ.
fn double_option<'de, T, D>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A resource's figures on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Quota {
    /// The resource.
    pub resource: String,
    /// The node's limit, if it has one.
    pub limit: Option<u64>,
    /// Usage of the whole subtree (for a counted resource, the number of descendants of its
    /// kind).
    pub used: u64,
    /// The part of `used` allocated on this node itself.
    pub allocated: u64,
    /// What is left before the tightest limit on the node or an ancestor is reached; `None`
    /// when nothing limits the resource.
    pub available: Option<u64>,
}

/// A node with every resource's quota at it, read in one snapshot with one walk up the tree:
/// what a dealer's or a tenant's page shows (003's reseller with its usage, 001's dealer with
/// `max_tenants` and what is left of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct NodeWithQuotas {
    /// The node, with its effective status.
    pub node: Node,
    /// Every resource's quota at the node, in the schema's order, as `quotas` lists them.
    pub quotas: Vec<Quota>,
}

/// How a listing is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SortBy {
    /// By name, ignoring case; children of different kinds with one name in the kinds' schema order.
    #[default]
    Name,
    /// By creation time.
    Created,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// Ascending (the default).
    #[default]
    Asc,
    /// Descending.
    Desc,
}

/// A query over the children of a node.
///
/// Paging: either `offset` (000's offset/limit, 004's skip/top) or `cursor` (003's `next`
/// token, which stays valid while other writes happen); not both. `limit` defaults to 10 and
/// may be at most 1000.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", default)]
pub struct ChildQuery {
    /// Only children of this kind.
    pub kind: Option<String>,
    /// Only children with this own status (`enabled`, `disabled` or `suspended`, any profile).
    pub status: Option<StatusFilter>,
    /// Case-insensitive substring of the name or another searchable field: display name,
    /// e-mail, external name, billing id, description, website, phone.
    pub search: Option<String>,
    /// Sort order.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub sort: SortBy,
    /// Direction.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub dir: Direction,
    /// Entries to skip.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub offset: u64,
    /// Page size (default 10, at most 1000).
    pub limit: Option<u32>,
    /// A `next` token from the previous page.
    pub cursor: Option<String>,
}

/// A status to filter on, ignoring the suspension profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum StatusFilter {
    /// Own status enabled.
    Enabled,
    /// Own status disabled.
    Disabled,
    /// Own status suspended.
    Suspended,
}

impl StatusFilter {
    pub(crate) fn matches(self, status: &Status) -> bool {
        matches!(
            (self, status),
            (StatusFilter::Enabled, Status::Enabled)
                | (StatusFilter::Disabled, Status::Disabled)
                | (StatusFilter::Suspended, Status::Suspended { .. })
        )
    }
}

/// A [`NodeSummary`] borrowed from the children index while a listing reads it: what
/// [`ReadTx::child_summaries_with`](crate::ReadTx::child_summaries_with) hands its callback,
/// so that a caller that writes each child somewhere else (a wire, a response) allocates
/// nothing per child.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeSummaryRef<'a> {
    /// The node's id.
    pub id: NodeId,
    /// Its kind, from the schema.
    pub kind: &'a str,
    /// Its parent; `None` at the top level.
    pub parent: Option<NodeId>,
    /// Its name, a valid [`NodeName`].
    pub name: &'a str,
    /// Its own status.
    pub status: Status,
    /// The status in force, inherited from the nearest ancestor that is off.
    pub effective_status: EffectiveStatus,
    /// Depth in the tree; a top-level node has depth 1.
    pub depth: u32,
}

impl<'a> From<&'a NodeSummary> for NodeSummaryRef<'a> {
    fn from(s: &'a NodeSummary) -> NodeSummaryRef<'a> {
        NodeSummaryRef {
            id: s.id,
            kind: &s.kind,
            parent: s.parent,
            name: s.name.as_str(),
            status: s.status,
            effective_status: s.effective_status,
            depth: s.depth,
        }
    }
}

impl NodeSummaryRef<'_> {
    /// The owned summary. Crate-internal: a caller can make a `NodeSummaryRef` with any name,
    /// and only names read from the store are known to be valid.
    pub(crate) fn to_summary(self) -> NodeSummary {
        NodeSummary {
            id: self.id,
            kind: self.kind.to_owned(),
            parent: self.parent,
            name: NodeName::from_stored(self.name.to_owned()),
            status: self.status,
            effective_status: self.effective_status,
            depth: self.depth,
        }
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The entries of this page.
    pub items: Vec<T>,
    /// How many entries match the query in all.
    pub total: u64,
    /// The page size used.
    pub limit: u32,
    /// The 1-based number of this page (for cursor pages, counted from the cursor's position).
    pub page: u64,
    /// How many pages of `limit` entries the matches fill.
    pub pages: u64,
    /// A token for the next page; `None` on the last page.
    pub next: Option<String>,
}

/// A query over the descendants of one kind under a node, in tree order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", default)]
pub struct DescendantQuery {
    /// The kind to list.
    pub kind: String,
    /// Entries to skip.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub offset: u64,
    /// Page size (default 10, at most 1000).
    pub limit: Option<u32>,
    /// A `next` token from the previous page.
    pub cursor: Option<String>,
}

/// One finding of [`Store::check`](crate::Store::check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Which structure is wrong: `node`, `index.byName`, `rollup`, `quota`, ...
    pub area: String,
    /// What is wrong, naming the node.
    pub message: String,
}

/// The result of an integrity check.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    /// How many nodes were checked.
    pub nodes: u64,
    /// Every discrepancy found; empty for a healthy store.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// Whether no discrepancy was found.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}
