// The records, options and errors of tenantree, as TypeScript declarations.
// Generated from the Rust types by `cargo test -p tenantree-wasm typescript`
// (bindings/wasm/src/typescript.rs). Do not edit: change the Rust types and regenerate with
// TENANTREE_UPDATE_TYPES=1.
//
// Numbers: every integer (limits, usage, versions, timestamps in microseconds since the epoch)
// is a JS number; a value above 2^53 is refused rather than rounded.

export type NodeId = string;

export type Timestamp = number;

export type NodeName = string;

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type Actor = { "type": "system" } | { "type": "account", 
/**
 * The account's id.
 */
id: AccountId, };

export type Status = { "state": "enabled" } | { "state": "disabled" } | { "state": "suspended", 
/**
 * The suspension profile's index, as 003's `suspensionProfileId`.
 */
profile: number, };

export type EffectiveStatus = { 
/**
 * The status in force.
 */
status: Status, 
/**
 * The node whose own status this is; `None` when in service.
 */
source: NodeId | null, };

export type Profile = { 
/**
 * A human-friendly name (001 `display_name`).
 */
displayName?: string, 
/**
 * Contact e-mail.
 */
email?: string, 
/**
 * Website URL.
 */
website?: string, 
/**
 * Phone number.
 */
phone?: string, 
/**
 * Postal address.
 */
address?: string, 
/**
 * Free description.
 */
description?: string, 
/**
 * A name in another system (002 `externalName`).
 */
externalName?: string, 
/**
 * External billing reference (003 `billingId`).
 */
billingId?: string, 
/**
 * Free-form JSON object (002 `extraData`).
 */
extra?: JsonValue, };

export type Node = { 
/**
 * The node's id (UUIDv7).
 */
id: NodeId, 
/**
 * Its kind, from the schema.
 */
kind: string, 
/**
 * Its parent; `None` at the top level.
 */
parent: NodeId | null, 
/**
 * Its name.
 */
name: NodeName, 
/**
 * Its own status.
 */
status: Status, 
/**
 * The status in force, inherited from the nearest ancestor that is off.
 */
effectiveStatus: EffectiveStatus, 
/**
 * 001's `tenant_full_access`: whether admins of this node may change the tenants below it.
 */
tenantFullAccess: boolean, 
/**
 * The limits set on this node, by resource name.
 */
limits: { [key in string]: number }, 
/**
 * Depth in the tree; a top-level node has depth 1.
 */
depth: number, 
/**
 * When the node was created.
 */
created: Timestamp, 
/**
 * When the node last changed.
 */
updated: Timestamp, 
/**
 * Optimistic-concurrency version: starts at 1 and grows by one with every change.
 */
version: number, 
/**
 * A human-friendly name (001 `display_name`).
 */
displayName?: string, 
/**
 * Contact e-mail.
 */
email?: string, 
/**
 * Website URL.
 */
website?: string, 
/**
 * Phone number.
 */
phone?: string, 
/**
 * Postal address.
 */
address?: string, 
/**
 * Free description.
 */
description?: string, 
/**
 * A name in another system (002 `externalName`).
 */
externalName?: string, 
/**
 * External billing reference (003 `billingId`).
 */
billingId?: string, 
/**
 * Free-form JSON object (002 `extraData`).
 */
extra?: JsonValue, };

export type NewNode = { 
/**
 * A caller-chosen id (imports, idempotent batches); a fresh UUIDv7 when not given.
 */
id?: NodeId | null, 
/**
 * The kind.
 */
kind: string, 
/**
 * The parent; `None` for a top-level node.
 */
parent?: NodeId | null, 
/**
 * The name.
 */
name: string, 
/**
 * The initial status (enabled when not given).
 */
status?: Status, 
/**
 * 001's `tenant_full_access`; true when not given.
 */
tenantFullAccess?: boolean | null, 
/**
 * Limits to set, by resource name.
 */
limits?: { [key in string]: number }, 
/**
 * A human-friendly name (001 `display_name`).
 */
displayName?: string, 
/**
 * Contact e-mail.
 */
email?: string, 
/**
 * Website URL.
 */
website?: string, 
/**
 * Phone number.
 */
phone?: string, 
/**
 * Postal address.
 */
address?: string, 
/**
 * Free description.
 */
description?: string, 
/**
 * A name in another system (002 `externalName`).
 */
externalName?: string, 
/**
 * External billing reference (003 `billingId`).
 */
billingId?: string, 
/**
 * Free-form JSON object (002 `extraData`).
 */
extra?: JsonValue, };

export type NodeUpdate = { 
/**
 * A new name.
 */
name?: string, 
/**
 * Display name.
 */
displayName?: string | null, 
/**
 * E-mail.
 */
email?: string | null, 
/**
 * Website.
 */
website?: string | null, 
/**
 * Phone.
 */
phone?: string | null, 
/**
 * Address.
 */
address?: string | null, 
/**
 * Description.
 */
description?: string | null, 
/**
 * External name.
 */
externalName?: string | null, 
/**
 * Billing id.
 */
billingId?: string | null, 
/**
 * Extra data.
 */
extra?: JsonValue | null, 
/**
 * 001's `tenant_full_access`.
 */
tenantFullAccess?: boolean, 
/**
 * Refuse the update with CONFLICT unless the node is at this version.
 */
expectedVersion?: number, };

export type Quota = { 
/**
 * The resource.
 */
resource: string, 
/**
 * The node's limit, if it has one.
 */
limit: number | null, 
/**
 * Usage of the whole subtree (for a counted resource, the number of descendants of its
 * kind).
 */
used: number, 
/**
 * The part of `used` allocated on this node itself.
 */
allocated: number, 
/**
 * What is left before the tightest limit on the node or an ancestor is reached; `None`
 * when nothing limits the resource.
 */
available: number | null, };

export type ChildQuery = { 
/**
 * Only children of this kind.
 */
kind?: string | null, 
/**
 * Only children with this own status (`enabled`, `disabled` or `suspended`, any profile).
 */
status?: StatusFilter | null, 
/**
 * Case-insensitive substring of the name or another searchable field: display name,
 * e-mail, external name, billing id, description, website, phone.
 */
search?: string | null, 
/**
 * Sort order.
 */
sort?: SortBy, 
/**
 * Direction.
 */
dir?: Direction, 
/**
 * Entries to skip.
 */
offset?: number, 
/**
 * Page size (default 10, at most 1000).
 */
limit?: number | null, 
/**
 * A `next` token from the previous page.
 */
cursor?: string | null, };

export type DescendantQuery = { 
/**
 * The kind to list.
 */
kind: string, 
/**
 * Entries to skip.
 */
offset?: number, 
/**
 * Page size (default 10, at most 1000).
 */
limit?: number | null, 
/**
 * A `next` token from the previous page.
 */
cursor?: string | null, };

export type StatusFilter = "enabled" | "disabled" | "suspended";

export type SortBy = "name" | "created";

export type Direction = "asc" | "desc";

export type Page<T> = { 
/**
 * The entries of this page.
 */
items: Array<T>, 
/**
 * How many entries match the query in all.
 */
total: number, 
/**
 * The page size used.
 */
limit: number, 
/**
 * The 1-based number of this page (for cursor pages, counted from the cursor's position).
 */
page: number, 
/**
 * How many pages of `limit` entries the matches fill.
 */
pages: number, 
/**
 * A token for the next page; `None` on the last page.
 */
next: string | null, };

export type AccountId = number;

export type Account = { 
/**
 * The id.
 */
id: AccountId, 
/**
 * The login name, as written; unique store-wide ignoring case.
 */
username: string, 
/**
 * The node whose subtree the account sees and acts on; `None` for a store-wide account.
 */
node: NodeId | null, 
/**
 * The role, naming the permissions.
 */
role: string, 
/**
 * First name (003).
 */
firstName: string | null, 
/**
 * Last name (003).
 */
lastName: string | null, 
/**
 * Mobile phone (003).
 */
mobile: string | null, 
/**
 * Contact e-mail (for welcome messages); 003 uses the e-mail as the username.
 */
email: string | null, 
/**
 * The account must change its password at the next login (003 `force_reset`).
 */
forcePasswordReset: boolean, 
/**
 * A disabled account cannot log in or act.
 */
enabled: boolean, 
/**
 * Whether a password is set (003's admins start without one and set it from the
 * welcome mail).
 */
hasPassword: boolean, 
/**
 * When the account was created.
 */
created: Timestamp, 
/**
 * When it last changed.
 */
updated: Timestamp, 
/**
 * Optimistic-concurrency version.
 */
version: number, };

export type NewAccount = { 
/**
 * The login name.
 */
username: string, 
/**
 * The node it is bound to; `None` for a store-wide account (only the system actor, or a
 * store-wide account allowed to, may create one).
 */
node?: NodeId | null, 
/**
 * The role.
 */
role: string, 
/**
 * An initial password, checked against the password policy in force at the node.
 */
password?: string | null, 
/**
 * First name.
 */
firstName?: string | null, 
/**
 * Last name.
 */
lastName?: string | null, 
/**
 * Mobile phone.
 */
mobile?: string | null, 
/**
 * Contact e-mail; when absent and the username is an e-mail address, that is used.
 */
email?: string | null, 
/**
 * Must change the password at the next login.
 */
forcePasswordReset?: boolean, 
/**
 * Disabled when `Some(false)`.
 */
enabled?: boolean | null, 
/**
 * Queue a welcome message in the outbox, in the same transaction (003).
 */
sendWelcome?: boolean, };

export type AccountUpdate = { 
/**
 * First name.
 */
firstName?: string | null, 
/**
 * Last name.
 */
lastName?: string | null, 
/**
 * Mobile phone.
 */
mobile?: string | null, 
/**
 * Contact e-mail.
 */
email?: string | null, 
/**
 * A new role (never one with more rights than the caller's own).
 */
role?: string, 
/**
 * Enable or disable.
 */
enabled?: boolean, 
/**
 * Force a password reset.
 */
forcePasswordReset?: boolean, 
/**
 * Refuse with CONFLICT unless the account is at this version.
 */
expectedVersion?: number, };

export type AccountQuery = { 
/**
 * Case-insensitive substring of the username, names or e-mail.
 */
search?: string | null, 
/**
 * Entries to skip.
 */
offset?: number, 
/**
 * Page size (default 10, at most 1000).
 */
limit?: number | null, 
/**
 * A `next` token from the previous page.
 */
cursor?: string | null, };

export type Role = { 
/**
 * The name: 1–64 lower-case letters, digits and `_`, starting with a letter.
 */
name: string, 
/**
 * The permission patterns.
 */
permissions: Array<string>, 
/**
 * Whether the role is built in (and cannot be changed or removed).
 */
builtin?: boolean, };

export type PasswordPolicy = { 
/**
 * At least this many characters (at least 1, at most `max_length`).
 */
min_length: number, 
/**
 * At most this many characters (at most 1024).
 */
max_length: number, 
/**
 * At least one latin letter.
 */
contains_letters: boolean, 
/**
 * At least one digit.
 */
contains_numbers: boolean, 
/**
 * At least one upper-case letter or special character (`~!@#$%^&*()_+=`, ...).
 */
contains_special_letters: boolean, 
/**
 * No run of three ascending or descending letters or digits (`abc`, `321`).
 */
disable_sequential_characters: boolean, 
/**
 * No character three times in a row (`aaa`).
 */
disable_repeating_characters: boolean, 
/**
 * Not containing the username, the e-mail (or its local part) or the names.
 */
disable_account_information: boolean, };

export type EffectivePolicy = { 
/**
 * The policy.
 */
policy: PasswordPolicy, 
/**
 * The node it is set on; `None` for the store default (or the built-in default).
 */
source: NodeId | null, 
/**
 * Whether it is set on the node asked about itself.
 */
own: boolean, };

export type PasswordParams = { 
/**
 * Memory in KiB (at least 8).
 */
memoryKib: number, 
/**
 * Iterations (at least 1).
 */
iterations: number, 
/**
 * Lanes (at least 1).
 */
parallelism: number, };

export type TokenInfo = { 
/**
 * The token's id.
 */
id: number, 
/**
 * The account it acts as.
 */
account: AccountId, 
/**
 * A label.
 */
name: string, 
/**
 * When it was issued.
 */
created: Timestamp, 
/**
 * When it stops working; `None` never.
 */
expires: Timestamp | null, };

export type NewToken = { 
/**
 * A label, 1–64 characters.
 */
name: string, 
/**
 * Lifetime in seconds; `None` for a token that does not expire.
 */
expiresIn?: number | null, };

export type IssuedToken = { 
/**
 * Its listing.
 */
info: TokenInfo, 
/**
 * The bearer secret, `tt_<id>_<random>`. Stored only as a SHA-256 hash.
 */
secret: string, };

export type Session = { 
/**
 * Pass this to every operation.
 */
actor: Actor, 
/**
 * The account.
 */
account: Account, 
/**
 * The node the account is bound to is disabled or suspended (or below one): the account
 * may read, but every write fails with SERVICE_DISABLED.
 */
readOnly: boolean, };

export type Message = { 
/**
 * Increasing id.
 */
id: number, 
/**
 * What to send.
 */
kind: MessageKind, 
/**
 * The account concerned.
 */
account: AccountId, 
/**
 * Its username.
 */
username: string, 
/**
 * Where to send it: the account's e-mail.
 */
recipient: string | null, 
/**
 * The account's node.
 */
node: NodeId | null, 
/**
 * When it was queued.
 */
created: Timestamp, };

export type MessageKind = "welcome";

export type Decimal = string;

export type PropQuery = { 
/**
 * Only these keys (003's `keys=a,b`).
 */
keys?: Array<string> | null, 
/**
 * Only keys containing this, ignoring case (003's `search`).
 */
search?: string | null, };

export type EffectiveProperties = { 
/**
 * The merged properties (secrets masked).
 */
properties: { [key in string]: JsonValue }, 
/**
 * For each key, the node whose value is in force.
 */
sources: { [key in string]: NodeId }, };

export type Markup = { 
/**
 * The markup in percent (may be negative: a discount, above -100).
 */
percent: Decimal, 
/**
 * From when it applies (until the next one starts).
 */
start: Timestamp, };

export type EffectivePrice = { 
/**
 * The price asked about.
 */
base: Decimal, 
/**
 * The time the markups were taken at.
 */
at: Timestamp, 
/**
 * The price entering the caller's scope: the base with the markups of the nodes above
 * the scope applied (their individual markups are not shown to a scoped caller).
 */
inherited: Decimal, 
/**
 * Each markup inside the caller's scope, top-down.
 */
steps: Array<PriceStep>, 
/**
 * The final price, exact.
 */
price: Decimal, };

export type PriceStep = { 
/**
 * The node whose markup applied.
 */
node: NodeId, 
/**
 * Its markup in force at the time.
 */
percent: Decimal, 
/**
 * The price after it.
 */
price: Decimal, };

export type Change = { 
/**
 * Increasing sequence number: read again with `after = seq` to continue.
 */
seq: number, 
/**
 * When it was committed.
 */
time: Timestamp, 
/**
 * Who made it.
 */
actor: Actor, 
/**
 * What happened: `node.create`, `node.update`, `node.status`, `node.move`, `node.delete`,
 * `node.limits`, `node.allocate`, `node.release`, `account.create`, `account.update`,
 * `account.delete`, `account.password`, `account.welcome`, `token.issue`, `token.revoke`,
 * `role.define`, `role.delete`, `policy.set`, and those of the modules that hang data on
 * nodes (`props.*`, `markup.*`, ...).
 */
op: string, 
/**
 * The kind of entity changed: `node`, `account`, `token`, `role`, `policy`, ...
 */
entity: string, 
/**
 * The entity's id when it is not the node.
 */
id: string | null, 
/**
 * The node the change concerns.
 */
node: NodeId | null, 
/**
 * The changed fields with their new values; secrets read `********`.
 */
changes: JsonValue | null, };

export type ChangePage = { 
/**
 * The changes visible to the reader, oldest first.
 */
changes: Array<Change>, 
/**
 * Where to continue: pass it as `after` next time. It moves past events the reader may
 * not see, so paging never stalls.
 */
next: number, };

export type SnapshotFormat = "binary" | "json";

export type SnapshotSummary = { 
/**
 * Nodes.
 */
nodes: number, 
/**
 * Accounts.
 */
accounts: number, 
/**
 * API tokens.
 */
tokens: number, 
/**
 * Custom roles.
 */
roles: number, 
/**
 * Password policies.
 */
policies: number, 
/**
 * Configuration properties.
 */
properties: number, 
/**
 * Markups.
 */
markups: number, 
/**
 * Allocations.
 */
allocations: number, 
/**
 * Records in all, header and end included.
 */
records: number, };

export type Op = { "op": "createNode" } & NewNode | { "op": "updateNode", 
/**
 * The node.
 */
id: NodeId, 
/**
 * A new name.
 */
name?: string, 
/**
 * Display name.
 */
displayName?: string | null, 
/**
 * E-mail.
 */
email?: string | null, 
/**
 * Website.
 */
website?: string | null, 
/**
 * Phone.
 */
phone?: string | null, 
/**
 * Address.
 */
address?: string | null, 
/**
 * Description.
 */
description?: string | null, 
/**
 * External name.
 */
externalName?: string | null, 
/**
 * Billing id.
 */
billingId?: string | null, 
/**
 * Extra data.
 */
extra?: JsonValue | null, 
/**
 * 001's `tenant_full_access`.
 */
tenantFullAccess?: boolean, 
/**
 * Refuse the update with CONFLICT unless the node is at this version.
 */
expectedVersion?: number, } | { "op": "setStatus", 
/**
 * The node.
 */
id: NodeId, 
/**
 * The new status.
 */
status: Status, 
/**
 * Optimistic-concurrency check.
 */
expectedVersion?: number | null, } | { "op": "moveNode", 
/**
 * The node.
 */
id: NodeId, 
/**
 * The new parent; `null` for the top level.
 */
parent?: NodeId | null, 
/**
 * Optimistic-concurrency check.
 */
expectedVersion?: number | null, } | { "op": "deleteNode", 
/**
 * The node.
 */
id: NodeId, } | { "op": "setLimits", 
/**
 * The node.
 */
id: NodeId, 
/**
 * Limits by resource; `null` removes one.
 */
limits: { [key in string]: number | null }, 
/**
 * Optimistic-concurrency check.
 */
expectedVersion?: number | null, } | { "op": "allocate", 
/**
 * The node.
 */
id: NodeId, 
/**
 * The resource.
 */
resource: string, 
/**
 * How much.
 */
amount: number, } | { "op": "release", 
/**
 * The node.
 */
id: NodeId, 
/**
 * The resource.
 */
resource: string, 
/**
 * How much.
 */
amount: number, } | { "op": "createAccount" } & NewAccount | { "op": "updateAccount", 
/**
 * The account.
 */
id: AccountId, 
/**
 * First name.
 */
firstName?: string | null, 
/**
 * Last name.
 */
lastName?: string | null, 
/**
 * Mobile phone.
 */
mobile?: string | null, 
/**
 * Contact e-mail.
 */
email?: string | null, 
/**
 * A new role (never one with more rights than the caller's own).
 */
role?: string, 
/**
 * Enable or disable.
 */
enabled?: boolean, 
/**
 * Force a password reset.
 */
forcePasswordReset?: boolean, 
/**
 * Refuse with CONFLICT unless the account is at this version.
 */
expectedVersion?: number, } | { "op": "deleteAccount", 
/**
 * The account.
 */
id: AccountId, } | { "op": "setPasswordPolicy", 
/**
 * The node; `null` for the store default.
 */
node?: NodeId | null, 
/**
 * The policy; `null` removes it.
 */
policy?: PasswordPolicy | null, } | { "op": "defineRole" } & Role | { "op": "deleteRole", 
/**
 * The role.
 */
name: string, } | { "op": "upsertProps", 
/**
 * The node.
 */
node: NodeId, 
/**
 * The namespace.
 */
namespace: string, 
/**
 * The properties.
 */
properties: { [key in string]: JsonValue }, } | { "op": "replaceProps", 
/**
 * The node.
 */
node: NodeId, 
/**
 * The namespace.
 */
namespace: string, 
/**
 * The properties.
 */
properties: { [key in string]: JsonValue }, } | { "op": "deleteProps", 
/**
 * The node.
 */
node: NodeId, 
/**
 * The namespace.
 */
namespace: string, 
/**
 * The keys.
 */
keys: Array<string>, } | { "op": "addMarkup", 
/**
 * The node.
 */
node: NodeId, 
/**
 * The markup in percent.
 */
percent: Decimal, 
/**
 * From when; now when `null`.
 */
start?: Timestamp | null, } | { "op": "removeMarkup", 
/**
 * The node.
 */
node: NodeId, 
/**
 * The start of the markup to remove.
 */
start: Timestamp, };

export type OpOutput = Node | boolean | Quota | Account | EffectivePolicy | Role | { [key in string]: JsonValue } | number | Markup;

export type CheckReport = { 
/**
 * How many nodes were checked.
 */
nodes: number, 
/**
 * Every discrepancy found; empty for a healthy store.
 */
findings: Array<Finding>, };

export type Finding = { 
/**
 * Which structure is wrong: `node`, `index.byName`, `rollup`, `quota`, ...
 */
area: string, 
/**
 * What is wrong, naming the node.
 */
message: string, };

export type Schema = { 
/**
 * A label for the schema (the preset's name for presets).
 */
name: string, 
/**
 * The kinds, in a stable order (a kind's position is its stored number).
 */
kinds: Array<KindDef>, 
/**
 * The quota resources, in a stable order.
 */
resources: Array<ResourceDef>, 
/**
 * The deepest a node may be; a top-level node has depth 1.
 */
maxDepth: number, 
/**
 * When false, the children's limits on a resource may not add up to more than their
 * parent's limit.
 */
allowOvercommit: boolean, 
/**
 * Where billing ids must be unique.
 */
billingScope: BillingScope, };

export type KindDef = { 
/**
 * The kind's name: 1–32 characters of lower-case ASCII letters, digits and `_`, starting
 * with a letter.
 */
name: string, 
/**
 * The kinds a node of this kind may hang under.
 */
parents: Array<string>, 
/**
 * Whether a node of this kind may stand at the top level, without a parent.
 */
topLevel: boolean, 
/**
 * How names of this kind are checked.
 */
nameRule: NameRule, 
/**
 * Where names of this kind must be unique.
 */
unique: Uniqueness, 
/**
 * Whether nodes of this kind are tenants: the leaves that 001's `tenant_full_access`
 * protects from their dealers' writes.
 */
tenant: boolean, };

export type ResourceDef = { 
/**
 * The resource's name, with the same rule as kind names.
 */
name: string, 
/**
 * If set, usage is the number of descendants of this kind, kept by the store itself
 * (creates, deletes and moves); otherwise usage is taken and given back with
 * allocate/release.
 */
counts: string | null, };

export type NameRule = "login" | "label";

export type Uniqueness = { "scope": "siblings" } | { "scope": "store", 
/**
 * Kinds with the same group share one namespace.
 */
group: string, };

export type BillingScope = { "scope": "store" } | { "scope": "ancestor", 
/**
 * The kind of the ancestor that scopes uniqueness.
 */
kind: string, };

export type Preset = "channel" | "clients" | "fusion" | "seeds";

export type Durability = "immediate" | "bulk";

export type StoreOptions = { 
/**
 * A ready-made schema for a new store: `channel` (the default), `clients` or `fusion`.
 */
preset?: Preset, 
/**
 * A schema of the caller's own for a new store (instead of `preset`).
 */
schema?: Schema, 
/**
 * `immediate` (the default): every commit is durable when it returns; `bulk`: commits
 * become durable with the next flush.
 */
durability?: Durability, 
/**
 * redb's page cache in bytes (default 16 MiB).
 */
cacheSize?: number, 
/**
 * argon2id's cost for password hashes (default: 19 MiB, 2 passes).
 */
passwordParams?: PasswordParams, 
/**
 * Whether every committed change is recorded in the change feed (default: on).
 */
changeFeed?: boolean, };

export type ErrorInfo = { "code": "NOT_FOUND", 
/**
 * What was looked up: `node`, `account`, `token`, `role`, ...
 */
entity: string, 
/**
 * The id or name that was looked up.
 */
id: string, } | { "code": "ALREADY_EXISTS", 
/**
 * What kind of thing collides: `node`, `account`, ...
 */
entity: string, 
/**
 * The unique field: `name`, `billingId`, `username`, ...
 */
field: string, 
/**
 * The value that is already taken.
 */
value: string, 
/**
 * The id of the entity that holds the value, when the caller may see it.
 */
existing: string | null, } | { "code": "STILL_IN_USE", 
/**
 * The node whose delete was refused.
 */
node: string, 
/**
 * What blocks the delete, grouped by kind.
 */
blockers: Array<Blocker>, } | { "code": "QUOTA_EXCEEDED", 
/**
 * The node whose limit would be exceeded (the requester or one of its ancestors).
 */
node: string, 
/**
 * The resource name.
 */
resource: string, 
/**
 * The node's limit for the resource.
 */
limit: number, 
/**
 * The node's current usage of the resource (its whole subtree).
 */
used: number, 
/**
 * The amount the write asked for.
 */
requested: number, } | { "code": "INVALID_LIMIT", 
/**
 * The node whose limit was being set.
 */
node: string, 
/**
 * The resource name.
 */
resource: string, 
/**
 * The limit asked for.
 */
requested: number, 
/**
 * Why it is refused.
 */
reason: LimitRule, } | { "code": "SERVICE_DISABLED", 
/**
 * The node the write was aimed at.
 */
node: string, 
/**
 * The nearest node whose own status disables `node` (it may be `node` itself).
 */
disabledBy: string, 
/**
 * That node's status: `disabled` or `suspended`.
 */
status: string, } | { "code": "INVALID_ARGUMENT", 
/**
 * The field, in the API's spelling (`name`, `email`, `limits.tenants`, ...).
 */
field: string, 
/**
 * What is wrong with it.
 */
reason: string, } | { "code": "KIND_NOT_ALLOWED", 
/**
 * The kind of the node being placed.
 */
kind: string, 
/**
 * The kind of the intended parent, or `None` for the top level.
 */
parentKind: string | null, } | { "code": "DEPTH_EXCEEDED", 
/**
 * The depth the deepest affected node would have (a top-level node has depth 1).
 */
depth: number, 
/**
 * The schema's maximum.
 */
maxDepth: number, } | { "code": "CYCLE", 
/**
 * The node being moved.
 */
node: string, 
/**
 * The requested new parent.
 */
newParent: string, } | { "code": "CONFLICT", 
/**
 * What kind of entity: `node`, `account`, ...
 */
entity: string, 
/**
 * Its id.
 */
id: string, 
/**
 * The version the caller expected.
 */
expected: number, 
/**
 * The version stored.
 */
actual: number, } | { "code": "FORBIDDEN", 
/**
 * The permission that was needed, e.g. `reseller.instance.update`.
 */
action: string, 
/**
 * The entity the action was aimed at.
 */
target: string, } | { "code": "WEAK_PASSWORD", 
/**
 * Every broken rule, in 004's spelling (`min_length`, `contains_numbers`, ...).
 */
rules: Array<string>, } | { "code": "UNAUTHENTICATED" } | { "code": "INCOMPATIBLE_FORMAT", 
/**
 * What the file holds.
 */
found: string, 
/**
 * What this build understands.
 */
supported: string, } | { "code": "SCHEMA_MISMATCH", 
/**
 * What differs.
 */
reason: string, } | { "code": "ALREADY_OPEN" } | { "code": "CORRUPTED", 
/**
 * What could not be read.
 */
what: string, } | { "code": "STORAGE", 
/**
 * redb's description of the failure.
 */
message: string, } | { "code": "BATCH", 
/**
 * Zero-based index of the failing operation.
 */
index: number, 
/**
 * Why it failed.
 */
source: ErrorInfo, };

export type LimitRule = { "rule": "belowUsage", 
/**
 * Current usage of the subtree.
 */
used: number, } | { "rule": "aboveAncestor", 
/**
 * The nearest ancestor with a limit on the resource.
 */
ancestor: string, 
/**
 * That ancestor's limit.
 */
ancestorLimit: number, } | { "rule": "belowDescendant", 
/**
 * A descendant whose limit is larger than the requested one.
 */
descendant: string, 
/**
 * That descendant's limit.
 */
descendantLimit: number, } | { "rule": "overcommit", 
/**
 * The parent whose limit would be overcommitted (the node itself when lowering it).
 */
parent: string, 
/**
 * The parent's limit.
 */
parentLimit: number, 
/**
 * The sum of the children's limits after the change.
 */
childrenSum: number, };

export type Blocker = { 
/**
 * What blocks: a node kind (`tenant`, `reseller`, ...), `account`, or `allocation`.
 */
kind: string, 
/**
 * How many of them there are.
 */
count: number, 
/**
 * Their names (node names, usernames, or `resource=amount` for allocations), at most
 * [`Blocker::MAX_NAMES`] of them.
 */
names: Array<string>, };

/** The stable code of an error. A failed batch reports the code of the failing operation. */
export type ErrorCode = Exclude<ErrorInfo["code"], "BATCH">;

/** The fields of each error, by code. */
export type ErrorDetailsOf<C extends ErrorCode> = Omit<Extract<ErrorInfo, { code: C }>, "code">;

/** The details of a failed batch: the index of the failing operation and its error. */
export type BatchDetails = { index: number; source: ErrorInfo };

/**
 * Every error the package throws: a real `Error` named `TenantreeError`, with the core's
 * stable `code`, its `message`, and the error's fields in `details` (for a failed batch,
 * `{ index, source }`). Narrow on `code`:
 *
 *     if (e.name === "TenantreeError" && e.code === "QUOTA_EXCEEDED" && !("index" in e.details))
 *       console.log(e.details.limit, e.details.used);
 */
export type TenantreeError = {
  [C in ErrorCode]: Error & { name: "TenantreeError"; code: C; details: ErrorDetailsOf<C> | BatchDetails };
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
