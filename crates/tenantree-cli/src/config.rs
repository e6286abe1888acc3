//! Commands on configuration properties, markups and the change feed.

use std::io::Write;

use clap::{Args, Subcommand};
use tenantree::{Decimal, Error, PropQuery, Properties, Timestamp};

use crate::out::Out;
use crate::{Cli, Outcome, actor, open, parse_id};

/// `props` subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum PropsCmd {
    /// Read a namespace of a node (`--effective`: merged from its ancestors).
    Get {
        /// The node.
        node: String,
        /// The namespace: general, branding.general, branding.pages, branding.styling.font, ...
        namespace: String,
        /// Only these keys (comma-separated).
        #[arg(long)]
        keys: Option<String>,
        /// Only keys containing this.
        #[arg(long)]
        search: Option<String>,
        /// Merge the ancestors' properties, nearest first.
        #[arg(long)]
        effective: bool,
    },
    /// Set keys, as key=JSON (a value that is not JSON is taken as a string).
    Set {
        /// The node.
        node: String,
        /// The namespace.
        namespace: String,
        /// key=value pairs.
        #[arg(required = true, value_name = "KEY=VALUE")]
        pairs: Vec<String>,
        /// Replace the whole namespace instead of upserting.
        #[arg(long)]
        replace: bool,
    },
    /// Remove keys.
    Delete {
        /// The node.
        node: String,
        /// The namespace.
        namespace: String,
        /// The keys.
        #[arg(required = true)]
        keys: Vec<String>,
    },
}

/// `markup` subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum MarkupCmd {
    /// Add a markup (percent) starting now or at --start.
    Add {
        /// The node.
        node: String,
        /// The markup in percent, e.g. 12.5 (negative for a discount).
        #[arg(allow_negative_numbers = true)]
        percent: String,
        /// From when (RFC 3339).
        #[arg(long)]
        start: Option<String>,
    },
    /// A node's markup history, newest first.
    List {
        /// The node.
        node: String,
    },
    /// A base price through the markups of the node's chain.
    Price {
        /// The node.
        node: String,
        /// The base price.
        base: String,
        /// At this time (RFC 3339); now when not given.
        #[arg(long)]
        at: Option<String>,
    },
}

/// Options of `changes`.
#[derive(Args, Debug)]
pub(crate) struct ChangesArgs {
    /// Show the changes after this sequence number.
    #[arg(long, default_value_t = 0)]
    after: u64,
    /// At most this many per read.
    #[arg(long, default_value_t = 100)]
    limit: u32,
    /// Keep reading new changes as they are committed (until interrupted).
    #[arg(long)]
    follow: bool,
    /// Polling interval when following, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
}

fn parse_pairs(pairs: &[String]) -> Result<Properties, Error> {
    pairs
        .iter()
        .map(|p| {
            let (k, v) = p.split_once('=').ok_or_else(|| Error::InvalidArgument {
                field: "properties".into(),
                reason: format!("{p:?} is not KEY=VALUE"),
            })?;
            let value = serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.to_owned()));
            Ok((k.to_owned(), value))
        })
        .collect()
}

fn print_props(o: &mut Out, props: &Properties) -> Outcome<()> {
    if o.is_json() {
        return o.json(props);
    }
    for (k, v) in props {
        writeln!(o.w(), "{k} = {v}")?;
    }
    Ok(())
}

pub(crate) fn props(cli: &Cli, o: &mut Out, cmd: &PropsCmd) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    match cmd {
        PropsCmd::Get { node, namespace, keys, search, effective } => {
            let id = parse_id(node)?;
            let q = PropQuery {
                keys: keys.as_ref().map(|k| k.split(',').map(|s| s.trim().to_owned()).collect()),
                search: search.clone(),
            };
            if *effective {
                let eff = store.read(&who, |tx| tx.effective_props(id, namespace, &q))?;
                return o.emit(&eff, |w| {
                    for (k, v) in &eff.properties {
                        let from = eff.sources.get(k).map(ToString::to_string).unwrap_or_default();
                        writeln!(w, "{k} = {v}   (from {from})")?;
                    }
                    Ok(())
                });
            }
            let props = store.read(&who, |tx| tx.props(id, namespace, &q))?;
            print_props(o, &props)
        }
        PropsCmd::Set { node, namespace, pairs, replace } => {
            let id = parse_id(node)?;
            let props = parse_pairs(pairs)?;
            let result = store.write(&who, |tx| {
                if *replace { tx.replace_props(id, namespace, &props) } else { tx.upsert_props(id, namespace, &props) }
            })?;
            print_props(o, &result)
        }
        PropsCmd::Delete { node, namespace, keys } => {
            let id = parse_id(node)?;
            let n = store.write(&who, |tx| tx.delete_props(id, namespace, keys))?;
            o.emit(&serde_json::json!({"removed": n}), |w| writeln!(w, "removed {n} keys"))
        }
    }
}

fn time(s: &str) -> Result<Timestamp, Error> {
    s.parse()
}

pub(crate) fn markup(cli: &Cli, o: &mut Out, cmd: &MarkupCmd) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    match cmd {
        MarkupCmd::Add { node, percent, start } => {
            let id = parse_id(node)?;
            let percent: Decimal = percent.parse()?;
            let start = start.as_deref().map(time).transpose()?;
            let m = store.write(&who, |tx| tx.add_markup(id, percent, start))?;
            o.emit(&m, |w| writeln!(w, "{} % from {}", m.percent, m.start))
        }
        MarkupCmd::List { node } => {
            let id = parse_id(node)?;
            let list = store.read(&who, |tx| tx.markups(id))?;
            if o.is_json() {
                return o.json(&list);
            }
            let rows: Vec<Vec<String>> =
                list.iter().map(|m| vec![m.start.to_string(), format!("{} %", m.percent)]).collect();
            o.table(&["FROM", "MARKUP"], &rows)
        }
        MarkupCmd::Price { node, base, at } => {
            let id = parse_id(node)?;
            let base: Decimal = base.parse()?;
            let at = at.as_deref().map(time).transpose()?;
            let p = store.read(&who, |tx| tx.effective_price(id, base, at))?;
            o.emit(&p, |w| {
                writeln!(w, "base {} at {}", p.base, p.at)?;
                if p.inherited != p.base {
                    writeln!(w, "  from above: {}", p.inherited)?;
                }
                for s in &p.steps {
                    writeln!(w, "  {:>8} %  {}  → {}", s.percent.to_string(), s.node, s.price)?;
                }
                writeln!(w, "price {}", p.price)
            })
        }
    }
}

pub(crate) fn changes(cli: &Cli, o: &mut Out, a: &ChangesArgs) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let mut after = a.after;
    loop {
        let page = store.read(&who, |tx| tx.changes(after, a.limit))?;
        for c in &page.changes {
            if o.is_json() {
                let line = serde_json::to_string(c).unwrap_or_default();
                writeln!(o.w(), "{line}")?;
            } else {
                let changes = c.changes.as_ref().map(ToString::to_string).unwrap_or_default();
                let node = c.node.map(|n| n.to_string()).unwrap_or_else(|| c.id.clone().unwrap_or_default());
                let actor = match &c.actor {
                    tenantree::Actor::System => "system".to_owned(),
                    tenantree::Actor::Account { id } => format!("account {id}"),
                };
                writeln!(o.w(), "#{} {} {} {} {} {}", c.seq, c.time, actor, c.op, node, changes)?;
            }
        }
        o.w().flush()?;
        let moved = page.next != after;
        after = page.next;
        if !a.follow {
            // A page may stop short of the end when the reader's scope is small: keep going
            // until the feed has nothing more.
            if moved {
                continue;
            }
            return Ok(());
        }
        if !moved {
            std::thread::sleep(std::time::Duration::from_millis(a.interval_ms));
        }
    }
}
