//! The `tree` command: the hierarchy as an indented tree with status and quota bars.

use std::io::Write;

use tenantree::{Actor, ChildQuery, Error, Node, NodeId, Quota, Store};

use crate::Outcome;

/// What to print.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) depth: Option<u32>,
    pub(crate) kind: Option<String>,
    pub(crate) max_children: u32,
    pub(crate) ids: bool,
}

/// A quota as a bar: `tenants ████░░░░░░ 412/500`, or the bare usage when unlimited.
pub(crate) fn bar(q: &Quota) -> Option<String> {
    match q.limit {
        Some(limit) => {
            let width = 10usize;
            let filled =
                (q.used.min(limit).saturating_mul(width as u64)).checked_div(limit).map_or(width, |f| f as usize);
            Some(format!("{} {}{} {}/{}", q.resource, "█".repeat(filled), "░".repeat(width - filled), q.used, limit))
        }
        None if q.used > 0 => Some(format!("{} {}", q.resource, q.used)),
        None => None,
    }
}

fn label(n: &Node, quotas: &[Quota], ids: bool) -> String {
    let status = if n.effective_status.is_inherited(n.id) {
        format!("{} (inherited)", n.effective_status.status)
    } else {
        n.status.to_string()
    };
    let bars: Vec<String> = quotas.iter().filter_map(bar).collect();
    let mut s = format!("{}  [{}]  {}", n.name, n.kind, status);
    if ids {
        s.push_str(&format!("  {}", n.id));
    }
    if !bars.is_empty() {
        s.push_str("  ");
        s.push_str(&bars.join("  "));
    }
    s
}

fn wanted(store: &Store, actor: &Actor, n: &Node, kind: Option<&str>) -> Result<bool, Error> {
    match kind {
        None => Ok(true),
        Some(k) => Ok(n.kind == k || store.kind_counts(actor, Some(n.id))?.get(k).copied().unwrap_or(0) > 0),
    }
}

/// Prints the tree under `root` (or the whole store).
pub(crate) fn print(
    store: &Store,
    actor: &Actor,
    root: Option<NodeId>,
    opts: &Options,
    out: &mut impl Write,
) -> Outcome<()> {
    match root {
        Some(id) => {
            let n = store.get_node(actor, id)?;
            writeln!(out, "{}", label(&n, &store.quotas(actor, id)?, opts.ids))?;
            children(store, actor, id, opts, "", 1, out)
        }
        None => {
            let top = store.children(
                actor,
                None,
                &ChildQuery { limit: Some(opts.max_children.clamp(1, 1000)), ..Default::default() },
            )?;
            for n in &top.items {
                if !wanted(store, actor, n, opts.kind.as_deref())? {
                    continue;
                }
                writeln!(out, "{}", label(n, &store.quotas(actor, n.id)?, opts.ids))?;
                children(store, actor, n.id, opts, "", 1, out)?;
            }
            Ok(())
        }
    }
}

fn children(
    store: &Store,
    actor: &Actor,
    parent: NodeId,
    opts: &Options,
    indent: &str,
    level: u32,
    out: &mut impl Write,
) -> Outcome<()> {
    if opts.depth.is_some_and(|d| level >= d) {
        return Ok(());
    }
    let q = ChildQuery { limit: Some(opts.max_children.clamp(1, 1000)), ..Default::default() };
    let page = store.children(actor, Some(parent), &q)?;
    let mut shown: Vec<&Node> = Vec::new();
    for n in &page.items {
        if wanted(store, actor, n, opts.kind.as_deref())? {
            shown.push(n);
        }
    }
    let more = page.total.saturating_sub(page.items.len() as u64);
    for (i, n) in shown.iter().enumerate() {
        let last = i + 1 == shown.len() && more == 0;
        let (branch, next) = if last { ("└─ ", "   ") } else { ("├─ ", "│  ") };
        writeln!(out, "{indent}{branch}{}", label(n, &store.quotas(actor, n.id)?, opts.ids))?;
        children(store, actor, n.id, opts, &format!("{indent}{next}"), level + 1, out)?;
    }
    if more > 0 {
        writeln!(out, "{indent}└─ … and {more} more")?;
    }
    Ok(())
}

/// The tree as JSON: each node with its quotas, children and how many were left out.
pub(crate) fn json(
    store: &Store,
    actor: &Actor,
    root: Option<NodeId>,
    opts: &Options,
) -> Result<serde_json::Value, Error> {
    fn node_json(
        store: &Store,
        actor: &Actor,
        n: &Node,
        opts: &Options,
        level: u32,
    ) -> Result<serde_json::Value, Error> {
        let mut kids = Vec::new();
        let mut more = 0;
        if opts.depth.is_none_or(|d| level < d) {
            let q = ChildQuery { limit: Some(opts.max_children.clamp(1, 1000)), ..Default::default() };
            let page = store.children(actor, Some(n.id), &q)?;
            more = page.total.saturating_sub(page.items.len() as u64);
            for c in &page.items {
                if wanted(store, actor, c, opts.kind.as_deref())? {
                    kids.push(node_json(store, actor, c, opts, level + 1)?);
                }
            }
        }
        Ok(serde_json::json!({
            "node": n,
            "quotas": store.quotas(actor, n.id)?,
            "children": kids,
            "more": more,
        }))
    }
    match root {
        Some(id) => node_json(store, actor, &store.get_node(actor, id)?, opts, 1),
        None => {
            let top = store.children(
                actor,
                None,
                &ChildQuery { limit: Some(opts.max_children.clamp(1, 1000)), ..Default::default() },
            )?;
            let mut items = Vec::new();
            for n in &top.items {
                if wanted(store, actor, n, opts.kind.as_deref())? {
                    items.push(node_json(store, actor, n, opts, 1)?);
                }
            }
            Ok(serde_json::Value::Array(items))
        }
    }
}
