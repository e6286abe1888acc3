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

export type NodeSummary = { 
/**
 * The node's id.
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
 * Depth in the tree; a top-level node has depth 1.
 */
depth: number, };

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

export type NodeWithQuotas = { 
/**
 * The node, with its effective status.
 */
node: Node, 
/**
 * Every resource's quota at the node, in the schema's order, as `quotas` lists them.
 */
quotas: Array<Quota>, };

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
 * Rows of 004's tenant documents: settings, holidays, ledger entries, custom headers and
 * voicemail settings.
 */
tenantDocuments: number, 
/**
 * Records in all, header and end included.
 */
records: number, };

export type TenantSettings = { 
/**
 * The tenant node.
 */
id: NodeId, 
/**
 * The node's name.
 */
name: string, 
/**
 * The SIP domain, unique across the store ignoring case (see [`SipDomain`]); `""` when
 * none is set (the default).
 */
domain: string, 
/**
 * The node's profile website; `""` when none.
 */
website: string, 
/**
 * An IANA time-zone name (see [`iso::TIME_ZONES`]). Default `UTC`.
 */
timezone: string, 
/**
 * An ISO 4217 currency code. Default `USD`.
 */
currency: string, 
/**
 * An ISO 3166-1 alpha-3 country code, or `""` (the default).
 */
region: string, 
/**
 * Default false.
 */
enable_video_recording: boolean, 
/**
 * Default false.
 */
enable_audio_recording: boolean, 
/**
 * Default false.
 */
enable_dual_track_recording: boolean, 
/**
 * Set by the dealer above (needs `instance.quotas.update`). Default false.
 */
enable_billing: boolean, 
/**
 * Set by the dealer above. Default false.
 */
enable_feature_billing: boolean, 
/**
 * Set by the dealer above. Default true.
 */
enable_feature_call_statistics: boolean, 
/**
 * Set by the dealer above. Default true.
 */
enable_feature_contact_center: boolean, 
/**
 * Set by the dealer above. Default true.
 */
enable_feature_message_channels: boolean, 
/**
 * Set by the dealer above. Default true.
 */
enable_feature_microsoft_teams: boolean, 
/**
 * Set by the dealer above. Default true.
 */
enable_feature_trunks: boolean, 
/**
 * Set by the dealer above. Default true.
 */
enable_feature_whats_app: boolean, 
/**
 * Default false.
 */
enable_night_mode: boolean, 
/**
 * Default false.
 */
enable_two_factor_authentication: boolean, 
/**
 * JSON text, or `""` (the default); at most 16 KiB, nested at most 32 deep.
 */
custom_options: string, 
/**
 * The node's `extensions` limit.
 */
max_extensions: number | null, 
/**
 * The node's `concurrent_calls` limit.
 */
max_concurrent_calls: number | null, 
/**
 * The node's `ring_groups` limit.
 */
max_ring_groups: number | null, 
/**
 * The node's `virtual_receptionists` limit.
 */
max_virtual_receptionists: number | null, 
/**
 * The node's `call_queues` limit.
 */
max_call_queues: number | null, 
/**
 * The node's `conference_rooms` limit.
 */
max_conference_rooms: number | null, 
/**
 * The node's `disk_bytes` limit as a [`ByteSize`]; `""` for none.
 */
disk_quota: string, 
/**
 * The usage of `disk_bytes` as a [`ByteSize`]; `"0B"` for none.
 */
used_disk_quota: string, 
/**
 * The tenant's IM disk quota ([`ByteSize`]; `""`, the default, is unlimited). Set by the
 * dealer above.
 */
im_disk_quota: string, 
/**
 * Each extension's IM disk quota ([`ByteSize`]; `""` is unlimited). Default `1GB`.
 */
extension_im_disk_quota: string, 
/**
 * Days, 1–3650. Default 180.
 */
recording_retention: number, 
/**
 * Days, 1–3650. Default 30.
 */
call_report_retention: number, 
/**
 * Days, 1–3650. Default 180.
 */
log_retention: number, 
/**
 * Days, 1–3650. Default 30.
 */
temp_file_retention: number, 
/**
 * Office hours per weekday. Default 09:00–17:00 every day, enabled.
 */
office_hours: OfficeHours, 
/**
 * Default none.
 */
outbound_caller_ids: Array<OutboundCallerId>, 
/**
 * Number normalisation.
 */
e164: E164Settings, 
/**
 * The call-detail-record hook.
 */
cdr_event: EventHook, 
/**
 * The extension-event hook.
 */
extension_event: EventHook, 
/**
 * Default `MATCH_EXACTLY`.
 */
contact_match_type: ContactMatchType, 
/**
 * 1–32. Default 1.
 */
contact_match_length: number, 
/**
 * Default `APPEND`.
 */
contact_append_type: ContactAppendType, 
/**
 * Minutes between contact synchronisations, 1–43200. Default 720.
 */
contact_update_interval: number, 
/**
 * Whether new users must change their initial password. Default false.
 */
password_force_reset: boolean, 
/**
 * The avatar's file id (004's `avatar_file_id`); `""` for none. At most 128 ASCII
 * letters, digits or `- _ = + / . :`.
 */
avatar_file_id: string, 
/**
 * The avatar's file name, as the host reports it; at most 255 characters, one line.
 */
avatar_file_name: string, 
/**
 * The avatar's size in bytes, as the host reports it.
 */
avatar_file_size: number, 
/**
 * Where the host serves the avatar: a path starting with `/` or an `http(s)` URL, at most
 * 2048 characters.
 */
avatar_file_url: string, 
/**
 * The STIR/SHAKEN certificate, PEM text of at most 16 KiB; `""` for none.
 */
stir_shaken_cert: string, 
/**
 * The STIR/SHAKEN private key, PEM text of at most 16 KiB (masked when read).
 */
stir_shaken_key: string, };

export type TenantSettingsUpdate = { name?: string | null, domain?: string | null, website?: string | null, timezone?: string | null, currency?: string | null, region?: string | null, enable_video_recording?: boolean | null, enable_audio_recording?: boolean | null, enable_dual_track_recording?: boolean | null, enable_billing?: boolean | null, enable_feature_billing?: boolean | null, enable_feature_call_statistics?: boolean | null, enable_feature_contact_center?: boolean | null, enable_feature_message_channels?: boolean | null, enable_feature_microsoft_teams?: boolean | null, enable_feature_trunks?: boolean | null, enable_feature_whats_app?: boolean | null, enable_night_mode?: boolean | null, enable_two_factor_authentication?: boolean | null, custom_options?: string | null, max_extensions?: number | null | null, max_concurrent_calls?: number | null | null, max_ring_groups?: number | null | null, max_virtual_receptionists?: number | null | null, max_call_queues?: number | null | null, max_conference_rooms?: number | null | null, disk_quota?: string | null, im_disk_quota?: string | null, extension_im_disk_quota?: string | null, recording_retention?: number | null, call_report_retention?: number | null, log_retention?: number | null, temp_file_retention?: number | null, office_hours?: OfficeHoursUpdate | null, outbound_caller_ids?: Array<OutboundCallerId> | null, e164?: E164Update | null, cdr_event?: EventHookUpdate | null, extension_event?: EventHookUpdate | null, contact_match_type?: ContactMatchType | null, contact_match_length?: number | null, contact_append_type?: ContactAppendType | null, contact_update_interval?: number | null, password_force_reset?: boolean | null, avatar_file_id?: string | null, avatar_file_name?: string | null, avatar_file_size?: number | null, avatar_file_url?: string | null, stir_shaken_cert?: string | null, stir_shaken_key?: string | null, };

export type TenantStatus = { 
/**
 * The version of tenantree that answers.
 */
version: string, 
/**
 * The tenant's own `extensions` limit; `None` when it has none.
 */
licensed_users: number | null, 
/**
 * The accounts bound to the tenant node.
 */
current_users: number, 
/**
 * Always 0: the store does not see registrations.
 */
online_users: number, 
/**
 * Usage of `concurrent_calls`.
 */
current_calls: number, 
/**
 * Usage of `call_queues`.
 */
current_queues: number, 
/**
 * Usage of `conference_rooms`.
 */
current_conference_rooms: number, 
/**
 * Usage of `ring_groups`.
 */
current_ring_groups: number, 
/**
 * Usage of `virtual_receptionists`.
 */
current_ivrs: number, 
/**
 * Usage of a `trunks` resource when the schema has one, else 0.
 */
current_trunks: number, 
/**
 * Always empty: the store keeps no call history.
 */
calls_in_24_hours: Array<CallCount>, };

export type CallCount = { 
/**
 * Start of the bucket.
 */
time: Timestamp, 
/**
 * Calls in it.
 */
count: number, };

export type OfficeHours = { monday: DayHours, tuesday: DayHours, wednesday: DayHours, thursday: DayHours, friday: DayHours, saturday: DayHours, sunday: DayHours, };

export type OfficeHoursUpdate = { monday?: DayHours | null, tuesday?: DayHours | null, wednesday?: DayHours | null, thursday?: DayHours | null, friday?: DayHours | null, saturday?: DayHours | null, sunday?: DayHours | null, };

export type DayHours = { 
/**
 * Whether the day has office hours at all.
 */
enabled: boolean, 
/**
 * The open ranges.
 */
ranges: Array<TimeRange>, };

export type TimeRange = { 
/**
 * Start, `HH:MM`.
 */
from: string, 
/**
 * End, `HH:MM`, after `from`.
 */
to: string, };

export type OutboundCallerId = { 
/**
 * The provider (trunk) the caller id is used with.
 */
provider_id: string, 
/**
 * The number presented.
 */
caller_id: string, 
/**
 * A note.
 */
description: string, };

export type E164Settings = { 
/**
 * Whether numbers are normalised. Default false.
 */
enabled: boolean, 
/**
 * The international dialling prefix, such as `00`.
 */
international_code: string, 
/**
 * The tenant's country and calling code, such as `Angola(244)`.
 */
country: string, 
/**
 * The local area code.
 */
area_code: string, 
/**
 * The national (trunk) prefix, such as `0`.
 */
national_code: string, 
/**
 * A prefix to dial.
 */
prefix: string, 
/**
 * Strip characters other than digits and `+`. Default false.
 */
remove_special_chars: boolean, 
/**
 * Remove a repeated country code. Default true.
 */
remove_duplicate_countries: boolean, 
/**
 * Remove a repeated area code. Default true.
 */
remove_duplicate_area_codes: boolean, };

export type E164Update = { enabled?: boolean | null, international_code?: string | null, country?: string | null, area_code?: string | null, national_code?: string | null, prefix?: string | null, remove_special_chars?: boolean | null, remove_duplicate_countries?: boolean | null, remove_duplicate_area_codes?: boolean | null, };

export type EventHook = { 
/**
 * Whether events are sent. Default false.
 */
enabled: boolean, 
/**
 * How to authenticate. Default `DISABLE`.
 */
auth: HookAuth, 
/**
 * User for `BASIC`.
 */
username: string, 
/**
 * Password for `BASIC` (masked when read).
 */
password: string, 
/**
 * Token for `TOKEN` (masked when read).
 */
token: string, 
/**
 * Where events go.
 */
url: string, };

export type EventHookUpdate = { enabled?: boolean | null, auth?: HookAuth | null, username?: string | null, password?: string | null, token?: string | null, url?: string | null, };

export type HookAuth = "DISABLE" | "BASIC" | "TOKEN";

export type ContactMatchType = "DISABLE" | "MATCH_EXACTLY" | "MATCH_LENGTH";

export type ContactAppendType = "DISABLE" | "APPEND" | "PREPEND";

export type HolidayId = number;

export type Holiday = { 
/**
 * The id.
 */
id: HolidayId, 
/**
 * The name.
 */
name: string, 
/**
 * The country it belongs to (ISO 3166-1 alpha-3), or `""`.
 */
region: string, 
/**
 * Whether it is one span from start to end (otherwise the hours apply on each day).
 */
consecutive: boolean, 
/**
 * Whether it recurs every year (the years are then ignored).
 */
every_year: boolean, 
/**
 * Start year.
 */
year_start: number, 
/**
 * End year.
 */
year_end: number, 
/**
 * Start month, 1–12.
 */
month_start: number, 
/**
 * End month, 1–12.
 */
month_end: number, 
/**
 * Start day of the month.
 */
day_start: number, 
/**
 * End day of the month.
 */
day_end: number, 
/**
 * Start hour, 0–23.
 */
hour_start: number, 
/**
 * End hour, 0–23.
 */
hour_end: number, 
/**
 * Start minute, 0–59.
 */
minute_start: number, 
/**
 * End minute, 0–59.
 */
minute_end: number, };

export type NewHoliday = { name: string, region: string, consecutive: boolean, every_year: boolean, year_start: number, year_end: number, month_start: number, month_end: number, day_start: number, day_end: number, hour_start: number, hour_end: number, minute_start: number, minute_end: number, };

export type HolidayUpdate = { name?: string | null, region?: string | null, consecutive?: boolean | null, every_year?: boolean | null, year_start?: number | null, year_end?: number | null, month_start?: number | null, month_end?: number | null, day_start?: number | null, day_end?: number | null, hour_start?: number | null, hour_end?: number | null, minute_start?: number | null, minute_end?: number | null, };

export type HolidayQuery = { 
/**
 * Conditions that must all hold.
 */
filter: Array<HolidayFilter>, 
/**
 * A case-insensitive substring of the name or the region.
 */
search?: string | null, 
/**
 * The order.
 */
order_by?: HolidayOrder | null, 
/**
 * Matches to skip.
 */
skip: number, 
/**
 * Page size: default 100, at most 1000.
 */
top?: number | null, };

export type HolidayFilter = { 
/**
 * The field compared.
 */
field: HolidayField, 
/**
 * The comparison.
 */
op: FilterOp, 
/**
 * What it is compared with.
 */
value: FilterValue, };

export type HolidayField = "id" | "name" | "region" | "consecutive" | "every_year" | "year_start" | "year_end" | "month_start" | "month_end" | "day_start" | "day_end" | "hour_start" | "hour_end" | "minute_start" | "minute_end";

export type FilterOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "contains";

export type FilterValue = boolean | number | string;

export type HolidayOrder = { 
/**
 * The field.
 */
field: HolidayField, 
/**
 * The direction.
 */
direction: Direction, };

export type HolidayPage = { 
/**
 * How many holidays match (before skip and top).
 */
count: number, 
/**
 * The page.
 */
items: Array<Holiday>, };

export type Balance = { 
/**
 * The balance: the ledger's sum.
 */
balance: Decimal, 
/**
 * How many entries the ledger holds.
 */
count: number, 
/**
 * The page of entries.
 */
entries: Array<LedgerEntry>, 
/**
 * The id to pass as `after` for the next page; `None` on the last page.
 */
next: number | null, };

export type LedgerEntry = { 
/**
 * Increasing, store-wide: the ledger's order.
 */
id: number, 
/**
 * When it was recorded.
 */
time: Timestamp, 
/**
 * Who recorded it.
 */
actor: Actor, 
/**
 * The amount added: positive, at most 5 decimal places.
 */
amount: Decimal, 
/**
 * The balance after it.
 */
balance: Decimal, };

export type LedgerQuery = { 
/**
 * Continue after this entry id.
 */
after?: number | null, 
/**
 * Page size.
 */
limit?: number | null, };

export type CustomHeaders = { 
/**
 * Headers added.
 */
add: Array<AddedHeader>, 
/**
 * Headers relayed.
 */
relay: Array<RelayedHeader>, };

export type CustomHeadersUpdate = { 
/**
 * The new added headers.
 */
add?: Array<AddedHeader> | null, 
/**
 * The new relayed headers.
 */
relay?: Array<RelayedHeader> | null, };

export type AddedHeader = { 
/**
 * The header name.
 */
name: string, 
/**
 * Its value.
 */
value: string, 
/**
 * Where it applies.
 */
scope: string, };

export type RelayedHeader = { 
/**
 * The header name.
 */
name: string, 
/**
 * Where it applies.
 */
scope: string, };

export type VoicemailSettings = { 
/**
 * The voicemail server's extension number: 3–64 digits, or `""` (the default) when none is
 * set.
 */
extension_number: string, 
/**
 * Days a voicemail is kept, 1–3650. Default 30.
 */
retain_days: number, 
/**
 * Shorter calls leave no voicemail: seconds, 0–3600. Default 1.
 */
min_seconds: number, };

export type VoicemailUpdate = { extension_number?: string | null, retain_days?: number | null, min_seconds?: number | null, };

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
start: Timestamp, } | { "op": "updateTenantSettings", 
/**
 * The tenant node.
 */
tenant: NodeId, name?: string | null, domain?: string | null, website?: string | null, timezone?: string | null, currency?: string | null, region?: string | null, enable_video_recording?: boolean | null, enable_audio_recording?: boolean | null, enable_dual_track_recording?: boolean | null, enable_billing?: boolean | null, enable_feature_billing?: boolean | null, enable_feature_call_statistics?: boolean | null, enable_feature_contact_center?: boolean | null, enable_feature_message_channels?: boolean | null, enable_feature_microsoft_teams?: boolean | null, enable_feature_trunks?: boolean | null, enable_feature_whats_app?: boolean | null, enable_night_mode?: boolean | null, enable_two_factor_authentication?: boolean | null, custom_options?: string | null, max_extensions?: number | null | null, max_concurrent_calls?: number | null | null, max_ring_groups?: number | null | null, max_virtual_receptionists?: number | null | null, max_call_queues?: number | null | null, max_conference_rooms?: number | null | null, disk_quota?: string | null, im_disk_quota?: string | null, extension_im_disk_quota?: string | null, recording_retention?: number | null, call_report_retention?: number | null, log_retention?: number | null, temp_file_retention?: number | null, office_hours?: OfficeHoursUpdate | null, outbound_caller_ids?: Array<OutboundCallerId> | null, e164?: E164Update | null, cdr_event?: EventHookUpdate | null, extension_event?: EventHookUpdate | null, contact_match_type?: ContactMatchType | null, contact_match_length?: number | null, contact_append_type?: ContactAppendType | null, contact_update_interval?: number | null, password_force_reset?: boolean | null, avatar_file_id?: string | null, avatar_file_name?: string | null, avatar_file_size?: number | null, avatar_file_url?: string | null, stir_shaken_cert?: string | null, stir_shaken_key?: string | null, } | { "op": "createHoliday", 
/**
 * The tenant node.
 */
tenant: NodeId, name: string, region: string, consecutive: boolean, every_year: boolean, year_start: number, year_end: number, month_start: number, month_end: number, day_start: number, day_end: number, hour_start: number, hour_end: number, minute_start: number, minute_end: number, } | { "op": "updateHoliday", 
/**
 * The tenant node.
 */
tenant: NodeId, 
/**
 * The holiday.
 */
id: HolidayId, name?: string | null, region?: string | null, consecutive?: boolean | null, every_year?: boolean | null, year_start?: number | null, year_end?: number | null, month_start?: number | null, month_end?: number | null, day_start?: number | null, day_end?: number | null, hour_start?: number | null, hour_end?: number | null, minute_start?: number | null, minute_end?: number | null, } | { "op": "deleteHoliday", 
/**
 * The tenant node.
 */
tenant: NodeId, 
/**
 * The holiday.
 */
id: HolidayId, } | { "op": "recharge", 
/**
 * The tenant node.
 */
tenant: NodeId, 
/**
 * The amount to add.
 */
balance: Decimal, } | { "op": "setCustomHeaders", 
/**
 * The tenant node.
 */
tenant: NodeId, 
/**
 * The new added headers.
 */
add?: Array<AddedHeader> | null, 
/**
 * The new relayed headers.
 */
relay?: Array<RelayedHeader> | null, } | { "op": "updateVoicemail", 
/**
 * The tenant node.
 */
tenant: NodeId, extension_number?: string | null, retain_days?: number | null, min_seconds?: number | null, };

export type OpOutput = Node | boolean | Quota | Account | EffectivePolicy | Role | { [key in string]: JsonValue } | number | Markup | TenantSettings | Holiday | LedgerEntry | CustomHeaders | VoicemailSettings;

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
