//! Workload sizes and the generated data: the same names, limits and tree shape for every
//! implementation.

use crate::engine::{EXTENSIONS, Id, Kind, NewRec, Rng, TENANTS};

/// How big a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// A few dozen nodes: CI runs every workload once at this size.
    Tiny,
    /// The ratio command: 100,000 tenants, well under five minutes for everything.
    Quick,
    /// The sizes: 1,000,000 tenants.
    Full,
}

impl Size {
    /// `tiny`, `quick` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Size::Tiny => "tiny",
            Size::Quick => "quick",
            Size::Full => "full",
        }
    }

    /// Parses `tiny`, `quick` or `full`.
    pub fn parse(s: &str) -> Option<Size> {
        [Size::Tiny, Size::Quick, Size::Full].into_iter().find(|z| z.name() == s)
    }
}

/// Every parameter of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizes {
    /// Which preset this is.
    pub size: Size,
    /// Distributors under the platform.
    pub distributors: usize,
    /// Sub-distributors per distributor.
    pub subs: usize,
    /// Resellers per sub-distributor.
    pub resellers: usize,
    /// Tenants per reseller.
    pub tenants: usize,
    /// Nodes per transaction in W1.
    pub batch: usize,
    /// How many times W1 runs (the fastest counts); the ratio command runs the implementations'
    /// rounds in turn.
    pub w1_runs: usize,
    /// Rounds of W3, W4 and W5 (the fastest of each counts), taking the implementations in
    /// turn, the JavaScript ones between the native ones. More than W1's runs because they are
    /// short (a round takes about a second at the quick size), and this host's speed swings by up
    /// to 2x for seconds at a time (a CPU-bound loop in Node measured 4.0-8.3 ms a pass, in
    /// stretches, within one process, where the one before had run at 4.0-4.3): with three
    /// rounds, one implementation's fastest was often in a slow spell.
    pub read_rounds: usize,
    /// Durable creates in W2 (at most `tenants - 1`: they go under one reseller).
    pub w2_creates: usize,
    /// Allocate/release batch pairs in W3.
    pub w3_pairs: usize,
    /// Operations per W3 batch (distinct tenants).
    pub w3_batch: usize,
    /// Gets in W4 (distinct random tenants).
    pub w4_gets: usize,
    /// Children of the W5 parent.
    pub w5_children: usize,
    /// Page size in W5.
    pub w5_page: u32,
    /// Full walks through the W5 listing, each timed; their median counts (the first walks
    /// after the children are written run slower: natively the first about 8 %, in the npm
    /// package, which takes the same count, the first two to four up to twice as slow).
    pub w5_walks: usize,
    /// Repetitions of W6.
    pub w6_reps: usize,
    /// Repetitions of W7.
    pub w7_reps: usize,
    /// Repetitions of W8.
    pub w8_reps: usize,
}

impl Sizes {
    /// The parameters of a preset.
    pub fn of(size: Size) -> Sizes {
        match size {
            Size::Tiny => Sizes {
                size,
                distributors: 2,
                subs: 2,
                resellers: 2,
                tenants: 5,
                batch: 16,
                w1_runs: 1,
                read_rounds: 1,
                w2_creates: 3,
                w3_pairs: 2,
                w3_batch: 4,
                w4_gets: 10,
                w5_children: 120,
                w5_page: 50,
                w5_walks: 1,
                w6_reps: 1,
                w7_reps: 1,
                w8_reps: 1,
            },
            Size::Quick => Sizes {
                size,
                distributors: 10,
                subs: 10,
                resellers: 10,
                tenants: 100,
                batch: 10_000,
                w1_runs: 3,
                read_rounds: 7,
                w2_creates: 40,
                w3_pairs: 20,
                w3_batch: 100,
                w4_gets: 5_000,
                w5_children: 10_000,
                w5_page: 50,
                w5_walks: 10,
                w6_reps: 3,
                w7_reps: 1,
                w8_reps: 10,
            },
            Size::Full => Sizes {
                size,
                distributors: 10,
                subs: 10,
                resellers: 100,
                tenants: 100,
                batch: 10_000,
                w1_runs: 3,
                read_rounds: 7,
                w2_creates: 60,
                w3_pairs: 50,
                w3_batch: 100,
                w4_gets: 20_000,
                w5_children: 10_000,
                w5_page: 50,
                w5_walks: 10,
                w6_reps: 3,
                w7_reps: 1,
                w8_reps: 20,
            },
        }
    }

    /// Tenants built by W1.
    pub fn total_tenants(&self) -> usize {
        self.distributors * self.subs * self.resellers * self.tenants
    }

    /// Resellers built by W1.
    pub fn total_resellers(&self) -> usize {
        self.distributors * self.subs * self.resellers
    }

    /// Every node built by W1.
    pub fn total_nodes(&self) -> usize {
        1 + self.distributors + self.distributors * self.subs + self.total_resellers() + self.total_tenants()
    }

    /// Limits of a distributor: room for twice its tenants, 20 extensions per tenant.
    pub fn distributor_limits(&self) -> Vec<(u16, u64)> {
        dealer_limits(self.subs * self.resellers * self.tenants)
    }

    /// Limits of a sub-distributor.
    pub fn sub_limits(&self) -> Vec<(u16, u64)> {
        dealer_limits(self.resellers * self.tenants)
    }

    /// Limits of a reseller.
    pub fn reseller_limits(&self) -> Vec<(u16, u64)> {
        dealer_limits(self.tenants)
    }
}

/// Extensions a tenant may use.
pub const TENANT_EXTENSIONS: u64 = 20;

fn dealer_limits(tenants_below: usize) -> Vec<(u16, u64)> {
    let room = u64::try_from(tenants_below).unwrap_or(u64::MAX / 64).saturating_mul(2);
    vec![(TENANTS, room), (EXTENSIONS, room.saturating_mul(TENANT_EXTENSIONS))]
}

/// The platform's name.
pub const PLATFORM: &str = "acme";

/// Name of distributor `d`.
pub fn distributor_name(d: usize) -> String {
    format!("dist{d}")
}

/// Name of sub-distributor `s` of distributor `d`.
pub fn sub_name(d: usize, s: usize) -> String {
    format!("dist{d}-sub{s}")
}

/// Name of reseller `r` of sub-distributor `s` of distributor `d`.
pub fn reseller_name(d: usize, s: usize, r: usize) -> String {
    format!("dist{d}-sub{s}-res{r}")
}

/// Name of the tenant with global number `n`.
pub fn tenant_name(n: usize) -> String {
    format!("tenant-{n:07}")
}

/// A new tenant under `parent` with its extension limit.
pub fn tenant(parent: Id, name: String) -> NewRec {
    NewRec { kind: Kind::Tenant, name, parent: Some(parent), limits: vec![(EXTENSIONS, TENANT_EXTENSIONS)] }
}

/// Names of the W5 children, in creation order: random letters (so that name order is not
/// creation order) and the number (so they are unique).
pub fn w5_names(n: usize) -> Vec<String> {
    let mut rng = Rng::new(5);
    (0..n)
        .map(|i| {
            let mut x = rng.next_u64();
            let mut s = String::with_capacity(16);
            for _ in 0..6 {
                let letter = u8::try_from(x % 26).unwrap_or(0);
                s.push(char::from(b'a' + letter));
                x /= 26;
            }
            s.push('-');
            s.push_str(&i.to_string());
            s
        })
        .collect()
}

/// The ids of the dealers W1 built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// The platform.
    pub platform: Id,
    /// Distributors, in number order.
    pub distributors: Vec<Id>,
    /// Every reseller, in number order (distributor, then sub-distributor, then reseller).
    pub resellers: Vec<Id>,
}
