//! tenantree through its public API only, with the defaults a user gets (system clock, OS
//! randomness, 256 MiB page cache), except the change feed: [`Tt`] runs without it, like the
//! floor and SQLite, which keep no audit log; [`TtFeed`] runs with it, tenantree's default, so
//! that its cost shows in the table (W1 only).

use std::path::Path;

use tenantree::{Actor, ChildQuery, DescendantQuery, Durability, NewNode, NodeId, SortBy, Store};

use crate::engine::{
    Adjust, CheckView, Engine, Error, Id, Item, Mode, NewRec, NodeView, PageView, QuotaView, Result, Status,
    SubtreeView, resource_name,
};

/// A tenantree store in a file, with its change feed on when `FEED`.
#[derive(Debug)]
pub struct TtWith<const FEED: bool> {
    store: Store,
    sys: Actor,
}

/// tenantree without the change feed: the same data as the floor and SQLite.
pub type Tt = TtWith<false>;

/// tenantree as it comes, with the change feed: one event per write besides the data.
pub type TtFeed = TtWith<true>;

fn node_id(id: Id) -> Result<NodeId> {
    Ok(NodeId::from_bytes(id.to_be_bytes())?)
}

fn id_of(id: NodeId) -> Id {
    u128::from_be_bytes(id.to_bytes())
}

fn key_name(key: u16) -> Result<&'static str> {
    resource_name(key).ok_or_else(|| Error::msg(format!("no resource has key {key}")))
}

fn new_node(rec: &NewRec) -> Result<NewNode> {
    let mut n = NewNode::new(rec.kind.name(), rec.name.as_str());
    if let Some(p) = rec.parent {
        n = n.parent(node_id(p)?);
    }
    for &(key, value) in &rec.limits {
        n = n.limit(key_name(key)?, value);
    }
    Ok(n)
}

impl<const FEED: bool> TtWith<FEED> {
    /// The store underneath, for tests that look further.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

impl<const FEED: bool> Engine for TtWith<FEED> {
    const NAME: &'static str = if FEED { "tenantree with its change feed" } else { "tenantree" };
    type Cursor = String;

    fn create(path: &Path) -> Result<Self> {
        let _ = std::fs::remove_file(path);
        Self::open(path, Mode::Bulk)
    }

    fn open(path: &Path, mode: Mode) -> Result<Self> {
        let durability = match mode {
            Mode::Bulk => Durability::Bulk,
            Mode::Durable | Mode::FsyncEveryCommit => Durability::Immediate,
        };
        let store = Store::builder().durability(durability).change_feed(FEED).open(path)?;
        Ok(Self { store, sys: Actor::system() })
    }

    fn flush(&mut self) -> Result<()> {
        Ok(self.store.flush()?)
    }

    fn close(self) -> Result<()> {
        self.store.flush()?;
        drop(self.store);
        Ok(())
    }

    fn insert(&mut self, nodes: &[NewRec]) -> Result<Vec<Id>> {
        // Each NewNode is built just before its create, as a loader streaming records would:
        // building all 10,000 first would only measure cache misses on them.
        let mut failure = None;
        let ids = self.store.write(&self.sys, |tx| {
            let mut ids = Vec::with_capacity(nodes.len());
            for rec in nodes {
                let n = new_node(rec).map_err(|e| {
                    let reason = e.to_string();
                    failure = Some(e);
                    tenantree::Error::InvalidArgument { field: "node".into(), reason }
                })?;
                ids.push(id_of(tx.create_node_id(&n)?));
            }
            Ok(ids)
        });
        if let Some(e) = failure {
            return Err(e);
        }
        Ok(ids?)
    }

    fn adjust(&mut self, ops: &[Adjust]) -> Result<()> {
        let ops =
            ops.iter().map(|op| Ok((node_id(op.node)?, key_name(op.key)?, op.delta))).collect::<Result<Vec<_>>>()?;
        self.store.write(&self.sys, |tx| {
            for &(id, resource, delta) in &ops {
                if delta >= 0 {
                    tx.allocate(id, resource, delta.unsigned_abs())?;
                } else {
                    tx.release(id, resource, delta.unsigned_abs())?;
                }
            }
            Ok(())
        })?;
        Ok(())
    }

    fn set_status(&mut self, node: Id, status: Status) -> Result<()> {
        let s = match status {
            Status::Enabled => tenantree::Status::Enabled,
            Status::Disabled => tenantree::Status::Disabled,
            Status::Suspended => tenantree::Status::Suspended { profile: 0 },
        };
        self.store.set_status(&self.sys, node_id(node)?, s)?;
        Ok(())
    }

    fn delete(&mut self, node: Id) -> Result<()> {
        if self.store.delete_node(&self.sys, node_id(node)?)? {
            Ok(())
        } else {
            Err(Error::refused("NOT_FOUND", "no such node"))
        }
    }

    fn children_ids(&self, parent: Option<Id>) -> Result<Vec<(String, Id)>> {
        let parent = parent.map(node_id).transpose()?;
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let q = ChildQuery { limit: Some(1000), cursor: cursor.take(), ..ChildQuery::default() };
            let page = self.store.children(&self.sys, parent, &q)?;
            out.extend(page.items.into_iter().map(|n| (n.name.as_str().to_owned(), id_of(n.id))));
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(out),
            }
        }
    }

    fn get(&self, node: Id) -> Result<NodeView> {
        let id = node_id(node)?;
        let tenantree::NodeWithQuotas { node: n, quotas } = self.store.get_node_with_quotas(&self.sys, id)?;
        Ok(NodeView {
            name: n.name.as_str().to_owned(),
            kind: n.kind,
            depth: n.depth,
            status: n.status.as_str().to_owned(),
            effective: n.effective_status.status.as_str().to_owned(),
            quotas: quotas
                .into_iter()
                .map(|q| QuotaView {
                    resource: q.resource,
                    limit: q.limit,
                    used: q.used,
                    allocated: q.allocated,
                    available: q.available,
                })
                .collect(),
        })
    }

    fn page(&self, parent: Id, limit: u32, after: Option<&String>) -> Result<(PageView, Option<String>)> {
        let q = ChildQuery { sort: SortBy::Name, limit: Some(limit), cursor: after.cloned(), ..ChildQuery::default() };
        // The listing that shows what the page needs (name, kind, status in force): one range
        // scan of the children index, no record read, each child made into the page's item
        // straight from the index.
        let page = self.store.child_summaries_with(&self.sys, Some(node_id(parent)?), &q, |n| Item {
            name: n.name.to_owned(),
            kind: n.kind.to_owned(),
            effective: n.effective_status.status.as_str().to_owned(),
        })?;
        let items = page.items;
        Ok((PageView { items, total: page.total }, page.next))
    }

    fn tenants_under(&self, root: Id) -> Result<SubtreeView> {
        let root = node_id(root)?;
        let out = self.store.read(&self.sys, |tx| {
            let mut out = SubtreeView::default();
            let mut cursor: Option<String> = None;
            loop {
                let q =
                    DescendantQuery { kind: "tenant".to_owned(), limit: Some(1000), cursor: cursor.take(), offset: 0 };
                let page = tx.descendants(Some(root), &q)?;
                for n in &page.items {
                    out.add(n.name.as_str());
                }
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => return Ok(out),
                }
            }
        })?;
        Ok(out)
    }

    fn check(&mut self) -> Result<CheckView> {
        let report = self.store.check()?;
        Ok(CheckView { nodes: report.nodes, problems: report.findings.len() as u64 })
    }
}
