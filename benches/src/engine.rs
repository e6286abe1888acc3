//! What every implementation offers the workloads, and the observable results they must agree
//! on.

use std::fmt;
use std::path::Path;

/// A node's public id: a UUID as a number (big-endian bytes), the same in every implementation.
pub type Id = u128;

/// An error of any implementation, with the model's error code when the store refused a write
/// (`QUOTA_EXCEEDED`, `KIND_NOT_ALLOWED`, `STILL_IN_USE`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The model's error code, when the write was refused by a rule.
    pub code: Option<String>,
    /// What happened.
    pub message: String,
}

impl Error {
    /// An error without a code.
    pub fn msg(message: impl Into<String>) -> Error {
        Error { code: None, message: message.into() }
    }

    /// A refusal with a model error code.
    pub fn refused(code: &str, message: impl Into<String>) -> Error {
        Error { code: Some(code.to_owned()), message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

/// The result of every call here.
pub type Result<T> = std::result::Result<T, Error>;

impl From<tenantree::Error> for Error {
    fn from(e: tenantree::Error) -> Error {
        Error { code: Some(e.code().to_owned()), message: e.to_string() }
    }
}

macro_rules! plain_error {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error::msg(e.to_string())
            }
        })*
    };
}

plain_error!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::CompactionError,
    redb::SetDurabilityError,
    postcard::Error,
    serde_json::Error,
    std::io::Error,
);

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        crate::sqlite::map_error(e)
    }
}

/// The node kinds of tenantree's `channel` schema, in its order (a kind's position is its
/// stored number and its roll-up key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The root.
    Platform,
    /// Under the platform.
    Distributor,
    /// Under a distributor.
    SubDistributor,
    /// Under the platform, a distributor or a sub-distributor.
    Reseller,
    /// Under any dealer; a leaf.
    Tenant,
}

impl Kind {
    /// Every kind, in schema order.
    pub const ALL: [Kind; 5] = [Kind::Platform, Kind::Distributor, Kind::SubDistributor, Kind::Reseller, Kind::Tenant];

    /// The kind's number in the schema.
    pub fn index(self) -> u8 {
        match self {
            Kind::Platform => 0,
            Kind::Distributor => 1,
            Kind::SubDistributor => 2,
            Kind::Reseller => 3,
            Kind::Tenant => 4,
        }
    }

    /// The kind's name in the schema.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Platform => "platform",
            Kind::Distributor => "distributor",
            Kind::SubDistributor => "sub_distributor",
            Kind::Reseller => "reseller",
            Kind::Tenant => "tenant",
        }
    }

    /// The kind with this number.
    pub fn from_index(index: u8) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.index() == index)
    }

    /// The store-wide name-uniqueness group of the kind (`None`: unique among siblings).
    pub fn name_group(self) -> Option<&'static str> {
        match self {
            Kind::Platform => Some("platform"),
            Kind::Distributor | Kind::SubDistributor | Kind::Reseller => Some("dealer"),
            Kind::Tenant => None,
        }
    }
}

/// Roll-up key of the `tenants` resource (it counts tenants: the tenant kind's number).
pub const TENANTS: u16 = 4;
/// Roll-up key of the `extensions` resource (resource 1 of the schema: `0x100 + 1`).
pub const EXTENSIONS: u16 = 0x101;
/// Roll-up key of the direct-children counter.
pub const CHILDREN: u16 = u16::MAX;

/// The resources of the `channel` schema in schema order, with their roll-up keys.
pub const RESOURCES: [(&str, u16); 8] = [
    ("tenants", TENANTS),
    ("extensions", EXTENSIONS),
    ("concurrent_calls", 0x102),
    ("ring_groups", 0x103),
    ("virtual_receptionists", 0x104),
    ("call_queues", 0x105),
    ("conference_rooms", 0x106),
    ("disk_bytes", 0x107),
];

/// The resource name of a roll-up key.
pub fn resource_name(key: u16) -> Option<&'static str> {
    RESOURCES.iter().find(|(_, k)| *k == key).map(|(n, _)| *n)
}

/// The roll-up key of a resource name.
pub fn resource_key(name: &str) -> Option<u16> {
    RESOURCES.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

/// How commits reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Commits are not flushed; [`Engine::flush`] makes them durable (tenantree's
    /// `Durability::Bulk`, redb's `Durability::None`). SQLite stays in WAL with
    /// `synchronous=NORMAL`, which never syncs on commit anyway.
    Bulk,
    /// Each implementation's prescribed durable setting: one fsync per commit for tenantree and
    /// redb (`Immediate`); WAL with `synchronous=NORMAL` for SQLite as the issue prescribes,
    /// which survives an application crash but may lose the last commits on power loss.
    Durable,
    /// An fsync on every commit for every implementation: SQLite switches to
    /// `synchronous=FULL`; the others are as in [`Mode::Durable`].
    FsyncEveryCommit,
}

/// A node to create, naming its parent by public id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRec {
    /// Its kind.
    pub kind: Kind,
    /// Its name (valid under the login rule).
    pub name: String,
    /// Its parent; `None` at the top level.
    pub parent: Option<Id>,
    /// Its limits, by roll-up key, sorted by key.
    pub limits: Vec<(u16, u64)>,
}

/// One allocation (`delta > 0`) or release (`delta < 0`) of a resource on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adjust {
    /// The node.
    pub node: Id,
    /// The resource's roll-up key.
    pub key: u16,
    /// How much to take (positive) or give back (negative).
    pub delta: i64,
}

/// A node's own status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In service.
    Enabled,
    /// Disabled.
    Disabled,
    /// Suspended (profile 0).
    Suspended,
}

impl Status {
    /// `enabled`, `disabled` or `suspended`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Enabled => "enabled",
            Status::Disabled => "disabled",
            Status::Suspended => "suspended",
        }
    }
}

/// One resource's figures at a node, as tenantree's `Quota`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaView {
    /// The resource.
    pub resource: String,
    /// The node's own limit.
    pub limit: Option<u64>,
    /// Usage of the subtree (own allocation included).
    pub used: u64,
    /// Allocation on the node itself.
    pub allocated: u64,
    /// Room left before the tightest limit on the node or an ancestor.
    pub available: Option<u64>,
}

/// A node with its effective status and quotas (workload W4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeView {
    /// Name.
    pub name: String,
    /// Kind name.
    pub kind: String,
    /// Depth (1 at the top).
    pub depth: u32,
    /// Own status.
    pub status: String,
    /// Effective status: its own or that of the nearest ancestor that is off.
    pub effective: String,
    /// Every resource of the schema, in schema order.
    pub quotas: Vec<QuotaView>,
}

/// One entry of a page of children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Name.
    pub name: String,
    /// Kind name.
    pub kind: String,
    /// Effective status.
    pub effective: String,
}

/// A page of children (workload W5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageView {
    /// The entries, sorted by name.
    pub items: Vec<Item>,
    /// How many children the parent has.
    pub total: u64,
}

/// Every tenant under a node (workload W6), summed up order-independently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SubtreeView {
    /// How many tenants.
    pub count: u64,
    /// The wrapping sum of a hash of every tenant's name.
    pub checksum: u64,
}

impl SubtreeView {
    /// Adds one tenant.
    pub fn add(&mut self, name: &str) {
        self.count += 1;
        self.checksum = self.checksum.wrapping_add(fnv(name.as_bytes()));
    }
}

/// The result of an integrity check (workload W7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckView {
    /// Nodes seen.
    pub nodes: u64,
    /// Problems found (0 for a healthy store).
    pub problems: u64,
}

/// One implementation of the model: tenantree, raw redb, or SQLite.
pub trait Engine: Sized {
    /// Short name for tables.
    const NAME: &'static str;
    /// A position in a listing of children, as the implementation hands it out.
    type Cursor: Clone + fmt::Debug;

    /// Creates a new, empty store in a file, in [`Mode::Bulk`].
    fn create(path: &Path) -> Result<Self>;
    /// Opens an existing store.
    fn open(path: &Path, mode: Mode) -> Result<Self>;
    /// Makes every commit durable.
    fn flush(&mut self) -> Result<()>;
    /// Flushes and closes.
    fn close(self) -> Result<()>;
    /// Creates nodes in one transaction, all or nothing; returns their ids.
    fn insert(&mut self, nodes: &[NewRec]) -> Result<Vec<Id>>;
    /// Allocations and releases in one transaction, all or nothing.
    fn adjust(&mut self, ops: &[Adjust]) -> Result<()>;
    /// Sets a node's own status.
    fn set_status(&mut self, node: Id, status: Status) -> Result<()>;
    /// Deletes a node, which must be empty.
    fn delete(&mut self, node: Id) -> Result<()>;
    /// Every child of a node (`None`: the top level) with its name, for fixtures. Not timed.
    fn children_ids(&self, parent: Option<Id>) -> Result<Vec<(String, Id)>>;
    /// A node with its effective status and quotas, in one read transaction (W4).
    fn get(&self, node: Id) -> Result<NodeView>;
    /// A page of children sorted by name, after a cursor (W5). Returns the cursor of the next
    /// page, if any.
    fn page(&self, parent: Id, limit: u32, after: Option<&Self::Cursor>) -> Result<(PageView, Option<Self::Cursor>)>;
    /// Every tenant under a node, in one read transaction (W6).
    fn tenants_under(&self, root: Id) -> Result<SubtreeView>;
    /// The integrity check (W7).
    fn check(&mut self) -> Result<CheckView>;

    /// The length of the store's file, once closed.
    fn disk_bytes(path: &Path) -> u64 {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }

    /// The disk space the store's file takes, once closed: its allocated blocks. Less than its
    /// length when the file has holes, as redb's has: it grows the file ahead of its data (up
    /// to double) by extending it, and the extension takes no disk space until written.
    fn disk_used(path: &Path) -> u64 {
        std::fs::metadata(path).map_or(0, |m| allocated(&m))
    }
}

/// The disk space of a file: its allocated blocks (its length where that is not known).
#[must_use]
pub fn allocated(meta: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.blocks().saturating_mul(512)
    }
    #[cfg(not(unix))]
    {
        meta.len()
    }
}

/// 64-bit FNV-1a.
pub fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// SplitMix64: a small deterministic generator for workloads and fixtures.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        let n64 = u64::try_from(n).unwrap_or(u64::MAX).max(1);
        usize::try_from(self.next_u64() % n64).unwrap_or(0)
    }
}

/// Monotonic UUIDv7 ids from the system clock and a user-space generator, as a good engineer
/// would mint them for SQLite or a hand-written redb layout (the `uuid` crate's `now_v7` works
/// the same way: no system call per id).
#[derive(Debug, Clone)]
pub struct IdGen {
    last: u128,
    rng: Rng,
}

impl IdGen {
    /// A generator seeded from the clock.
    pub fn new() -> IdGen {
        let seed = now_micros().unsigned_abs();
        IdGen { last: 0, rng: Rng::new(seed) }
    }

    /// The next id, greater than every id before it.
    pub fn next_id(&mut self) -> Id {
        let millis = u128::from(now_micros().unsigned_abs() / 1000) & ((1 << 48) - 1);
        let rand_a = u128::from(self.rng.next_u64() & 0xFFF);
        let rand_b = u128::from(self.rng.next_u64()) & ((1 << 62) - 1);
        let fresh = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b;
        let id = if fresh > self.last { fresh } else { v7_successor(self.last) };
        self.last = id;
        id
    }
}

impl Default for IdGen {
    fn default() -> IdGen {
        IdGen::new()
    }
}

/// The UUIDv7 right after `id`, counting across its timestamp and random fields.
fn v7_successor(id: u128) -> u128 {
    let ts = id >> 80;
    let rand_a = (id >> 64) & 0xFFF;
    let rand_b = id & ((1u128 << 62) - 1);
    let counter = (ts << 74) | (rand_a << 62) | rand_b;
    let next = counter.wrapping_add(1) & ((1u128 << 122) - 1);
    let (ts, rand_a, rand_b) = (next >> 74, (next >> 62) & 0xFFF, next & ((1u128 << 62) - 1));
    (ts << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
}

/// Microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// The status an own status and the chain above give: the nearest one that is off, else
/// enabled. `chain` starts at the node itself.
pub fn effective<'a>(chain: impl IntoIterator<Item = &'a str>) -> String {
    chain.into_iter().find(|s| *s != "enabled").unwrap_or("enabled").to_owned()
}
