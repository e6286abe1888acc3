//! The public records of accounts, roles, credentials and the outbox.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{NodeId, Timestamp};

/// An account's id: a positive number, assigned in creation order (003 answers `{"id": 86}`).
///
/// Invariant: never 0.
///
/// # Examples
///
/// ```
/// use tenantree::AccountId;
///
/// assert_eq!(AccountId::new(86)?.get(), 86);
/// assert!(AccountId::new(0).is_err());
/// assert_eq!("86".parse::<AccountId>()?.to_string(), "86");
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(type = "number"))]
#[serde(try_from = "u64", into = "u64")]
pub struct AccountId(u64);

impl AccountId {
    /// Wraps a number.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for 0.
    pub fn new(id: u64) -> Result<AccountId> {
        if id == 0 {
            return Err(Error::invalid("account", "account ids start at 1"));
        }
        Ok(AccountId(id))
    }

    /// The number.
    #[must_use]
    pub fn get(self) -> u64 {
        self.0
    }
}

impl TryFrom<u64> for AccountId {
    type Error = Error;

    fn try_from(id: u64) -> Result<AccountId> {
        AccountId::new(id)
    }
}

impl From<AccountId> for u64 {
    fn from(id: AccountId) -> u64 {
        id.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for AccountId {
    type Err = Error;

    fn from_str(s: &str) -> Result<AccountId> {
        let n: u64 = s.trim().parse().map_err(|_| Error::invalid("account", format!("{s:?} is not an account id")))?;
        AccountId::new(n)
    }
}

/// An account as read. Its password is never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The id.
    pub id: AccountId,
    /// The login name, as written; unique store-wide ignoring case.
    pub username: String,
    /// The node whose subtree the account sees and acts on; `None` for a store-wide account.
    pub node: Option<NodeId>,
    /// The role, naming the permissions.
    pub role: String,
    /// First name (003).
    pub first_name: Option<String>,
    /// Last name (003).
    pub last_name: Option<String>,
    /// Mobile phone (003).
    pub mobile: Option<String>,
    /// Contact e-mail (for welcome messages); 003 uses the e-mail as the username.
    pub email: Option<String>,
    /// The account must change its password at the next login (003 `force_reset`).
    pub force_password_reset: bool,
    /// A disabled account cannot log in or act.
    pub enabled: bool,
    /// Whether a password is set (003's admins start without one and set it from the
    /// welcome mail).
    pub has_password: bool,
    /// When the account was created.
    pub created: Timestamp,
    /// When it last changed.
    pub updated: Timestamp,
    /// Optimistic-concurrency version.
    pub version: u64,
}

/// What to create.
///
/// # Examples
///
/// ```
/// use tenantree::{Actor, NewAccount, NewNode, PasswordParams, Store};
///
/// let store = Store::builder().password_params(PasswordParams::fast()).in_memory()?;
/// let sys = Actor::system();
/// let root = store.create_node(&sys, NewNode::new("platform", "acme"))?;
/// let a = store.create_account(&sys, NewAccount::new("ops@acme.example", "system_admin").node(root.id).password("S3cure!pass"))?;
/// assert!(a.has_password);
/// let session = store.login("OPS@acme.example", "S3cure!pass")?;
/// assert_eq!(session.account.id, a.id);
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", default)]
pub struct NewAccount {
    /// The login name.
    pub username: String,
    /// The node it is bound to; `None` for a store-wide account (only the system actor, or a
    /// store-wide account allowed to, may create one).
    pub node: Option<NodeId>,
    /// The role.
    pub role: String,
    /// An initial password, checked against the password policy in force at the node.
    pub password: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Mobile phone.
    pub mobile: Option<String>,
    /// Contact e-mail; when absent and the username is an e-mail address, that is used.
    pub email: Option<String>,
    /// Must change the password at the next login.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub force_password_reset: bool,
    /// Disabled when `Some(false)`.
    pub enabled: Option<bool>,
    /// Queue a welcome message in the outbox, in the same transaction (003).
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub send_welcome: bool,
}

impl NewAccount {
    /// An account named `username` with `role`, store-wide until [`node`](NewAccount::node)
    /// is set.
    #[must_use]
    pub fn new(username: impl Into<String>, role: impl Into<String>) -> NewAccount {
        NewAccount { username: username.into(), role: role.into(), ..NewAccount::default() }
    }

    /// Binds the account to a node.
    #[must_use]
    pub fn node(mut self, node: NodeId) -> NewAccount {
        self.node = Some(node);
        self
    }

    /// Sets an initial password.
    #[must_use]
    pub fn password(mut self, password: impl Into<String>) -> NewAccount {
        self.password = Some(password.into());
        self
    }

    /// Sets the contact e-mail.
    #[must_use]
    pub fn email(mut self, email: impl Into<String>) -> NewAccount {
        self.email = Some(email.into());
        self
    }

    /// Queues a welcome message.
    #[must_use]
    pub fn welcome(mut self) -> NewAccount {
        self.send_welcome = true;
        self
    }
}

/// A partial update of an account: `None` leaves a field, `Some(None)` clears an optional one.
/// The username cannot change (003: delete and re-create).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default)]
pub struct AccountUpdate {
    /// First name.
    pub first_name: Option<Option<String>>,
    /// Last name.
    pub last_name: Option<Option<String>>,
    /// Mobile phone.
    pub mobile: Option<Option<String>>,
    /// Contact e-mail.
    pub email: Option<Option<String>>,
    /// A new role (never one with more rights than the caller's own).
    pub role: Option<String>,
    /// Enable or disable.
    pub enabled: Option<bool>,
    /// Force a password reset.
    pub force_password_reset: Option<bool>,
    /// Refuse with CONFLICT unless the account is at this version.
    pub expected_version: Option<u64>,
}

/// A query over the accounts bound to one node.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", default)]
pub struct AccountQuery {
    /// Case-insensitive substring of the username, names or e-mail.
    pub search: Option<String>,
    /// Entries to skip.
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub offset: u64,
    /// Page size (default 10, at most 1000).
    pub limit: Option<u32>,
    /// A `next` token from the previous page.
    pub cursor: Option<String>,
}

/// A role: a name and permission patterns.
///
/// Permissions are named `<kind>.<action>` after 003's roles: `reseller.list`,
/// `reseller.create`, `reseller.instance.read`, `.update`, `.delete`, `.status.update`,
/// `.move`, `.quotas.update|allocate|release`, `.admins.list|create|update|delete`,
/// `.admins.welcome.create`, `.password_policy.read|update`. In a pattern, `*` stands for one
/// segment, and a trailing `*` for one or more: `*` allows everything, `tenant.*` everything on
/// tenants, `*.instance.read` reading any kind.
///
/// # Examples
///
/// ```
/// use tenantree::Role;
///
/// let role = Role::new("auditor", ["*.list", "*.instance.read"]);
/// assert!(role.allows("reseller.instance.read"));
/// assert!(!role.allows("reseller.instance.update"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Role {
    /// The name: 1–64 lower-case letters, digits and `_`, starting with a letter.
    pub name: String,
    /// The permission patterns.
    pub permissions: Vec<String>,
    /// Whether the role is built in (and cannot be changed or removed).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub builtin: bool,
}

impl Role {
    /// A custom role.
    #[must_use]
    pub fn new<S: Into<String>>(name: impl Into<String>, permissions: impl IntoIterator<Item = S>) -> Role {
        Role { name: name.into(), permissions: permissions.into_iter().map(Into::into).collect(), builtin: false }
    }

    /// Whether the role grants `permission`.
    #[must_use]
    pub fn allows(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| crate::engine::roles::matches(p, permission))
    }
}

/// 004's password policy. Set on a node, it applies to the accounts of its subtree; the
/// nearest policy wins. Without any, [`PasswordPolicy::default`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(default)]
pub struct PasswordPolicy {
    /// At least this many characters (at least 1, at most `max_length`).
    pub min_length: u32,
    /// At most this many characters (at most 1024).
    pub max_length: u32,
    /// At least one latin letter.
    pub contains_letters: bool,
    /// At least one digit.
    pub contains_numbers: bool,
    /// At least one upper-case letter or special character (`~!@#$%^&*()_+=`, ...).
    pub contains_special_letters: bool,
    /// No run of three ascending or descending letters or digits (`abc`, `321`).
    pub disable_sequential_characters: bool,
    /// No character three times in a row (`aaa`).
    pub disable_repeating_characters: bool,
    /// Not containing the username, the e-mail (or its local part) or the names.
    pub disable_account_information: bool,
}

impl Default for PasswordPolicy {
    /// 004's defaults: 6 to 32 characters, every rule on.
    fn default() -> PasswordPolicy {
        PasswordPolicy {
            min_length: 6,
            max_length: 32,
            contains_letters: true,
            contains_numbers: true,
            contains_special_letters: true,
            disable_sequential_characters: true,
            disable_repeating_characters: true,
            disable_account_information: true,
        }
    }
}

/// The password policy in force at a node, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EffectivePolicy {
    /// The policy.
    pub policy: PasswordPolicy,
    /// The node it is set on; `None` for the store default (or the built-in default).
    pub source: Option<NodeId>,
    /// Whether it is set on the node asked about itself.
    pub own: bool,
}

/// Cost parameters of argon2id password hashing. Hashes record their parameters, so changing
/// them later still verifies old passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PasswordParams {
    /// Memory in KiB (at least 8).
    pub memory_kib: u32,
    /// Iterations (at least 1).
    pub iterations: u32,
    /// Lanes (at least 1).
    pub parallelism: u32,
}

impl Default for PasswordParams {
    /// OWASP's recommended minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
    fn default() -> PasswordParams {
        PasswordParams { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

impl PasswordParams {
    /// The cheapest valid parameters: for tests and demos only, never for real passwords.
    #[must_use]
    pub fn fast() -> PasswordParams {
        PasswordParams { memory_kib: 8, iterations: 1, parallelism: 1 }
    }
}

/// An API token as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// The token's id.
    pub id: u64,
    /// The account it acts as.
    pub account: AccountId,
    /// A label.
    pub name: String,
    /// When it was issued.
    pub created: Timestamp,
    /// When it stops working; `None` never.
    pub expires: Option<Timestamp>,
}

/// What to issue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(rename_all = "camelCase", default)]
pub struct NewToken {
    /// A label, 1–64 characters.
    pub name: String,
    /// Lifetime in seconds; `None` for a token that does not expire.
    pub expires_in: Option<u64>,
}

/// A freshly issued token: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct IssuedToken {
    /// Its listing.
    pub info: TokenInfo,
    /// The bearer secret, `tt_<id>_<random>`. Stored only as a SHA-256 hash.
    pub secret: String,
}

/// The result of a login or a token check: who acts from now on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Pass this to every operation.
    pub actor: Actor,
    /// The account.
    pub account: Account,
    /// The node the account is bound to is disabled or suspended (or below one): the account
    /// may read, but every write fails with SERVICE_DISABLED.
    pub read_only: bool,
}

/// What kind of message the host should send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum MessageKind {
    /// A welcome mail asking the new account to set its password (003).
    Welcome,
}

/// A message in the outbox: the library sends nothing; the host reads, sends and acknowledges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Increasing id.
    pub id: u64,
    /// What to send.
    pub kind: MessageKind,
    /// The account concerned.
    pub account: AccountId,
    /// Its username.
    pub username: String,
    /// Where to send it: the account's e-mail.
    pub recipient: Option<String>,
    /// The account's node.
    pub node: Option<NodeId>,
    /// When it was queued.
    pub created: Timestamp,
}
