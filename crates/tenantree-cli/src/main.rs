//! `tenantree`: operate a tenantree store from the shell.
//!
//! Every command acts as the system actor, unless `--as USERNAME` names an account: then the
//! account's scope and role apply, so the command shows what that admin would see. Whoever
//! can open the database file can act as anyone, so `--as` asks for no password.
//!
//! Output is a human table or tree by default and JSON with `--json`. Errors print their
//! stable code and details on standard error; the exit status is 1 for a refused operation
//! or a failed check, 2 for a malformed command line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tenantree::{Actor, Error, NodeId, Store};

mod accounts;
mod config;
mod demo;
mod nodes;
mod out;
mod serve;
mod transfer;
mod tree;

#[derive(Parser, Debug)]
#[command(name = "tenantree", version, about = "Operate a tenantree store: a reseller hierarchy with quotas")]
pub(crate) struct Cli {
    /// The database file.
    #[arg(long, global = true, env = "TENANTREE_DB", default_value = "tenantree.redb")]
    pub(crate) db: PathBuf,
    /// Print JSON instead of tables and trees.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Act as this account (its scope and role apply) instead of the system.
    #[arg(long = "as", global = true, value_name = "USERNAME")]
    pub(crate) as_user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create the database with a schema preset.
    Init {
        /// channel (default), clients, fusion or seeds.
        #[arg(long, default_value = "channel")]
        preset: String,
    },
    /// Build a realistic sample channel in the database and print it.
    Demo {
        /// How many tenants to create in all.
        #[arg(long, default_value_t = 2400)]
        tenants: u32,
        /// Remove the database file first.
        #[arg(long)]
        reset: bool,
    },
    /// Print the hierarchy with status and quota bars.
    Tree {
        /// Start at this node instead of the top level.
        node: Option<String>,
        /// How many levels to print.
        #[arg(long)]
        depth: Option<u32>,
        /// Print only nodes of this kind and the nodes above them.
        #[arg(long)]
        kind: Option<String>,
        /// At most this many children per node; the rest are summarised.
        #[arg(long, default_value_t = 25)]
        max_children: u32,
        /// Show node ids.
        #[arg(long)]
        ids: bool,
    },
    /// Show one node with its quotas and counts.
    Get {
        /// The node id.
        node: String,
    },
    /// List the children of a node (the top level without one).
    Ls(nodes::LsArgs),
    /// List the descendants of one kind (under a node, or everywhere).
    Find(nodes::FindArgs),
    /// Create a node.
    Create(nodes::CreateArgs),
    /// Change a node's name and profile.
    Update(nodes::UpdateArgs),
    /// Move a node with its subtree.
    Move {
        /// The node.
        node: String,
        /// The new parent.
        #[arg(long, conflicts_with = "top")]
        to: Option<String>,
        /// Move to the top level.
        #[arg(long)]
        top: bool,
    },
    /// Delete an empty node.
    Delete {
        /// The node.
        node: String,
    },
    /// Enable a node.
    Enable {
        /// The node.
        node: String,
    },
    /// Disable a node (and so its subtree).
    Disable {
        /// The node.
        node: String,
    },
    /// Suspend a node (and so its subtree) under a suspension profile.
    Suspend {
        /// The node.
        node: String,
        /// The suspension profile.
        #[arg(long, default_value_t = 0)]
        profile: u32,
    },
    /// Quotas: show, set limits, allocate and release.
    #[command(subcommand)]
    Quota(nodes::QuotaCmd),
    /// Accounts: create, list, show, update, delete, passwords, welcome mail.
    #[command(subcommand)]
    Account(accounts::AccountCmd),
    /// API tokens: issue, list, revoke.
    #[command(subcommand)]
    Token(accounts::TokenCmd),
    /// Configuration properties.
    #[command(subcommand)]
    Props(config::PropsCmd),
    /// Markups and prices.
    #[command(subcommand)]
    Markup(config::MarkupCmd),
    /// Read (or follow) the change feed.
    Changes(config::ChangesArgs),
    /// Export the store (or a subtree) as a snapshot.
    Export(transfer::ExportArgs),
    /// Import a snapshot into an empty store (created with the snapshot's schema if missing).
    Import(transfer::ImportArgs),
    /// Run the integrity check; exits 1 when anything is wrong.
    Check,
    /// Serve the seed APIs and `/v1` over HTTP/1.1 (the offline harness); creates the
    /// database with the seeds schema if missing.
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(Failure::Tenantree(e)) => {
            report(&e, cli.json);
            ExitCode::from(1)
        }
        // The reader of our output went away (`| head`): nothing more to say.
        Err(Failure::ClosedOutput) => ExitCode::SUCCESS,
    }
}

/// Why a command stopped.
#[derive(Debug)]
pub(crate) enum Failure {
    Tenantree(Error),
    ClosedOutput,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Tenantree(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::ClosedOutput
        } else {
            Failure::Tenantree(Error::Storage { message: format!("cannot write output: {e}") })
        }
    }
}

pub(crate) type Outcome<T = ExitCode> = Result<T, Failure>;

/// Prints an error with its stable code and details, on standard error.
fn report(e: &Error, json: bool) {
    let mut err = std::io::stderr().lock();
    if json {
        let body = serde_json::json!({"code": e.code(), "message": e.to_string(), "details": e.details()});
        let _ = writeln!(err, "{body}");
    } else {
        let _ = writeln!(err, "error[{}]: {e}", e.code());
        let details = e.details();
        if details.as_object().is_some_and(|m| !m.is_empty()) {
            let _ = writeln!(err, "{}", serde_json::to_string_pretty(&details).unwrap_or_default());
        }
    }
}

/// A node id from the command line.
pub(crate) fn parse_id(s: &str) -> Result<NodeId, Error> {
    s.parse()
}

/// Opens the store named by `--db`.
pub(crate) fn open(cli: &Cli) -> Result<Store, Error> {
    Store::open(&cli.db)
}

/// The actor the command runs as.
pub(crate) fn actor(cli: &Cli, store: &Store) -> Result<Actor, Error> {
    match &cli.as_user {
        None => Ok(Actor::system()),
        Some(name) => {
            let account = store.read(&Actor::system(), |tx| tx.account_by_username(name))?;
            Ok(Actor::account(account.id))
        }
    }
}

fn run(cli: &Cli) -> Outcome {
    // The server logs to standard output from its threads: it must not hold `Out`'s lock.
    if let Command::Serve(args) = &cli.command {
        serve::serve(cli, args)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut o = out::Out::new(cli.json);
    match &cli.command {
        Command::Init { preset } => {
            let preset: tenantree::Preset = preset.parse()?;
            let store = Store::builder().preset(preset).open(&cli.db)?;
            o.emit(&serde_json::json!({"db": cli.db, "schema": store.schema()}), |w| {
                writeln!(w, "initialised {} with the {} schema", cli.db.display(), store.schema().name)
            })?;
        }
        Command::Demo { tenants, reset } => {
            if *reset && cli.db.exists() {
                std::fs::remove_file(&cli.db)
                    .map_err(|e| Error::Storage { message: format!("cannot remove {}: {e}", cli.db.display()) })?;
            }
            let store = open(cli)?;
            let summary = demo::build(&store, *tenants)?;
            if cli.json {
                o.json(&summary)?;
            } else {
                writeln!(o.w(), "{}", summary.headline(&cli.db))?;
                let opts = tree::Options { depth: Some(4), kind: None, max_children: 6, ids: false };
                tree::print(&store, &Actor::system(), None, &opts, o.w())?;
                writeln!(o.w(), "\ntry: tenantree tree --kind reseller --ids, tenantree --as ops@nordic.example tree")?;
            }
        }
        Command::Tree { node, depth, kind, max_children, ids } => {
            let store = open(cli)?;
            let who = actor(cli, &store)?;
            let root = node.as_deref().map(parse_id).transpose()?;
            let opts = tree::Options { depth: *depth, kind: kind.clone(), max_children: *max_children, ids: *ids };
            if cli.json {
                let value = tree::json(&store, &who, root, &opts)?;
                o.json(&value)?;
            } else {
                tree::print(&store, &who, root, &opts, o.w())?;
            }
        }
        Command::Get { node } => nodes::get(cli, &mut o, node)?,
        Command::Ls(args) => nodes::ls(cli, &mut o, args)?,
        Command::Find(args) => nodes::find(cli, &mut o, args)?,
        Command::Create(args) => nodes::create(cli, &mut o, args)?,
        Command::Update(args) => nodes::update(cli, &mut o, args)?,
        Command::Move { node, to, top } => nodes::move_node(cli, &mut o, node, to.as_deref(), *top)?,
        Command::Delete { node } => nodes::delete(cli, &mut o, node)?,
        Command::Enable { node } => nodes::status(cli, &mut o, node, tenantree::Status::Enabled)?,
        Command::Disable { node } => nodes::status(cli, &mut o, node, tenantree::Status::Disabled)?,
        Command::Suspend { node, profile } => {
            nodes::status(cli, &mut o, node, tenantree::Status::Suspended { profile: *profile })?;
        }
        Command::Quota(cmd) => nodes::quota(cli, &mut o, cmd)?,
        Command::Account(cmd) => accounts::account(cli, &mut o, cmd)?,
        Command::Token(cmd) => accounts::token(cli, &mut o, cmd)?,
        Command::Props(cmd) => config::props(cli, &mut o, cmd)?,
        Command::Markup(cmd) => config::markup(cli, &mut o, cmd)?,
        Command::Changes(args) => config::changes(cli, &mut o, args)?,
        Command::Export(args) => transfer::export(cli, &mut o, args)?,
        Command::Import(args) => transfer::import(cli, &mut o, args)?,
        Command::Serve(_) => {}
        Command::Check => {
            let store = open(cli)?;
            let report = store.check()?;
            o.emit(&report, |w| {
                write!(w, "checked {} nodes: ", report.nodes)?;
                if report.is_clean() {
                    writeln!(w, "no findings")
                } else {
                    writeln!(w, "{} findings", report.findings.len())?;
                    for f in &report.findings {
                        writeln!(w, "  [{}] {}", f.area, f.message)?;
                    }
                    Ok(())
                }
            })?;
            if !report.is_clean() {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
