//! Accounts: creation rules, updates, deletion, passwords and policies, login, tokens, roles
//! and the outbox.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{AccountQuery, AccountUpdate, Actor, MessageKind, NewAccount, NewToken, PasswordPolicy, Role, Status};

#[test]
fn usernames_are_validated_and_unique_ignoring_case() {
    let store = store();
    let c = chain(&store);
    let (a, _) = account(&store, "John.Doe@netaxis.be", "reseller_admin", Some(c.reseller.id));
    assert_eq!(a.email.as_deref(), Some("John.Doe@netaxis.be"), "an e-mail username is the contact e-mail");
    assert_eq!(a.node, Some(c.reseller.id));
    assert!(a.has_password && a.enabled && !a.force_password_reset);
    let err = refused(&store, "ALREADY_EXISTS", || {
        store.create_account(&sys(), NewAccount::new("john.doe@NETAXIS.be", "reseller_admin").node(c.dist.id))
    });
    assert_eq!(err.details()["existing"], a.id.to_string());
    for bad in ["", "admin", "ROOT", "has space", ".x", "x.", "a/b", &"a".repeat(129)] {
        let err = refused(&store, "INVALID_ARGUMENT", || {
            store.create_account(&sys(), NewAccount::new(bad, "reseller_admin").node(c.dist.id))
        });
        assert_eq!(err.details()["field"], "username", "{bad:?}");
    }
    let err = refused(&store, "INVALID_ARGUMENT", || {
        store.create_account(&sys(), NewAccount::new("x", "emperor").node(c.dist.id))
    });
    assert_eq!(err.details()["field"], "role");
    let mut bad_mobile = NewAccount::new("m", "tenant_admin").node(c.tenant.id);
    bad_mobile.mobile = Some("call me".into());
    refused(&store, "INVALID_ARGUMENT", || store.create_account(&sys(), bad_mobile.clone()));
    let ghost = "01900000-0000-7000-8000-000000000001".parse().unwrap();
    refused(&store, "NOT_FOUND", || store.create_account(&sys(), NewAccount::new("g", "tenant_admin").node(ghost)));
}

#[test]
fn accounts_block_the_delete_of_their_node() {
    let store = store();
    let c = chain(&store);
    let (a, _) = account(&store, "ops", "tenant_admin", Some(c.tenant.id));
    let err = refused(&store, "STILL_IN_USE", || store.delete_node(&sys(), c.tenant.id));
    assert_eq!(err.details()["blockers"][0]["kind"], "account");
    assert_eq!(err.details()["blockers"][0]["names"][0], "ops");
    assert!(store.write(&sys(), |tx| tx.delete_account(a.id)).unwrap());
    assert!(!store.write(&sys(), |tx| tx.delete_account(a.id)).unwrap());
    assert!(store.delete_node(&sys(), c.tenant.id).unwrap());
    assert_clean(&store);
}

#[test]
fn updates_change_details_roles_and_versions() {
    let store = store();
    let c = chain(&store);
    let (a, me) = account(&store, "ops", "reseller_admin", Some(c.reseller.id));
    let upd = AccountUpdate {
        first_name: Some(Some("John".into())),
        mobile: Some(Some("+33613575607".into())),
        ..Default::default()
    };
    let got = store.write(&me, |tx| tx.update_account(a.id, &upd)).unwrap();
    assert_eq!((got.first_name.as_deref(), got.version), (Some("John"), 2));
    // Nobody changes their own role.
    let promote = AccountUpdate { role: Some("system_admin".into()), ..Default::default() };
    refused(&store, "FORBIDDEN", || store.write(&me, |tx| tx.update_account(a.id, &promote)));
    // An admin cannot hand out more than it has.
    let (other, _) = account(&store, "other", "tenant_admin", Some(c.tenant.id));
    refused(&store, "FORBIDDEN", || store.write(&me, |tx| tx.update_account(other.id, &promote)));
    let demote = AccountUpdate { role: Some("tenant_user".into()), expected_version: Some(1), ..Default::default() };
    assert_eq!(store.write(&me, |tx| tx.update_account(other.id, &demote)).unwrap().role, "tenant_user");
    refused(&store, "CONFLICT", || store.write(&me, |tx| tx.update_account(other.id, &demote)));
}

#[test]
fn password_policies_apply_to_their_subtree_nearest_first() {
    let store = store();
    let c = chain(&store);
    let strict = PasswordPolicy { min_length: 12, ..PasswordPolicy::default() };
    let relaxed = PasswordPolicy {
        min_length: 4,
        max_length: 64,
        contains_letters: false,
        contains_numbers: false,
        contains_special_letters: false,
        disable_sequential_characters: false,
        disable_repeating_characters: false,
        disable_account_information: false,
    };
    store.write(&sys(), |tx| tx.set_password_policy(Some(c.dist.id), Some(&strict))).unwrap();
    store.write(&sys(), |tx| tx.set_password_policy(Some(c.tenant.id), Some(&relaxed))).unwrap();
    let eff = store.read(&sys(), |tx| tx.password_policy(Some(c.reseller.id))).unwrap();
    assert_eq!((eff.policy, eff.source, eff.own), (strict, Some(c.dist.id), false));
    let err = refused(&store, "WEAK_PASSWORD", || {
        store
            .create_account(&sys(), NewAccount::new("r1", "reseller_admin").node(c.reseller.id).password(GOOD_PASSWORD))
    });
    assert_eq!(err.details()["rules"], serde_json::json!(["min_length"]));
    store.create_account(&sys(), NewAccount::new("t1", "tenant_admin").node(c.tenant.id).password("aaaa")).unwrap();
    // Outside any policy, the store default (004's defaults) applies.
    let err = refused(&store, "WEAK_PASSWORD", || {
        store.create_account(&sys(), NewAccount::new("p1", "system_admin").node(c.platform.id).password("password"))
    });
    assert_eq!(err.details()["rules"], serde_json::json!(["contains_numbers", "contains_special_letters"]));
    refused(&store, "INVALID_ARGUMENT", || {
        let bad = PasswordPolicy { min_length: 10, max_length: 5, ..PasswordPolicy::default() };
        store.write(&sys(), |tx| tx.set_password_policy(Some(c.tenant.id), Some(&bad)))
    });
    store.write(&sys(), |tx| tx.set_password_policy(Some(c.tenant.id), None)).unwrap();
    let eff = store.read(&sys(), |tx| tx.password_policy(Some(c.tenant.id))).unwrap();
    assert_eq!(eff.source, Some(c.dist.id));
}

#[test]
fn login_answers_the_same_for_every_failure() {
    let (store, _) = store_with(tenantree::Preset::Channel);
    let c = chain(&store);
    let (a, _) = account(&store, "Ops@Acme.example", "reseller_admin", Some(c.reseller.id));
    let session = store.login("ops@acme.EXAMPLE", GOOD_PASSWORD).unwrap();
    assert_eq!(session.account.id, a.id);
    assert_eq!(session.actor, Actor::account(a.id));
    assert!(!session.read_only);
    store.create_account(&sys(), NewAccount::new("nopass", "tenant_admin").node(c.tenant.id)).unwrap();
    let failures = [
        store.login("ops@acme.example", "wrong").unwrap_err(),
        store.login("nobody", GOOD_PASSWORD).unwrap_err(),
        store.login("nopass", "").unwrap_err(),
    ];
    for e in &failures {
        assert_eq!(e, &tenantree::Error::Unauthenticated);
        assert_eq!(e.to_string(), "authentication failed");
    }
    store
        .write(&sys(), |tx| tx.update_account(a.id, &AccountUpdate { enabled: Some(false), ..Default::default() }))
        .unwrap();
    assert_eq!(store.login("ops@acme.example", GOOD_PASSWORD).unwrap_err().code(), "UNAUTHENTICATED");
    // A disabled account cannot act either.
    assert_eq!(store.get_node(&Actor::account(a.id), c.reseller.id).unwrap_err().code(), "UNAUTHENTICATED");
}

#[test]
fn setting_a_password_needs_the_current_one_or_an_admin() {
    let store = store();
    let c = chain(&store);
    let (a, me) = account(&store, "ops", "tenant_admin", Some(c.tenant.id));
    refused(&store, "UNAUTHENTICATED", || store.write(&me, |tx| tx.set_password(a.id, "N3w!passw0rd", Some("wrong"))));
    refused(&store, "UNAUTHENTICATED", || store.write(&me, |tx| tx.set_password(a.id, "N3w!passw0rd", None)));
    let err =
        refused(&store, "WEAK_PASSWORD", || store.write(&me, |tx| tx.set_password(a.id, "short", Some(GOOD_PASSWORD))));
    assert!(err.details()["rules"].as_array().unwrap().iter().any(|r| r == "min_length"));
    store.write(&me, |tx| tx.set_password(a.id, "N3w!passw0rd", Some(GOOD_PASSWORD))).unwrap();
    store.login("ops", "N3w!passw0rd").unwrap();
    assert!(store.login("ops", GOOD_PASSWORD).is_err());
    // The dealer above resets it without knowing it, and can force a change.
    let (_, dealer) = account(&store, "dealer", "reseller_admin", Some(c.reseller.id));
    let upd = AccountUpdate { force_password_reset: Some(true), ..Default::default() };
    store.write(&dealer, |tx| tx.update_account(a.id, &upd)).unwrap();
    let reset = store.write(&dealer, |tx| tx.set_password(a.id, "Adm1n!chosen", None)).unwrap();
    assert!(reset.force_password_reset, "an admin's reset keeps the forced change");
    let mine = store.write(&me, |tx| tx.set_password(a.id, "M1ne!again9", Some("Adm1n!chosen"))).unwrap();
    assert!(!mine.force_password_reset);
    // The password is never part of what is read.
    let json = serde_json::to_string(&store.get_account(&sys(), a.id).unwrap()).unwrap();
    assert!(!json.contains("argon2") && !json.contains("M1ne"), "{json}");
}

#[test]
fn tokens_act_for_their_account_until_revoked_or_expired() {
    let (store, clock) = store_with(tenantree::Preset::Channel);
    let c = chain(&store);
    let (a, me) = account(&store, "ops", "reseller_admin", Some(c.reseller.id));
    let t = store.issue_token(&me, a.id, &NewToken { name: "ci".into(), expires_in: Some(60) }).unwrap();
    assert!(t.secret.starts_with("tt_"));
    let session = store.authenticate(&t.secret).unwrap();
    assert_eq!(session.account.id, a.id);
    let listed = store.read(&me, |tx| tx.tokens(a.id)).unwrap();
    assert_eq!(listed, vec![t.info.clone()]);
    assert!(!serde_json::to_string(&listed).unwrap().contains(&t.secret));
    // Tampered or unknown secrets fail the same way.
    let mut tampered = t.secret.clone();
    tampered.pop();
    tampered.push('A');
    for bad in [tampered.as_str(), "tt_999_xyz", "garbage", ""] {
        assert_eq!(store.authenticate(bad).unwrap_err().code(), "UNAUTHENTICATED", "{bad}");
    }
    clock.advance(61_000_000);
    assert_eq!(store.authenticate(&t.secret).unwrap_err().code(), "UNAUTHENTICATED");
    let forever = store.issue_token(&me, a.id, &NewToken { name: "forever".into(), expires_in: None }).unwrap();
    store.authenticate(&forever.secret).unwrap();
    assert!(store.write(&me, |tx| tx.revoke_token(forever.info.id)).unwrap());
    assert_eq!(store.authenticate(&forever.secret).unwrap_err().code(), "UNAUTHENTICATED");
    // Another dealer cannot see or revoke this account's tokens.
    let other = create(&store, "distributor", "south", Some(c.platform.id));
    let (_, stranger) = account(&store, "stranger", "distributor_admin", Some(other.id));
    let third = store.issue_token(&sys(), a.id, &NewToken { name: "third".into(), expires_in: None }).unwrap();
    assert_eq!(store.read(&stranger, |tx| tx.tokens(a.id)).unwrap_err().code(), "NOT_FOUND");
    assert!(!store.write(&stranger, |tx| tx.revoke_token(third.info.id)).unwrap());
    store.authenticate(&third.secret).unwrap();
    // Deleting the account removes its tokens.
    store.write(&sys(), |tx| tx.delete_account(a.id)).unwrap();
    assert_eq!(store.authenticate(&third.secret).unwrap_err().code(), "UNAUTHENTICATED");
}

#[test]
fn welcome_messages_go_to_the_outbox_in_the_same_transaction() {
    let store = store();
    let c = chain(&store);
    let new = NewAccount::new("john.doe@netaxis.be", "reseller_admin").node(c.reseller.id).welcome();
    let a = store.create_account(&sys(), new).unwrap();
    assert!(!a.has_password, "003's admins set their password from the mail");
    let msgs = store.read(&sys(), |tx| tx.outbox(0, 10)).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].kind, MessageKind::Welcome);
    assert_eq!(msgs[0].recipient.as_deref(), Some("john.doe@netaxis.be"));
    assert_eq!(msgs[0].node, Some(c.reseller.id));
    let again = store.write(&sys(), |tx| tx.send_welcome(a.id)).unwrap();
    assert!(again.id > msgs[0].id);
    // A refused creation queues nothing.
    let dup = NewAccount::new("JOHN.doe@netaxis.be", "reseller_admin").node(c.reseller.id).welcome();
    assert!(store.create_account(&sys(), dup).is_err());
    assert_eq!(store.read(&sys(), |tx| tx.outbox(0, 10)).unwrap().len(), 2);
    assert_eq!(store.write(&sys(), |tx| tx.ack_outbox(msgs[0].id)).unwrap(), 1);
    let rest = store.read(&sys(), |tx| tx.outbox(0, 10)).unwrap();
    assert_eq!(rest.iter().map(|m| m.id).collect::<Vec<_>>(), vec![again.id]);
    // The outbox is the host's: accounts cannot read it.
    let (_, admin) = account(&store, "admin2", "reseller_admin", Some(c.reseller.id));
    assert_eq!(store.read(&admin, |tx| tx.outbox(0, 10)).unwrap_err().code(), "FORBIDDEN");
    let no_mail = store.create_account(&sys(), NewAccount::new("plain", "tenant_admin").node(c.tenant.id)).unwrap();
    refused(&store, "INVALID_ARGUMENT", || store.write(&sys(), |tx| tx.send_welcome(no_mail.id)));
}

#[test]
fn accounts_of_a_node_are_listed_searched_and_paged() {
    let store = store();
    let c = chain(&store);
    for i in 0..12 {
        let mut n = NewAccount::new(format!("user{i:02}@acme.example"), "tenant_user").node(c.tenant.id);
        n.last_name = Some(if i % 3 == 0 { "Smith".into() } else { "Jones".into() });
        store.create_account(&sys(), n).unwrap();
    }
    account(&store, "elsewhere", "reseller_admin", Some(c.reseller.id));
    let page = store
        .read(&sys(), |tx| tx.accounts(Some(c.tenant.id), &AccountQuery { limit: Some(5), ..Default::default() }))
        .unwrap();
    assert_eq!((page.total, page.items.len(), page.pages), (12, 5, 3));
    let mut all = page.items.clone();
    let mut q = AccountQuery { limit: Some(5), cursor: page.next.clone(), ..Default::default() };
    while q.cursor.is_some() {
        let p = store.read(&sys(), |tx| tx.accounts(Some(c.tenant.id), &q)).unwrap();
        all.extend(p.items);
        q.cursor = p.next;
    }
    assert_eq!(all.len(), 12);
    let smiths = store
        .read(&sys(), |tx| {
            tx.accounts(Some(c.tenant.id), &AccountQuery { search: Some("smith".into()), ..Default::default() })
        })
        .unwrap();
    assert_eq!(smiths.total, 4);
    // A tenant user may not list its colleagues; the tenant admin may.
    let (_, user) = account(&store, "u", "tenant_user", Some(c.tenant.id));
    assert_eq!(
        store.read(&user, |tx| tx.accounts(Some(c.tenant.id), &AccountQuery::default())).unwrap_err().code(),
        "FORBIDDEN"
    );
    let (_, admin) = account(&store, "ta", "tenant_admin", Some(c.tenant.id));
    assert_eq!(store.read(&admin, |tx| tx.accounts(Some(c.tenant.id), &AccountQuery::default())).unwrap().total, 14);
}

#[test]
fn custom_roles_are_stored_used_and_guarded() {
    let store = store();
    let c = chain(&store);
    let auditor = Role::new("auditor", ["*.list", "*.instance.read"]);
    store.write(&sys(), |tx| tx.define_role(&auditor)).unwrap();
    let roles = store.read(&sys(), |tx| tx.roles()).unwrap();
    assert!(roles.iter().any(|r| r.name == "auditor" && !r.builtin));
    assert!(roles.iter().any(|r| r.name == "tenant_admin" && r.builtin));
    let (a, who) = account(&store, "aud", "auditor", Some(c.dist.id));
    store.get_node(&who, c.tenant.id).unwrap();
    let err = store.set_status(&who, c.tenant.id, Status::Disabled).unwrap_err();
    assert_eq!(err.code(), "FORBIDDEN");
    assert_eq!(err.details()["action"], "tenant.instance.status.update");
    refused(&store, "STILL_IN_USE", || store.write(&sys(), |tx| tx.delete_role("auditor")));
    refused(&store, "ALREADY_EXISTS", || store.write(&sys(), |tx| tx.define_role(&Role::new("tenant_admin", ["*"]))));
    refused(&store, "INVALID_ARGUMENT", || store.write(&sys(), |tx| tx.define_role(&Role::new("bad", ["a..b"]))));
    // Only the store's administrators define roles.
    let (_, dealer) = account(&store, "dealer", "distributor_admin", Some(c.dist.id));
    refused(&store, "FORBIDDEN", || store.write(&dealer, |tx| tx.define_role(&Role::new("x", ["*.list"]))));
    store.write(&sys(), |tx| tx.delete_account(a.id)).unwrap();
    assert!(store.write(&sys(), |tx| tx.delete_role("auditor")).unwrap());
    assert!(!store.write(&sys(), |tx| tx.delete_role("auditor")).unwrap());
}

#[test]
fn store_wide_accounts_see_everything_and_are_managed_by_the_system() {
    let store = store();
    let c = chain(&store);
    let (admin, who) = account(&store, "root-admin", "system_admin", None);
    assert_eq!(admin.node, None);
    assert_eq!(store.children(&who, None, &Default::default()).unwrap().total, 1);
    store.get_node(&who, c.tenant.id).unwrap();
    let (_, dealer) = account(&store, "dealer", "distributor_admin", Some(c.dist.id));
    refused(&store, "NOT_FOUND", || store.create_account(&dealer, NewAccount::new("x", "tenant_user")));
    let listed = store.read(&who, |tx| tx.accounts(None, &AccountQuery::default())).unwrap();
    assert_eq!(listed.items.iter().map(|a| a.username.as_str()).collect::<Vec<_>>(), ["root-admin"]);
}

#[test]
fn a_host_may_register_a_token_it_chose() {
    let store = store();
    let (admin, _) = account(&store, "root-admin", "system_admin", None);
    let new = NewToken { name: "configured".into(), expires_in: None };
    let t = store.write(&sys(), |tx| tx.register_token(admin.id, &new, "my-admin-token-0123456789")).unwrap();
    assert_eq!(t.secret, "my-admin-token-0123456789");
    assert_eq!(store.authenticate("my-admin-token-0123456789").unwrap().account.id, admin.id);
    refused(&store, "ALREADY_EXISTS", || {
        store.write(&sys(), |tx| tx.register_token(admin.id, &new, "my-admin-token-0123456789"))
    });
    for weak in ["short", "has a space in it!!", "nön-ascii-secret-xx"] {
        refused(&store, "INVALID_ARGUMENT", || store.write(&sys(), |tx| tx.register_token(admin.id, &new, weak)));
    }
    assert!(store.write(&sys(), |tx| tx.revoke_token(t.info.id)).unwrap());
    assert_eq!(store.authenticate("my-admin-token-0123456789").unwrap_err().code(), "UNAUTHENTICATED");
    assert_clean(&store);
}
