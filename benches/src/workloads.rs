//! The workloads W1-W8, written once over [`Engine`], timed, and with what each observed so
//! that the implementations can be compared for equal answers.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::engine::{
    Adjust, CheckView, EXTENSIONS, Engine, Error, Id, Kind, Mode, NewRec, NodeView, PageView, Result, Rng, SubtreeView,
    TENANTS,
};
use crate::spec::{self, Sizes, Tree};

/// The median of some timings.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// A timed workload: the median time of one unit (one create, one get, one page...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    /// Median time per unit.
    pub per_unit: Duration,
    /// How many samples the median is of.
    pub samples: usize,
}

impl Stat {
    /// The median of samples, each already per unit.
    pub fn of(samples: Vec<Duration>) -> Stat {
        let n = samples.len();
        Stat { per_unit: median(samples), samples: n }
    }

    /// Another round of the same workload: the faster median counts, the samples add up.
    pub fn keep_faster(&mut self, other: &Stat) {
        self.per_unit = self.per_unit.min(other.per_unit);
        self.samples += other.samples;
    }
}

/// What one W1 run gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct W1Outcome {
    /// Wall time of the whole build: create, every transaction, the final flush and close.
    pub elapsed: Duration,
    /// Peak resident memory of the process that ran it, when measured in a process of its own.
    pub peak_rss_kib: Option<u64>,
    /// The file's length after the close.
    pub file_bytes: u64,
    /// The disk space the file takes after the close (see [`Engine::disk_used`]).
    pub disk_used: u64,
    /// CPU time of the build, when measured.
    pub cpu: Option<Duration>,
}

impl W1Outcome {
    /// Several runs as one: the fastest time and the least CPU time (interference from a
    /// shared machine only ever adds time), the highest peak memory, the last file size.
    #[must_use]
    pub fn best_of(runs: &[W1Outcome]) -> W1Outcome {
        W1Outcome {
            elapsed: runs.iter().map(|r| r.elapsed).min().unwrap_or_default(),
            peak_rss_kib: runs.iter().filter_map(|r| r.peak_rss_kib).max(),
            file_bytes: runs.last().map_or(0, |r| r.file_bytes),
            disk_used: runs.last().map_or(0, |r| r.disk_used),
            cpu: runs.iter().filter_map(|r| r.cpu).min(),
        }
    }
}

/// Creates the dealers: platform, distributors, sub-distributors, resellers, one transaction
/// per level (resellers in transactions of `batch`).
pub fn build_dealers<E: Engine>(e: &mut E, s: &Sizes) -> Result<Tree> {
    let one = |ids: Vec<Id>| ids.first().copied().ok_or_else(|| Error::msg("an insert returned no id"));
    let platform = one(e.insert(&[NewRec {
        kind: Kind::Platform,
        name: spec::PLATFORM.to_owned(),
        parent: None,
        limits: vec![],
    }])?)?;
    let dists: Vec<NewRec> = (0..s.distributors)
        .map(|d| NewRec {
            kind: Kind::Distributor,
            name: spec::distributor_name(d),
            parent: Some(platform),
            limits: s.distributor_limits(),
        })
        .collect();
    let distributors = e.insert(&dists)?;
    let mut subs = Vec::new();
    for (d, &dist) in distributors.iter().enumerate() {
        for sub in 0..s.subs {
            subs.push(NewRec {
                kind: Kind::SubDistributor,
                name: spec::sub_name(d, sub),
                parent: Some(dist),
                limits: s.sub_limits(),
            });
        }
    }
    let sub_ids = e.insert(&subs)?;
    let mut resellers = Vec::new();
    let mut batch = Vec::new();
    for (i, &sub) in sub_ids.iter().enumerate() {
        let (d, sb) = (i / s.subs.max(1), i % s.subs.max(1));
        for r in 0..s.resellers {
            batch.push(NewRec {
                kind: Kind::Reseller,
                name: spec::reseller_name(d, sb, r),
                parent: Some(sub),
                limits: s.reseller_limits(),
            });
            if batch.len() == s.batch {
                resellers.extend(e.insert(&batch)?);
                batch.clear();
            }
        }
    }
    if !batch.is_empty() {
        resellers.extend(e.insert(&batch)?);
    }
    Ok(Tree { platform, distributors, resellers })
}

/// Creates every tenant, in transactions of `batch`, reseller after reseller.
pub fn build_tenants<E: Engine>(e: &mut E, s: &Sizes, tree: &Tree) -> Result<u64> {
    let mut batch = Vec::with_capacity(s.batch);
    let mut n = 0usize;
    for &reseller in &tree.resellers {
        for _ in 0..s.tenants {
            batch.push(spec::tenant(reseller, spec::tenant_name(n)));
            n += 1;
            if batch.len() == s.batch {
                e.insert(&batch)?;
                batch.clear();
            }
        }
    }
    if !batch.is_empty() {
        e.insert(&batch)?;
    }
    Ok(n as u64)
}

/// W1 in this process: a fresh store, every dealer and tenant, the final flush and close.
pub fn w1_in_process<E: Engine>(path: &Path, s: &Sizes) -> Result<W1Outcome> {
    let cpu0 = crate::report::cpu_and_wait();
    let t0 = Instant::now();
    let mut e = E::create(path)?;
    let tree = build_dealers(&mut e, s)?;
    build_tenants(&mut e, s, &tree)?;
    e.flush()?;
    e.close()?;
    let elapsed = t0.elapsed();
    let cpu = cpu0.zip(crate::report::cpu_and_wait()).map(|((a, _), (b, _))| b.saturating_sub(a));
    Ok(W1Outcome { elapsed, peak_rss_kib: None, file_bytes: E::disk_bytes(path), disk_used: E::disk_used(path), cpu })
}

/// Finds the dealers of a W1 store by name (not timed).
pub fn resolve_tree<E: Engine>(e: &E, s: &Sizes) -> Result<Tree> {
    let named = |list: Vec<(String, Id)>| -> HashMap<String, Id> { list.into_iter().collect() };
    let find = |map: &HashMap<String, Id>, name: &str| {
        map.get(name).copied().ok_or_else(|| Error::msg(format!("{name} is missing")))
    };
    let platform = find(&named(e.children_ids(None)?), spec::PLATFORM)?;
    let top = named(e.children_ids(Some(platform))?);
    let mut distributors = Vec::new();
    let mut resellers = Vec::new();
    for d in 0..s.distributors {
        let dist = find(&top, &spec::distributor_name(d))?;
        distributors.push(dist);
        let subs = named(e.children_ids(Some(dist))?);
        for sb in 0..s.subs {
            let sub = find(&subs, &spec::sub_name(d, sb))?;
            let res = named(e.children_ids(Some(sub))?);
            for r in 0..s.resellers {
                resellers.push(find(&res, &spec::reseller_name(d, sb, r))?);
            }
        }
    }
    Ok(Tree { platform, distributors, resellers })
}

/// Up to `n` distinct tenants chosen at random (the same ones, by name, in every
/// implementation), from at most 500 random resellers (not timed).
pub fn sample_tenants<E: Engine>(e: &E, tree: &Tree, n: usize, seed: u64) -> Result<Vec<Id>> {
    let mut rng = Rng::new(seed);
    let mut picked_resellers: Vec<usize> = Vec::new();
    let mut seen = HashSet::new();
    let want = tree.resellers.len().min(500);
    while picked_resellers.len() < want {
        let r = rng.below(tree.resellers.len());
        if seen.insert(r) {
            picked_resellers.push(r);
        }
    }
    let mut lists: Vec<Vec<Id>> = Vec::new();
    for &r in &picked_resellers {
        let reseller = tree.resellers.get(r).copied().ok_or_else(|| Error::msg("reseller out of range"))?;
        let mut children = e.children_ids(Some(reseller))?;
        children.sort();
        lists.push(children.into_iter().map(|(_, id)| id).collect());
    }
    let total: usize = lists.iter().map(Vec::len).sum();
    let n = n.min(total);
    let mut out = Vec::with_capacity(n);
    let mut taken = HashSet::new();
    while out.len() < n {
        let Some(list) = lists.get(rng.below(lists.len())) else { break };
        if list.is_empty() {
            continue;
        }
        let Some(&id) = list.get(rng.below(list.len())) else { continue };
        if taken.insert(id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// W2: one durable create per transaction, under one reseller. Returns the time of each and
/// the reseller afterwards.
pub fn w2<E: Engine>(path: &Path, parent: Id, s: &Sizes, mode: Mode, tag: &str) -> Result<(Stat, NodeView)> {
    let mut e = E::open(path, mode)?;
    e.insert(&[spec::tenant(parent, format!("w2-{tag}-warmup"))])?;
    let mut times = Vec::with_capacity(s.w2_creates);
    for i in 0..s.w2_creates {
        let rec = [spec::tenant(parent, format!("w2-{tag}-{i}"))];
        let t0 = Instant::now();
        black_box(e.insert(&rec)?);
        times.push(t0.elapsed());
    }
    let view = e.get(parent)?;
    e.close()?;
    Ok((Stat::of(times), view))
}

/// W3: batches that allocate one extension on each of `w3_batch` distinct tenants, each
/// followed by a batch that releases them. Returns the time per operation of each batch and
/// the first tenant after the first allocation and after its release.
pub fn w3<E: Engine>(e: &mut E, pool: &[Id], s: &Sizes, seed: u64) -> Result<(Stat, NodeView, NodeView)> {
    let mut rng = Rng::new(seed);
    let mut times = Vec::with_capacity(2 * s.w3_pairs);
    let mut observed = None;
    let batch = s.w3_batch.min(pool.len()).max(1);
    for pair in 0..s.w3_pairs {
        let mut chosen = HashSet::new();
        let mut ids = Vec::with_capacity(batch);
        while ids.len() < batch {
            let Some(&id) = pool.get(rng.below(pool.len())) else { break };
            if chosen.insert(id) {
                ids.push(id);
            }
        }
        for delta in [1i64, -1] {
            let ops: Vec<Adjust> = ids.iter().map(|&node| Adjust { node, key: EXTENSIONS, delta }).collect();
            let t0 = Instant::now();
            e.adjust(&ops)?;
            times.push(t0.elapsed() / u32::try_from(ops.len()).unwrap_or(1).max(1));
            if pair == 0
                && let Some(&first) = ids.first()
            {
                let view = e.get(first)?;
                observed = Some(match observed {
                    None => (Some(view), None),
                    Some((a, _)) => (a, Some(view)),
                });
            }
        }
    }
    e.flush()?;
    match observed {
        Some((Some(a), Some(r))) => Ok((Stat::of(times), a, r)),
        _ => Err(Error::msg("W3 ran no batch")),
    }
}

/// W4: one node with its effective status and quotas, each in its own read transaction. Times
/// chunks of 100 gets, after one untimed get of every id: W4 measures reads of a warm store,
/// as a service answers them, not the first reads after opening the file, which fetch its
/// pages from the OS into the engine's cache (tenantree's first pass after a reopen measured
/// 2.4-2.9 µs a get at the quick size, the passes after it 1.9-2.45). The JavaScript stores
/// stay open (and in memory) from round to round, so without it WASM/native divided a warm read
/// by a cold one. tenantree's own cache of records, shared by its read transactions, is warmed
/// too; raw redb and SQLite have only their page caches. Returns the first
/// three nodes as observed.
pub fn w4<E: Engine>(e: &E, ids: &[Id]) -> Result<(Stat, Vec<NodeView>)> {
    for &id in ids {
        black_box(e.get(id)?);
    }
    let mut times = Vec::new();
    for chunk in ids.chunks(100) {
        let t0 = Instant::now();
        for &id in chunk {
            black_box(e.get(id)?);
        }
        times.push(t0.elapsed() / u32::try_from(chunk.len()).unwrap_or(1).max(1));
    }
    let observed = ids.iter().take(3).map(|&id| e.get(id)).collect::<Result<Vec<_>>>()?;
    Ok((Stat::of(times), observed))
}

/// Builds the W5 parent, a reseller with `w5_children` tenants named in random order, under
/// its own distributor and sub-distributor (not timed). Returns the reseller.
pub fn w5_fixture<E: Engine>(e: &mut E, tree: &Tree, s: &Sizes) -> Result<Id> {
    let one = |ids: Vec<Id>| ids.first().copied().ok_or_else(|| Error::msg("an insert returned no id"));
    let dist = one(e.insert(&[NewRec {
        kind: Kind::Distributor,
        name: "w5-dist".to_owned(),
        parent: Some(tree.platform),
        limits: vec![],
    }])?)?;
    let sub = one(e.insert(&[NewRec {
        kind: Kind::SubDistributor,
        name: "w5-sub".to_owned(),
        parent: Some(dist),
        limits: vec![],
    }])?)?;
    let room = u64::try_from(s.w5_children).unwrap_or(u64::MAX / 4).saturating_mul(2);
    let reseller = one(e.insert(&[NewRec {
        kind: Kind::Reseller,
        name: "w5-res".to_owned(),
        parent: Some(sub),
        limits: vec![(TENANTS, room)],
    }])?)?;
    let names = spec::w5_names(s.w5_children);
    for chunk in names.chunks(s.batch.max(1)) {
        let recs: Vec<NewRec> = chunk.iter().map(|n| spec::tenant(reseller, n.clone())).collect();
        e.insert(&recs)?;
    }
    e.flush()?;
    Ok(reseller)
}

/// W5: walks the children of `parent` by name, `w5_page` at a time, by cursor, each page in
/// its own read transaction. Times each walk per page; returns the pages of the first walk.
pub fn w5<E: Engine>(e: &E, parent: Id, s: &Sizes) -> Result<(Stat, Vec<PageView>)> {
    let mut times = Vec::new();
    let mut first_walk = Vec::new();
    for walk in 0..s.w5_walks.max(1) {
        let mut cursor: Option<E::Cursor> = None;
        let mut pages = 0u32;
        let mut kept = Vec::new();
        let t0 = Instant::now();
        loop {
            let (page, next) = e.page(parent, s.w5_page, cursor.as_ref())?;
            pages += 1;
            if walk == 0 {
                kept.push(page);
            } else {
                black_box(page);
            }
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        times.push(t0.elapsed() / pages.max(1));
        if walk == 0 {
            first_walk = kept;
        }
    }
    Ok((Stat::of(times), first_walk))
}

/// W6: every tenant under one distributor, in one read transaction.
pub fn w6<E: Engine>(e: &E, root: Id, s: &Sizes) -> Result<(Stat, SubtreeView)> {
    let mut times = Vec::new();
    let mut last = SubtreeView::default();
    for _ in 0..s.w6_reps.max(1) {
        let t0 = Instant::now();
        last = e.tenants_under(root)?;
        times.push(t0.elapsed());
    }
    Ok((Stat::of(times), last))
}

/// W7: the integrity check of the W1 store.
pub fn w7<E: Engine>(e: &mut E, s: &Sizes) -> Result<(Stat, CheckView)> {
    let mut times = Vec::new();
    let mut last = CheckView { nodes: 0, problems: 0 };
    for _ in 0..s.w7_reps.max(1) {
        let t0 = Instant::now();
        last = e.check()?;
        times.push(t0.elapsed());
    }
    Ok((Stat::of(times), last))
}

/// W8: opening the W1 store and answering a first get (of the platform). The close is not
/// timed.
pub fn w8<E: Engine>(path: &Path, platform: Id, s: &Sizes) -> Result<(Stat, NodeView)> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..s.w8_reps.max(1) {
        let t0 = Instant::now();
        let e = E::open(path, Mode::Durable)?;
        let view = e.get(platform)?;
        times.push(t0.elapsed());
        e.close()?;
        last = Some(view);
    }
    Ok((Stat::of(times), last.ok_or_else(|| Error::msg("W8 ran no open"))?))
}

/// What every implementation must answer identically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The W2 reseller after its creates.
    pub w2: NodeView,
    /// A W3 tenant after its allocation.
    pub w3_allocated: NodeView,
    /// The same tenant after the release.
    pub w3_released: NodeView,
    /// The first W4 nodes.
    pub w4: Vec<NodeView>,
    /// Every page of the first W5 walk.
    pub w5: Vec<PageView>,
    /// The W6 listing.
    pub w6: SubtreeView,
    /// The W7 check.
    pub w7: CheckView,
    /// The W8 first get (the platform).
    pub w8: NodeView,
}

/// The timings and answers of one implementation.
#[derive(Debug, Clone)]
pub struct EngineRun {
    /// The implementation.
    pub engine: &'static str,
    /// W1's runs, as [`W1Outcome::best_of`] gives them.
    pub w1: W1Outcome,
    /// Tenants W1 built.
    pub tenants: u64,
    /// The other workloads by name (`W2`, `W2 fsync`, `W3`, ... `W8`).
    pub stats: BTreeMap<&'static str, Stat>,
    /// The answers.
    pub observed: Observed,
    /// What W3, W4 and W5 ran on, for more rounds of them ([`rerun`]).
    pub inputs: Inputs,
}

/// The inputs of the workloads that leave the store as they found it (W3, W4, W5).
#[derive(Debug, Clone)]
pub struct Inputs {
    /// W4's tenants.
    pub w4_ids: Vec<Id>,
    /// W3's pool of tenants.
    pub w3_pool: Vec<Id>,
    /// W5's parent.
    pub w5_parent: Id,
}

/// What a [`rerun`] saw: every implementation must see the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RerunSeen {
    /// A W3 tenant after its allocation, and after the release.
    pub w3: (NodeView, NodeView),
    /// The first W4 nodes.
    pub w4: Vec<NodeView>,
    /// Every page of the first W5 walk.
    pub w5: Vec<PageView>,
}

/// What a [`rerun`] gives: the stats by workload name, and the answers.
pub type Rerun = (Vec<(&'static str, Stat)>, RerunSeen);

/// W4, W3 and W5 once more on the store a [`run_engine`] of `E` left in `dir` (W3 gives back
/// what it takes; W4 and W5 only read), for more rounds of them: their stats and answers.
///
/// # Errors
///
/// The implementation's.
pub fn rerun<E: Engine>(dir: &Path, s: &Sizes, inputs: &Inputs) -> Result<Rerun> {
    let mut e = E::open(&w1_path::<E>(dir), Mode::Bulk)?;
    let (w4, w4_seen) = w4(&e, &inputs.w4_ids)?;
    let (w3, allocated, released) = w3(&mut e, &inputs.w3_pool, s, 33)?;
    let (w5, w5_seen) = w5(&e, inputs.w5_parent, s)?;
    e.close()?;
    Ok((vec![("W4", w4), ("W3", w3), ("W5", w5)], RerunSeen { w3: (allocated, released), w4: w4_seen, w5: w5_seen }))
}

/// Where W1 of `E` builds its store in `dir`, and the other workloads find it.
#[must_use]
pub fn w1_path<E: Engine>(dir: &Path) -> PathBuf {
    dir.join(format!("w1-{}.db", E::NAME.replace(' ', "-")))
}

/// Runs W1 `w1_runs` times with `run_w1` (which may run it in a process of its own), then every
/// other workload on the result, in an order that keeps W7 and W8 on the store as W1 left it.
pub fn run_engine<E: Engine>(dir: &Path, s: &Sizes, run_w1: &dyn Fn(&Path) -> Result<W1Outcome>) -> Result<EngineRun> {
    let path = w1_path::<E>(dir);
    let mut runs = Vec::new();
    for _ in 0..s.w1_runs.max(1) {
        runs.push(run_w1(&path)?);
    }
    let w1 = W1Outcome::best_of(&runs);

    let (tree, pool, w4_ids) = {
        let e = E::open(&path, Mode::Durable)?;
        let tree = resolve_tree(&e, s)?;
        let w4_ids = sample_tenants(&e, &tree, s.w4_gets, 4)?;
        let pool = sample_tenants(&e, &tree, (s.w3_batch * 10).max(s.w3_batch), 3)?;
        e.close()?;
        (tree, pool, w4_ids)
    };
    let mut stats = BTreeMap::new();

    let (stat, w8_seen) = w8::<E>(&path, tree.platform, s)?;
    stats.insert("W8", stat);

    let mut e = E::open(&path, Mode::Bulk)?;
    let (stat, w7_seen) = w7(&mut e, s)?;
    stats.insert("W7", stat);
    let (stat, w4_seen) = w4(&e, &w4_ids)?;
    stats.insert("W4", stat);
    let root = tree.distributors.first().copied().ok_or_else(|| Error::msg("no distributor"))?;
    let (stat, w6_seen) = w6(&e, root, s)?;
    stats.insert("W6", stat);
    let (stat, w3_a, w3_r) = w3(&mut e, &pool, s, 33)?;
    stats.insert("W3", stat);
    e.close()?;

    let reseller = |i: usize| tree.resellers.get(i).copied().ok_or_else(|| Error::msg("too few resellers"));
    let (stat, w2_seen) = w2::<E>(&path, reseller(0)?, s, Mode::Durable, "durable")?;
    stats.insert("W2", stat);
    let (stat, _) = w2::<E>(&path, reseller(1)?, s, Mode::FsyncEveryCommit, "fsync")?;
    stats.insert("W2 fsync", stat);

    let mut e = E::open(&path, Mode::Bulk)?;
    let parent = w5_fixture(&mut e, &tree, s)?;
    let (stat, w5_seen) = w5(&e, parent, s)?;
    stats.insert("W5", stat);
    e.close()?;

    Ok(EngineRun {
        engine: E::NAME,
        w1,
        tenants: s.total_tenants() as u64,
        stats,
        inputs: Inputs { w4_ids, w3_pool: pool, w5_parent: parent },
        observed: Observed {
            w2: w2_seen,
            w3_allocated: w3_a,
            w3_released: w3_r,
            w4: w4_seen,
            w5: w5_seen,
            w6: w6_seen,
            w7: w7_seen,
            w8: w8_seen,
        },
    })
}
