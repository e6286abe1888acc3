//! Commands on accounts and API tokens.

use std::io::{BufRead, Write};

use clap::{Args, Subcommand};
use tenantree::{Account, AccountQuery, AccountUpdate, Error, NewAccount, NewToken, Store};

use crate::out::Out;
use crate::{Cli, Outcome, actor, open, parse_id};

/// Where a password comes from.
#[derive(Args, Debug, Default)]
pub(crate) struct PasswordArgs {
    /// The password (visible in the process list: prefer --password-stdin).
    #[arg(long)]
    password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long, conflicts_with = "password")]
    password_stdin: bool,
}

impl PasswordArgs {
    fn read(&self) -> Result<Option<String>, Error> {
        if self.password_stdin {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Error::Storage { message: format!("cannot read the password: {e}") })?;
            return Ok(Some(line.trim_end_matches(['\n', '\r']).to_owned()));
        }
        Ok(self.password.clone())
    }
}

/// `account` subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum AccountCmd {
    /// Create an account bound to a node (store-wide without --node).
    Create {
        /// The username (a login name or an e-mail address).
        username: String,
        /// The role.
        #[arg(long)]
        role: String,
        /// The node it is bound to.
        #[arg(long)]
        node: Option<String>,
        #[command(flatten)]
        password: PasswordArgs,
        /// Contact e-mail.
        #[arg(long)]
        email: Option<String>,
        /// First name.
        #[arg(long)]
        first_name: Option<String>,
        /// Last name.
        #[arg(long)]
        last_name: Option<String>,
        /// Mobile phone.
        #[arg(long)]
        mobile: Option<String>,
        /// Queue a welcome message in the outbox.
        #[arg(long)]
        welcome: bool,
    },
    /// List the accounts of a node (the store-wide ones without a node).
    List {
        /// The node.
        node: Option<String>,
        /// Case-insensitive substring of the username, names or e-mail.
        #[arg(long)]
        search: Option<String>,
        /// Page size.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Continue after a `next` token.
        #[arg(long)]
        cursor: Option<String>,
    },
    /// Show an account.
    Get {
        /// The username.
        username: String,
    },
    /// Change an account.
    Update {
        /// The username.
        username: String,
        /// A new role.
        #[arg(long)]
        role: Option<String>,
        /// Enable or disable (true/false).
        #[arg(long)]
        enabled: Option<bool>,
        /// Force a password change at the next login (true/false).
        #[arg(long)]
        force_reset: Option<bool>,
        /// First name.
        #[arg(long)]
        first_name: Option<String>,
        /// Last name.
        #[arg(long)]
        last_name: Option<String>,
        /// Mobile phone.
        #[arg(long)]
        mobile: Option<String>,
        /// Contact e-mail.
        #[arg(long)]
        email: Option<String>,
    },
    /// Delete an account and its tokens.
    Delete {
        /// The username.
        username: String,
    },
    /// Set an account's password.
    Password {
        /// The username.
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
        /// The current password (when an account changes its own).
        #[arg(long)]
        current: Option<String>,
    },
    /// Queue a welcome message for an account.
    Welcome {
        /// The username.
        username: String,
    },
    /// Show (or acknowledge) the outbox of messages to send.
    Outbox {
        /// Remove the messages up to and including this id.
        #[arg(long)]
        ack: Option<u64>,
    },
}

/// `token` subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum TokenCmd {
    /// Issue a token for an account; the secret is printed once.
    Issue {
        /// The username.
        username: String,
        /// A label.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Lifetime in seconds.
        #[arg(long)]
        expires_in: Option<u64>,
    },
    /// List an account's tokens.
    List {
        /// The username.
        username: String,
    },
    /// Revoke a token.
    Revoke {
        /// The token id.
        id: u64,
    },
}

fn account_id(store: &Store, who: &tenantree::Actor, username: &str) -> Result<tenantree::AccountId, Error> {
    Ok(store.read(who, |tx| tx.account_by_username(username))?.id)
}

fn rows(accounts: &[Account]) -> Vec<Vec<String>> {
    accounts
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                a.username.clone(),
                a.role.clone(),
                a.node.map_or_else(|| "(store)".to_owned(), |n| n.to_string()),
                if a.enabled { "enabled".into() } else { "disabled".into() },
            ]
        })
        .collect()
}

fn print_account(o: &mut Out, a: &Account) -> Outcome<()> {
    if o.is_json() {
        return o.json(a);
    }
    o.table(&["ID", "USERNAME", "ROLE", "NODE", "STATE"], &rows(std::slice::from_ref(a)))
}

pub(crate) fn account(cli: &Cli, o: &mut Out, cmd: &AccountCmd) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    match cmd {
        AccountCmd::Create { username, role, node, password, email, first_name, last_name, mobile, welcome } => {
            let mut new = NewAccount::new(username, role);
            new.node = node.as_deref().map(parse_id).transpose()?;
            new.password = password.read()?;
            new.email = email.clone();
            new.first_name = first_name.clone();
            new.last_name = last_name.clone();
            new.mobile = mobile.clone();
            new.send_welcome = *welcome;
            let a = store.create_account(&who, new)?;
            print_account(o, &a)
        }
        AccountCmd::List { node, search, limit, cursor } => {
            let node = node.as_deref().map(parse_id).transpose()?;
            let q = AccountQuery { search: search.clone(), offset: 0, limit: Some(*limit), cursor: cursor.clone() };
            let page = store.read(&who, |tx| tx.accounts(node, &q))?;
            if o.is_json() {
                return o.json(&page);
            }
            o.table(&["ID", "USERNAME", "ROLE", "NODE", "STATE"], &rows(&page.items))?;
            writeln!(o.w(), "-- {} of {}", page.items.len(), page.total)?;
            if let Some(next) = &page.next {
                writeln!(o.w(), "-- next: --cursor {next}")?;
            }
            Ok(())
        }
        AccountCmd::Get { username } => {
            let a = store.read(&who, |tx| tx.account_by_username(username))?;
            print_account(o, &a)
        }
        AccountCmd::Update { username, role, enabled, force_reset, first_name, last_name, mobile, email } => {
            let id = account_id(&store, &who, username)?;
            let set = |v: &Option<String>| v.as_ref().map(|s| if s.is_empty() { None } else { Some(s.clone()) });
            let upd = AccountUpdate {
                first_name: set(first_name),
                last_name: set(last_name),
                mobile: set(mobile),
                email: set(email),
                role: role.clone(),
                enabled: *enabled,
                force_password_reset: *force_reset,
                expected_version: None,
            };
            let a = store.write(&who, |tx| tx.update_account(id, &upd))?;
            print_account(o, &a)
        }
        AccountCmd::Delete { username } => {
            let id = account_id(&store, &who, username)?;
            let deleted = store.write(&who, |tx| tx.delete_account(id))?;
            o.emit(&serde_json::json!({"id": id, "deleted": deleted}), |w| writeln!(w, "deleted account {username}"))
        }
        AccountCmd::Password { username, password, current } => {
            let id = account_id(&store, &who, username)?;
            let Some(new) = password.read()? else {
                return Err(Error::InvalidArgument {
                    field: "password".into(),
                    reason: "give --password or --password-stdin".into(),
                }
                .into());
            };
            let a = store.write(&who, |tx| tx.set_password(id, &new, current.as_deref()))?;
            print_account(o, &a)
        }
        AccountCmd::Welcome { username } => {
            let id = account_id(&store, &who, username)?;
            let m = store.write(&who, |tx| tx.send_welcome(id))?;
            o.emit(&m, |w| writeln!(w, "queued message {} for {}", m.id, m.recipient.as_deref().unwrap_or("-")))
        }
        AccountCmd::Outbox { ack } => {
            if let Some(up_to) = ack {
                let n = store.write(&who, |tx| tx.ack_outbox(*up_to))?;
                return o.emit(&serde_json::json!({"removed": n}), |w| writeln!(w, "removed {n} messages"));
            }
            let messages = store.read(&who, |tx| tx.outbox(0, 1000))?;
            if o.is_json() {
                return o.json(&messages);
            }
            let rows: Vec<Vec<String>> = messages
                .iter()
                .map(|m| {
                    vec![
                        m.id.to_string(),
                        format!("{:?}", m.kind).to_lowercase(),
                        m.username.clone(),
                        m.recipient.clone().unwrap_or_default(),
                        m.created.to_string(),
                    ]
                })
                .collect();
            o.table(&["ID", "KIND", "ACCOUNT", "TO", "QUEUED"], &rows)
        }
    }
}

pub(crate) fn token(cli: &Cli, o: &mut Out, cmd: &TokenCmd) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    match cmd {
        TokenCmd::Issue { username, name, expires_in } => {
            let id = account_id(&store, &who, username)?;
            let t = store.issue_token(&who, id, &NewToken { name: name.clone(), expires_in: *expires_in })?;
            o.emit(&t, |w| {
                writeln!(w, "token {} for {username} (shown once):", t.info.id)?;
                writeln!(w, "{}", t.secret)
            })
        }
        TokenCmd::List { username } => {
            let id = account_id(&store, &who, username)?;
            let tokens = store.read(&who, |tx| tx.tokens(id))?;
            if o.is_json() {
                return o.json(&tokens);
            }
            let rows: Vec<Vec<String>> = tokens
                .iter()
                .map(|t| {
                    vec![
                        t.id.to_string(),
                        t.name.clone(),
                        t.created.to_string(),
                        t.expires.map_or_else(|| "never".to_owned(), |e| e.to_string()),
                    ]
                })
                .collect();
            o.table(&["ID", "NAME", "ISSUED", "EXPIRES"], &rows)
        }
        TokenCmd::Revoke { id } => {
            let revoked = store.write(&who, |tx| tx.revoke_token(*id))?;
            o.emit(&serde_json::json!({"id": id, "revoked": revoked}), |w| {
                if revoked { writeln!(w, "revoked token {id}") } else { writeln!(w, "no token {id}") }
            })
        }
    }
}
