//! Runs one workload of one implementation in a loop, for a profiler:
//!
//! ```sh
//! cargo build --release -p benches --bin profile
//! perf record -g target/release/profile tenantree w3 quick /tmp/prof
//! valgrind --tool=callgrind target/release/profile tenantree w4 tiny /tmp/prof
//! ```
//!
//! The W1 store of the size is built in DIR on first use (not profiled unless the workload is
//! `w1`). Prints the time the workload took. Several workloads separated by commas (`w7,w3`) run
//! one after the other on the same open store. `w5` runs alone, on a copy of the store that the
//! W5 parent and its children are added to (filter the profile on the listing).
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a command-line tool reports on the terminal")]

use std::path::Path;
use std::time::Instant;

use benches::engine::{Adjust, EXTENSIONS};
use benches::raw::Raw;
use benches::spec::{Size, Sizes};
use benches::sqlite::Sqlite;
use benches::tt::{Tt, TtFeed};
use benches::workloads;
use benches::{Engine, Error, Mode, Result};

fn profile<E: Engine>(workload: &str, s: &Sizes, dir: &Path) -> Result<()> {
    let path = dir.join(format!("profile-{}-{}.db", E::NAME.replace(' ', "-"), s.size.name()));
    if workload == "w1" {
        let t0 = Instant::now();
        let out = workloads::w1_in_process::<E>(&dir.join("profile-w1.db"), s)?;
        println!("w1: {:?} ({:?} in W1 itself)", t0.elapsed(), out.elapsed);
        return Ok(());
    }
    if !path.exists() {
        workloads::w1_in_process::<E>(&path, s)?;
    }
    let mut e = E::open(&path, Mode::Bulk)?;
    let tree = workloads::resolve_tree(&e, s)?;
    let ids = workloads::sample_tenants(&e, &tree, 2000, 4)?;
    if workload == "w2" {
        e.close()?;
        let mut e = E::open(&path, Mode::Durable)?;
        let parent = tree.resellers.last().copied().ok_or_else(|| Error::msg("no reseller"))?;
        let t0 = Instant::now();
        for i in 0..20 {
            e.insert(&[benches::spec::tenant(parent, format!("profile-w2-{}-{i}", std::process::id()))])?;
        }
        println!("w2: {:?} per create", t0.elapsed() / 20);
        return e.close();
    }
    if workload == "w8" {
        e.close()?;
        let (mut open, mut get, mut close) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..20 {
            let t0 = Instant::now();
            let e = E::open(&path, Mode::Durable)?;
            open.push(t0.elapsed());
            let t0 = Instant::now();
            std::hint::black_box(e.get(tree.platform)?);
            get.push(t0.elapsed());
            let t0 = Instant::now();
            e.close()?;
            close.push(t0.elapsed());
        }
        let m = workloads::median;
        println!("w8: open {:?}, first get {:?}, close {:?} (medians)", m(open), m(get), m(close));
        return Ok(());
    }
    // W5's parent and its children are added to a copy of the store, so that the W1 store stays
    // as W1 built it for the next run.
    if workload == "w5" {
        e.close()?;
        let copy = path.with_extension("w5.db");
        std::fs::copy(&path, &copy)?;
        let mut e = E::open(&copy, Mode::Bulk)?;
        let tree = workloads::resolve_tree(&e, s)?;
        let parent = workloads::w5_fixture(&mut e, &tree, s)?;
        let t0 = Instant::now();
        for _ in 0..20 {
            std::hint::black_box(workloads::w5(&e, parent, s)?);
        }
        println!("w5: {:?} (20 rounds of {} walks)", t0.elapsed(), s.w5_walks);
        e.close()?;
        return Ok(std::fs::remove_file(&copy)?);
    }
    for workload in workload.split(',') {
        let t0 = Instant::now();
        match workload {
            "w3" => {
                for round in 0..50 {
                    let batch: Vec<_> = ids.iter().skip((round * 37) % 1000).take(100).copied().collect();
                    for delta in [1, -1] {
                        e.adjust(
                            &batch.iter().map(|&node| Adjust { node, key: EXTENSIONS, delta }).collect::<Vec<_>>(),
                        )?;
                    }
                }
            }
            "w4" => {
                for _ in 0..5 {
                    for &id in &ids {
                        std::hint::black_box(e.get(id)?);
                    }
                }
            }
            "w6" => {
                for &d in &tree.distributors {
                    std::hint::black_box(e.tenants_under(d)?);
                }
            }
            "w7" => {
                std::hint::black_box(e.check()?);
            }
            _ => return Err(Error::msg(format!("unknown workload {workload} (w1, w2, w3, w4, w5, w6, w7, w8)"))),
        }
        println!("{workload}: {:?}", t0.elapsed());
    }
    e.close()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(engine), Some(workload), Some(size), Some(dir)) = (args.first(), args.get(1), args.get(2), args.get(3))
    else {
        eprintln!("usage: profile tenantree|raw|sqlite w1|w2|w3|w4|w5|w6|w7|w8 tiny|quick|full DIR");
        std::process::exit(2);
    };
    let Some(size) = Size::parse(size) else {
        eprintln!("size: tiny, quick or full");
        std::process::exit(2);
    };
    let s = Sizes::of(size);
    let dir = Path::new(dir);
    let result = std::fs::create_dir_all(dir).map_err(Error::from).and_then(|()| match engine.as_str() {
        "tenantree" => profile::<Tt>(workload, &s, dir),
        "tenantree-feed" => profile::<TtFeed>(workload, &s, dir),
        "raw" => profile::<Raw>(workload, &s, dir),
        "sqlite" => profile::<Sqlite>(workload, &s, dir),
        _ => Err(Error::msg("engine: tenantree, tenantree-feed, raw or sqlite")),
    });
    if let Err(e) = result {
        eprintln!("profile: {e}");
        std::process::exit(1);
    }
}
