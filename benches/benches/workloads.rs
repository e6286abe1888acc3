//! Criterion benchmarks of the workloads, with the three implementations side by side in each
//! group: `tenantree`, `raw redb` (the floor) and `SQLite` (the alternative).
//!
//! `cargo bench -p benches` measures on the quick store (100,000 tenants; set
//! `TENANTREE_BENCH_SIZE=full` for 1,000,000, `tiny` for a smoke run); W1 itself is measured
//! on 10,000 tenants per iteration. `cargo test -p benches --benches` runs every benchmark once
//! on the tiny store, which is what CI does so that they cannot rot.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark code: a panic is a failure"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use benches::engine::{Adjust, EXTENSIONS, Id, Kind, NewRec};
use benches::raw::Raw;
use benches::spec::{self, Size, Sizes, Tree};
use benches::sqlite::Sqlite;
use benches::tt::Tt;
use benches::workloads;
use benches::{Engine, Mode};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};

/// A W1 store of one implementation, with what the workloads need from it.
struct Fixture {
    path: PathBuf,
    tree: Tree,
    pool: Vec<Id>,
    gets: Vec<Id>,
    w5_parent: Id,
    w2_parent: Id,
}

fn fixture<E: Engine>(dir: &Path, s: &Sizes) -> Fixture {
    let path = dir.join(format!("bench-{}.db", E::NAME.replace(' ', "-")));
    workloads::w1_in_process::<E>(&path, s).unwrap();
    let mut e = E::open(&path, Mode::Bulk).unwrap();
    let tree = workloads::resolve_tree(&e, s).unwrap();
    let pool = workloads::sample_tenants(&e, &tree, 1000, 3).unwrap();
    let gets = workloads::sample_tenants(&e, &tree, s.w4_gets, 4).unwrap();
    let w5_parent = workloads::w5_fixture(&mut e, &tree, s).unwrap();
    // An unlimited reseller for W2, which criterion may run any number of times.
    let dist = e.children_ids(Some(tree.platform)).unwrap().into_iter().find(|(n, _)| n == "w5-dist").unwrap().1;
    let sub = e.children_ids(Some(dist)).unwrap()[0].1;
    let w2_parent = e
        .insert(&[NewRec { kind: Kind::Reseller, name: "w2-res".into(), parent: Some(sub), limits: vec![] }])
        .unwrap()[0];
    e.close().unwrap();
    Fixture { path, tree, pool, gets, w5_parent, w2_parent }
}

fn bench_reads<E: Engine>(c: &mut Criterion, f: &Fixture, s: &Sizes) {
    let e = E::open(&f.path, Mode::Bulk).unwrap();

    let mut g = c.benchmark_group("W4 get node + effective status + quotas");
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function(E::NAME, |b| {
        b.iter(|| {
            i = (i + 1) % f.gets.len();
            black_box(e.get(f.gets[i]).unwrap())
        });
    });
    g.finish();

    // Every cursor of one walk, so that each iteration fetches one page somewhere in the list.
    let mut cursors: Vec<Option<E::Cursor>> = vec![None];
    loop {
        let (_, next) = e.page(f.w5_parent, s.w5_page, cursors.last().unwrap().as_ref()).unwrap();
        match next {
            Some(c) => cursors.push(Some(c)),
            None => break,
        }
    }
    let mut g = c.benchmark_group("W5 page of 50 by name, by cursor");
    g.throughput(Throughput::Elements(1));
    let mut p = 0usize;
    g.bench_function(E::NAME, |b| {
        b.iter(|| {
            p = (p + 1) % cursors.len();
            black_box(e.page(f.w5_parent, s.w5_page, cursors[p].as_ref()).unwrap())
        });
    });
    g.finish();

    let mut g = c.benchmark_group("W6 every tenant under one distributor");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements((s.subs * s.resellers * s.tenants) as u64));
    g.bench_function(E::NAME, |b| b.iter(|| black_box(e.tenants_under(f.tree.distributors[0]).unwrap())));
    g.finish();
    e.close().unwrap();
}

fn bench_writes<E: Engine>(c: &mut Criterion, f: &Fixture, s: &Sizes) {
    let mut e = E::open(&f.path, Mode::Bulk).unwrap();
    let mut g = c.benchmark_group("W3 allocate + release one extension at depth 5, batches of 100");
    let batch = s.w3_batch.min(f.pool.len());
    g.throughput(Throughput::Elements(2 * batch as u64));
    let mut k = 0usize;
    g.bench_function(E::NAME, |b| {
        b.iter(|| {
            let ids: Vec<Id> = (0..batch).map(|j| f.pool[(k + j * 7) % f.pool.len()]).collect();
            k += 1;
            for delta in [1, -1] {
                let ops: Vec<Adjust> = ids.iter().map(|&node| Adjust { node, key: EXTENSIONS, delta }).collect();
                e.adjust(&ops).unwrap();
            }
        });
    });
    g.finish();
    e.close().unwrap();

    let mut e = E::open(&f.path, Mode::Durable).unwrap();
    let mut g = c.benchmark_group("W2 one durable create per transaction");
    g.throughput(Throughput::Elements(1)).sampling_mode(SamplingMode::Flat).sample_size(10);
    let mut n = 0usize;
    g.bench_function(E::NAME, |b| {
        b.iter(|| {
            n += 1;
            e.insert(&[spec::tenant(f.w2_parent, format!("w2-bench-{n}"))]).unwrap()
        });
    });
    g.finish();
    e.close().unwrap();
}

fn bench_whole_store<E: Engine>(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group("W7 integrity check");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    let mut e = E::open(&f.path, Mode::Bulk).unwrap();
    g.bench_function(E::NAME, |b| b.iter(|| black_box(e.check().unwrap())));
    g.finish();
    e.close().unwrap();

    let mut g = c.benchmark_group("W8 open + first get");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.bench_function(E::NAME, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t0 = Instant::now();
                let e = E::open(&f.path, Mode::Durable).unwrap();
                black_box(e.get(f.tree.platform).unwrap());
                total += t0.elapsed();
                e.close().unwrap();
            }
            total
        });
    });
    g.finish();
}

fn bench_build<E: Engine>(c: &mut Criterion, dir: &Path, w1: &Sizes) {
    let mut g = c.benchmark_group(format!("W1 build {} tenants, transactions of {}", w1.total_tenants(), w1.batch));
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(w1.total_tenants() as u64));
    let path = dir.join(format!("w1-{}.db", E::NAME.replace(' ', "-")));
    g.bench_with_input(BenchmarkId::from_parameter(E::NAME), w1, |b, w1| {
        b.iter_custom(|iters| (0..iters).map(|_| workloads::w1_in_process::<E>(&path, w1).unwrap().elapsed).sum());
    });
    g.finish();
}

fn main() {
    // As criterion decides: benchmarks under `cargo bench`, one run of each under `cargo test`.
    let args: Vec<String> = std::env::args().collect();
    let measuring = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    let size = if measuring {
        std::env::var("TENANTREE_BENCH_SIZE").ok().and_then(|s| Size::parse(&s)).unwrap_or(Size::Quick)
    } else {
        Size::Tiny
    };
    let s = Sizes::of(size);
    let w1 = if size == Size::Tiny {
        s.clone()
    } else {
        Sizes { distributors: 10, subs: 10, resellers: 10, tenants: 10, ..s.clone() }
    };
    let dir = tempfile::tempdir().unwrap();
    let mut c = Criterion::default().configure_from_args();

    bench_build::<Tt>(&mut c, dir.path(), &w1);
    bench_build::<Raw>(&mut c, dir.path(), &w1);
    bench_build::<Sqlite>(&mut c, dir.path(), &w1);

    let fixtures = [fixture::<Tt>(dir.path(), &s), fixture::<Raw>(dir.path(), &s), fixture::<Sqlite>(dir.path(), &s)];
    let [ft, fr, fs] = &fixtures;
    bench_reads::<Tt>(&mut c, ft, &s);
    bench_reads::<Raw>(&mut c, fr, &s);
    bench_reads::<Sqlite>(&mut c, fs, &s);
    bench_writes::<Tt>(&mut c, ft, &s);
    bench_writes::<Raw>(&mut c, fr, &s);
    bench_writes::<Sqlite>(&mut c, fs, &s);
    bench_whole_store::<Tt>(&mut c, ft);
    bench_whole_store::<Raw>(&mut c, fr);
    bench_whole_store::<Sqlite>(&mut c, fs);
    c.final_summary();
}
