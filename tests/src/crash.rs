//! The crash-recovery protocol shared by the `crash_writer` binary and the test that kills it.
//!
//! The writer runs random transactions (batches of creates, moves, status and limit changes,
//! allocations, releases and deletes) on a store in a file, each committed durably in one
//! transaction together with a marker: the batch's sequence number, stored as the property
//! `general/seq` of a journal node. Before committing it prints the batch (`intent N ops`),
//! after it the outcome (`ok N`, or `err N CODE` for a refused batch, which changes nothing).
//!
//! The test SIGKILLs the writer at a random moment, reopens the file and replays the printed
//! log on the reference [`Model`]: every `ok` batch must be in the store, every refused one
//! must have been predicted refused with the same code, and a batch whose outcome was not
//! printed must be either wholly there (the marker says so) or wholly absent. The store must
//! then match the model node for node, roll-up for roll-up, and `check()` must be clean.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use tenantree::{Actor, DescendantQuery, NewNode, NodeId, PropQuery, Status, Store, WriteTx, namespaces};

use crate::{Model, Outcome};

/// The property key of the journal node that holds the last committed batch number.
pub const SEQ_KEY: &str = "seq";

/// Resources a batch allocates, releases or limits (`tenants` is counted: limits only).
const ALLOCATED: [&str; 2] = ["extensions", "call_queues"];
const LIMITED: [&str; 3] = ["tenants", "extensions", "call_queues"];
/// Lower-case login names only, so that the model's folding equals the store's; a small pool
/// so that name collisions happen.
const NAMES: [&str; 10] = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa"];

/// Past this many nodes the writer stops creating and releases and deletes instead, so that
/// long soak runs keep a tree of bounded size (the model's checks are quadratic).
const MAX_NODES: usize = 250;

/// A small, fast, seedable generator (SplitMix64): the writer needs no crate for randomness.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    #[must_use]
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A fresh node id (a random UUID with the v7 version and variant bits).
    pub fn node_id(&mut self) -> NodeId {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_be_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_be_bytes());
        bytes[6] = (bytes[6] & 0x0F) | 0x70;
        bytes[8] = (bytes[8] & 0x3F) | 0x80;
        NodeId::from_bytes(bytes).expect("not nil")
    }
}

/// One operation of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrashOp {
    /// Create a node with an id chosen by the writer, optionally with one limit.
    Create { id: NodeId, parent: Option<NodeId>, kind: String, name: String, limit: Option<(String, u64)> },
    /// Move a node.
    Move { id: NodeId, parent: Option<NodeId> },
    /// Set a node's own status: 0 enabled, 1 disabled, 2 suspended.
    Status { id: NodeId, status: u8 },
    /// Set or remove a limit.
    Limit { id: NodeId, resource: String, value: Option<u64> },
    /// Allocate.
    Allocate { id: NodeId, resource: String, amount: u64 },
    /// Release.
    Release { id: NodeId, resource: String, amount: u64 },
    /// Delete.
    Delete { id: NodeId },
}

fn status_of(code: u8) -> Status {
    match code {
        0 => Status::Enabled,
        1 => Status::Disabled,
        _ => Status::Suspended { profile: 1 },
    }
}

fn opt_id(id: Option<NodeId>) -> String {
    id.map_or_else(|| "-".to_owned(), |i| i.to_string())
}

fn parse_opt_id(s: &str) -> Option<Option<NodeId>> {
    if s == "-" { Some(None) } else { s.parse().ok().map(Some) }
}

impl CrashOp {
    /// The op as one line-safe text (no `;`, no newline).
    #[must_use]
    pub fn encode(&self) -> String {
        match self {
            CrashOp::Create { id, parent, kind, name, limit } => {
                let (r, v) = limit.as_ref().map_or(("-".to_owned(), 0), |(r, v)| (r.clone(), *v));
                format!("c {id} {} {kind} {name} {r} {v}", opt_id(*parent))
            }
            CrashOp::Move { id, parent } => format!("m {id} {}", opt_id(*parent)),
            CrashOp::Status { id, status } => format!("s {id} {status}"),
            CrashOp::Limit { id, resource, value } => {
                format!("l {id} {resource} {}", value.map_or_else(|| "-".to_owned(), |v| v.to_string()))
            }
            CrashOp::Allocate { id, resource, amount } => format!("a {id} {resource} {amount}"),
            CrashOp::Release { id, resource, amount } => format!("r {id} {resource} {amount}"),
            CrashOp::Delete { id } => format!("d {id}"),
        }
    }

    /// Parses [`encode`](CrashOp::encode)'s text.
    #[must_use]
    pub fn decode(s: &str) -> Option<CrashOp> {
        let w: Vec<&str> = s.split_whitespace().collect();
        let id = || w.get(1).and_then(|s| s.parse::<NodeId>().ok());
        Some(match *w.first()? {
            "c" if w.len() == 7 => CrashOp::Create {
                id: id()?,
                parent: parse_opt_id(w[2])?,
                kind: w[3].to_owned(),
                name: w[4].to_owned(),
                limit: if w[5] == "-" { None } else { Some((w[5].to_owned(), w[6].parse().ok()?)) },
            },
            "m" if w.len() == 3 => CrashOp::Move { id: id()?, parent: parse_opt_id(w[2])? },
            "s" if w.len() == 3 => CrashOp::Status { id: id()?, status: w[2].parse().ok()? },
            "l" if w.len() == 4 => CrashOp::Limit {
                id: id()?,
                resource: w[2].to_owned(),
                value: if w[3] == "-" { None } else { Some(w[3].parse().ok()?) },
            },
            "a" if w.len() == 4 => {
                CrashOp::Allocate { id: id()?, resource: w[2].to_owned(), amount: w[3].parse().ok()? }
            }
            "r" if w.len() == 4 => {
                CrashOp::Release { id: id()?, resource: w[2].to_owned(), amount: w[3].parse().ok()? }
            }
            "d" if w.len() == 2 => CrashOp::Delete { id: id()? },
            _ => return None,
        })
    }

    /// Applies the op inside a store transaction.
    ///
    /// # Errors
    ///
    /// The store's error for the op.
    pub fn apply(&self, tx: &mut WriteTx<'_, '_>) -> tenantree::Result<()> {
        match self {
            CrashOp::Create { id, parent, kind, name, limit } => {
                let mut new = NewNode::new(kind.as_str(), name.as_str()).id(*id);
                new.parent = *parent;
                if let Some((r, v)) = limit {
                    new = new.limit(r.as_str(), *v);
                }
                tx.create_node(&new).map(drop)
            }
            CrashOp::Move { id, parent } => tx.move_node(*id, *parent, None).map(drop),
            CrashOp::Status { id, status } => tx.set_status(*id, status_of(*status), None).map(drop),
            CrashOp::Limit { id, resource, value } => {
                tx.set_limits(*id, &BTreeMap::from([(resource.clone(), *value)]), None).map(drop)
            }
            CrashOp::Allocate { id, resource, amount } => tx.allocate(*id, resource, *amount).map(drop),
            CrashOp::Release { id, resource, amount } => tx.release(*id, resource, *amount).map(drop),
            CrashOp::Delete { id } => tx.delete_node(*id).map(drop),
        }
    }

    /// Predicts and applies the op on the model.
    pub fn apply_model(&self, model: &mut Model) -> Outcome {
        match self {
            CrashOp::Create { id, parent, kind, name, limit } => {
                let limits: BTreeMap<String, u64> = limit.iter().cloned().collect();
                model.create(*id, kind, *parent, name, &limits, None)
            }
            CrashOp::Move { id, parent } => model.move_node(*id, *parent),
            CrashOp::Status { id, status } => model.set_status(*id, status_of(*status)),
            CrashOp::Limit { id, resource, value } => model.set_limit(*id, resource, *value),
            CrashOp::Allocate { id, resource, amount } => model.allocate(*id, resource, *amount),
            CrashOp::Release { id, resource, amount } => model.release(*id, resource, *amount),
            CrashOp::Delete { id } => model.delete(*id).map(drop),
        }
    }
}

/// Applies a whole batch to the model, all or nothing, and returns the predicted outcome.
pub fn apply_batch_model(model: &mut Model, ops: &[CrashOp]) -> Outcome {
    let mut next = model.clone();
    for op in ops {
        op.apply_model(&mut next)?;
    }
    *model = next;
    Ok(())
}

/// Encodes a batch for an `intent` line.
#[must_use]
pub fn encode_batch(ops: &[CrashOp]) -> String {
    let mut out = String::new();
    for (i, op) in ops.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        let _ = write!(out, "{}", op.encode());
    }
    out
}

/// Decodes an `intent` line's batch.
#[must_use]
pub fn decode_batch(s: &str) -> Option<Vec<CrashOp>> {
    s.split(';').map(|op| CrashOp::decode(op.trim())).collect()
}

/// The last committed batch number stored on the journal node (0 before the first).
///
/// # Errors
///
/// The store's errors.
pub fn stored_seq(store: &Store, journal: NodeId) -> tenantree::Result<u64> {
    let props = store.read(&Actor::system(), |tx| tx.props(journal, namespaces::GENERAL, &PropQuery::default()))?;
    Ok(props.get(SEQ_KEY).and_then(serde_json::Value::as_u64).unwrap_or(0))
}

/// Writes the batch number marker inside the batch's transaction.
///
/// # Errors
///
/// The store's errors.
pub fn write_seq(tx: &mut WriteTx<'_, '_>, journal: NodeId, seq: u64) -> tenantree::Result<()> {
    let props = BTreeMap::from([(SEQ_KEY.to_owned(), serde_json::json!(seq))]);
    tx.upsert_props(journal, namespaces::GENERAL, &props).map(drop)
}

/// Every node of the store but the journal, with its kind, as the writer's targets.
///
/// # Errors
///
/// The store's errors.
pub fn list_nodes(store: &Store, journal: NodeId) -> tenantree::Result<Vec<(NodeId, String)>> {
    let sys = Actor::system();
    let mut out = Vec::new();
    for kind in &store.schema().kinds {
        let mut q = DescendantQuery { kind: kind.name.clone(), limit: Some(1000), ..Default::default() };
        loop {
            let page = store.descendants(&sys, None, &q)?;
            out.extend(page.items.iter().filter(|n| n.id != journal).map(|n| (n.id, n.kind.clone())));
            match page.next {
                Some(next) => q.cursor = Some(next),
                None => break,
            }
        }
    }
    Ok(out)
}

/// The writer's random batches: it knows which nodes exist (as far as its own committed
/// batches tell) and aims most operations at them, so that most batches commit.
#[derive(Debug)]
pub struct Generator {
    /// The random source.
    pub rng: Rng,
    /// Known nodes and their kinds.
    pub nodes: Vec<(NodeId, String)>,
    kinds: Vec<(String, Vec<String>, bool)>,
}

impl Generator {
    /// A generator over the store's schema and current nodes.
    #[must_use]
    pub fn new(store: &Store, seed: u64, nodes: Vec<(NodeId, String)>) -> Generator {
        let kinds = store.schema().kinds.iter().map(|k| (k.name.clone(), k.parents.clone(), k.top_level)).collect();
        Generator { rng: Rng::new(seed), nodes, kinds }
    }

    fn some_node(&mut self) -> Option<NodeId> {
        if self.nodes.is_empty() || self.rng.below(20) == 0 { None } else { Some(self.rng.pick(&self.nodes).0) }
    }

    fn one(&mut self) -> CrashOp {
        let target = self.some_node().unwrap_or_else(|| self.rng.node_id());
        let full = self.nodes.len() >= MAX_NODES;
        match self.rng.below(20) {
            0..=6 if full => match self.rng.below(2) {
                0 => CrashOp::Release { id: target, resource: (*self.rng.pick(&ALLOCATED)).to_owned(), amount: 1 },
                _ => CrashOp::Delete { id: target },
            },
            0..=6 => {
                // A parent that can hold children (tenants hold none), or the top level.
                let parent = self
                    .some_node()
                    .filter(|p| self.nodes.iter().any(|n| n.0 == *p && self.kinds.iter().any(|k| k.1.contains(&n.1))));
                let parent_kind = parent.and_then(|p| self.nodes.iter().find(|n| n.0 == p).map(|n| n.1.clone()));
                let fits: Vec<String> = self
                    .kinds
                    .iter()
                    .filter(|(_, parents, top)| match &parent_kind {
                        Some(pk) => parents.contains(pk),
                        None => *top,
                    })
                    .map(|k| k.0.clone())
                    .collect();
                let kind =
                    if fits.is_empty() { self.rng.pick(&self.kinds).0.clone() } else { self.rng.pick(&fits).clone() };
                let limit =
                    (self.rng.below(3) == 0).then(|| ((*self.rng.pick(&LIMITED)).to_owned(), self.rng.next_u64() % 12));
                CrashOp::Create {
                    id: self.rng.node_id(),
                    parent,
                    kind,
                    name: format!("{}{}", self.rng.pick(&NAMES), self.rng.below(8)),
                    limit,
                }
            }
            7..=8 => {
                // Mostly to a parent whose kind may hold the node's: moves that can succeed.
                let kind = self.nodes.iter().find(|n| n.0 == target).map(|n| n.1.clone());
                let parents =
                    kind.and_then(|k| self.kinds.iter().find(|d| d.0 == k).map(|d| d.1.clone())).unwrap_or_default();
                let fitting: Vec<NodeId> = self.nodes.iter().filter(|n| parents.contains(&n.1)).map(|n| n.0).collect();
                let parent = if fitting.is_empty() || self.rng.below(4) == 0 {
                    self.some_node()
                } else {
                    Some(*self.rng.pick(&fitting))
                };
                CrashOp::Move { id: target, parent }
            }
            // Two in three status changes enable: disabled subtrees refuse most writes.
            9 => CrashOp::Status { id: target, status: (self.rng.below(6) as u8).saturating_sub(3) },
            10..=11 => CrashOp::Limit {
                id: target,
                resource: (*self.rng.pick(&LIMITED)).to_owned(),
                value: (self.rng.below(4) != 0).then(|| self.rng.next_u64() % 20),
            },
            12..=15 => CrashOp::Allocate {
                id: target,
                resource: (*self.rng.pick(&ALLOCATED)).to_owned(),
                amount: 1 + self.rng.next_u64() % 4,
            },
            16..=17 => CrashOp::Release {
                id: target,
                resource: (*self.rng.pick(&ALLOCATED)).to_owned(),
                amount: 1 + self.rng.next_u64() % 3,
            },
            _ => CrashOp::Delete { id: target },
        }
    }

    /// A batch of one to four operations (half of them single operations, so that many commit).
    pub fn batch(&mut self) -> Vec<CrashOp> {
        let n = if self.rng.below(2) == 0 { 1 } else { 2 + self.rng.below(3) };
        (0..n).map(|_| self.one()).collect()
    }

    /// Records a committed batch, so that later batches aim at the nodes it made.
    pub fn committed(&mut self, ops: &[CrashOp]) {
        for op in ops {
            match op {
                CrashOp::Create { id, kind, .. } => self.nodes.push((*id, kind.clone())),
                CrashOp::Delete { id } => self.nodes.retain(|n| n.0 != *id),
                _ => {}
            }
        }
    }
}
