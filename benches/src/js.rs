//! The JavaScript half, run from the ratio command: `benches/js/bench.mjs` in Node (W1 at
//! 100,000 tenants at most, W3, W4 and W5 on the npm package and on sql.js), read back as JSON.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::engine::{Error, Result};
use crate::spec::Size;

/// Timings of one JavaScript implementation.
#[derive(Debug, Clone, Deserialize)]
pub struct JsEngine {
    /// Tenants its W1 built.
    pub tenants: u64,
    /// W1: wall and CPU time in nanoseconds.
    pub w1: JsW1,
    /// W3, W4 and W5: median nanoseconds per unit.
    pub stats: BTreeMap<String, JsStat>,
}

/// W1 of one JavaScript implementation.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct JsW1 {
    /// Wall time of the whole build, in nanoseconds.
    pub ns: f64,
    /// CPU time of the process during the build (V8's helper threads included).
    #[serde(rename = "cpuNs")]
    pub cpu_ns: f64,
}

/// A median per unit.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct JsStat {
    /// Median nanoseconds per unit.
    pub ns: f64,
    /// How many samples the median is of.
    pub samples: u64,
}

/// What `bench.mjs --json` prints.
#[derive(Debug, Clone, Deserialize)]
pub struct JsRun {
    /// The size preset.
    pub size: String,
    /// Tenants W1 built.
    pub tenants: u64,
    /// Node's version.
    pub node: String,
    /// sql.js's version.
    pub sqljs: String,
    /// By implementation: `tenantree-wasm`, `sql.js`.
    pub engines: BTreeMap<String, JsEngine>,
    /// Whether both gave the same answers.
    pub agree: bool,
}

impl JsRun {
    /// Seconds per unit of `workload` (`W1`, `W1 CPU`, `W3`, `W4`, `W5`) for `engine`.
    pub fn secs(&self, engine: &str, workload: &str) -> Option<f64> {
        let e = self.engines.get(engine)?;
        let per_tenant = |ns: f64| ns / 1e9 / (e.tenants.max(1) as f64);
        match workload {
            "W1" => Some(per_tenant(e.w1.ns)),
            "W1 CPU" => Some(per_tenant(e.w1.cpu_ns)),
            w => e.stats.get(w).map(|s| s.ns / 1e9),
        }
    }
}

/// The folder of the JavaScript benchmarks.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// Runs the JavaScript workloads at `size` (progress on this process's stderr).
pub fn run(size: Size) -> Result<JsRun> {
    let dir = dir();
    let package = dir.join("../../bindings/wasm/pkg/node/tenantree_wasm.js");
    if !package.exists() {
        return Err(Error::msg(
            "the npm package is not built: run bindings/wasm/build.sh (or benches/ratios.sh), or pass --js no",
        ));
    }
    if !dir.join("node_modules/sql.js").exists() {
        return Err(Error::msg(
            "sql.js is not installed: run `npm ci` in benches/js (or benches/ratios.sh), or pass --js no",
        ));
    }
    let out = Command::new("node")
        .arg("--expose-gc")
        .arg("bench.mjs")
        .args(["--size", size.name(), "--json"])
        .current_dir(&dir)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::msg(format!("cannot run node: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().rev().find(|l| l.starts_with('{')).unwrap_or_default();
    let run: JsRun = serde_json::from_str(line)
        .map_err(|e| Error::msg(format!("bench.mjs printed no result ({e}; exit status {}): {text}", out.status)))?;
    Ok(run)
}
