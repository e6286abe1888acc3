//! The `demo` command: a realistic sample channel.

use std::path::Path;

use serde::Serialize;
use tenantree::{Actor, ChildQuery, Error, NewNode, Status, Store};

/// What the demo built.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    pub(crate) created: bool,
    pub(crate) nodes: u64,
    pub(crate) tenants: u64,
    pub(crate) extensions_allocated: u64,
}

impl Summary {
    pub(crate) fn headline(&self, db: &Path) -> String {
        if self.created {
            format!(
                "built a sample channel in {}: {} nodes, {} tenants, {} extensions allocated",
                db.display(),
                self.nodes,
                self.tenants,
                self.extensions_allocated
            )
        } else {
            format!(
                "{} already holds data ({} nodes); showing it (--reset rebuilds the demo)",
                db.display(),
                self.nodes
            )
        }
    }
}

const DISTRIBUTORS: [&str; 3] = ["nordic", "iberia", "benelux"];
const SUBS: [&str; 2] = ["east", "west"];
const RESELLERS: [&str; 3] = ["voice", "cloud", "connect"];

/// Builds the sample channel unless the store already holds nodes.
pub(crate) fn build(store: &Store, tenants: u32) -> Result<Summary, Error> {
    let sys = Actor::system();
    let existing: u64 = store.kind_counts(&sys, None)?.values().sum();
    if existing > 0 {
        return Ok(Summary { created: false, nodes: existing, tenants: 0, extensions_allocated: 0 });
    }
    let allocated = store.write(&sys, |tx| {
        let root = tx.create_node(&NewNode::new("platform", "acme-telecom").display_name("ACME Telecom"))?;
        let mut resellers = Vec::new();
        for d in DISTRIBUTORS {
            let dist = tx.create_node(
                &NewNode::new("distributor", d)
                    .parent(root.id)
                    .limit("tenants", u64::from(tenants) / 2)
                    .limit("extensions", u64::from(tenants) * 20)
                    .email(format!("ops@{d}.example")),
            )?;
            for s in SUBS {
                let sub = tx.create_node(
                    &NewNode::new("sub_distributor", format!("{d}-{s}"))
                        .parent(dist.id)
                        .limit("tenants", u64::from(tenants) / 5),
                )?;
                for r in RESELLERS {
                    let res = tx.create_node(
                        &NewNode::new("reseller", format!("{d}-{s}-{r}"))
                            .parent(sub.id)
                            .limit("tenants", u64::from(tenants) / 16 + 1)
                            .limit("extensions", u64::from(tenants) * 3),
                    )?;
                    resellers.push(res.id);
                }
            }
        }
        for r in ["direct-one", "direct-two"] {
            let res = tx.create_node(&NewNode::new("reseller", r).parent(root.id).limit("tenants", 200))?;
            resellers.push(res.id);
        }
        let mut allocated = 0;
        for i in 0..tenants {
            let Some(&reseller) = resellers.get(i as usize % resellers.len()) else { break };
            let t = tx.create_node(
                &NewNode::new("tenant", format!("tenant-{i:05}"))
                    .parent(reseller)
                    .limit("extensions", 50)
                    .limit("concurrent_calls", 20),
            )?;
            let ext = u64::from(i * 7 % 40 + 1);
            tx.allocate(t.id, "extensions", ext)?;
            tx.allocate(t.id, "concurrent_calls", ext.min(20) / 2 + 1)?;
            allocated += ext;
        }
        // A suspended branch, as 003's suspension profiles do.
        let page = tx.children(Some(root.id), &ChildQuery { search: Some("iberia".into()), ..Default::default() })?;
        if let Some(iberia) = page.items.first() {
            let subs =
                tx.children(Some(iberia.id), &ChildQuery { search: Some("west".into()), ..Default::default() })?;
            if let Some(west) = subs.items.first() {
                tx.set_status(west.id, Status::Suspended { profile: 2 }, None)?;
            }
        }
        Ok(allocated)
    })?;
    let nodes: u64 = store.kind_counts(&sys, None)?.values().sum();
    Ok(Summary { created: true, nodes, tenants: u64::from(tenants), extensions_allocated: allocated })
}
