//! The one error type of the crate and its stable codes.

use serde::Serialize;

/// A specialised `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in tenantree.
///
/// Each variant carries the ids and numbers a caller needs to act on it, and maps to a stable
/// [`code`](Error::code) string that does not change between releases (it is what crosses into
/// JavaScript as `error.code` and into HTTP error bodies). Messages name the offending thing.
///
/// # Examples
///
/// ```
/// use tenantree::{Actor, NewNode, Store};
///
/// let store = Store::in_memory()?;
/// let err = store
///     .create_node(&Actor::system(), NewNode::new("distributor", "no-parent"))
///     .unwrap_err();
/// assert_eq!(err.code(), "KIND_NOT_ALLOWED");
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(rename = "ErrorInfo"))]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum Error {
    /// The entity does not exist, or lies outside the caller's scope (the two are
    /// indistinguishable on purpose, so that ids outside a scope cannot be probed).
    #[error("{entity} {id} not found")]
    NotFound {
        /// What was looked up: `node`, `account`, `token`, `role`, ...
        entity: &'static str,
        /// The id or name that was looked up.
        id: String,
    },

    /// A uniqueness rule refused the write.
    #[error("{entity} with {field} {value:?} already exists")]
    AlreadyExists {
        /// What kind of thing collides: `node`, `account`, ...
        entity: &'static str,
        /// The unique field: `name`, `billingId`, `username`, ...
        field: &'static str,
        /// The value that is already taken.
        value: String,
        /// The id of the entity that holds the value, when the caller may see it.
        existing: Option<String>,
    },

    /// A node cannot be deleted because things still hang on it.
    #[error("node {node} is still in use: {}", format_blockers(blockers))]
    StillInUse {
        /// The node whose delete was refused.
        node: String,
        /// What blocks the delete, grouped by kind.
        blockers: Vec<Blocker>,
    },

    /// The write would take a node's usage of a resource above its limit.
    #[error("quota exceeded on node {node}: {resource} limit {limit}, used {used}, requested {requested}")]
    QuotaExceeded {
        /// The node whose limit would be exceeded (the requester or one of its ancestors).
        node: String,
        /// The resource name.
        resource: String,
        /// The node's limit for the resource.
        limit: u64,
        /// The node's current usage of the resource (its whole subtree).
        used: u64,
        /// The amount the write asked for.
        requested: u64,
    },

    /// A limit cannot be set to the requested value.
    #[error("invalid limit on node {node}: {resource} {requested} {reason}")]
    InvalidLimit {
        /// The node whose limit was being set.
        node: String,
        /// The resource name.
        resource: String,
        /// The limit asked for.
        requested: u64,
        /// Why it is refused.
        reason: LimitRule,
    },

    /// The node or one of its ancestors is disabled or suspended.
    #[error("service disabled on node {node} by {disabled_by} ({status})")]
    ServiceDisabled {
        /// The node the write was aimed at.
        node: String,
        /// The nearest node whose own status disables `node` (it may be `node` itself).
        disabled_by: String,
        /// That node's status: `disabled` or `suspended`.
        status: String,
    },

    /// A field failed validation.
    #[error("invalid {field}: {reason}")]
    InvalidArgument {
        /// The field, in the API's spelling (`name`, `email`, `limits.tenants`, ...).
        field: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The schema does not allow a node of this kind here.
    #[error("a {kind} node cannot be placed under {}", parent_kind.as_deref().unwrap_or("the top level"))]
    KindNotAllowed {
        /// The kind of the node being placed.
        kind: String,
        /// The kind of the intended parent, or `None` for the top level.
        parent_kind: Option<String>,
    },

    /// The write would make the tree deeper than the schema allows.
    #[error("depth {depth} exceeds the maximum depth {max_depth}")]
    DepthExceeded {
        /// The depth the deepest affected node would have (a top-level node has depth 1).
        depth: u32,
        /// The schema's maximum.
        max_depth: u32,
    },

    /// A move would place a node under itself or one of its descendants.
    #[error("cannot move node {node} under {new_parent}: it is inside the moved subtree")]
    Cycle {
        /// The node being moved.
        node: String,
        /// The requested new parent.
        new_parent: String,
    },

    /// Optimistic concurrency: the caller named a version that is no longer current.
    #[error("{entity} {id} is at version {actual}, not {expected}")]
    Conflict {
        /// What kind of entity: `node`, `account`, ...
        entity: &'static str,
        /// Its id.
        id: String,
        /// The version the caller expected.
        expected: u64,
        /// The version stored.
        actual: u64,
    },

    /// The caller may see the target but lacks the permission for the action.
    #[error("forbidden: {action} on {target}")]
    Forbidden {
        /// The permission that was needed, e.g. `reseller.instance.update`.
        action: String,
        /// The entity the action was aimed at.
        target: String,
    },

    /// A password breaks the password policy in force.
    #[error("password rejected: breaks {}", rules.join(", "))]
    WeakPassword {
        /// Every broken rule, in 004's spelling (`min_length`, `contains_numbers`, ...).
        rules: Vec<String>,
    },

    /// No valid credentials. Deliberately says nothing about which part was wrong.
    #[error("authentication failed")]
    Unauthenticated,

    /// The database file was written by an incompatible version of tenantree, or is not a
    /// tenantree database.
    #[error("incompatible database format: found {found}, this build reads {supported}")]
    IncompatibleFormat {
        /// What the file holds.
        found: String,
        /// What this build understands.
        supported: String,
    },

    /// The stored schema differs from the one given when opening (by more than kinds that
    /// may hang in more places, which the given one then takes over), or a snapshot's from the
    /// store's.
    #[error("schema mismatch: {reason}")]
    SchemaMismatch {
        /// What differs.
        reason: String,
    },

    /// Another handle already has the database open.
    #[error("database is already open elsewhere")]
    AlreadyOpen,

    /// Stored data does not decode or breaks an invariant it cannot break. A bug or a damaged
    /// file; run `check()`.
    #[error("corrupted data: {what}")]
    Corrupted {
        /// What could not be read.
        what: String,
    },

    /// The storage layer (redb or the file system under it) failed.
    #[error("storage error: {message}")]
    Storage {
        /// redb's description of the failure.
        message: String,
    },

    /// An operation of a batch failed; nothing of the batch was applied.
    #[error("batch operation {index} failed: {source}")]
    Batch {
        /// Zero-based index of the failing operation.
        index: usize,
        /// Why it failed.
        source: Box<Error>,
    },
}

/// Why a limit was refused, in [`Error::InvalidLimit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "rule", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum LimitRule {
    /// The subtree already uses more than the requested limit.
    BelowUsage {
        /// Current usage of the subtree.
        used: u64,
    },
    /// An ancestor carries a smaller limit; a child's limit may not exceed its parent's.
    AboveAncestor {
        /// The nearest ancestor with a limit on the resource.
        ancestor: String,
        /// That ancestor's limit.
        ancestor_limit: u64,
    },
    /// A descendant carries a larger limit.
    BelowDescendant {
        /// A descendant whose limit is larger than the requested one.
        descendant: String,
        /// That descendant's limit.
        descendant_limit: u64,
    },
    /// The schema forbids overcommit and the children's limits would add up to more than the
    /// parent's.
    Overcommit {
        /// The parent whose limit would be overcommitted (the node itself when lowering it).
        parent: String,
        /// The parent's limit.
        parent_limit: u64,
        /// The sum of the children's limits after the change.
        children_sum: u64,
    },
}

impl std::fmt::Display for LimitRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitRule::BelowUsage { used } => write!(f, "is below the current usage {used}"),
            LimitRule::AboveAncestor { ancestor, ancestor_limit } => {
                write!(f, "exceeds the limit {ancestor_limit} of ancestor {ancestor}")
            }
            LimitRule::BelowDescendant { descendant, descendant_limit } => {
                write!(f, "is below the limit {descendant_limit} of descendant {descendant}")
            }
            LimitRule::Overcommit { parent, parent_limit, children_sum } => write!(
                f,
                "would overcommit {parent}: children's limits add up to {children_sum}, its limit is {parent_limit}"
            ),
        }
    }
}

/// One group of things that block a delete, in [`Error::StillInUse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Blocker {
    /// What blocks: a node kind (`tenant`, `reseller`, ...), `account`, or `allocation`.
    pub kind: String,
    /// How many of them there are.
    pub count: u64,
    /// Their names (node names, usernames, or `resource=amount` for allocations), at most
    /// [`Blocker::MAX_NAMES`] of them.
    pub names: Vec<String>,
}

impl Blocker {
    /// How many names a blocker lists; `count` still reports them all.
    pub const MAX_NAMES: usize = 100;
}

fn format_blockers(blockers: &[Blocker]) -> String {
    let parts: Vec<String> = blockers.iter().map(|b| format!("{} {}", b.count, b.kind)).collect();
    parts.join(", ")
}

impl Error {
    /// The stable code of this error, e.g. `"QUOTA_EXCEEDED"`.
    ///
    /// A batch error reports the code of the operation that failed.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "NOT_FOUND",
            Error::AlreadyExists { .. } => "ALREADY_EXISTS",
            Error::StillInUse { .. } => "STILL_IN_USE",
            Error::QuotaExceeded { .. } => "QUOTA_EXCEEDED",
            Error::InvalidLimit { .. } => "INVALID_LIMIT",
            Error::ServiceDisabled { .. } => "SERVICE_DISABLED",
            Error::InvalidArgument { .. } => "INVALID_ARGUMENT",
            Error::KindNotAllowed { .. } => "KIND_NOT_ALLOWED",
            Error::DepthExceeded { .. } => "DEPTH_EXCEEDED",
            Error::Cycle { .. } => "CYCLE",
            Error::Conflict { .. } => "CONFLICT",
            Error::Forbidden { .. } => "FORBIDDEN",
            Error::WeakPassword { .. } => "WEAK_PASSWORD",
            Error::Unauthenticated => "UNAUTHENTICATED",
            Error::IncompatibleFormat { .. } => "INCOMPATIBLE_FORMAT",
            Error::SchemaMismatch { .. } => "SCHEMA_MISMATCH",
            Error::AlreadyOpen => "ALREADY_OPEN",
            Error::Corrupted { .. } => "CORRUPTED",
            Error::Storage { .. } => "STORAGE",
            Error::Batch { source, .. } => source.code(),
        }
    }

    /// The error's fields as a JSON object (without the code), for bindings and HTTP bodies.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = tenantree::Error::InvalidArgument { field: "name".into(), reason: "is empty".into() };
    /// assert_eq!(err.details()["field"], "name");
    /// ```
    #[must_use]
    pub fn details(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(map) = value.as_object_mut() {
            map.remove("code");
        }
        value
    }

    /// The error an operation inside a batch reports: its cause, unwrapped from [`Error::Batch`].
    #[must_use]
    pub fn root(&self) -> &Error {
        match self {
            Error::Batch { source, .. } => source.root(),
            other => other,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::InvalidArgument { field: field.into(), reason: reason.into() }
    }

    pub(crate) fn corrupted(what: impl Into<String>) -> Error {
        Error::Corrupted { what: what.into() }
    }

    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Error {
        Error::NotFound { entity, id: id.to_string() }
    }
}

macro_rules! storage_error {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for Error {
            fn from(err: $t) -> Error {
                Error::Storage { message: err.to_string() }
            }
        }
    )*};
}

storage_error!(
    redb::StorageError,
    redb::TableError,
    redb::CommitError,
    redb::CompactionError,
    redb::SetDurabilityError,
);

impl From<redb::TransactionError> for Error {
    fn from(err: redb::TransactionError) -> Error {
        Error::Storage { message: err.to_string() }
    }
}

impl From<redb::DatabaseError> for Error {
    fn from(err: redb::DatabaseError) -> Error {
        match err {
            redb::DatabaseError::DatabaseAlreadyOpen => Error::AlreadyOpen,
            redb::DatabaseError::UpgradeRequired(version) => Error::IncompatibleFormat {
                found: format!("redb file format {version}"),
                supported: "redb 4 file format".to_owned(),
            },
            other => Error::Storage { message: other.to_string() },
        }
    }
}

impl From<postcard::Error> for Error {
    fn from(err: postcard::Error) -> Error {
        Error::Corrupted { what: format!("record does not decode: {err}") }
    }
}
