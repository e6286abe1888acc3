//! Credentials: argon2id password hashes, the password policy rules, and API tokens.

use base64::Engine as _;
use sha2::Digest as _;

use crate::account::{AccountId, IssuedToken, NewToken, PasswordParams, PasswordPolicy, TokenInfo};
use crate::engine::Ctx;
use crate::engine::access::{Action, Principal, load_account};
use crate::engine::accounts::node_chain;
use crate::engine::feed::{self, Event};
use crate::error::{Error, Result};
use crate::ids::Timestamp;
use crate::store::{Blob, Flow, KeyRange, TokenRecord, View, WriteView, decode, encode, keys};

const PASSWORD_MAX: usize = crate::validate::limits::PASSWORD;

fn argon2(params: &PasswordParams) -> Result<argon2::Argon2<'static>> {
    let p = argon2::Params::new(params.memory_kib, params.iterations, params.parallelism, None)
        .map_err(|e| Error::invalid("passwordParams", e.to_string()))?;
    Ok(argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p))
}

/// Hashes a password with a fresh salt into a PHC string (it records the parameters).
pub(crate) fn hash_password(ctx: &Ctx<'_>, password: &str) -> Result<String> {
    use argon2::PasswordHasher as _;
    let mut salt = [0u8; 16];
    ctx.entropy.fill(&mut salt)?;
    let hash = argon2(ctx.password)?
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| Error::Storage { message: format!("password hashing failed: {e}") })?;
    Ok(hash.to_string())
}

/// Whether `password` matches a stored PHC hash. Any malformed hash simply does not match.
pub(crate) fn verify_password(phc: &str, password: &str) -> bool {
    use argon2::PasswordVerifier as _;
    match argon2::PasswordHash::new(phc) {
        Ok(hash) => argon2::Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// A hash of nothing in particular with the store's parameters: verified against when a login
/// names an unknown account, so that the answer takes as long as for a known one.
pub(crate) fn decoy_hash(params: &PasswordParams) -> String {
    use argon2::PasswordHasher as _;
    argon2(params)
        .ok()
        .and_then(|a| a.hash_password_with_salt(b"decoy", b"tenantree-decoy-salt").ok())
        .map(|h| h.to_string())
        .unwrap_or_default()
}

fn has_run(chars: &[char], f: impl Fn(char, char, char) -> bool) -> bool {
    chars.windows(3).any(|w| matches!(w, [a, b, c] if f(*a, *b, *c)))
}

fn sequential(a: char, b: char, c: char) -> bool {
    let same_class = (a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit())
        || (a.is_ascii_alphabetic() && b.is_ascii_alphabetic() && c.is_ascii_alphabetic());
    let (a, b, c) = (a.to_ascii_lowercase() as i32, b.to_ascii_lowercase() as i32, c.to_ascii_lowercase() as i32);
    same_class && ((b - a == 1 && c - b == 1) || (a - b == 1 && b - c == 1))
}

/// Checks a password against a policy; WEAK_PASSWORD names every rule it breaks, in 004's
/// spelling.
pub(crate) fn check_password(policy: &PasswordPolicy, password: &str, info: &[String]) -> Result<()> {
    let chars: Vec<char> = password.chars().collect();
    let mut broken: Vec<String> = Vec::new();
    if chars.len() < policy.min_length as usize {
        broken.push("min_length".into());
    }
    if chars.len() > (policy.max_length as usize).min(PASSWORD_MAX) {
        broken.push("max_length".into());
    }
    if policy.contains_letters && !chars.iter().any(char::is_ascii_alphabetic) {
        broken.push("contains_letters".into());
    }
    if policy.contains_numbers && !chars.iter().any(char::is_ascii_digit) {
        broken.push("contains_numbers".into());
    }
    if policy.contains_special_letters && !chars.iter().any(|c| c.is_ascii_uppercase() || c.is_ascii_punctuation()) {
        broken.push("contains_special_letters".into());
    }
    if policy.disable_sequential_characters && has_run(&chars, sequential) {
        broken.push("disable_sequential_characters".into());
    }
    if policy.disable_repeating_characters && has_run(&chars, |a, b, c| a == b && b == c) {
        broken.push("disable_repeating_characters".into());
    }
    if policy.disable_account_information {
        let lower = password.to_lowercase();
        let similar = info
            .iter()
            .map(|i| i.to_lowercase())
            .filter(|i| i.chars().count() >= 3)
            .any(|i| lower.contains(&i) || (lower.chars().count() >= 3 && i.contains(&lower)));
        if similar {
            broken.push("disable_account_information".into());
        }
    }
    if password.chars().any(char::is_control) {
        broken.push("no_control_characters".into());
    }
    if broken.is_empty() { Ok(()) } else { Err(Error::WeakPassword { rules: broken }) }
}

/// Prefix of every generated token secret.
const TOKEN_PREFIX: &str = "tt_";
/// Shortest secret a host may choose.
const MIN_CHOSEN_SECRET: usize = 16;

fn token_hash(secret: &str) -> [u8; 32] {
    sha2::Sha256::digest(secret.as_bytes()).into()
}

fn to_info(id: u64, rec: &TokenRecord) -> Result<TokenInfo> {
    Ok(TokenInfo {
        id,
        account: AccountId::new(rec.account)?,
        name: rec.name.clone(),
        created: Timestamp::from_micros(rec.created),
        expires: rec.expires.map(Timestamp::from_micros),
    })
}

/// The check for managing an account's tokens: the account itself, or an admin of its node.
fn require_token_admin(
    v: &impl View,
    ctx: &Ctx<'_>,
    who: &Principal,
    account: AccountId,
    action: Action,
) -> Result<Option<crate::engine::Chain>> {
    let rec = load_account(v, account.get())?.ok_or_else(|| Error::not_found("account", account))?;
    let chain = node_chain(v, rec.node)?;
    let seen = match &chain {
        Some(c) => who.sees(c),
        None => who.sees_everything(),
    };
    if !seen {
        return Err(Error::not_found("account", account));
    }
    if who.account().is_some_and(|a| a.id == account.get()) {
        who.require_in_service(action.is_write())?;
        return Ok(chain);
    }
    match &chain {
        Some(c) => who.require(ctx.schema, c, c.node()?.rec.kind, action)?,
        None => {
            let suffix = action.suffix().trim_start_matches("instance.");
            who.require_permission(&format!("store.{suffix}"), "the store")?;
            who.require_in_service(action.is_write())?;
        }
    }
    Ok(chain)
}

/// Issues an API token for an account: a fresh random secret, or one the host chose
/// (`tenantree serve --admin-token`). The secret is returned once and stored only hashed.
pub(crate) fn issue(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    account: AccountId,
    new: &NewToken,
    chosen: Option<&str>,
) -> Result<IssuedToken> {
    let chain = require_token_admin(w, ctx, who, account, Action::AdminsUpdate)?;
    let chars = new.name.chars().count();
    if chars == 0 || chars > 64 || new.name.chars().any(char::is_control) {
        return Err(Error::invalid("name", "a token name is 1 to 64 printable characters"));
    }
    let now = ctx.now();
    let expires = match new.expires_in {
        Some(0) => return Err(Error::invalid("expiresIn", "must be at least 1 second")),
        Some(secs) => {
            let micros = i64::try_from(secs).ok().and_then(|s| s.checked_mul(1_000_000));
            Some(now.add_micros(micros.ok_or_else(|| Error::invalid("expiresIn", "is too large"))?).as_micros())
        }
        None => None,
    };
    let secret = match chosen {
        Some(s) => {
            let len = s.chars().count();
            if !(MIN_CHOSEN_SECRET..=256).contains(&len) || !s.chars().all(|c| c.is_ascii_graphic()) {
                return Err(Error::invalid(
                    "token",
                    format!("a chosen token is {MIN_CHOSEN_SECRET} to 256 printable ASCII characters without spaces"),
                ));
            }
            s.to_owned()
        }
        None => {
            let mut random = [0u8; 32];
            ctx.entropy.fill(&mut random)?;
            format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random))
        }
    };
    let hash = token_hash(&secret);
    if w.blob(Blob::TokenHashes, &hash)?.is_some() {
        return Err(Error::AlreadyExists {
            entity: "token",
            field: "secret",
            value: "(hidden)".into(),
            existing: None,
        });
    }
    let id = w.next_counter("next_token")?;
    let rec = TokenRecord { account: account.get(), name: new.name.clone(), hash, created: now.as_micros(), expires };
    w.put_blob(Blob::Tokens, &id.to_be_bytes(), &encode(&rec)?)?;
    w.put_blob(Blob::TokensByAccount, &keys::by_parent(account.get(), id), &[])?;
    w.put_blob(Blob::TokenHashes, &hash, &id.to_be_bytes())?;
    let changes = serde_json::json!({"account": account, "name": new.name, "expires": expires});
    feed::emit(w, ctx, who, Event::on("token.issue", "token", id, chain.as_ref(), Some(changes))?)?;
    Ok(IssuedToken { info: to_info(id, &rec)?, secret })
}

/// Puts back a token from a snapshot: its id, account, name, hash and times.
pub(crate) fn restore(
    w: &mut WriteView<'_>,
    id: u64,
    account: AccountId,
    new: &NewToken,
    hash: [u8; 32],
    created: Timestamp,
    expires: Option<Timestamp>,
) -> Result<()> {
    if load_account(w, account.get())?.is_none() {
        return Err(Error::not_found("account", account));
    }
    // The id counter must be able to move past every restored id.
    if id == 0 || id == u64::MAX {
        return Err(Error::invalid("id", format!("{id} is not a token id this store can follow")));
    }
    let chars = new.name.chars().count();
    if chars == 0 || chars > 64 || new.name.chars().any(char::is_control) {
        return Err(Error::invalid("name", "a token name is 1 to 64 printable characters"));
    }
    if w.blob(Blob::Tokens, &id.to_be_bytes())?.is_some() || w.blob(Blob::TokenHashes, &hash)?.is_some() {
        return Err(Error::AlreadyExists { entity: "token", field: "id", value: id.to_string(), existing: None });
    }
    let rec = TokenRecord {
        account: account.get(),
        name: new.name.clone(),
        hash,
        created: created.as_micros(),
        expires: expires.map(Timestamp::as_micros),
    };
    w.put_blob(Blob::Tokens, &id.to_be_bytes(), &encode(&rec)?)?;
    w.put_blob(Blob::TokensByAccount, &keys::by_parent(account.get(), id), &[])?;
    w.put_blob(Blob::TokenHashes, &hash, &id.to_be_bytes())?;
    w.raise_counter("next_token", id.saturating_add(1))
}

/// An account's tokens, oldest first.
pub(crate) fn list(v: &impl View, ctx: &Ctx<'_>, who: &Principal, account: AccountId) -> Result<Vec<TokenInfo>> {
    require_token_admin(v, ctx, who, account, Action::AdminsList)?;
    let mut ids = Vec::new();
    v.scan(Blob::TokensByAccount, KeyRange::prefix(&keys::parent_prefix(account.get())), false, &mut |k, _| {
        if let Some((_, id)) = keys::split_by_parent(k) {
            ids.push(id);
        }
        Ok(Flow::Continue(()))
    })?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(bytes) = v.blob(Blob::Tokens, &id.to_be_bytes())? {
            out.push(to_info(id, &decode(&bytes)?)?);
        }
    }
    Ok(out)
}

/// Revokes a token. False when there was none with this id visible to the caller.
pub(crate) fn revoke(w: &mut WriteView<'_>, ctx: &Ctx<'_>, who: &Principal, token: u64) -> Result<bool> {
    let Some(bytes) = w.blob(Blob::Tokens, &token.to_be_bytes())? else { return Ok(false) };
    let rec: TokenRecord = decode(&bytes)?;
    let chain = match require_token_admin(w, ctx, who, AccountId::new(rec.account)?, Action::AdminsUpdate) {
        Ok(chain) => chain,
        Err(Error::NotFound { .. }) => return Ok(false),
        Err(e) => return Err(e),
    };
    w.remove_blob(Blob::TokensByAccount, &keys::by_parent(rec.account, token))?;
    w.remove_blob(Blob::TokenHashes, &rec.hash)?;
    let removed = w.remove_blob(Blob::Tokens, &token.to_be_bytes())?;
    feed::emit(w, ctx, who, Event::on("token.revoke", "token", token, chain.as_ref(), None)?)?;
    Ok(removed)
}

/// Removes every token of an account (when it is deleted).
pub(crate) fn remove_tokens_of(w: &mut WriteView<'_>, account: u64) -> Result<()> {
    let mut ids = Vec::new();
    w.scan(Blob::TokensByAccount, KeyRange::prefix(&keys::parent_prefix(account)), false, &mut |k, _| {
        if let Some((_, id)) = keys::split_by_parent(k) {
            ids.push(id);
        }
        Ok(Flow::Continue(()))
    })?;
    for id in ids {
        if let Some(bytes) = w.blob(Blob::Tokens, &id.to_be_bytes())? {
            let rec: TokenRecord = decode(&bytes)?;
            w.remove_blob(Blob::TokenHashes, &rec.hash)?;
        }
        w.remove_blob(Blob::Tokens, &id.to_be_bytes())?;
    }
    w.remove_range(Blob::TokensByAccount, KeyRange::prefix(&keys::parent_prefix(account)))?;
    Ok(())
}

/// The account a token secret stands for, if it is valid now. Every failure is the same
/// UNAUTHENTICATED.
pub(crate) fn token_account(v: &impl View, now: Timestamp, secret: &str) -> Result<u64> {
    if secret.is_empty() || secret.len() > 1024 {
        return Err(Error::Unauthenticated);
    }
    let hash = token_hash(secret);
    let id_bytes = v.blob(Blob::TokenHashes, &hash)?.ok_or(Error::Unauthenticated)?;
    let id: [u8; 8] = id_bytes.as_slice().try_into().map_err(|_| Error::corrupted("token hash index"))?;
    let bytes = v.blob(Blob::Tokens, &id)?.ok_or(Error::Unauthenticated)?;
    let rec: TokenRecord = decode(&bytes)?;
    // The index found it by hash; compare the stored hash too, in constant time, so that a
    // damaged index can never let a wrong secret through.
    let diff = hash.iter().zip(rec.hash.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if diff != 0 || rec.expires.is_some_and(|e| e <= now.as_micros()) {
        return Err(Error::Unauthenticated);
    }
    Ok(rec.account)
}

/// The session of an account: its actor, record and whether it may only read.
pub(crate) fn session(v: &impl View, id: u64) -> Result<crate::account::Session> {
    let actor = crate::engine::access::Actor::account(AccountId::new(id)?);
    let who = Principal::resolve(v, &actor)?;
    let rec = load_account(v, id)?.ok_or(Error::Unauthenticated)?;
    let read_only = who.account().is_some_and(|a| a.off.is_some());
    Ok(crate::account::Session { actor, account: crate::engine::accounts::to_account(v, id, &rec)?, read_only })
}

/// Username and password to a session. Unknown user, wrong password, no password set and a
/// disabled account all answer the same UNAUTHENTICATED, after the same amount of hashing.
pub(crate) fn login(v: &impl View, decoy: &str, username: &str, password: &str) -> Result<crate::account::Session> {
    let id = match v.blob(Blob::Usernames, username.to_ascii_lowercase().as_bytes())? {
        Some(bytes) => {
            Some(u64::from_be_bytes(bytes.as_slice().try_into().map_err(|_| Error::corrupted("username index"))?))
        }
        None => None,
    };
    let hash = match id {
        Some(id) => load_account(v, id)?.and_then(|r| r.password),
        None => None,
    };
    let verified = match &hash {
        Some(h) => verify_password(h, password),
        None => {
            let _ = verify_password(decoy, password);
            false
        }
    };
    match (id, verified) {
        (Some(id), true) => session(v, id),
        _ => Err(Error::Unauthenticated),
    }
}

/// A token secret to a session.
pub(crate) fn authenticate(v: &impl View, now: Timestamp, secret: &str) -> Result<crate::account::Session> {
    let id = token_account(v, now, secret)?;
    session(v, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(policy: &PasswordPolicy, pw: &str, info: &[&str]) -> Vec<String> {
        let info: Vec<String> = info.iter().map(|s| (*s).to_owned()).collect();
        match check_password(policy, pw, &info) {
            Ok(()) => Vec::new(),
            Err(Error::WeakPassword { rules }) => rules,
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn each_rule_of_004_is_named() {
        let p = PasswordPolicy::default();
        assert!(rules(&p, "Tr0ub4dor!", &["alice"]).is_empty());
        assert_eq!(rules(&p, "T0!a", &[]), ["min_length"]);
        assert_eq!(rules(&p, &format!("T0!{}", "xy".repeat(20)), &[]), ["max_length"]);
        assert_eq!(rules(&p, "1357924!", &[]), ["contains_letters"]);
        assert_eq!(rules(&p, "Trou!bador", &[]), ["contains_numbers"]);
        assert_eq!(rules(&p, "trou4bador", &[]), ["contains_special_letters"]);
        assert_eq!(rules(&p, "Tr0ub!xyz", &[]), ["disable_sequential_characters"]);
        assert_eq!(rules(&p, "Tr0ub!987", &[]), ["disable_sequential_characters"]);
        assert_eq!(rules(&p, "Tr0ub!CBA", &[]), ["disable_sequential_characters"]);
        assert_eq!(rules(&p, "Tr0uuub!", &[]), ["disable_repeating_characters"]);
        assert_eq!(rules(&p, "Xalice9!", &["alice"]), ["disable_account_information"]);
        assert_eq!(rules(&p, "Xjohn.d0e!", &["john.d0e@example.com", "john.d0e"]), ["disable_account_information"]);
        assert_eq!(rules(&p, "ab", &[]).len(), 3, "min_length, contains_numbers, contains_special_letters");
    }

    #[test]
    fn rules_can_be_switched_off() {
        let p = PasswordPolicy {
            min_length: 1,
            max_length: 64,
            contains_letters: false,
            contains_numbers: false,
            contains_special_letters: false,
            disable_sequential_characters: false,
            disable_repeating_characters: false,
            disable_account_information: false,
        };
        assert!(rules(&p, "aaa123abc", &["aaa"]).is_empty());
        assert_eq!(rules(&p, "a\u{7}b", &[]), ["no_control_characters"]);
    }

    #[test]
    fn mixed_runs_are_not_sequences() {
        assert!(!sequential('a', 'b', '3'));
        assert!(!sequential('9', ':', ';'));
        assert!(sequential('X', 'y', 'Z'));
    }

    #[test]
    fn hashes_verify_and_record_their_parameters() {
        let h = decoy_hash(&PasswordParams::fast());
        assert!(h.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{h}");
        assert!(verify_password(&h, "decoy"));
        assert!(!verify_password(&h, "decoy!"));
        assert!(!verify_password("not a hash", "decoy"));
    }
}
