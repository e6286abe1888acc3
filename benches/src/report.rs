//! Peak memory, and the table of times and ratios.

use std::fmt::Write as _;
use std::time::Duration;

use crate::engine::Engine;
use crate::js::JsRun;
use crate::raw::Raw;
use crate::sqlite::Sqlite;
use crate::tt::Tt;
use crate::workloads::{EngineRun, W1Outcome};

/// The peak resident set size of this process so far, in KiB (`VmHWM` in
/// `/proc/self/status`), where the system has it.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Time this thread has spent on a CPU and waiting for one, from `/proc/thread-self/schedstat`
/// (kernel time included), where the system has it. On a loaded machine the CPU time of a
/// single-threaded workload is steadier than its wall time.
pub fn cpu_and_wait() -> Option<(Duration, Duration)> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    let cpu = fields.next()??;
    let wait = fields.next()??;
    Some((Duration::from_nanos(cpu), Duration::from_nanos(wait)))
}

/// The load averages of the machine (1, 5 and 15 minutes), where the system has them.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// A duration in the unit that reads best.
pub fn fmt_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns < 10_000 {
        format!("{:.2} µs", d.as_secs_f64() * 1e6)
    } else if ns < 10_000_000 {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else if ns < 10_000_000_000 {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 && a.is_finite() { format!("{:.2}×", a / b) } else { "n/a".to_owned() }
}

fn disk_used(w1: &W1Outcome) -> u64 {
    w1.disk_used
}

fn file_length(w1: &W1Outcome) -> u64 {
    w1.file_bytes
}

/// Finds a run by implementation name.
fn run<'a>(runs: &'a [EngineRun], name: &str) -> Option<&'a EngineRun> {
    runs.iter().find(|r| r.engine == name)
}

/// The rows of the table, in order, with what each measures and its target.
const ROWS: [(&str, &str, &str); 10] = [
    ("W1", "build the tree, per tenant (bulk: one flush at the end)", "tenantree/raw ≤ 1.5×; SQLite/tenantree ≥ 3×"),
    ("W1 CPU", "W1's CPU time (user + system), per tenant", ""),
    ("W2", "one durable create per transaction (SQLite: WAL, synchronous=NORMAL)", ""),
    ("W2 fsync", "one create per transaction, fsync on every commit (SQLite: synchronous=FULL)", ""),
    ("W3", "allocate or release one extension at depth 5, per operation, batches of 100", "SQLite/tenantree ≥ 3×"),
    ("W4", "get a node with effective status and quotas", ""),
    ("W5", "one page of 50 of 10,000 children by name, by cursor", ""),
    ("W6", "every tenant under one distributor", ""),
    ("W7", "integrity check of the W1 store", ""),
    ("W8", "open the W1 store and get one node", ""),
];

/// The table of times and ratios, in Markdown. `runs` holds tenantree, raw redb and SQLite
/// (any missing one shows as n/a); `feed` is tenantree's W1 with its change feed on.
pub fn table(runs: &[EngineRun], feed: Option<&W1Outcome>) -> String {
    let tt = run(runs, Tt::NAME);
    let raw = run(runs, Raw::NAME);
    let sq = run(runs, Sqlite::NAME);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| workload | what (time per unit: the median of a run; W1, W3, W4 and W5 the fastest of the rounds) | tenantree | raw redb | SQLite | tenantree/raw redb | SQLite/tenantree | target |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---|");
    let show = |v: Option<f64>| v.map_or("n/a".to_owned(), |s| fmt_duration(Duration::from_secs_f64(s)));
    for (key, what, target) in ROWS {
        let (a, b, c) = (native_secs(tt, key), native_secs(raw, key), native_secs(sq, key));
        let _ = writeln!(
            out,
            "| {key} | {what} | {} | {} | {} | {} | {} | {target} |",
            show(a),
            show(b),
            show(c),
            a.zip(b).map_or("n/a".to_owned(), |(a, b)| ratio(a, b)),
            c.zip(a).map_or("n/a".to_owned(), |(c, a)| ratio(c, a)),
        );
    }
    if let (Some(f), Some(t)) = (feed, tt) {
        let per = |d: Duration| d.as_secs_f64() / (t.tenants.max(1) as f64);
        for (key, what, value, like) in [
            (
                "W1 feed",
                "W1 of tenantree with its change feed on (its default), per tenant",
                Some(per(f.elapsed)),
                "W1",
            ),
            ("W1 feed CPU", "the same, CPU time", f.cpu.map(per), "W1 CPU"),
        ] {
            let _ = writeln!(
                out,
                "| {key} | {what} | {} | | | {} | {} | |",
                show(value),
                value.zip(native_secs(raw, like)).map_or("n/a".to_owned(), |(a, b)| ratio(a, b)),
                native_secs(sq, like).zip(value).map_or("n/a".to_owned(), |(c, a)| ratio(c, a)),
            );
        }
    }
    let total = |r: Option<&EngineRun>| r.map_or("n/a".to_owned(), |r| fmt_duration(r.w1.elapsed));
    let _ = writeln!(
        out,
        "| W1 total | the whole build ({} tenants) | {} | {} | {} | | | |",
        tt.or(raw).or(sq).map_or(0, |r| r.tenants),
        total(tt),
        total(raw),
        total(sq)
    );
    let show_bytes = |v: Option<f64>| v.map_or("n/a".to_owned(), |b| format!("{b:.0} B"));
    for (key, what, of, target) in [
        (
            "size",
            "disk space of the file per tenant after W1 (its allocated blocks)",
            disk_used as fn(&W1Outcome) -> u64,
            "tenantree < 250 B",
        ),
        (
            "size, length",
            "the file's length per tenant (redb grows it ahead of its data; the rest is a hole)",
            file_length,
            "",
        ),
    ] {
        let bytes = |r: Option<&EngineRun>| r.map(|r| of(&r.w1) as f64 / (r.tenants.max(1) as f64));
        let (a, b, c) = (bytes(tt), bytes(raw), bytes(sq));
        let _ = writeln!(
            out,
            "| {key} | {what} | {} | {} | {} | {} | {} | {target} |",
            show_bytes(a),
            show_bytes(b),
            show_bytes(c),
            a.zip(b).map_or("n/a".to_owned(), |(a, b)| ratio(a, b)),
            c.zip(a).map_or("n/a".to_owned(), |(c, a)| ratio(c, a)),
        );
    }
    let rss = |r: Option<&EngineRun>| r.and_then(|r| r.w1.peak_rss_kib).map(|k| k as f64);
    let show_rss = |v: Option<f64>| v.map_or("n/a".to_owned(), |k| format!("{:.0} MiB", k / 1024.0));
    let (a, b, c) = (rss(tt), rss(raw), rss(sq));
    let _ = writeln!(
        out,
        "| memory | peak RSS of the process running W1 | {} | {} | {} | {} | {} | |",
        show_rss(a),
        show_rss(b),
        show_rss(c),
        a.zip(b).map_or("n/a".to_owned(), |(a, b)| ratio(a, b)),
        c.zip(a).map_or("n/a".to_owned(), |(c, a)| ratio(c, a)),
    );
    out
}

/// The JavaScript rows: tenantree-wasm against native tenantree (same run) and sql.js against
/// tenantree-wasm. `js` is the JavaScript run, or why it did not run.
pub fn js_table(runs: &[EngineRun], js: &std::result::Result<JsRun, String>) -> String {
    let mut out = String::new();
    let js = match js {
        Ok(js) => js,
        Err(why) => {
            let _ = writeln!(out, "| ratio | value | target |");
            let _ = writeln!(out, "|---|---|---|");
            let _ = writeln!(out, "| WASM/native | not measured: {why} | ≤ 2.5× |");
            let _ = writeln!(out, "| sql.js/tenantree-wasm | not measured: {why} | ≥ 5× |");
            return out;
        }
    };
    let native = run(runs, Tt::NAME);
    let _ = writeln!(
        out,
        "JavaScript: Node {}, sql.js {}, both in memory; W1 at {} tenants (native W1 at {})\n",
        js.node,
        js.sqljs,
        js.tenants,
        native.map_or(0, |r| r.tenants)
    );
    let _ = writeln!(
        out,
        "| workload | what (time per unit: the median of a run, the fastest of the rounds) | tenantree native | tenantree-wasm | sql.js | WASM/native | sql.js/tenantree-wasm | target |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---|");
    let show = |v: Option<f64>| v.map_or("n/a".to_owned(), |s| fmt_duration(Duration::from_secs_f64(s)));
    for (key, what, target) in JS_ROWS {
        let n = native_secs(native, key);
        let (w, q) = (js.secs(JS_TT, key), js.secs(JS_SQL, key));
        let _ = writeln!(
            out,
            "| {key} | {what} | {} | {} | {} | {} | {} | {target} |",
            show(n),
            show(w),
            show(q),
            w.zip(n).map_or("n/a".to_owned(), |(w, n)| ratio(w, n)),
            q.zip(w).map_or("n/a".to_owned(), |(q, w)| ratio(q, w)),
        );
    }
    let _ = writeln!(
        out,
        "\nJavaScript answers: {}",
        if js.agree { "tenantree-wasm and sql.js gave the same answers" } else { "TENANTREE-WASM AND SQL.JS DISAGREE" }
    );
    out
}

/// The JavaScript implementations' names in `bench.mjs`.
const JS_TT: &str = "tenantree-wasm";
const JS_SQL: &str = "sql.js";

/// The JavaScript rows.
const JS_ROWS: [(&str, &str, &str); 5] = [
    ("W1", "build the tree, per tenant", "WASM/native ≤ 2.5×; sql.js/tenantree-wasm ≥ 5×"),
    ("W1 CPU", "W1's CPU time, per tenant", ""),
    ("W3", "allocate or release one extension at depth 5, per operation", ""),
    ("W4", "get a node with effective status and quotas", ""),
    ("W5", "one page of 50 of 10,000 children by name, by cursor", ""),
];

/// Seconds per unit of a native workload row.
fn native_secs(r: Option<&EngineRun>, key: &str) -> Option<f64> {
    let r = r?;
    match key {
        "W1" => Some(r.w1.elapsed.as_secs_f64() / (r.tenants.max(1) as f64)),
        "W1 CPU" => r.w1.cpu.map(|c| c.as_secs_f64() / (r.tenants.max(1) as f64)),
        _ => r.stats.get(key).map(|s| s.per_unit.as_secs_f64()),
    }
}

/// The worst (largest) of `a / b` over the JavaScript rows with wall times.
fn worst(pairs: impl Iterator<Item = Option<(f64, f64)>>) -> Option<f64> {
    let mut worst: Option<f64> = None;
    for pair in pairs {
        let (a, b) = pair?;
        let r = if b > 0.0 { a / b } else { return None };
        worst = Some(worst.map_or(r, |w| w.max(r)));
    }
    worst
}

/// Which targets hold, one line each.
pub fn verdicts(runs: &[EngineRun], js: &std::result::Result<JsRun, String>) -> Vec<String> {
    let tt = run(runs, Tt::NAME);
    let raw = run(runs, Raw::NAME);
    let sq = run(runs, Sqlite::NAME);
    let w1 = |r: Option<&EngineRun>| r.map(|r| r.w1.elapsed.as_secs_f64());
    let w3 = |r: Option<&EngineRun>| r.and_then(|r| r.stats.get("W3")).map(|s| s.per_unit.as_secs_f64());
    let mut out = Vec::new();
    let mut verdict = |name: &str, value: Option<f64>, holds: &dyn Fn(f64) -> bool, unit: &str| {
        let line = match value {
            Some(v) if holds(v) => format!("holds    {name}: {v:.2}{unit}"),
            Some(v) => format!("NOT YET  {name}: {v:.2}{unit}"),
            None => format!("n/a      {name}"),
        };
        out.push(line);
    };
    verdict("W1 tenantree/raw redb ≤ 1.5×", w1(tt).zip(w1(raw)).map(|(a, b)| a / b), &|v| v <= 1.5, "×");
    verdict("W1 SQLite/tenantree ≥ 3×", w1(sq).zip(w1(tt)).map(|(a, b)| a / b), &|v| v >= 3.0, "×");
    verdict("W3 SQLite/tenantree ≥ 3×", w3(sq).zip(w3(tt)).map(|(a, b)| a / b), &|v| v >= 3.0, "×");
    let bytes = tt.map(|r| r.w1.disk_used as f64 / (r.tenants.max(1) as f64));
    verdict("tenantree bytes of disk per tenant < 250", bytes, &|v| v < 250.0, " B");
    let keys = ["W1", "W3", "W4", "W5"];
    let (wasm_native, sql_wasm) = match js {
        Ok(js) => (
            worst(keys.iter().map(|k| js.secs(JS_TT, k).zip(native_secs(tt, k)))),
            // Smallest sql.js/tenantree-wasm: the largest tenantree-wasm/sql.js, inverted.
            worst(keys.iter().map(|k| js.secs(JS_TT, k).zip(js.secs(JS_SQL, k)))).map(|r| 1.0 / r),
        ),
        Err(_) => (None, None),
    };
    verdict("WASM/native ≤ 2.5× (the worst of W1, W3, W4, W5)", wasm_native, &|v| v <= 2.5, "×");
    verdict("sql.js/tenantree-wasm ≥ 5× (the worst of W1, W3, W4, W5)", sql_wasm, &|v| v >= 5.0, "×");
    out
}
