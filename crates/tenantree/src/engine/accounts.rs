//! Accounts bound to nodes, their passwords and password policies, and the outbox.

use std::ops::Bound;

use crate::account::{
    Account, AccountId, AccountQuery, AccountUpdate, EffectivePolicy, Message, MessageKind, NewAccount, PasswordPolicy,
};
use crate::engine::access::{Action, Principal, load_account};
use crate::engine::feed::{self, Event};
use crate::engine::{Chain, Ctx, auth, cursor, load_chain, node_id, query, resolve, roles};
use crate::error::{Blocker, Error, Result};
use crate::ids::{NodeId, Timestamp};
use crate::model::Page;
use crate::schema::Schema;
use crate::store::{AccountRecord, Blob, Flow, KeyRange, MessageRecord, View, WriteView, decode, encode, keys};
use crate::validate::{self, RESERVED_NAMES};

const USERNAME_MAX: usize = validate::limits::USERNAME;
const PERSON_NAME_MAX: usize = validate::limits::PERSON_NAME;

/// Checks a username: 1–128 characters of ASCII letters, digits and `_ - ' . @ +`, not starting
/// or ending with a period, not a reserved name in any case. 001's login names and 003's
/// e-mail usernames both fit.
pub(crate) fn check_username(name: &str) -> Result<()> {
    let chars = name.chars().count();
    if chars == 0 || chars > USERNAME_MAX {
        return Err(Error::invalid("username", format!("must be 1 to {USERNAME_MAX} characters")));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || "_-'.@+".contains(*c))) {
        return Err(Error::invalid(
            "username",
            format!("contains {bad:?}: only letters, digits and _ - ' . @ + are allowed"),
        ));
    }
    if name.starts_with('.') || name.ends_with('.') {
        return Err(Error::invalid("username", "must not start or end with a period"));
    }
    if RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return Err(Error::invalid("username", format!("{name:?} is reserved")));
    }
    Ok(())
}

fn fold(username: &str) -> String {
    username.to_ascii_lowercase()
}

fn by_node_key(node: u64, account: u64) -> Vec<u8> {
    keys::by_parent(node, account)
}

/// The chain of an account's node (`None` for a store-wide account).
pub(crate) fn node_chain(v: &impl View, node: u64) -> Result<Option<Chain>> {
    if node == 0 { Ok(None) } else { Ok(Some(load_chain(v, node)?)) }
}

/// The access check for managing the accounts of a node (or the store-wide accounts).
fn require_admin(who: &Principal, schema: &Schema, chain: Option<&Chain>, action: Action) -> Result<()> {
    match chain {
        Some(c) => who.require(schema, c, c.node()?.rec.kind, action),
        None => {
            if !who.sees_everything() {
                return Err(Error::not_found("account scope", "the store"));
            }
            let suffix = action.suffix().trim_start_matches("instance.");
            who.require_permission(&format!("store.{suffix}"), "the store")?;
            who.require_in_service(action.is_write())
        }
    }
}

pub(crate) fn to_account(v: &impl View, id: u64, rec: &AccountRecord) -> Result<Account> {
    let node = match rec.node {
        0 => None,
        seq => Some(node_id(
            &v.node(seq)?.ok_or_else(|| Error::corrupted(format!("account {id} names missing node #{seq}")))?,
        )),
    };
    Ok(Account {
        id: AccountId::new(id)?,
        username: rec.username.clone(),
        node,
        role: rec.role.clone(),
        first_name: rec.first_name.clone(),
        last_name: rec.last_name.clone(),
        mobile: rec.mobile.clone(),
        email: rec.email.clone(),
        force_password_reset: rec.force_reset,
        enabled: rec.enabled,
        has_password: rec.password.is_some(),
        created: Timestamp::from_micros(rec.created),
        updated: Timestamp::from_micros(rec.updated),
        version: rec.version,
    })
}

fn optional(field: &str, value: &Option<String>, check: impl Fn(&str, &str) -> Result<()>) -> Result<Option<String>> {
    match value {
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => {
            check(field, s)?;
            Ok(Some(s.clone()))
        }
        None => Ok(None),
    }
}

fn person(field: &str, s: &str) -> Result<()> {
    validate::check_line(field, s, PERSON_NAME_MAX)
}

/// The strings a password must not contain under `disable_account_information`.
pub(crate) fn account_info(rec: &AccountRecord) -> Vec<String> {
    let mut info = vec![rec.username.clone()];
    if let Some(e) = &rec.email {
        info.push(e.clone());
        if let Some((local, _)) = e.split_once('@') {
            info.push(local.to_owned());
        }
    }
    if let Some((local, _)) = rec.username.split_once('@') {
        info.push(local.to_owned());
    }
    info.extend(rec.first_name.iter().cloned());
    info.extend(rec.last_name.iter().cloned());
    info
}

/// The password policy in force at a node (0: the store level). O(depth).
pub(crate) fn effective_policy(v: &impl View, node: u64) -> Result<EffectivePolicy> {
    let mut seqs: Vec<u64> = match node_chain(v, node)? {
        Some(c) => c.links.iter().map(|l| l.seq).collect(),
        None => Vec::new(),
    };
    seqs.push(0);
    for seq in seqs {
        if let Some(bytes) = v.blob(Blob::Policies, &keys::parent_prefix(seq))? {
            let policy: PasswordPolicy = decode(&bytes)?;
            let source = if seq == 0 { None } else { v.node(seq)?.map(|r| node_id(&r)) };
            return Ok(EffectivePolicy { policy, source, own: seq == node });
        }
    }
    Ok(EffectivePolicy { policy: PasswordPolicy::default(), source: None, own: false })
}

/// Creates an account. O(depth), plus hashing its password.
pub(crate) fn create(w: &mut WriteView<'_>, ctx: &Ctx<'_>, who: &Principal, new: &NewAccount) -> Result<Account> {
    let schema = ctx.schema;
    check_username(&new.username)?;
    let chain = match new.node {
        Some(id) => Some(load_chain(w, resolve(w, id)?)?),
        None => None,
    };
    require_admin(who, schema, chain.as_ref(), Action::AdminsCreate)?;
    let patterns = roles::patterns(w, &new.role)?
        .ok_or_else(|| Error::invalid("role", format!("{:?} is not a role", new.role)))?;
    if !who.covers(&patterns) {
        return Err(Error::Forbidden { action: format!("grant role {}", new.role), target: new.username.clone() });
    }
    let folded = fold(&new.username);
    if let Some(existing) = w.blob(Blob::Usernames, folded.as_bytes())? {
        let existing =
            u64::from_be_bytes(existing.as_slice().try_into().map_err(|_| Error::corrupted("username index"))?);
        return Err(Error::AlreadyExists {
            entity: "account",
            field: "username",
            value: new.username.clone(),
            existing: Some(existing.to_string()),
        });
    }
    let email = match &new.email {
        Some(e) if !e.is_empty() => Some(e.clone()),
        _ => validate::check_email("email", &new.username).ok().map(|()| new.username.clone()),
    };
    let email = optional("email", &email, validate::check_email)?;
    let now = ctx.now().as_micros();
    let node = chain.as_ref().map_or(0, Chain::seq);
    let mut rec = AccountRecord {
        username: new.username.clone(),
        node,
        role: new.role.clone(),
        first_name: optional("firstName", &new.first_name, person)?,
        last_name: optional("lastName", &new.last_name, person)?,
        mobile: optional("mobile", &new.mobile, validate::check_phone)?,
        email,
        password: None,
        force_reset: new.force_password_reset,
        enabled: new.enabled.unwrap_or(true),
        created: now,
        updated: now,
        version: 1,
    };
    if let Some(password) = &new.password {
        let policy = effective_policy(w, node)?.policy;
        auth::check_password(&policy, password, &account_info(&rec))?;
        rec.password = Some(auth::hash_password(ctx, password)?);
    }

    // Apply.
    let id = w.next_counter("next_account")?;
    w.put_blob(Blob::Accounts, &id.to_be_bytes(), &encode(&rec)?)?;
    w.put_blob(Blob::Usernames, folded.as_bytes(), &id.to_be_bytes())?;
    w.put_blob(Blob::AccountsByNode, &by_node_key(node, id), &[])?;
    roles::count_holder(w, &rec.role, true)?;
    if new.send_welcome {
        queue_welcome(w, ctx, id, &rec)?;
    }
    let changes = serde_json::json!({"username": rec.username, "role": rec.role, "enabled": rec.enabled});
    feed::emit(w, ctx, who, Event::on("account.create", "account", id, chain.as_ref(), Some(changes))?)?;
    to_account(w, id, &rec)
}

fn queue_welcome(w: &mut WriteView<'_>, ctx: &Ctx<'_>, id: u64, rec: &AccountRecord) -> Result<()> {
    let node = match rec.node {
        0 => None,
        seq => w.node(seq)?.map(|r| r.id),
    };
    let message = MessageRecord {
        kind: 0,
        account: id,
        username: rec.username.clone(),
        recipient: rec.email.clone(),
        node,
        created: ctx.now().as_micros(),
    };
    let mid = w.next_counter("next_message")?;
    w.put_blob(Blob::Outbox, &mid.to_be_bytes(), &encode(&message)?)
}

/// Loads a visible account with its node chain, or NOT_FOUND.
fn visible(v: &impl View, who: &Principal, id: AccountId) -> Result<(AccountRecord, Option<Chain>)> {
    let rec = load_account(v, id.get())?.ok_or_else(|| Error::not_found("account", id))?;
    let chain = node_chain(v, rec.node)?;
    let seen = match &chain {
        Some(c) => who.sees(c),
        None => who.sees_everything(),
    };
    if !seen {
        return Err(Error::not_found("account", id));
    }
    Ok((rec, chain))
}

fn is_self(who: &Principal, id: AccountId) -> bool {
    who.account().is_some_and(|a| a.id == id.get())
}

/// One account: its own, or one the caller may list. O(depth).
pub(crate) fn get(v: &impl View, schema: &Schema, who: &Principal, id: AccountId) -> Result<Account> {
    let (rec, chain) = visible(v, who, id)?;
    if !is_self(who, id) {
        require_admin(who, schema, chain.as_ref(), Action::AdminsList)?;
    }
    to_account(v, id.get(), &rec)
}

/// One account by username, ignoring case. O(depth).
pub(crate) fn get_by_username(v: &impl View, schema: &Schema, who: &Principal, username: &str) -> Result<Account> {
    let bytes =
        v.blob(Blob::Usernames, fold(username).as_bytes())?.ok_or_else(|| Error::not_found("account", username))?;
    let id = u64::from_be_bytes(bytes.as_slice().try_into().map_err(|_| Error::corrupted("username index"))?);
    get(v, schema, who, AccountId::new(id)?).map_err(|e| match e {
        Error::NotFound { .. } => Error::not_found("account", username),
        other => other,
    })
}

/// Changes an account's details. O(depth).
pub(crate) fn update(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    id: AccountId,
    upd: &AccountUpdate,
) -> Result<Account> {
    let schema = ctx.schema;
    let (old, chain) = visible(w, who, id)?;
    let myself = is_self(who, id);
    let admin_fields = upd.role.is_some() || upd.enabled.is_some() || upd.force_password_reset.is_some();
    if myself && upd.role.as_ref().is_some_and(|r| *r != old.role) {
        return Err(Error::Forbidden { action: "change one's own role".into(), target: format!("account {id}") });
    }
    if !myself || admin_fields {
        require_admin(who, schema, chain.as_ref(), Action::AdminsUpdate)?;
    } else {
        who.require_in_service(true)?;
    }
    if let Some(expected) = upd.expected_version
        && expected != old.version
    {
        return Err(Error::Conflict { entity: "account", id: id.to_string(), expected, actual: old.version });
    }
    let mut rec = old.clone();
    let patch = |slot: &mut Option<String>,
                 p: &Option<Option<String>>,
                 field: &str,
                 check: &dyn Fn(&str, &str) -> Result<()>|
     -> Result<()> {
        if let Some(v) = p {
            *slot = optional(field, v, check)?;
        }
        Ok(())
    };
    patch(&mut rec.first_name, &upd.first_name, "firstName", &person)?;
    patch(&mut rec.last_name, &upd.last_name, "lastName", &person)?;
    patch(&mut rec.mobile, &upd.mobile, "mobile", &validate::check_phone)?;
    patch(&mut rec.email, &upd.email, "email", &validate::check_email)?;
    if let Some(role) = &upd.role
        && *role != old.role
    {
        let patterns =
            roles::patterns(w, role)?.ok_or_else(|| Error::invalid("role", format!("{role:?} is not a role")))?;
        if !who.covers(&patterns) {
            return Err(Error::Forbidden { action: format!("grant role {role}"), target: format!("account {id}") });
        }
        rec.role = role.clone();
    }
    if let Some(e) = upd.enabled {
        rec.enabled = e;
    }
    if let Some(f) = upd.force_password_reset {
        rec.force_reset = f;
    }
    if rec == old {
        return to_account(w, id.get(), &rec);
    }
    if rec.role != old.role {
        roles::count_holder(w, &old.role, false)?;
        roles::count_holder(w, &rec.role, true)?;
    }
    rec.version += 1;
    rec.updated = ctx.now().as_micros();
    w.put_blob(Blob::Accounts, &id.get().to_be_bytes(), &encode(&rec)?)?;
    let mut changes = serde_json::to_value(upd).unwrap_or_default();
    if let Some(map) = changes.as_object_mut() {
        map.remove("expectedVersion");
        map.retain(|_, v| !v.is_null());
    }
    feed::emit(w, ctx, who, Event::on("account.update", "account", id, chain.as_ref(), Some(changes))?)?;
    to_account(w, id.get(), &rec)
}

/// Deletes an account and its tokens. False when there was no such account (or it is outside
/// the caller's scope).
pub(crate) fn delete(w: &mut WriteView<'_>, ctx: &Ctx<'_>, who: &Principal, id: AccountId) -> Result<bool> {
    let (rec, chain) = match visible(w, who, id) {
        Ok(found) => found,
        Err(Error::NotFound { .. }) => return Ok(false),
        Err(e) => return Err(e),
    };
    require_admin(who, ctx.schema, chain.as_ref(), Action::AdminsDelete)?;
    auth::remove_tokens_of(w, id.get())?;
    w.remove_blob(Blob::Usernames, fold(&rec.username).as_bytes())?;
    w.remove_blob(Blob::AccountsByNode, &by_node_key(rec.node, id.get()))?;
    w.remove_blob(Blob::Accounts, &id.get().to_be_bytes())?;
    roles::count_holder(w, &rec.role, false)?;
    feed::emit(w, ctx, who, Event::on("account.delete", "account", id, chain.as_ref(), None)?)?;
    Ok(true)
}

/// Sets a password. An account changing its own password gives its current one (unless it has
/// none yet); an admin with `admins.update` on the node does not. The policy in force at the
/// node applies. Setting one's own password clears the forced reset.
pub(crate) fn set_password(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    id: AccountId,
    password: &str,
    current: Option<&str>,
) -> Result<Account> {
    let (mut rec, chain) = visible(w, who, id)?;
    let myself = is_self(who, id);
    if myself {
        who.require_in_service(true)?;
        if let Some(hash) = &rec.password {
            let ok = current.is_some_and(|c| auth::verify_password(hash, c));
            if !ok {
                return Err(Error::Unauthenticated);
            }
        }
    } else {
        require_admin(who, ctx.schema, chain.as_ref(), Action::AdminsUpdate)?;
    }
    let policy = effective_policy(w, rec.node)?.policy;
    auth::check_password(&policy, password, &account_info(&rec))?;
    rec.password = Some(auth::hash_password(ctx, password)?);
    if myself {
        rec.force_reset = false;
    }
    rec.version += 1;
    rec.updated = ctx.now().as_micros();
    w.put_blob(Blob::Accounts, &id.get().to_be_bytes(), &encode(&rec)?)?;
    feed::emit(w, ctx, who, Event::on("account.password", "account", id, chain.as_ref(), None)?)?;
    to_account(w, id.get(), &rec)
}

/// Puts back an account from a snapshot, with its id, times and password hash, after the same
/// checks as a creation (username, uniqueness, role, fields, a well-formed hash).
pub(crate) fn restore(w: &mut WriteView<'_>, id: AccountId, rec: AccountRecord) -> Result<()> {
    // The id counter must be able to move past every restored id.
    if id.get() == u64::MAX {
        return Err(Error::invalid("id", format!("{id} is not an account id this store can follow")));
    }
    check_username(&rec.username)?;
    if load_account(w, id.get())?.is_some() {
        return Err(Error::AlreadyExists {
            entity: "account",
            field: "id",
            value: id.to_string(),
            existing: Some(id.to_string()),
        });
    }
    let folded = fold(&rec.username);
    if w.blob(Blob::Usernames, folded.as_bytes())?.is_some() {
        return Err(Error::AlreadyExists {
            entity: "account",
            field: "username",
            value: rec.username.clone(),
            existing: None,
        });
    }
    if roles::patterns(w, &rec.role)?.is_none() {
        return Err(Error::invalid("role", format!("{:?} is not a role", rec.role)));
    }
    optional("firstName", &rec.first_name, person)?;
    optional("lastName", &rec.last_name, person)?;
    optional("mobile", &rec.mobile, validate::check_phone)?;
    optional("email", &rec.email, validate::check_email)?;
    if let Some(hash) = &rec.password
        && argon2::PasswordHash::new(hash).is_err()
    {
        return Err(Error::invalid("password", format!("account {id} holds a malformed password hash")));
    }
    w.put_blob(Blob::Accounts, &id.get().to_be_bytes(), &encode(&rec)?)?;
    w.put_blob(Blob::Usernames, folded.as_bytes(), &id.get().to_be_bytes())?;
    w.put_blob(Blob::AccountsByNode, &by_node_key(rec.node, id.get()), &[])?;
    roles::count_holder(w, &rec.role, true)?;
    w.raise_counter("next_account", id.get().saturating_add(1))
}

/// Queues a welcome message for an account (003's "send a welcome e-mail").
pub(crate) fn send_welcome(w: &mut WriteView<'_>, ctx: &Ctx<'_>, who: &Principal, id: AccountId) -> Result<Message> {
    let (rec, chain) = visible(w, who, id)?;
    require_admin(who, ctx.schema, chain.as_ref(), Action::AdminsWelcome)?;
    if rec.email.is_none() {
        return Err(Error::invalid("email", format!("account {id} has no e-mail address to send to")));
    }
    queue_welcome(w, ctx, id.get(), &rec)?;
    feed::emit(w, ctx, who, Event::on("account.welcome", "account", id, chain.as_ref(), None)?)?;
    let mut last = None;
    w.scan(Blob::Outbox, KeyRange::all(), true, &mut |k, v| {
        last = Some((k.to_vec(), v.to_vec()));
        Ok(Flow::Break(()))
    })?;
    let (k, v) = last.ok_or_else(|| Error::corrupted("the queued message vanished"))?;
    to_message(&k, &v)
}

/// The accounts bound to a node (`None`: the store-wide accounts), searched and paged. A range
/// scan over the accounts of that node.
pub(crate) fn list(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    node: Option<NodeId>,
    q: &AccountQuery,
) -> Result<Page<Account>> {
    let limit = query::page_limit(q.limit)?;
    if q.offset > 0 && q.cursor.is_some() {
        return Err(Error::invalid("cursor", "cannot be combined with offset"));
    }
    let chain = match node {
        Some(id) => {
            let c = query::visible_chain(v, who, id)?;
            Some(c)
        }
        None => None,
    };
    require_admin(who, schema, chain.as_ref(), Action::AdminsList)?;
    let seq = chain.as_ref().map_or(0, Chain::seq);
    let search = match &q.search {
        Some(s) if !s.trim().is_empty() => {
            validate::check_search("search", s)?;
            Some(s.trim().to_lowercase())
        }
        _ => None,
    };
    let fp = cursor::fingerprint(&[b"accounts", &seq.to_be_bytes(), search.as_deref().unwrap_or("").as_bytes()]);
    let after = match &q.cursor {
        Some(token) => Some(cursor::decode(token, fp)?),
        None => None,
    };
    let mut total = 0u64;
    let mut before = 0u64;
    let mut items: Vec<(Vec<u8>, Account)> = Vec::new();
    let mut more = false;
    let prefix = keys::parent_prefix(seq);
    let mut failure: Option<Error> = None;
    v.scan(Blob::AccountsByNode, KeyRange::prefix(&prefix), false, &mut |k, _| {
        let Some((_, id)) = keys::split_by_parent(k) else {
            failure = Some(Error::corrupted("malformed accounts_by_node key"));
            return Ok(Flow::Break(()));
        };
        let rec = load_account(v, id)?
            .ok_or_else(|| Error::corrupted(format!("accounts_by_node names missing account {id}")))?;
        if let Some(needle) = &search {
            let hit = [Some(&rec.username), rec.first_name.as_ref(), rec.last_name.as_ref(), rec.email.as_ref()]
                .into_iter()
                .flatten()
                .any(|f| f.to_lowercase().contains(needle.as_str()));
            if !hit {
                return Ok(Flow::Continue(()));
            }
        }
        total += 1;
        let in_window = match &after {
            Some((ck, _)) => k > ck.as_slice(),
            None => total > q.offset,
        };
        if !in_window {
            before += 1;
        } else if items.len() < limit as usize {
            items.push((k.to_vec(), to_account(v, id, &rec)?));
        } else {
            more = true;
        }
        Ok(Flow::Continue(()))
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    let start = match &after {
        Some((_, pos)) => *pos,
        None => before,
    };
    let next = if more { items.last().map(|(k, _)| cursor::encode(fp, k, start + items.len() as u64)) } else { None };
    Ok(Page {
        items: items.into_iter().map(|(_, a)| a).collect(),
        total,
        limit,
        page: start / u64::from(limit) + 1,
        pages: total.div_ceil(u64::from(limit)),
        next,
    })
}

/// The accounts that keep a node from being deleted.
pub(crate) fn blocker(v: &impl View, seq: u64) -> Result<Option<Blocker>> {
    let mut b = Blocker { kind: "account".into(), count: 0, names: Vec::new() };
    v.scan(Blob::AccountsByNode, KeyRange::prefix(&keys::parent_prefix(seq)), false, &mut |k, _| {
        b.count += 1;
        if b.names.len() < Blocker::MAX_NAMES
            && let Some((_, id)) = keys::split_by_parent(k)
            && let Some(rec) = load_account(v, id)?
        {
            b.names.push(rec.username);
        }
        Ok(Flow::Continue(()))
    })?;
    Ok((b.count > 0).then_some(b))
}

/// Sets (`Some`) or removes (`None`) the password policy of a node (`None`: the store
/// default). O(depth).
pub(crate) fn set_policy(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    node: Option<NodeId>,
    policy: Option<&PasswordPolicy>,
) -> Result<EffectivePolicy> {
    let chain = match node {
        Some(id) => Some(load_chain(w, resolve(w, id)?)?),
        None => None,
    };
    require_admin(who, ctx.schema, chain.as_ref(), Action::PolicyUpdate)?;
    let seq = chain.as_ref().map_or(0, Chain::seq);
    let key = keys::parent_prefix(seq);
    match policy {
        Some(p) => {
            if p.min_length == 0 || p.min_length > p.max_length || p.max_length > 1024 {
                return Err(Error::invalid(
                    "password_policy",
                    format!("needs 1 <= min_length ({}) <= max_length ({}) <= 1024", p.min_length, p.max_length),
                ));
            }
            w.put_blob(Blob::Policies, &key, &encode(p)?)?;
        }
        None => {
            w.remove_blob(Blob::Policies, &key)?;
        }
    }
    let target = node.map_or_else(|| "store".to_owned(), |n| n.to_string());
    let changes = serde_json::to_value(policy).unwrap_or_default();
    feed::emit(w, ctx, who, Event::on("policy.set", "policy", target, chain.as_ref(), Some(changes))?)?;
    effective_policy(w, seq)
}

/// The password policy in force at a node (`None`: the store default).
pub(crate) fn policy(v: &impl View, schema: &Schema, who: &Principal, node: Option<NodeId>) -> Result<EffectivePolicy> {
    let chain = match node {
        Some(id) => Some(query::visible_chain(v, who, id)?),
        None => None,
    };
    require_admin(who, schema, chain.as_ref(), Action::PolicyRead)?;
    effective_policy(v, chain.as_ref().map_or(0, Chain::seq))
}

/// Removes what a deleted node owned besides its records: its password policy.
pub(crate) fn forget_node(w: &mut WriteView<'_>, seq: u64) -> Result<()> {
    w.remove_blob(Blob::Policies, &keys::parent_prefix(seq))?;
    Ok(())
}

fn to_message(key: &[u8], value: &[u8]) -> Result<Message> {
    let rec: MessageRecord = decode(value)?;
    let id = u64::from_be_bytes(key.try_into().map_err(|_| Error::corrupted("outbox key"))?);
    Ok(Message {
        id,
        kind: match rec.kind {
            0 => MessageKind::Welcome,
            other => return Err(Error::corrupted(format!("unknown message kind {other}"))),
        },
        account: AccountId::new(rec.account)?,
        username: rec.username,
        recipient: rec.recipient,
        node: rec.node.map(NodeId::from_bytes).transpose()?,
        created: Timestamp::from_micros(rec.created),
    })
}

fn require_outbox(who: &Principal) -> Result<()> {
    if who.sees_everything() && who.allows("store.outbox.read") {
        Ok(())
    } else {
        Err(Error::Forbidden { action: "store.outbox.read".into(), target: "the outbox".into() })
    }
}

/// Messages with ids above `after`, oldest first, at most `limit`.
pub(crate) fn outbox(v: &impl View, who: &Principal, after: u64, limit: u32) -> Result<Vec<Message>> {
    require_outbox(who)?;
    let limit = query::page_limit(Some(limit))? as usize;
    let mut out = Vec::new();
    let range = KeyRange { lo: Bound::Excluded(after.to_be_bytes().to_vec()), hi: Bound::Unbounded };
    v.scan(Blob::Outbox, range, false, &mut |k, val| {
        out.push(to_message(k, val)?);
        Ok(if out.len() >= limit { Flow::Break(()) } else { Flow::Continue(()) })
    })?;
    Ok(out)
}

/// Acknowledges (removes) every message up to and including `up_to`; how many went.
pub(crate) fn ack_outbox(w: &mut WriteView<'_>, who: &Principal, up_to: u64) -> Result<u64> {
    require_outbox(who)?;
    let range = KeyRange { lo: Bound::Unbounded, hi: Bound::Included(up_to.to_be_bytes().to_vec()) };
    w.remove_range(Blob::Outbox, range)
}
