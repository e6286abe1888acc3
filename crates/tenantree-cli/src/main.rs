//! `tenantree`: operate a tenantree store from the shell.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tenantree::{Actor, Error, NodeId, Preset, Store};

mod demo;
mod tree;

#[derive(Parser, Debug)]
#[command(name = "tenantree", version, about = "Operate a tenantree store: a reseller hierarchy with quotas")]
struct Cli {
    /// The database file.
    #[arg(long, global = true, env = "TENANTREE_DB", default_value = "tenantree.redb")]
    db: PathBuf,
    /// Print JSON instead of tables and trees.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create the database with a schema preset.
    Init {
        /// channel (default), clients or fusion.
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
        /// Print only nodes of this kind (and the path to them).
        #[arg(long)]
        kind: Option<String>,
        /// At most this many children per node; the rest are summarised.
        #[arg(long, default_value_t = 25)]
        max_children: u32,
    },
    /// Run the integrity check; exits non-zero when anything is wrong.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            report(&e, cli.json);
            ExitCode::from(2)
        }
    }
}

/// Prints an error with its stable code and details, on standard error.
fn report(e: &Error, json: bool) {
    let mut err = std::io::stderr().lock();
    if json {
        let body = serde_json::json!({"code": e.code(), "message": e.to_string(), "details": e.details()});
        let _ = writeln!(err, "{body}");
    } else {
        let _ = writeln!(err, "error[{}]: {e}", e.code());
    }
}

pub(crate) fn parse_id(s: &str) -> Result<NodeId, Error> {
    s.parse()
}

fn run(cli: &Cli) -> Result<ExitCode, Error> {
    let sys = Actor::system();
    let mut out = std::io::stdout().lock();
    match &cli.command {
        Command::Init { preset } => {
            let preset: Preset = preset.parse()?;
            let store = Store::builder().preset(preset).open(&cli.db)?;
            emit(&mut out, cli.json, &serde_json::json!({"db": cli.db, "schema": store.schema()}), || {
                format!("initialised {} with the {} schema", cli.db.display(), store.schema().name)
            })?;
        }
        Command::Demo { tenants, reset } => {
            if *reset && cli.db.exists() {
                std::fs::remove_file(&cli.db)
                    .map_err(|e| Error::Storage { message: format!("cannot remove {}: {e}", cli.db.display()) })?;
            }
            let store = Store::open(&cli.db)?;
            let summary = demo::build(&store, *tenants)?;
            if cli.json {
                emit(&mut out, true, &summary, String::new)?;
            } else {
                writeln!(out, "{}", summary.headline(&cli.db)).map_err(io)?;
                let opts = tree::Options { depth: Some(4), kind: None, max_children: 6 };
                tree::print(&store, &sys, None, &opts, &mut out)?;
            }
        }
        Command::Tree { node, depth, kind, max_children } => {
            let store = Store::open(&cli.db)?;
            let root = node.as_deref().map(parse_id).transpose()?;
            let opts = tree::Options { depth: *depth, kind: kind.clone(), max_children: *max_children };
            if cli.json {
                let value = tree::json(&store, &sys, root, &opts)?;
                emit(&mut out, true, &value, String::new)?;
            } else {
                tree::print(&store, &sys, root, &opts, &mut out)?;
            }
        }
        Command::Check => {
            let store = Store::open(&cli.db)?;
            let report = store.check()?;
            emit(&mut out, cli.json, &report, || {
                let mut s = format!("checked {} nodes: ", report.nodes);
                if report.is_clean() {
                    s.push_str("no findings");
                } else {
                    s.push_str(&format!("{} findings", report.findings.len()));
                    for f in &report.findings {
                        s.push_str(&format!("\n  [{}] {}", f.area, f.message));
                    }
                }
                s
            })?;
            if !report.is_clean() {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn io(e: std::io::Error) -> Error {
    Error::Storage { message: format!("cannot write output: {e}") }
}

/// Prints `value` as JSON, or the human text.
fn emit(
    out: &mut impl Write,
    json: bool,
    value: &impl serde::Serialize,
    human: impl FnOnce() -> String,
) -> Result<(), Error> {
    if json {
        let text = serde_json::to_string_pretty(value).map_err(|e| Error::Storage { message: e.to_string() })?;
        writeln!(out, "{text}").map_err(io)
    } else {
        writeln!(out, "{}", human()).map_err(io)
    }
}
