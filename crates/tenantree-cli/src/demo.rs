//! The `demo` command: a realistic sample channel.

use std::path::Path;

use serde::Serialize;
use tenantree::{Actor, ChildQuery, Decimal, Error, NewAccount, NewNode, Properties, Status, Store};

/// What the demo built.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    pub(crate) created: bool,
    pub(crate) nodes: u64,
    pub(crate) tenants: u64,
    pub(crate) accounts: u64,
    pub(crate) extensions_allocated: u64,
    /// The demo accounts' password (they are sample data).
    pub(crate) password: &'static str,
}

/// Every demo account's password: sample data only.
pub(crate) const PASSWORD: &str = "Demo!pass7";

impl Summary {
    pub(crate) fn headline(&self, db: &Path) -> String {
        if self.created {
            format!(
                "built a sample channel in {}: {} nodes, {} tenants, {} accounts (password {PASSWORD}), {} extensions allocated",
                db.display(),
                self.nodes,
                self.tenants,
                self.accounts,
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

fn props(v: serde_json::Value) -> Properties {
    serde_json::from_value(v).unwrap_or_default()
}

fn percent(s: &str) -> Result<Decimal, Error> {
    s.parse()
}

/// Builds the sample channel unless the store already holds nodes.
pub(crate) fn build(store: &Store, tenants: u32) -> Result<Summary, Error> {
    let sys = Actor::system();
    let existing: u64 = store.kind_counts(&sys, None)?.values().sum();
    if existing > 0 {
        return Ok(Summary {
            created: false,
            nodes: existing,
            tenants: 0,
            accounts: 0,
            extensions_allocated: 0,
            password: PASSWORD,
        });
    }
    // Limits follow each reseller's share of the tenants, with headroom, so the bars show
    // real usage at any size.
    let resellers_total = (DISTRIBUTORS.len() * SUBS.len() * RESELLERS.len() + 2) as u64;
    let share = u64::from(tenants).div_ceil(resellers_total).max(1);
    let reseller_tenants = share + share / 4 + 1;
    let sub_tenants = reseller_tenants * RESELLERS.len() as u64;
    let dist_tenants = sub_tenants * SUBS.len() as u64 + share;
    let (allocated, accounts) = store.write(&sys, |tx| {
        let root = tx.create_node(&NewNode::new("platform", "acme-telecom").display_name("ACME Telecom"))?;
        let branding = props(
            serde_json::json!({"logo": "/branding/acme/logo.svg", "color": "#0a5", "support": "support@acme.example"}),
        );
        tx.upsert_props(root.id, "branding.general", &branding)?;
        tx.create_account(&NewAccount::new("ops@acme.example", "system_admin").node(root.id).password(PASSWORD))?;
        let mut accounts = 1u64;
        let mut resellers = Vec::new();
        for (i, d) in DISTRIBUTORS.iter().enumerate() {
            let dist = tx.create_node(
                &NewNode::new("distributor", *d)
                    .parent(root.id)
                    .limit("tenants", dist_tenants)
                    .limit("extensions", (u64::from(tenants) * 20).max(5000))
                    .email(format!("ops@{d}.example")),
            )?;
            tx.create_account(
                &NewAccount::new(format!("ops@{d}.example"), "distributor_admin").node(dist.id).password(PASSWORD),
            )?;
            accounts += 1;
            tx.add_markup(dist.id, percent(&format!("{}", 8 + i))?, None)?;
            for s in SUBS {
                let sub = tx.create_node(
                    &NewNode::new("sub_distributor", format!("{d}-{s}")).parent(dist.id).limit("tenants", sub_tenants),
                )?;
                for r in RESELLERS {
                    let res = tx.create_node(
                        &NewNode::new("reseller", format!("{d}-{s}-{r}"))
                            .parent(sub.id)
                            .limit("tenants", reseller_tenants)
                            .limit("extensions", (u64::from(tenants) * 3).max(500)),
                    )?;
                    tx.add_markup(res.id, percent("15")?, None)?;
                    resellers.push(res.id);
                }
            }
        }
        for r in ["direct-one", "direct-two"] {
            let res =
                tx.create_node(&NewNode::new("reseller", r).parent(root.id).limit("tenants", reseller_tenants * 2))?;
            tx.create_account(
                &NewAccount::new(format!("admin@{r}.example"), "reseller_admin").node(res.id).password(PASSWORD),
            )?;
            accounts += 1;
            tx.upsert_props(res.id, "branding.general", &props(serde_json::json!({"color": "#c30"})))?;
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
            if i < 2 {
                tx.create_account(
                    &NewAccount::new(format!("admin@tenant-{i:05}.example"), "tenant_admin")
                        .node(t.id)
                        .password(PASSWORD),
                )?;
                accounts += 1;
            }
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
        Ok((allocated, accounts))
    })?;
    let nodes: u64 = store.kind_counts(&sys, None)?.values().sum();
    Ok(Summary {
        created: true,
        nodes,
        tenants: u64::from(tenants),
        accounts,
        extensions_allocated: allocated,
        password: PASSWORD,
    })
}
