//! Who is acting, and whether they may: the scope rule and permissions.
//!
//! The scope rule: an account bound to a node sees that node and its subtree, nothing else.
//! Anything outside behaves as if it did not exist (NOT_FOUND), so ids outside a scope cannot
//! be probed; a visible thing the account lacks the permission for is FORBIDDEN.
//!
//! Three more rules hold whatever the role says:
//! - an account cannot change its own node's status, limits, place or existence, nor its
//!   `tenant_full_access` flag (001: only the dealer above may);
//! - when a node on the path from the account's node down to a tenant has
//!   `tenant_full_access = false`, the account may read that tenant but not change it (001);
//! - while the account's node (or an ancestor) is disabled or suspended, the account may read
//!   but every write fails with SERVICE_DISABLED (000's 403).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::{Chain, load_chain, roles};
use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::model::Status;
use crate::schema::Schema;
use crate::store::{AccountRecord, Blob, View, decode};

/// Who performs an operation. Every public operation of the store takes one.
///
/// `Actor::Account` asserts an identity: the embedding application is trusted to pass it only
/// for an account it has authenticated, with [`Store::login`](crate::Store::login) or
/// [`Store::authenticate`](crate::Store::authenticate) (which return the actor to use).
///
/// # Examples
///
/// ```
/// use tenantree::{Actor, AccountId};
///
/// assert!(Actor::system().is_system());
/// let a = Actor::account(AccountId::new(7)?);
/// assert_eq!(serde_json::to_value(&a).unwrap(), serde_json::json!({"type": "account", "id": 7}));
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Actor {
    /// The embedding application itself: may do anything, sees everything.
    System,
    /// An account, acting within the scope of its node and the permissions of its role.
    Account {
        /// The account's id.
        id: crate::account::AccountId,
    },
}

impl Actor {
    /// The system actor.
    #[must_use]
    pub fn system() -> Actor {
        Actor::System
    }

    /// The actor of an account.
    #[must_use]
    pub fn account(id: crate::account::AccountId) -> Actor {
        Actor::Account { id }
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
    List,
    Create,
    Read,
    Update,
    Delete,
    Status,
    Move,
    Limits,
    Allocate,
    Release,
    AdminsList,
    AdminsCreate,
    AdminsUpdate,
    AdminsDelete,
    AdminsWelcome,
    PolicyRead,
    PolicyUpdate,
    // 004's tenant documents (engine::tenant).
    SettingsRead,
    SettingsUpdate,
    SettingsSecretsRead,
    HolidaysList,
    HolidaysRead,
    HolidaysCreate,
    HolidaysUpdate,
    HolidaysDelete,
    BalanceRead,
    BalanceRecharge,
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
            Action::AdminsList => "instance.admins.list",
            Action::AdminsCreate => "instance.admins.create",
            Action::AdminsUpdate => "instance.admins.update",
            Action::AdminsDelete => "instance.admins.delete",
            Action::AdminsWelcome => "instance.admins.welcome.create",
            Action::PolicyRead => "instance.password_policy.read",
            Action::PolicyUpdate => "instance.password_policy.update",
            Action::SettingsRead => "instance.settings.read",
            Action::SettingsUpdate => "instance.settings.update",
            Action::SettingsSecretsRead => "instance.settings.secrets.read",
            Action::HolidaysList => "instance.holidays.list",
            Action::HolidaysRead => "instance.holidays.read",
            Action::HolidaysCreate => "instance.holidays.create",
            Action::HolidaysUpdate => "instance.holidays.update",
            Action::HolidaysDelete => "instance.holidays.delete",
            Action::BalanceRead => "instance.balance.read",
            Action::BalanceRecharge => "instance.balance.recharge",
        }
    }

    pub(crate) fn is_write(self) -> bool {
        !matches!(self, Action::List | Action::Read | Action::AdminsList | Action::PolicyRead) && !self.is_tenant_read()
    }

    /// The reads of 004's tenant documents.
    fn is_tenant_read(self) -> bool {
        matches!(
            self,
            Action::SettingsRead
                | Action::SettingsSecretsRead
                | Action::HolidaysList
                | Action::HolidaysRead
                | Action::BalanceRead
        )
    }

    /// Actions an account may not take on its own node.
    fn is_self_forbidden(self) -> bool {
        matches!(self, Action::Status | Action::Move | Action::Limits | Action::Delete)
    }

    /// Actions that change a tenant and so fall under 001's `tenant_full_access`.
    fn is_tenant_control(self) -> bool {
        self.is_write() && self != Action::Create
    }
}

/// How an action is treated beyond its permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rule {
    /// It writes: refused while the principal's node is off.
    pub(crate) write: bool,
    /// It is never taken on one's own node.
    pub(crate) self_forbidden: bool,
    /// It changes a tenant: refused below `tenant_full_access = false`.
    pub(crate) tenant_control: bool,
}

impl Rule {
    /// A read.
    pub(crate) const READ: Rule = Rule { write: false, self_forbidden: false, tenant_control: false };
    /// A write that changes data of the node (tenant-protected, allowed on one's own node).
    pub(crate) const WRITE: Rule = Rule { write: true, self_forbidden: false, tenant_control: true };
}

/// An authenticated account, resolved for one transaction.
#[derive(Debug, Clone)]
pub(crate) struct AccountPrincipal {
    pub(crate) id: u64,
    pub(crate) username: String,
    /// The bound node's sequence number; 0 for a store-wide account.
    pub(crate) scope: u64,
    pub(crate) scope_id: Option<NodeId>,
    pub(crate) patterns: Vec<String>,
    /// When the bound node is effectively off: the node whose status causes it, and the
    /// status.
    pub(crate) off: Option<(NodeId, Status)>,
}

/// A resolved principal, for the duration of one transaction.
#[derive(Debug, Clone)]
pub(crate) enum Principal {
    System,
    Account(Box<AccountPrincipal>),
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::System => f.write_str("system"),
            Principal::Account(a) => write!(f, "account {} ({})", a.id, a.username),
        }
    }
}

/// Loads an account record.
pub(crate) fn load_account(v: &impl View, id: u64) -> Result<Option<AccountRecord>> {
    match v.blob(Blob::Accounts, &id.to_be_bytes())? {
        Some(bytes) => Ok(Some(decode(&bytes)?)),
        None => Ok(None),
    }
}

impl Principal {
    /// Resolves an actor inside a transaction. A missing or disabled account is
    /// UNAUTHENTICATED.
    pub(crate) fn resolve(v: &impl View, actor: &Actor) -> Result<Principal> {
        let id = match actor {
            Actor::System => return Ok(Principal::System),
            Actor::Account { id } => id.get(),
        };
        let rec = load_account(v, id)?.ok_or(Error::Unauthenticated)?;
        if !rec.enabled {
            return Err(Error::Unauthenticated);
        }
        let patterns = roles::patterns(v, &rec.role)?
            .ok_or_else(|| Error::corrupted(format!("account {id} holds unknown role {:?}", rec.role)))?;
        let (scope_id, off) = if rec.node == 0 {
            (None, None)
        } else {
            let chain = load_chain(v, rec.node)?;
            let eff = chain.effective();
            (Some(chain.node()?.id()), eff.source.map(|s| (s, eff.status)))
        };
        Ok(Principal::Account(Box::new(AccountPrincipal {
            id,
            username: rec.username,
            scope: rec.node,
            scope_id,
            patterns,
            off,
        })))
    }

    /// The account behind the principal, if any.
    pub(crate) fn account(&self) -> Option<&AccountPrincipal> {
        match self {
            Principal::System => None,
            Principal::Account(a) => Some(a),
        }
    }

    /// The sequence number of the node the principal is bound to; `None` when it sees the
    /// whole store.
    pub(crate) fn scope(&self) -> Option<u64> {
        match self {
            Principal::Account(a) if a.scope != 0 => Some(a.scope),
            _ => None,
        }
    }

    /// Whether the node at the head of `chain` is inside the principal's scope.
    pub(crate) fn sees(&self, chain: &Chain) -> bool {
        match self.scope() {
            None => true,
            Some(scope) => chain.contains(scope),
        }
    }

    /// Whether the principal sees the whole store (the top level included).
    pub(crate) fn sees_everything(&self) -> bool {
        self.scope().is_none()
    }

    /// Whether the principal's role grants a permission (the system actor has them all).
    pub(crate) fn allows(&self, permission: &str) -> bool {
        match self {
            Principal::System => true,
            Principal::Account(a) => a.patterns.iter().any(|p| roles::matches(p, permission)),
        }
    }

    /// Whether every pattern of `patterns` is within the principal's own rights, so that it
    /// may hand them out.
    pub(crate) fn covers(&self, patterns: &[String]) -> bool {
        match self {
            Principal::System => true,
            Principal::Account(a) => patterns.iter().all(|p| a.patterns.iter().any(|mine| roles::matches(mine, p))),
        }
    }

    /// NOT_FOUND unless the node is in scope.
    pub(crate) fn require_visible(&self, chain: &Chain) -> Result<()> {
        if self.sees(chain) { Ok(()) } else { Err(Error::not_found("node", chain.node()?.id())) }
    }

    /// SERVICE_DISABLED when the principal's own node is off and the action writes.
    pub(crate) fn require_in_service(&self, write: bool) -> Result<()> {
        if let Principal::Account(a) = self
            && write
            && let Some((source, status)) = a.off
        {
            return Err(Error::ServiceDisabled {
                node: a.scope_id.map_or_else(|| "the store".to_owned(), |n| n.to_string()),
                disabled_by: source.to_string(),
                status: status.as_str().to_owned(),
            });
        }
        Ok(())
    }

    /// FORBIDDEN unless the role grants `permission`.
    pub(crate) fn require_permission(&self, permission: &str, target: impl fmt::Display) -> Result<()> {
        if self.allows(permission) {
            Ok(())
        } else {
            Err(Error::Forbidden { action: permission.to_owned(), target: target.to_string() })
        }
    }

    /// The whole check for `action` on a node of kind `kind` at the head of `chain` (for
    /// creation: under it): NOT_FOUND outside the scope; FORBIDDEN without the permission, on
    /// one's own node for the actions that are never one's own, or on a protected tenant;
    /// SERVICE_DISABLED for writes while the principal's node is off.
    pub(crate) fn require(&self, schema: &Schema, chain: &Chain, kind: u8, action: Action) -> Result<()> {
        let rule = Rule {
            write: action.is_write(),
            self_forbidden: action != Action::Create && action.is_self_forbidden(),
            tenant_control: action.is_tenant_control(),
        };
        self.require_suffix(schema, chain, kind, action.suffix(), rule)
    }

    /// As [`Principal::require`], for permissions whose suffix is data (configuration
    /// namespaces): `suffix` like `instance.configurations.general.list`.
    pub(crate) fn require_suffix(
        &self,
        schema: &Schema,
        chain: &Chain,
        kind: u8,
        suffix: &str,
        rule: Rule,
    ) -> Result<()> {
        self.require_visible(chain)?;
        let Principal::Account(a) = self else { return Ok(()) };
        let head = chain.node()?;
        let kind_def = schema.kind_at(kind)?;
        let permission = format!("{}.{suffix}", kind_def.name);
        self.require_permission(&permission, head.id())?;
        self.require_in_service(rule.write)?;
        if head.seq == a.scope && rule.self_forbidden {
            return Err(Error::Forbidden {
                action: permission,
                target: format!("{} (the account's own node)", head.id()),
            });
        }
        if kind_def.tenant && rule.tenant_control && head.seq != a.scope {
            // The nodes from just above the tenant up to the account's node.
            for link in chain.links.iter().skip(1) {
                if !link.rec.tenant_full_access {
                    return Err(Error::Forbidden {
                        action: permission,
                        target: format!("{} (tenant_full_access is off at {})", head.id(), link.id()),
                    });
                }
                if link.seq == a.scope {
                    break;
                }
            }
        }
        Ok(())
    }
}
