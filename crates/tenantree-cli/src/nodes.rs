//! Commands on nodes and quotas.

use std::collections::BTreeMap;
use std::io::Write;

use clap::{Args, Subcommand};
use tenantree::{
    ChildQuery, DescendantQuery, Direction, Error, NewNode, Node, NodeUpdate, Page, SortBy, Status, StatusFilter,
};

use crate::out::Out;
use crate::{Cli, Outcome, actor, open, parse_id};

/// Options of `ls`.
#[derive(Args, Debug)]
pub(crate) struct LsArgs {
    /// The parent; the top level when not given.
    node: Option<String>,
    /// Only children of this kind.
    #[arg(long)]
    kind: Option<String>,
    /// Only children with this own status: enabled, disabled or suspended.
    #[arg(long)]
    status: Option<String>,
    /// Case-insensitive substring of the name, e-mail, billing id, ...
    #[arg(long)]
    search: Option<String>,
    /// Sort by name (default) or created.
    #[arg(long, default_value = "name")]
    sort: String,
    /// Sort descending.
    #[arg(long)]
    desc: bool,
    /// Entries to skip.
    #[arg(long, default_value_t = 0)]
    offset: u64,
    /// Page size (at most 1000).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Continue after the `next` token of a previous page.
    #[arg(long)]
    cursor: Option<String>,
}

/// Options of `find`.
#[derive(Args, Debug)]
pub(crate) struct FindArgs {
    /// The kind to list.
    kind: String,
    /// Under this node; everywhere the actor sees when not given.
    #[arg(long)]
    under: Option<String>,
    /// Entries to skip.
    #[arg(long, default_value_t = 0)]
    offset: u64,
    /// Page size (at most 1000).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Continue after the `next` token of a previous page.
    #[arg(long)]
    cursor: Option<String>,
}

/// Profile fields shared by `create` and `update`.
#[derive(Args, Debug, Default)]
pub(crate) struct ProfileArgs {
    /// Display name.
    #[arg(long)]
    display_name: Option<String>,
    /// E-mail.
    #[arg(long)]
    email: Option<String>,
    /// Website.
    #[arg(long)]
    website: Option<String>,
    /// Phone.
    #[arg(long)]
    phone: Option<String>,
    /// Postal address.
    #[arg(long)]
    address: Option<String>,
    /// Description.
    #[arg(long)]
    description: Option<String>,
    /// External name.
    #[arg(long)]
    external_name: Option<String>,
    /// Billing id.
    #[arg(long)]
    billing_id: Option<String>,
    /// Extra data, a JSON object.
    #[arg(long)]
    extra: Option<String>,
}

/// Options of `create`.
#[derive(Args, Debug)]
pub(crate) struct CreateArgs {
    /// The kind.
    kind: String,
    /// The name.
    name: String,
    /// The parent; the top level when not given.
    #[arg(long)]
    parent: Option<String>,
    /// A limit, as resource=N (repeatable).
    #[arg(long = "limit", value_name = "RESOURCE=N")]
    limits: Vec<String>,
    /// The initial status: enabled, disabled, suspended[:N].
    #[arg(long)]
    status: Option<String>,
    /// A chosen id instead of a fresh UUIDv7.
    #[arg(long)]
    id: Option<String>,
    /// 001's tenant_full_access.
    #[arg(long)]
    tenant_full_access: Option<bool>,
    #[command(flatten)]
    profile: ProfileArgs,
}

/// Options of `update`.
#[derive(Args, Debug)]
pub(crate) struct UpdateArgs {
    /// The node.
    node: String,
    /// A new name.
    #[arg(long)]
    name: Option<String>,
    /// Clear a profile field (display-name, email, website, phone, address, description,
    /// external-name, billing-id, extra); repeatable.
    #[arg(long, value_name = "FIELD")]
    clear: Vec<String>,
    /// 001's tenant_full_access.
    #[arg(long)]
    tenant_full_access: Option<bool>,
    /// Refuse unless the node is at this version.
    #[arg(long)]
    expect_version: Option<u64>,
    #[command(flatten)]
    profile: ProfileArgs,
}

/// `quota` subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum QuotaCmd {
    /// Every resource's limit, usage and room at a node.
    Show {
        /// The node.
        node: String,
    },
    /// Set (a number) or remove (`none`) a limit.
    Set {
        /// The node.
        node: String,
        /// The resource.
        resource: String,
        /// The limit, or `none`.
        limit: String,
    },
    /// Take an amount of a resource on a node.
    Allocate {
        /// The node.
        node: String,
        /// The resource.
        resource: String,
        /// How much.
        amount: u64,
    },
    /// Give back an amount of a resource.
    Release {
        /// The node.
        node: String,
        /// The resource.
        resource: String,
        /// How much.
        amount: u64,
    },
}

fn node_row(n: &Node) -> Vec<String> {
    let status = if n.effective_status.is_inherited(n.id) {
        format!("{} (from above)", n.effective_status.status)
    } else {
        n.status.to_string()
    };
    let limits: Vec<String> = n.limits.iter().map(|(k, v)| format!("{k}={v}")).collect();
    vec![n.id.to_string(), n.kind.clone(), n.name.to_string(), status, limits.join(",")]
}

fn print_page(o: &mut Out, page: &Page<Node>) -> Outcome<()> {
    if o.is_json() {
        return o.json(page);
    }
    let rows: Vec<Vec<String>> = page.items.iter().map(node_row).collect();
    o.table(&["ID", "KIND", "NAME", "STATUS", "LIMITS"], &rows)?;
    writeln!(o.w(), "-- {} of {} (page {} of {})", page.items.len(), page.total, page.page, page.pages.max(1))?;
    if let Some(next) = &page.next {
        writeln!(o.w(), "-- next: --cursor {next}")?;
    }
    Ok(())
}

fn print_node(o: &mut Out, n: &Node) -> Outcome<()> {
    if o.is_json() {
        return o.json(n);
    }
    let rows = vec![node_row(n)];
    o.table(&["ID", "KIND", "NAME", "STATUS", "LIMITS"], &rows)?;
    Ok(())
}

pub(crate) fn get(cli: &Cli, o: &mut Out, node: &str) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let id = parse_id(node)?;
    let (tenantree::NodeWithQuotas { node: n, quotas }, counts) =
        store.read(&who, |tx| Ok((tx.get_node_with_quotas(id)?, tx.kind_counts(Some(id))?)))?;
    o.emit(&serde_json::json!({"node": n, "quotas": quotas, "counts": counts}), |w| {
        writeln!(w, "{} [{}] {}", n.name, n.kind, n.id)?;
        writeln!(w, "  parent:    {}", n.parent.map_or_else(|| "-".to_owned(), |p| p.to_string()))?;
        writeln!(w, "  status:    {} (in force: {})", n.status, n.effective_status.status)?;
        writeln!(
            w,
            "  depth:     {}  version: {}  created: {}  updated: {}",
            n.depth, n.version, n.created, n.updated
        )?;
        let profile = serde_json::to_value(&n.profile).unwrap_or_default();
        if let Some(map) = profile.as_object() {
            for (k, v) in map {
                writeln!(w, "  {k}: {v}")?;
            }
        }
        for q in &quotas {
            if q.limit.is_some() || q.used > 0 {
                writeln!(w, "  {}", crate::tree::bar(q).unwrap_or_default())?;
            }
        }
        let counts: Vec<String> = counts.iter().filter(|(_, c)| **c > 0).map(|(k, c)| format!("{k}={c}")).collect();
        if !counts.is_empty() {
            writeln!(w, "  below:     {}", counts.join(" "))?;
        }
        Ok(())
    })
}

fn status_filter(s: &str) -> Result<StatusFilter, Error> {
    match s {
        "enabled" => Ok(StatusFilter::Enabled),
        "disabled" => Ok(StatusFilter::Disabled),
        "suspended" => Ok(StatusFilter::Suspended),
        other => Err(Error::InvalidArgument {
            field: "status".into(),
            reason: format!("{other:?} is not enabled, disabled or suspended"),
        }),
    }
}

pub(crate) fn ls(cli: &Cli, o: &mut Out, a: &LsArgs) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let parent = a.node.as_deref().map(parse_id).transpose()?;
    let sort = match a.sort.as_str() {
        "name" => SortBy::Name,
        "created" => SortBy::Created,
        other => {
            return Err(Error::InvalidArgument {
                field: "sort".into(),
                reason: format!("{other:?} is not name or created"),
            }
            .into());
        }
    };
    let q = ChildQuery {
        kind: a.kind.clone(),
        status: a.status.as_deref().map(status_filter).transpose()?,
        search: a.search.clone(),
        sort,
        dir: if a.desc { Direction::Desc } else { Direction::Asc },
        offset: a.offset,
        limit: Some(a.limit),
        cursor: a.cursor.clone(),
    };
    let page = store.children(&who, parent, &q)?;
    print_page(o, &page)
}

pub(crate) fn find(cli: &Cli, o: &mut Out, a: &FindArgs) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let under = a.under.as_deref().map(parse_id).transpose()?;
    let q = DescendantQuery { kind: a.kind.clone(), offset: a.offset, limit: Some(a.limit), cursor: a.cursor.clone() };
    let page = store.descendants(&who, under, &q)?;
    print_page(o, &page)
}

fn parse_extra(s: &str) -> Result<serde_json::Value, Error> {
    serde_json::from_str(s)
        .map_err(|e| Error::InvalidArgument { field: "extra".into(), reason: format!("not JSON: {e}") })
}

pub(crate) fn parse_limits(specs: &[String]) -> Result<BTreeMap<String, u64>, Error> {
    specs
        .iter()
        .map(|s| {
            let (k, v) = s.split_once('=').ok_or_else(|| Error::InvalidArgument {
                field: "limit".into(),
                reason: format!("{s:?} is not RESOURCE=N"),
            })?;
            let n = v.trim().parse::<u64>().map_err(|_| Error::InvalidArgument {
                field: format!("limits.{k}"),
                reason: format!("{v:?} is not a whole number"),
            })?;
            Ok((k.trim().to_owned(), n))
        })
        .collect()
}

pub(crate) fn create(cli: &Cli, o: &mut Out, a: &CreateArgs) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let p = &a.profile;
    let mut new = NewNode::new(&a.kind, &a.name);
    new.parent = a.parent.as_deref().map(parse_id).transpose()?;
    new.id = a.id.as_deref().map(parse_id).transpose()?;
    new.limits = parse_limits(&a.limits)?;
    if let Some(s) = &a.status {
        new.status = s.parse()?;
    }
    new.tenant_full_access = a.tenant_full_access;
    new.profile = tenantree::Profile {
        display_name: p.display_name.clone(),
        email: p.email.clone(),
        website: p.website.clone(),
        phone: p.phone.clone(),
        address: p.address.clone(),
        description: p.description.clone(),
        external_name: p.external_name.clone(),
        billing_id: p.billing_id.clone(),
        extra: p.extra.as_deref().map(parse_extra).transpose()?,
    };
    let n = store.create_node(&who, new)?;
    print_node(o, &n)
}

pub(crate) fn update(cli: &Cli, o: &mut Out, a: &UpdateArgs) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let id = parse_id(&a.node)?;
    let p = &a.profile;
    let set = |v: &Option<String>| v.as_ref().map(|s| Some(s.clone()));
    let mut upd = NodeUpdate {
        name: a.name.clone(),
        display_name: set(&p.display_name),
        email: set(&p.email),
        website: set(&p.website),
        phone: set(&p.phone),
        address: set(&p.address),
        description: set(&p.description),
        external_name: set(&p.external_name),
        billing_id: set(&p.billing_id),
        extra: p.extra.as_deref().map(parse_extra).transpose()?.map(Some),
        tenant_full_access: a.tenant_full_access,
        expected_version: a.expect_version,
    };
    for field in &a.clear {
        match field.as_str() {
            "display-name" => upd.display_name = Some(None),
            "email" => upd.email = Some(None),
            "website" => upd.website = Some(None),
            "phone" => upd.phone = Some(None),
            "address" => upd.address = Some(None),
            "description" => upd.description = Some(None),
            "external-name" => upd.external_name = Some(None),
            "billing-id" => upd.billing_id = Some(None),
            "extra" => upd.extra = Some(None),
            other => {
                return Err(Error::InvalidArgument {
                    field: "clear".into(),
                    reason: format!("{other:?} is not a profile field"),
                }
                .into());
            }
        }
    }
    let n = store.update_node(&who, id, &upd)?;
    print_node(o, &n)
}

pub(crate) fn move_node(cli: &Cli, o: &mut Out, node: &str, to: Option<&str>, top: bool) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let id = parse_id(node)?;
    let parent = match (to, top) {
        (Some(p), _) => Some(parse_id(p)?),
        (None, true) => None,
        (None, false) => {
            return Err(Error::InvalidArgument { field: "to".into(), reason: "give --to NODE or --top".into() }.into());
        }
    };
    let n = store.move_node(&who, id, parent)?;
    print_node(o, &n)
}

pub(crate) fn delete(cli: &Cli, o: &mut Out, node: &str) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let id = parse_id(node)?;
    let deleted = store.delete_node(&who, id)?;
    o.emit(&serde_json::json!({"id": id, "deleted": deleted}), |w| {
        if deleted { writeln!(w, "deleted {id}") } else { writeln!(w, "no node {id} (nothing to delete)") }
    })
}

pub(crate) fn status(cli: &Cli, o: &mut Out, node: &str, status: Status) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let n = store.set_status(&who, parse_id(node)?, status)?;
    print_node(o, &n)
}

pub(crate) fn quota(cli: &Cli, o: &mut Out, cmd: &QuotaCmd) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let quotas = match cmd {
        QuotaCmd::Show { node } => store.quotas(&who, parse_id(node)?)?,
        QuotaCmd::Set { node, resource, limit } => {
            let value = if limit == "none" {
                None
            } else {
                Some(limit.parse::<u64>().map_err(|_| Error::InvalidArgument {
                    field: format!("limits.{resource}"),
                    reason: format!("{limit:?} is not a whole number or none"),
                })?)
            };
            let id = parse_id(node)?;
            store.set_limit(&who, id, resource, value)?;
            store.quotas(&who, id)?
        }
        QuotaCmd::Allocate { node, resource, amount } => {
            vec![store.allocate(&who, parse_id(node)?, resource, *amount)?]
        }
        QuotaCmd::Release { node, resource, amount } => {
            vec![store.release(&who, parse_id(node)?, resource, *amount)?]
        }
    };
    if o.is_json() {
        return o.json(&quotas);
    }
    let rows: Vec<Vec<String>> = quotas
        .iter()
        .map(|q| {
            let show = |v: Option<u64>| v.map_or_else(|| "-".to_owned(), |n| n.to_string());
            vec![q.resource.clone(), show(q.limit), q.used.to_string(), q.allocated.to_string(), show(q.available)]
        })
        .collect();
    o.table(&["RESOURCE", "LIMIT", "USED", "OWN", "AVAILABLE"], &rows)
}
