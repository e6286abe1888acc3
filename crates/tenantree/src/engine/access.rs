//! Who is acting, and whether they may: the scope rule and permissions.
//!
//! The scope rule: a principal bound to a node sees that node and its subtree, nothing else.
//! Anything outside behaves as if it did not exist (NOT_FOUND); a visible thing the principal
//! lacks the permission for is FORBIDDEN.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::Chain;
use crate::error::{Error, Result};
use crate::schema::Schema;

/// Who performs an operation. Every public operation of the store takes one.
///
/// # Examples
///
/// ```
/// use tenantree::Actor;
///
/// let sys = Actor::system();
/// assert!(sys.is_system());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Actor {
    /// The embedding application itself: may do anything, sees everything.
    System,
    /// An account, acting within the scope of its node and the permissions of its role.
    Account {
        /// The account's id.
        id: u64,
    },
}

impl Actor {
    /// The system actor.
    #[must_use]
    pub fn system() -> Actor {
        Actor::System
    }

    /// Whether this is the system actor.
    #[must_use]
    pub fn is_system(&self) -> bool {
        matches!(self, Actor::System)
    }
}

/// What is done to a node, for the permission check. Each action names a permission
/// `<kind>.<suffix>`, e.g. `reseller.instance.update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// List nodes of the kind (children, descendants, counts).
    List,
    /// Create a node of the kind.
    Create,
    /// Read a node of the kind.
    Read,
    /// Change a node's name and profile.
    Update,
    /// Delete a node.
    Delete,
    /// Enable, disable or suspend a node.
    Status,
    /// Move a node to another parent.
    Move,
    /// Set a node's limits.
    Limits,
    /// Allocate resources on a node.
    Allocate,
    /// Release resources on a node.
    Release,
}

impl Action {
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Action::List => "list",
            Action::Create => "create",
            Action::Read => "instance.read",
            Action::Update => "instance.update",
            Action::Delete => "instance.delete",
            Action::Status => "instance.status.update",
            Action::Move => "instance.move",
            Action::Limits => "instance.quotas.update",
            Action::Allocate => "instance.quotas.allocate",
            Action::Release => "instance.quotas.release",
        }
    }
}

/// A resolved principal, for the duration of one transaction.
#[derive(Debug, Clone)]
pub(crate) enum Principal {
    System,
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::System => f.write_str("system"),
        }
    }
}

impl Principal {
    /// Whether the node at the head of `chain` is inside the principal's scope.
    pub(crate) fn sees(&self, _chain: &Chain) -> bool {
        match self {
            Principal::System => true,
        }
    }

    /// Whether the principal may list the top level of the store.
    pub(crate) fn sees_everything(&self) -> bool {
        matches!(self, Principal::System)
    }

    /// NOT_FOUND unless the node is in scope.
    pub(crate) fn require_visible(&self, chain: &Chain) -> Result<()> {
        if self.sees(chain) { Ok(()) } else { Err(Error::not_found("node", chain.node()?.id())) }
    }

    /// NOT_FOUND outside the scope, FORBIDDEN without the permission for `action` on a node of
    /// kind `kind` at (or, for creation, under) the head of `chain`.
    pub(crate) fn require(&self, _schema: &Schema, chain: &Chain, _kind: u8, _action: Action) -> Result<()> {
        self.require_visible(chain)?;
        match self {
            Principal::System => Ok(()),
        }
    }
}
