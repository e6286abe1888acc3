//! The seed APIs and tenantree's own `/v1` API as a transport-free dispatcher:
//! [`Api::handle`] takes a [`Request`] (method, path with query, headers, body bytes) and
//! returns a [`Response`] (status, headers, JSON body). No HTTP library, no threads, no files,
//! no system clock: it runs the same behind `tenantree serve` (HTTP/1.1) and, later, inside
//! the npm package as `store.handle(...)` on `wasm32-unknown-unknown`.
//!
//! Every request runs over the core's public API only, as the caller's own
//! [`Actor`](tenantree::Actor) (from its bearer token), so scope and permissions are the core's;
//! every write is one `Store::write` transaction, all or nothing.
//!
//! # Examples
//!
//! ```
//! use serde_json::json;
//! use tenantree::{PasswordParams, Store, Preset};
//! use tenantree_api::{Api, Config, Request};
//!
//! let store = Store::builder().preset(Preset::Seeds).password_params(PasswordParams::fast()).in_memory()?;
//! let api = Api::open(store, Config::default())?;
//! api.ensure_admin_token("tenantree-admin", "a-long-admin-token-0001")?;
//!
//! let created = api.handle(&Request::new("POST", "/clients/create")
//!     .bearer("a-long-admin-token-0001")
//!     .json(&json!({"name": "Acme"})));
//! assert_eq!(created.status, 200);
//! let id = created.body.unwrap()["id"].as_str().unwrap().to_owned();
//!
//! let got = api.handle(&Request::new("GET", format!("/clients/{id}")).bearer("a-long-admin-token-0001"));
//! assert_eq!(got.body.unwrap()["name"], "Acme");
//!
//! let anonymous = api.handle(&Request::new("GET", "/clients"));
//! assert_eq!(anonymous.status, 401);
//! # Ok::<(), tenantree::Error>(())
//! ```
//!
//! # Authentication
//!
//! `Authorization: Bearer TOKEN` on every endpoint but the login; TOKEN is one of the core's API
//! tokens ([`Store::authenticate`]). No token, an unknown, revoked or expired one: 401.
//! `POST /api/login` with `{"name", "password"}` runs [`Store::login`] and issues a token for
//! that account (as the account itself; if its node's service is off, which makes the account
//! read-only, the token is issued by the system once the password has been checked) with an
//! expiry of [`Config::token_ttl`] seconds: `{"access_token": ..., "expires_in": 3600}`. Any
//! failure is 401 with the same body, whichever part was wrong.
//!
//! # Errors
//!
//! Where a seed does not say otherwise, the core's error decides the status, and the body is
//! `{"code": "QUOTA_EXCEEDED", "message": ..., "details": {...}}` with the core's stable code
//! and [`details`](tenantree::Error::details):
//!
//! | code | status |
//! |---|---|
//! | `INVALID_ARGUMENT`, `KIND_NOT_ALLOWED`, `DEPTH_EXCEEDED`, `CYCLE`, `QUOTA_EXCEEDED`, `INVALID_LIMIT`, `WEAK_PASSWORD`, `STILL_IN_USE`, `ALREADY_EXISTS` | 400 |
//! | `UNAUTHENTICATED` | 401 |
//! | `FORBIDDEN`, `SERVICE_DISABLED` | 403 |
//! | `NOT_FOUND` (also: outside the caller's scope) | 404 |
//! | `CONFLICT` (a stale `expectedVersion`) | 409 |
//! | anything else (`STORAGE`, ...) | 500 |
//!
//! Bodies that are not JSON objects, fields of the wrong type and unknown enum values are 400
//! `INVALID_ARGUMENT` naming the field (`details.field`). A path no route knows is 404
//! `NOT_FOUND` (entity `route`); a known path with another method is 405 `INVALID_ARGUMENT`
//! (field `method`) with an `Allow` header. An id in a path that is not a UUID names nothing:
//! 404. 002 answers in its own shape, `{"errors": [{"code": n, "reason": "CODE", "message",
//! "details"}]}`: `n` is 11 for `ALREADY_EXISTS` and 30 for `STILL_IN_USE` as 002 documents,
//! and for the codes 002 leaves out the gRPC number of the same condition (3 invalid argument,
//! 5 not found, 7 forbidden, 8 quota, 10 conflict, 16 unauthenticated, 13 other); `reason`
//! carries the core's code.
//!
//! # The instance and its platform root
//!
//! [`Api::open`] ensures a top-level `platform` node named after [`Config::instance`]
//! (default `default`). A store-wide account (the system administrator of `tenantree serve
//! --admin-token`) has this node as its home: the 000 clients, 001 distributors and 002
//! resellers it creates without naming a parent go under it. 003's `{draas_instance}` must be
//! the instance name; another is 404. Every other account's home is the node it is bound to.
//!
//! It also sets the store-wide default password policy, if none is set, to "any non-empty
//! password" ([`relaxed_policy`]): 001 documents no password rule for dealers, and the core's
//! built-in default is 004's tenant policy. Change it with `PUT /v1/password-policy`, or per
//! node with `PUT /v1/nodes/{id}/password-policy`; set [`Config::relax_password_policy`] to
//! false to keep the core's default. `GET /api/tenant/password_policy` of a tenant under no
//! policy set on a node reports 004's documented defaults (6 to 32 characters, every rule on)
//! rather than this harness default.
//!
//! # 000: Horn's clients
//!
//! | method | path | success | errors |
//! |---|---|---|---|
//! | POST | `/clients/create` `{"name"}` | 200 `{"id"}` | 400, 401, 403 (not allowed, or service disabled) |
//! | POST | `/clients/{clientId}/service/{enable\|disable}` | 200 client details | 400 (state), 403, 404 |
//! | GET | `/clients/{clientId}` | 200 `{"name", "clientId", "details", "disabled", "parentId"}` | 404 |
//! | GET | `/clients?query=&offset=&limit=` | 200 `{"total", "results": [...]}` | 400 |
//!
//! Clients are `client` nodes created under the caller's client (its home). "Partner Admin" is
//! the core's `partner_admin` role (`client.create`, `client.list`); creating anything while
//! the caller's client, or one above it, is disabled answers 403 (`SERVICE_DISABLED`).
//! `disabled` is the effective status (a client under a disabled one is disabled too);
//! `parentId` is the parent node's id (the platform root for top clients of the instance,
//! which `GET /clients/{clientId}` also answers, with `parentId` null, so that the chain can be
//! followed to its end);
//! `details` holds the profile fields that are set and `created`/`updated`. The list holds the
//! direct children of the caller's client whose name (or another searchable field) contains
//! `query`, ignoring case; `offset` defaults to 0 and `limit` to 100, with no maximum (000
//! gives none: a larger page is read from the core 1000 at a time), and `limit=0` answers the
//! total with no results. The
//! per-client flags `uniqueUsersHandle`, `dialOut`, `friendlyURLs`, `midi`, `dialIn`, `events`
//! (booleans, default false) and `validator` (string or null) are properties of the client's
//! `client.features` namespace: set them with `POST /v1/nodes/{id}/properties/client.features`,
//! or in the create body.
//!
//! # 001: dealers
//!
//! | method | path | success | errors |
//! |---|---|---|---|
//! | GET | `/api/dealers` | 200 `{"count", "items": [dealer...]}` | 401 |
//! | POST | `/api/dealers` | 201 `{"id"}` | 400, 403 |
//! | GET | `/api/dealers/{id}` | 200 dealer | 404 |
//! | POST | `/api/dealers/{id}` | 200, no content | 400, 403, 404 |
//! | GET | `/api/tenants?offset=&limit=` | 200 `{"count", "items": [tenant...]}` | 400 |
//! | POST | `/api/tenants` `{"name", "max_extensions"?, "dealer_id"?}` | 201 `{"id"}` | 400, 403 |
//!
//! A dealer is a node of kind `distributor`, `sub_distributor` or `reseller` (from `level`)
//! created under the caller's home, plus an account named `name` with `password` and the role
//! `distributor_admin`, `sub_distributor_admin` or `reseller_admin`: the dealer logs in with
//! them. The core's kind rules refuse impossible levels (001 names no parent, so a system
//! administrator creates dealers of every level under the platform root, which the seeds
//! schema allows; a distributor's
//! admin creates SUB_DISTRIBUTORs and RESELLERs, a sub-distributor's RESELLERs). Validation:
//! `level` one of the three; `name` under 001's login rule
//! ([`NameRule::Login`](tenantree::NameRule::Login)); `password` a non-empty string (then the
//! password policy); `email` at most 128 and `phone` at most 32 characters of one-line text,
//! as 001 types them (its examples say `[email protected]`, the address the published page hid,
//! and `text`): an address or a phone number the core's profile takes goes there (and, at
//! creation, an address to the login account), other text is kept as the node's `dealer.profile` property of
//! the same name and reads back as given; `display_name` at most 1024; `address` at most 128;
//! `max_tenants`/`max_extensions` int32 ≥ 0, defaulting to 100 and 50000 (001 marks them
//! required and gives defaults: the defaults apply, lowered to the smallest limit above the
//! new dealer, which a limit may not exceed); `enabled` and `tenant_full_access` default to
//! true. `max_tenants` is the node's `tenants` limit, `max_extensions` its `extensions`
//! limit, `enabled` its own status, `tenant_full_access` its flag (taken only from a
//! first-level caller, a DISTRIBUTOR's admin or one above: 001 says it "is not valid if not
//! modified by first level dealer"; from anyone else it is ignored). Ids are node UUIDs. The list
//! holds the dealers directly under the caller's home. An update takes the same fields but
//! `password` (400); `level` and `name` are accepted when they are the dealer's own, so that a
//! document read with GET posts back, and refused (400) when they would change it; a value
//! equal to the dealer's is no change. A dealer cannot change its own `enabled`, limits or
//! `tenant_full_access` (403). A profile field that is not set reads `""` (001 types them all
//! as strings), never `null`.
//!
//! Tenants created with `POST /api/tenants` are `tenant` nodes under the caller's node (or the
//! dealer `dealer_id` names), counted against every `max_tenants` above them; `max_extensions`
//! on a tenant is its `extensions` limit, which may not exceed a dealer's above it, and
//! extensions allocated on a tenant (`POST /v1/nodes/{id}/allocate`) count against every
//! dealer's `max_extensions`. `GET /api/tenants` lists every tenant in the caller's scope
//! (`offset` default 0, `limit` default 100).
//!
//! # 002: APIO resellers
//!
//! | method | path | success | errors |
//! |---|---|---|---|
//! | GET | `/api/v1/local/resellers/` | 200 `{"resellers": [...]}` | 401 |
//! | POST | `/api/v1/local/resellers/` | 201 reseller | 400 (11 ALREADY_EXISTS) |
//! | GET | `/api/v1/local/resellers/{name}/` | 200 reseller | 404 |
//! | PUT | `/api/v1/local/resellers/{name}/` and `/api/v1/local/apio_users/{name}/` | 200 reseller | 400, 404 |
//! | DELETE | `/api/v1/local/resellers/{name}/` | 200 `{}` | 400 (30 STILL_IN_USE), 404 |
//!
//! A reseller is `{"name", "externalName", "extraData"}`: a `reseller` node (names unique in
//! the whole store, so a taken one is ALREADY_EXISTS, 11) with the profile fields
//! `externalName` and `extra`; `extraData` reads `{}` when unset. 002's list example is not
//! valid JSON; the list is `{"resellers": [...]}`, every reseller in the caller's scope. 002's
//! update example uses the path `apio_users`; both paths update the reseller. New resellers go
//! under the caller's home. "Restricted users" are accounts bound to a reseller node (create
//! them with `POST /v1/accounts`); they see that reseller and the groups and tenants under it,
//! its children. A refused delete lists them: `tenantDatas` (tenant children), `groupDatas`
//! (group children) and `localUsers` (accounts bound to the reseller).
//!
//! # 003: Fusion DRaaS resellers
//!
//! Every path starts with `/api/v01/draas/{draas_instance}/resellers`.
//!
//! | method | path | success | errors |
//! |---|---|---|---|
//! | GET | `?search&sort&dir&parent&page_size&next` | 200 `{"results", "pages", "page", "next"?, "resellers"}` | 400, 403, 404 |
//! | POST | `` `{"name", "owner"?, "billingId"?, "markup"?, "adminEmail"?}` | 200 `{"uuid"}` | 400, 403 |
//! | GET | `/{uuid}` | 200 reseller | 404 |
//! | PUT | `/{uuid}` `{"name"?, "billingId"?, "markup"?}` | 200 `{"uuid"}` | 400, 403, 404 |
//! | DELETE | `/{uuid}` | 200 `{"uuid"}` (also when missing) | 400 (not empty), 403 |
//! | PUT | `/{uuid}/suspension_profile` `{"suspensionProfileId": n\|null}` | 200 `{"uuid"}` | 400, 403, 404 |
//! | POST | `/{uuid}/admins` `{"adminEmail", "firstName"?, "lastName"?, "mobile"?}` | 200 `{"id"}` | 400, 403, 404 |
//! | PUT | `/{uuid}/admins/{username}` | 200 `{"id"}` | 400 (also no such admin), 403, 404 (reseller) |
//! | DELETE | `/{uuid}/admins/{username}` | 204 | 403, 404 |
//! | POST | `/{uuid}/admins/welcome` `{"adminEmail"}` | 200, no content | 400 (also no such admin), 404 (reseller) |
//! | GET | `/{uuid}/configurations/voice_routing/{pstn_usages\|voice_routes\|voice_routing_policies}` | 200 page | 400, 404 |
//! | GET | `/{uuid}/configurations/general?keys&search` | 200 `{"properties"}` | 400, 403, 404 |
//! | POST, PUT | `/{uuid}/configurations/general` `{"properties": {...}}` | 204 | 400, 403, 404 |
//! | DELETE | `/{uuid}/configurations/general` `{"keys": [...]}` | 204 | 400, 403, 404 |
//! | GET, PUT | `/{uuid}/configurations/branding/general` | 200 dictionary / 204 | 400, 403, 404 |
//! | GET, PUT | `/{uuid}/configurations/branding/pages` (PUT also at `/configurations/pages`) | 200 / 204 | 400, 403, 404 |
//! | GET, PUT | `/{uuid}/configurations/branding/styling?type=font\|image\|theme` (PUT also at `/configurations/pages` with a `type`) | 200 / 204 | 400, 403, 404 |
//!
//! Resellers are `reseller` nodes. `owner` is `{"type": "group"|"distributor"|"reseller",
//! "uuid"}`: a group or distributor is the parent node, which must be of that kind; without
//! an owner the reseller goes under the caller's home, except for a store-wide caller, which
//! must name one (400), as 003 says. 003's create example names an owner of type `reseller`
//! and answers 200, and 003 calls the first-level partner a reseller too: type `reseller`
//! with a distributor's uuid is that distributor, and with a reseller's uuid the new reseller
//! goes under that reseller's own owner (its group or distributor; resellers do not nest in
//! the tree). Any other type, or a uuid of another kind, is 400 (`owner.type`). The list needs
//! `parent` from a store-wide caller (400 without); other callers default to their home, and a
//! caller bound to a reseller sees that reseller alone. `parent` may be any node resellers hang
//! under; a group serves its own resellers and its distributors' (003's example lists both
//! under one `parent`), sorted and paged together by page number. Fields: `uuid`, `name`, `billingId` (`""` when unset: 003 types it a string that
//! is always there), `markup` (the markup in force, a number, absent without one), `status`
//! (from the effective status: `active`, `suspended` or `disabled`) and `owner` `{"type", "uuid", "name"}` (the parent's kind, id and name): in
//! lists when no `parent` was given or the reseller's parent is a distributor, in a single reseller only
//! when the parent is a distributor (a group owner is left out, as 003 says). A single reseller
//! also has `markups` (`[{"markup": "10.0", "startDate": "2022-01-01T21:42:07.234119"}]`,
//! newest first, UTC without a zone as in 003's example) and `nbOfTenants` (the core's count of
//! tenants below it). `search` matches the name and billing id (and the other searchable
//! fields) ignoring case; `sort` is `name` (default), `billingId` or `created`; `dir` `asc` or
//! `desc`; `page_size` 1..1000 (default 10). 003 pairs 200 with "one or more found" and 404
//! with "no reseller found", so a listing that matches nothing is 404 `NOT_FOUND` (so is an
//! empty voice-routing list, "no ... found"), as is a `parent` (or a reseller of the path)
//! that does not exist or is outside the caller's scope. `next` is base64 of a query string holding every
//! parameter of the listing and the core's cursor (the page number when the listing is
//! gathered: a group's, or one sorted by billing id), so a next call may pass `next` alone; a
//! token in 003's own form (its example decodes to `parent=...&page=2`) names a page and is
//! read too.
//! `markup` on create or update adds an entry to the markup history from now.
//! `adminEmail` creates an account: username and e-mail the address, role `reseller_admin`,
//! bound to the reseller, no password, a welcome message queued in the outbox
//! (`GET /v1/outbox`). An admin update needs `adminEmail` equal to the username (the e-mail
//! cannot change); `force_reset` is optional (003's example leaves it out). An admin that is
//! not the reseller's is 400 (`adminEmail`) for a modification or a welcome, as 003 lists 400
//! and no 404 for them, and 404 for a delete. A delete removes a
//! reseller without children, together with its admin accounts and markups (003 only requires
//! it to be empty of tenants); a reseller with children is 400 `STILL_IN_USE`; a missing one,
//! or a node of another kind, is 200. `suspensionProfileId: n` suspends with profile `n`,
//! `null` enables.
//!
//! Voice routing lists belong to "the owner group of the given reseller": they are the
//! properties in force at the reseller (so those of its group, or any node above it) in the
//! namespaces `voice_routing.pstn_usages`, `voice_routing.voice_routes` and
//! `voice_routing.voice_routing_policies`, keyed by id. Create and change them with
//! `/v1/nodes/{group}/voice-routing/{collection}`. They list with `search` (name), `sort`
//! (`name`, default, as 003's examples are ordered, or `id`), `dir`, `page` (default 1), `page_size` (default 10) and `next`;
//! a voice route's or policy's `pstnUsages` read as `[{"id", "name"}]`.
//!
//! Configurations: `general` is the namespace `general`, branding general and pages are
//! `branding.general` and `branding.pages`, styling is `branding.styling.font|image|theme`. GET
//! answers the reseller's own properties (`keys` a comma-separated list, `search` a substring
//! of the key; `full=true` ignores both); POST upserts, PUT replaces the namespace, DELETE
//! removes keys. Keys containing `password` or `token` read `********`, at any depth and for
//! every caller, the system administrator too (003 makes no exception; `/v1` keeps the core's
//! rule, in clear for whoever may read the namespace's secrets). Branding GETs answer the dictionary itself,
//! the general GET wraps it in `properties`, as 003 shows. 003 documents the branding-general
//! update at `/configurations/general`, where the general update already is: a `PUT` there
//! whose body has a `properties` key replaces the general configuration, and any other body
//! (003's branding example is `{}`) replaces branding general; the branding-general update is
//! also served at `/configurations/branding/general`.
//!
//! # 004: the tenant API
//!
//! | method | path | success | errors |
//! |---|---|---|---|
//! | GET, POST | `/api/tenant` | 200 settings / 200, no content | 400, 403, 404 |
//! | GET | `/api/tenant/status` | 200 status | 404 |
//! | GET, POST | `/api/tenant/password_policy` | 200 policy / 200, no content | 400, 403 |
//! | POST | `/api/tenant/balance` `{"balance"}` | 200, no content | 400, 403 |
//! | GET, POST | `/api/tenant/custom_headers` | 200 `{"add", "relay"}` / 200, no content | 400, 403 |
//! | POST | `/api/voicemail` `{"extension_number", "retain_days", "min_seconds"}` | 200, no content | 400, 403 |
//! | GET | `/api/holidays?filter&search&orderby&skip&top` | 200 `{"count", "items"}` | 400 |
//! | POST | `/api/holidays` | 201 `{"id"}` | 400, 403 |
//! | GET, POST | `/api/holidays/{id}` | 200 holiday / 200, no content | 404; POST 400 for its body |
//! | POST | `/api/holidays/{id}/destroy` | 204 | 400 (not an id), 404 |
//!
//! Every endpoint acts on the tenant the caller's account is bound to. 004's paths name no
//! tenant, so a caller bound to none (the administrator's token, a dealer) acts on the tenant
//! its `X-Tenant-Id` header names (a tenant in its scope), or else on the only tenant in its
//! scope; with none, or several and no header, it gets 404; the core's tenant records already use 004's field names, defaults,
//! limits and masking, so bodies go into them and answers come out of them unchanged, and the
//! core's permissions decide who may write (a `tenant_user` reads, a `tenant_admin` writes).
//! `id` in settings is the tenant's node UUID; the settings answer has exactly 004's fields
//! (the update's `avatar_file_id` is left out; an avatar set by id alone reads at
//! `avatar_file_url` `/api/blobs/{id}`, and a limit the tenant does not have, `max_*` or the
//! status's `licensed_users`, reads 0, "no limit", keeping 004's integer type; so an update's
//! `max_*` of 0 where the tenant has no limit is no change, and the document `GET /api/tenant`
//! answers posts back as it is, its masked secrets included; where it has one, 0 is a limit
//! of 0, and `null` removes one); holiday ids are strings (as 004 shows
//! every id) holding the core's holiday numbers, and one of another form names no holiday (404;
//! `/destroy` answers it 400, 004's "Invalid rule ID supplied"). A field of the wrong type is 400 naming it
//! (`details.field`, e.g. `office_hours.monday.enabled`). `balance` is a
//! recharge of that amount (at most five decimals). `filter` takes OData-style conditions
//! joined by `and`: `field op value` with `op` one of `eq`, `ne`, `gt`, `ge`, `lt`, `le`,
//! `contains`, text in single quotes (`region eq 'BEL' and year_start ge 2025`); `orderby` is
//! `field` or `field desc`; `skip` defaults to 0 and `top` to 100. The password policy read is
//! the one set on the tenant or the nearest node above it, and 004's documented defaults when
//! there is none (the harness's relaxed store default, [`relaxed_policy`], is what then
//! applies to passwords); an update changes the fields given and keeps the others (the first
//! one sets the tenant's own policy from the one in force, so a later change above no longer
//! reaches it).
//!
//! # `/v1`: tenantree's own API
//!
//! JSON in the core's own spelling (camelCase, the records of [`tenantree`]): a node is
//! [`Node`](tenantree::Node), a page is [`Page`](tenantree::Page) (`items`, `total`, `limit`,
//! `page`, `pages`, `next`).
//!
//! | method | path | body / query | success |
//! |---|---|---|---|
//! | GET | `/v1/me` | | 200 `{"account", "readOnly", "home"}` |
//! | GET | `/v1/schema` | | 200 the store's schema |
//! | GET | `/v1/nodes` | children query | 200 page of the top level |
//! | POST | `/v1/nodes` | `{"kind", "parent"?, "name", "limits"?, "status"?, "tenantFullAccess"?, "id"?, profile fields}` | 201 node |
//! | GET, PATCH, DELETE | `/v1/nodes/{id}` | PATCH: [`NodeUpdate`](tenantree::NodeUpdate) fields, `expectedVersion` | 200 node / node / `{"deleted": true}` (404 when there is no such node in scope) |
//! | GET | `/v1/nodes/{id}/children` | `kind`, `status`, `search`, `sort` (name\|created), `dir`, `offset`, `limit`, `cursor` | 200 page |
//! | GET | `/v1/nodes/{id}/descendants` | `kind` (required), `offset`, `limit`, `cursor` | 200 page |
//! | GET | `/v1/nodes/{id}/ancestors` | | 200 `{"items"}` |
//! | GET | `/v1/nodes/{id}/counts` | | 200 `{"kind": n}` |
//! | POST | `/v1/nodes/{id}/move` | `{"parent", "expectedVersion"?}` | 200 node |
//! | PUT | `/v1/nodes/{id}/status` | `{"status", "expectedVersion"?}` | 200 node |
//! | GET | `/v1/nodes/{id}/quotas` | | 200 `{"quotas"}` |
//! | PUT | `/v1/nodes/{id}/limits` | `{"limits": {"tenants": 10, "extensions": null}, "expectedVersion"?}` | 200 node |
//! | POST | `/v1/nodes/{id}/allocate`, `/release` | `{"resource", "amount"}` | 200 quota |
//! | GET, POST, PUT, DELETE | `/v1/nodes/{id}/properties/{namespace}` | GET `keys`, `search`, `effective=true`; POST/PUT `{"properties"}`; DELETE `{"keys"}` | 200 `{"properties"}` / `{"removed"}` |
//! | GET, POST | `/v1/nodes/{id}/markups` | POST `{"percent", "start"?}` | 200 `{"markups"}` / 201 markup |
//! | DELETE | `/v1/nodes/{id}/markups/{start}` | | 200 `{"deleted"}` |
//! | GET | `/v1/nodes/{id}/price` | `base`, `at`? | 200 effective price |
//! | GET | `/v1/nodes/{id}/accounts` | `search`, `offset`, `limit`, `cursor` | 200 page of accounts |
//! | GET, PUT, DELETE | `/v1/nodes/{id}/password-policy` (and `/v1/password-policy` for the store) | PUT: [`PasswordPolicy`](tenantree::PasswordPolicy) | 200 effective policy |
//! | GET, POST | `/v1/nodes/{id}/voice-routing/{collection}` | POST: the object | 200 `{"items"}` / 201 object |
//! | PUT, DELETE | `/v1/nodes/{id}/voice-routing/{collection}/{item}` | PUT: the object | 200 object / `{"deleted"}` |
//! | GET | `/v1/accounts` | `username` (one account) or the store-wide accounts page | 200 |
//! | POST | `/v1/accounts` | `{"username", "node"?, "role", "password"?, "firstName"?, "lastName"?, "mobile"?, "email"?, "forcePasswordReset"?, "enabled"?, "sendWelcome"?}` | 201 account |
//! | GET, PATCH, DELETE | `/v1/accounts/{id}` | PATCH: [`AccountUpdate`](tenantree::AccountUpdate) | 200 account / account / `{"deleted"}` |
//! | PUT | `/v1/accounts/{id}/password` | `{"password", "current"?}` | 200 account |
//! | POST | `/v1/accounts/{id}/welcome` | | 200 message |
//! | GET, POST | `/v1/accounts/{id}/tokens` | POST `{"name", "expiresIn"?}` | 200 `{"tokens"}` / 201 `{"info", "secret"}` |
//! | DELETE | `/v1/tokens/{id}` | | 200 `{"deleted"}` |
//! | GET | `/v1/roles` | | 200 `{"roles"}` |
//! | PUT, DELETE | `/v1/roles/{name}` | PUT `{"permissions"}` | 200 role / `{"deleted"}` |
//! | GET | `/v1/changes` | `after` (default 0), `limit` (default 100) | 200 `{"changes", "next"}` |
//! | GET | `/v1/outbox` | `after`, `limit` | 200 `{"messages"}` |
//! | POST | `/v1/outbox/ack` | `{"upTo"}` | 200 `{"removed"}` |
//! | GET | `/v1/snapshot` | `root`? | 200 `{"ops": [...]}` |
//! | POST | `/v1/batch` | `{"ops": [...]}` ([`Op`](tenantree::Op)) | 200 `{"results"}` |
//!
//! A snapshot is the caller's visible tree as batch operations, parents first: `createNode`
//! (with ids, limits, status, profile), `addMarkup`, `createAccount` (without passwords) and
//! `upsertProps` for the namespaces the seed dialects use (secrets masked unless the caller may
//! read them). Replayed with `POST /v1/batch` into an empty store it rebuilds the tree (the
//! snapshot holds the instance's platform root, so replay it through a dispatcher opened with
//! another instance name, or with the core's `Store::batch`).
//! Voice-routing objects: a pstn usage is `{"id", "name"}`; a voice route `{"id", "name",
//! "pattern", "priority", "pstnUsages": [ids]}`; a policy `{"id", "name", "pstnUsages": [ids]}`;
//! `id` is a positive integer (the next free one when left out); a referenced pstn usage must
//! exist at the node or above it, and one that a route or policy of the node references cannot
//! be deleted (`STILL_IN_USE`).

mod apio;
mod auth;
mod body;
mod dealers;
mod draas;
mod error;
mod horn;
mod request;
mod router;
mod tenant;
mod util;
mod v1;
mod voice;

use tenantree::{
    Account, Actor, ChildQuery, Error, NewAccount, NewNode, NewToken, NodeId, PasswordPolicy, ReadTx, Session, Store,
    WriteTx,
};

pub use request::{Request, Response};

use crate::error::{ApiError, render};
use crate::request::{Query, split_target};
use crate::router::Match;

/// How the dispatcher is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The instance name: 003's `{draas_instance}` and the name of the platform root node.
    pub instance: String,
    /// Lifetime in seconds of the tokens `POST /api/login` issues.
    pub token_ttl: u64,
    /// Whether [`Api::open`] sets the store-wide default password policy to
    /// [`relaxed_policy`] when none is set.
    pub relax_password_policy: bool,
}

impl Default for Config {
    /// Instance `default`, one-hour login tokens, relaxed default password policy.
    fn default() -> Config {
        Config { instance: "default".to_owned(), token_ttl: 3600, relax_password_policy: true }
    }
}

/// The password policy [`Api::open`] sets as the store default when none is set: any
/// non-empty password of at most 1024 characters (001 documents no rule for dealers).
#[must_use]
pub fn relaxed_policy() -> PasswordPolicy {
    PasswordPolicy {
        min_length: 1,
        max_length: 1024,
        contains_letters: false,
        contains_numbers: false,
        contains_special_letters: false,
        disable_sequential_characters: false,
        disable_repeating_characters: false,
        disable_account_information: false,
    }
}

/// The dispatcher: a store, its instance's platform root, and the routes of every dialect.
/// Cheap to clone; safe to share between threads (each call is synchronous).
#[derive(Debug, Clone)]
pub struct Api {
    store: Store,
    instance: String,
    platform: NodeId,
    token_ttl: u64,
}

impl Api {
    /// Sets the dispatcher up on a store with the seeds schema: ensures the instance's platform
    /// root and, if so configured, the relaxed default password policy.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` when the store's schema is not the seeds preset's, or the instance
    /// name is not a valid node name; `STORAGE`.
    pub fn open(store: Store, config: Config) -> Result<Api, Error> {
        if store.schema() != &tenantree::Schema::seeds() {
            return Err(error::invalid(
                "schema",
                format!(
                    "the store's schema is {:?}; the seed APIs need a store created with the seeds preset",
                    store.schema().name
                ),
            ));
        }
        if config.instance.is_empty() || config.instance.contains('/') {
            return Err(error::invalid("instance", "must be a non-empty name without '/'"));
        }
        let sys = Actor::system();
        let platform = store.write(&sys, |tx| {
            let id = match find_platform(tx, &config.instance)? {
                Some(id) => id,
                None => tx.create_node(&NewNode::new("platform", config.instance.as_str()))?.id,
            };
            if config.relax_password_policy && !tx.password_policy(None)?.own {
                tx.set_password_policy(None, Some(&relaxed_policy()))?;
            }
            Ok(id)
        })?;
        Ok(Api { store, instance: config.instance, platform, token_ttl: config.token_ttl })
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The instance's platform root.
    #[must_use]
    pub fn platform(&self) -> NodeId {
        self.platform
    }

    /// The instance name.
    #[must_use]
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Ensures that `token` authenticates a store-wide `system_admin` account: if it already
    /// authenticates, nothing changes; otherwise the account `username` is created if missing
    /// (store-wide, role `system_admin`, no password) and `token` is registered for it. So a
    /// restart with the same token is a no-op.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` when `username` exists but is not a store-wide `system_admin`, when
    /// it is reserved (`admin`, `root`, ...), or when the token is not 16 to 256 printable
    /// ASCII characters; `STORAGE`.
    pub fn ensure_admin_token(&self, username: &str, token: &str) -> Result<Account, Error> {
        if let Ok(session) = self.store.authenticate(token) {
            return Ok(session.account);
        }
        self.store.write(&Actor::system(), |tx| {
            let account = match tx.account_by_username(username) {
                Ok(a) => a,
                Err(Error::NotFound { .. }) => tx.create_account(&NewAccount::new(username, "system_admin"))?,
                Err(e) => return Err(e),
            };
            if account.node.is_some() || account.role != "system_admin" {
                return Err(error::invalid(
                    "admin",
                    format!("account {username:?} exists and is not a store-wide system_admin"),
                ));
            }
            let new = NewToken { name: "admin-token".to_owned(), expires_in: None };
            tx.register_token(account.id, &new, token)?;
            Ok(account)
        })
    }

    /// Answers one request. Never panics; every failure is an error response.
    #[must_use]
    pub fn handle(&self, req: &Request) -> Response {
        let (segments, raw_query) = split_target(&req.path);
        let method = req.method.to_ascii_uppercase();
        match router::find(&method, &segments) {
            Match::NotFound(dialect) => {
                let path = req.path.split('?').next().unwrap_or("");
                render(&ApiError::with_status(404, error::not_found("route", path)), dialect)
            }
            Match::WrongMethod(dialect, allowed) => {
                let allow = allowed.join(", ");
                let e = error::invalid("method", format!("{method} is not allowed here; allowed: {allow}"));
                render(&ApiError::with_status(405, e), dialect).with_header("Allow", allow)
            }
            Match::Found(route, params) => {
                let mut call = Call {
                    api: self,
                    params,
                    query: Query::parse(raw_query),
                    headers: &req.headers,
                    body: &req.body,
                    session: None,
                };
                let result = if route.public {
                    (route.handler)(&call)
                } else {
                    auth::authenticate(self, &req.headers).and_then(|session| {
                        call.session = Some(session);
                        (route.handler)(&call)
                    })
                };
                result.unwrap_or_else(|e| render(&e, route.dialect))
            }
        }
    }
}

/// The platform node named `instance` at the top level, if any.
fn find_platform(tx: &WriteTx<'_, '_>, instance: &str) -> Result<Option<NodeId>, Error> {
    let query = ChildQuery {
        kind: Some("platform".to_owned()),
        search: Some(instance.to_owned()),
        limit: Some(1000),
        ..ChildQuery::default()
    };
    let page = tx.children(None, &query)?;
    let folded = instance.to_lowercase();
    Ok(page.items.into_iter().find(|n| n.name.folded() == folded).map(|n| n.id))
}

/// One request being answered: the matched route's parameters, the query, the body and the
/// caller.
pub(crate) struct Call<'a> {
    pub(crate) api: &'a Api,
    pub(crate) params: Vec<String>,
    pub(crate) query: Query,
    /// The request's headers, in order.
    pub(crate) headers: &'a [(String, String)],
    pub(crate) body: &'a [u8],
    pub(crate) session: Option<Session>,
}

impl Call<'_> {
    /// The first header named `name`, ignoring case.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        request::header(self.headers, name)
    }

    /// The route parameter at `index` (in pattern order).
    pub(crate) fn param(&self, index: usize) -> &str {
        self.params.get(index).map_or("", String::as_str)
    }

    pub(crate) fn session(&self) -> Result<&Session, Error> {
        self.session.as_ref().ok_or(Error::Unauthenticated)
    }

    pub(crate) fn actor(&self) -> Result<Actor, Error> {
        Ok(self.session()?.actor.clone())
    }

    /// Whether the caller is a store-wide account.
    pub(crate) fn store_wide(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.account.node.is_none())
    }

    /// The caller's home node: the node its account is bound to, or the platform root for a
    /// store-wide account.
    pub(crate) fn home(&self) -> Result<NodeId, Error> {
        Ok(self.session()?.account.node.unwrap_or(self.api.platform))
    }

    pub(crate) fn body(&self) -> Result<body::Body, Error> {
        body::object(self.body)
    }

    /// Runs `f` in a read transaction as the caller.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&ReadTx<'_>) -> Result<R, Error>) -> Result<R, ApiError> {
        Ok(self.api.store.read(&self.actor()?, f)?)
    }

    /// Runs `f` in a write transaction as the caller: all of it or nothing.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut WriteTx<'_, '_>) -> Result<R, Error>) -> Result<R, ApiError> {
        Ok(self.api.store.write(&self.actor()?, f)?)
    }
}
