//! The quick ratio command: every native workload on tenantree, raw redb and SQLite in one
//! run, printed as a table of times and ratios.
//!
//! ```sh
//! cargo run --release -p benches --bin ratios                 # quick (100,000 tenants)
//! cargo run --release -p benches --bin ratios -- --size full  # the issue's sizes
//! cargo run --release -p benches --bin ratios -- --size tiny  # seconds; what CI runs
//! ```
//!
//! It runs the JavaScript workloads too (`benches/js/bench.mjs --serve` in Node: the npm
//! package against sql.js), a round at a time right after native tenantree's round of the same
//! workloads, and prints their ratios; `--js no` skips them.
//! `benches/ratios.sh` builds the package and installs sql.js first.
//!
//! W1 runs in a child process of its own (this binary, with `--child-w1`) so that its peak
//! resident memory is measured alone, `w1_runs` times per implementation (3 at the quick and
//! full sizes), in rounds that take the implementations in turn; each keeps its fastest.
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a command-line tool reports on the terminal")]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use benches::js::Session;
use benches::raw::Raw;
use benches::report;
use benches::spec::{Size, Sizes};
use benches::sqlite::Sqlite;
use benches::tt::{Tt, TtFeed};
use benches::workloads::{self, EngineRun, W1Outcome};
use benches::{Engine, Error, Result};

fn usage() -> Error {
    Error::msg(
        "usage: ratios [--size tiny|quick|full] [--dir DIR] [--only tenantree,raw,sqlite] [--js yes|no]\n       \
         ratios --child-w1 ENGINE SIZE PATH",
    )
}

/// Runs W1 in this process and prints what the parent reads: elapsed nanoseconds, peak RSS in
/// KiB, the file's length, CPU nanoseconds and the file's disk space.
fn child<E: Engine>(size: Size, path: &Path) -> Result<()> {
    let out = workloads::w1_in_process::<E>(path, &Sizes::of(size))?;
    let rss = report::peak_rss_kib().map_or("-".to_owned(), |k| k.to_string());
    let cpu = out.cpu.map_or("-".to_owned(), |c| c.as_nanos().to_string());
    println!("w1 {} {rss} {} {cpu} {}", out.elapsed.as_nanos(), out.file_bytes, out.disk_used);
    Ok(())
}

/// Runs W1 for `engine` in a child process.
fn w1_child(engine: &str, size: Size, path: &Path) -> Result<W1Outcome> {
    let exe = std::env::current_exe()?;
    let out = Command::new(exe).arg("--child-w1").arg(engine).arg(size.name()).arg(path).output()?;
    if !out.status.success() {
        return Err(Error::msg(format!("W1 of {engine} failed: {}", String::from_utf8_lossy(&out.stderr))));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("w1 ")).ok_or_else(|| Error::msg("the W1 child printed nothing"))?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    let (Some(ns), Some(rss), Some(bytes)) = (fields.get(1), fields.get(2), fields.get(3)) else {
        return Err(Error::msg(format!("unreadable W1 line {line:?}")));
    };
    let ns: u64 = ns.parse().map_err(|_| Error::msg("bad W1 time"))?;
    Ok(W1Outcome {
        elapsed: Duration::from_nanos(ns),
        peak_rss_kib: rss.parse().ok(),
        file_bytes: bytes.parse().map_err(|_| Error::msg("bad W1 size"))?,
        cpu: fields.get(4).and_then(|c| c.parse().ok()).map(Duration::from_nanos),
        disk_used: fields.get(5).and_then(|b| b.parse().ok()).ok_or_else(|| Error::msg("bad W1 disk space"))?,
    })
}

fn cpu() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {cores} cores")
}

/// What this command does with one implementation, chosen once by its key.
struct Impl {
    w1_path: fn(&Path) -> PathBuf,
    child: fn(Size, &Path) -> Result<()>,
    run: fn(&Path, &Sizes, Vec<W1Outcome>) -> Result<EngineRun>,
    rerun: fn(&Path, &Sizes, &workloads::Inputs) -> Result<workloads::Rerun>,
}

impl Impl {
    fn of<E: Engine>() -> Impl {
        Impl { w1_path: workloads::w1_path::<E>, child: child::<E>, run: run::<E>, rerun: workloads::rerun::<E> }
    }

    /// The implementation `key`: `tenantree`, `tenantree-feed` (W1 only), `raw` or `sqlite`.
    fn named(key: &str) -> Result<Impl> {
        Ok(match key {
            "tenantree" => Impl::of::<Tt>(),
            "tenantree-feed" => Impl::of::<TtFeed>(),
            "raw" => Impl::of::<Raw>(),
            "sqlite" => Impl::of::<Sqlite>(),
            _ => return Err(usage()),
        })
    }
}

/// W1 of every implementation in `keys`, `rounds` times, taking the implementations in turn
/// (tenantree, raw redb, SQLite, tenantree with its feed, then again): on a shared machine
/// whose speed drifts during a run (a VM's neighbours), the drift then falls on all of them
/// alike instead of on whichever ran at the time, and each keeps its fastest run. Measured:
/// back-to-back full runs moved tenantree/raw redb on W1 between 1.40x and 1.83x with one run
/// each. `after_first` runs right after the first implementation of each round (the
/// JavaScript W1 round, next to native tenantree's).
fn w1_rounds(
    keys: &[&str],
    size: Size,
    dir: &Path,
    rounds: usize,
    after_first: &mut dyn FnMut() -> Result<()>,
) -> Result<BTreeMap<String, Vec<W1Outcome>>> {
    let mut out: BTreeMap<String, Vec<W1Outcome>> = BTreeMap::new();
    for round in 1..=rounds.max(1) {
        for (i, key) in keys.iter().enumerate() {
            eprintln!("W1 of {key}, round {round} of {rounds} ...");
            let run = w1_child(key, size, &(Impl::named(key)?.w1_path)(dir))?;
            out.entry((*key).to_owned()).or_default().push(run);
            if i == 0 {
                after_first()?;
            }
        }
    }
    Ok(out)
}

/// A round of the JavaScript half, when it runs.
fn js_round(session: &mut Option<Session>, round: fn(&mut Session) -> Result<()>) -> Result<()> {
    session.as_mut().map_or(Ok(()), round)
}

fn run<E: Engine>(dir: &Path, sizes: &Sizes, w1: Vec<W1Outcome>) -> Result<EngineRun> {
    let t0 = Instant::now();
    eprintln!("running {} ...", E::NAME);
    // The W1 runs are done: hand them over one by one, as run_engine asks for them.
    let w1 = RefCell::new(w1.into_iter());
    let next = |_: &Path| w1.borrow_mut().next().ok_or_else(|| Error::msg(format!("no W1 run left for {}", E::NAME)));
    let r = workloads::run_engine::<E>(dir, sizes, &next)?;
    eprintln!("  {} done in {:.1} s", E::NAME, t0.elapsed().as_secs_f64());
    Ok(r)
}

fn main_inner() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child-w1") {
        let (Some(engine), Some(size), Some(path)) = (args.get(1), args.get(2), args.get(3)) else {
            return Err(usage());
        };
        let size = Size::parse(size).ok_or_else(usage)?;
        let path = PathBuf::from(path);
        return (Impl::named(engine)?.child)(size, &path);
    }
    let mut size = Size::Quick;
    let mut dir: Option<PathBuf> = None;
    let mut only = vec!["tenantree".to_owned(), "raw".to_owned(), "sqlite".to_owned()];
    let mut js = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--size" => size = it.next().and_then(|s| Size::parse(s)).ok_or_else(usage)?,
            "--dir" => dir = Some(PathBuf::from(it.next().ok_or_else(usage)?)),
            "--only" => only = it.next().ok_or_else(usage)?.split(',').map(str::to_owned).collect(),
            "--js" => {
                js = match it.next().map(String::as_str) {
                    Some("yes") => true,
                    Some("no") => false,
                    _ => return Err(usage()),
                }
            }
            _ => return Err(usage()),
        }
    }
    let temp = tempfile::tempdir()?;
    let dir = dir.unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let sizes = Sizes::of(size);
    let load_before = report::load_average().unwrap_or_else(|| "n/a".to_owned());
    let t0 = Instant::now();
    // tenantree's W1 also runs with its change feed (its default), for the cost of the feed.
    let mut keys: Vec<&str> = only.iter().map(String::as_str).collect();
    if keys.contains(&"tenantree") {
        keys.push("tenantree-feed");
    }
    // The JavaScript half runs a round at a time right after native tenantree's round of the
    // same workloads, so that WASM/native divides times taken moments apart.
    let mut js_session = if js {
        eprintln!("starting the JavaScript workloads (benches/js) ...");
        Some(Session::start(size)?)
    } else {
        None
    };
    let mut w1 = w1_rounds(&keys, size, &dir, sizes.w1_runs, &mut || js_round(&mut js_session, Session::build_round))?;
    let mut runs = Vec::new();
    for (i, key) in only.iter().enumerate() {
        let own = w1.remove(key.as_str()).unwrap_or_default();
        runs.push((Impl::named(key)?.run)(&dir, &sizes, own)?);
        if i == 0 {
            js_round(&mut js_session, Session::read_round)?;
        }
    }
    // W3, W4 and W5 leave the stores as they found them: more rounds of them, taking the
    // implementations in turn like W1's; each keeps its fastest round, and in every round the
    // implementations must agree.
    for round in 2..=sizes.read_rounds {
        let mut seen = Vec::new();
        for (i, (key, run)) in only.iter().zip(runs.iter_mut()).enumerate() {
            eprintln!("W3, W4 and W5 of {key}, round {round} of {} ...", sizes.read_rounds);
            let (stats, answers) = (Impl::named(key)?.rerun)(&dir, &sizes, &run.inputs)?;
            for (name, stat) in stats {
                if let Some(kept) = run.stats.get_mut(name) {
                    kept.keep_faster(&stat);
                }
            }
            seen.push(answers);
            if i == 0 {
                js_round(&mut js_session, Session::read_round)?;
            }
        }
        if !seen.windows(2).all(|w| matches!(w, [a, b] if a == b)) {
            return Err(Error::msg(format!("the implementations disagree in round {round} of W3, W4 and W5")));
        }
    }
    let feed = w1.remove("tenantree-feed").map(|feed_runs| W1Outcome::best_of(&feed_runs));
    let js_run = match js_session {
        Some(session) => Ok(session.finish()?),
        None => Err("skipped (--js no)".to_owned()),
    };
    println!(
        "# tenantree benchmarks, size {} ({} tenants under {} resellers)\n",
        size.name(),
        sizes.total_tenants(),
        sizes.total_resellers()
    );
    println!("machine: {}; store files in {}", cpu(), dir.display());
    println!(
        "load average (1, 5, 15 min) before: {load_before}; after: {}\n",
        report::load_average().unwrap_or_else(|| "n/a".to_owned())
    );
    println!("{}", report::table(&runs, feed.as_ref()));
    println!("{}", report::js_table(&runs, &js_run));
    for line in report::verdicts(&runs, &js_run) {
        println!("{line}");
    }
    let agree = runs.windows(2).all(|w| matches!(w, [a, b] if a.observed == b.observed))
        && js_run.as_ref().map_or(true, |r| r.agree);
    println!(
        "\nanswers: {}",
        if agree { "every implementation gave the same answers" } else { "THE IMPLEMENTATIONS DISAGREE" }
    );
    println!("total time: {:.1} s", t0.elapsed().as_secs_f64());
    if agree { Ok(()) } else { Err(Error::msg("the implementations disagree")) }
}

fn main() {
    if let Err(e) = main_inner() {
        eprintln!("ratios: {e}");
        std::process::exit(1);
    }
}
