//! The JavaScript half, run from the ratio command: `benches/js/bench.mjs` in Node (W1 at
//! 100,000 tenants at most, W3, W4 and W5 on the npm package and on sql.js), driven a round at a
//! time between the native rounds, its result read back as JSON.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

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

/// What `bench.mjs --json` (or `--serve`, at its end) prints.
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

/// The JavaScript half running in Node (`bench.mjs --serve`), driven a round at a time so that
/// its rounds fall between the native ones: the host's speed drifts by up to 2x within minutes,
/// and WASM/native divides a JavaScript time by a native one, which should be taken in the same
/// conditions. Opening it runs the warm-up; [`Session::finish`] reads the result.
#[derive(Debug)]
pub struct Session {
    child: Child,
    /// Taken (closed) at the end, so that Node sees its input end.
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Session {
    /// Starts Node at `size` and waits for its warm-up (progress on this process's stderr).
    ///
    /// # Errors
    ///
    /// When the package is not built, sql.js is not installed, or Node fails.
    pub fn start(size: Size) -> Result<Session> {
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
        let mut child = Command::new("node")
            .arg("--expose-gc")
            .arg("bench.mjs")
            .args(["--size", size.name(), "--serve"])
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| Error::msg(format!("cannot run node: {e}")))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::msg("node was started without its pipes"));
        };
        let mut session = Session { child, input: Some(input), output: BufReader::new(output) };
        session.expect("ready")?;
        Ok(session)
    }

    /// A round of W1 on both implementations (each builds a new store).
    ///
    /// # Errors
    ///
    /// When Node fails.
    pub fn build_round(&mut self) -> Result<()> {
        self.send("build")?;
        self.expect("ok")
    }

    /// A round of W4, W3 and W5 on both implementations' latest stores.
    ///
    /// # Errors
    ///
    /// When Node fails, or no W1 round ran before.
    pub fn read_round(&mut self) -> Result<()> {
        self.send("read")?;
        self.expect("ok")
    }

    /// Ends the run and reads its result: each workload the fastest of its rounds.
    ///
    /// # Errors
    ///
    /// When Node fails or prints no result.
    pub fn finish(mut self) -> Result<JsRun> {
        self.send("end")?;
        let line = self.line()?;
        let run: JsRun = serde_json::from_str(&line)
            .map_err(|e| Error::msg(format!("bench.mjs printed no result ({e}): {line}")))?;
        drop(self.input.take());
        let status = self.child.wait()?;
        if !status.success() {
            return Err(Error::msg(format!("bench.mjs ended with {status}")));
        }
        Ok(run)
    }

    fn send(&mut self, command: &str) -> Result<()> {
        let input = self.input.as_mut().ok_or_else(|| Error::msg("bench.mjs's input is closed"))?;
        writeln!(input, "{command}")
            .and_then(|()| input.flush())
            .map_err(|e| Error::msg(format!("bench.mjs stopped before `{command}`: {e}")))
    }

    fn line(&mut self) -> Result<String> {
        let mut line = String::new();
        if self.output.read_line(&mut line)? == 0 {
            let status = self.child.wait().map_or_else(|e| e.to_string(), |s| s.to_string());
            return Err(Error::msg(format!("bench.mjs stopped ({status}); its error is above")));
        }
        Ok(line.trim_end().to_owned())
    }

    fn expect(&mut self, word: &str) -> Result<()> {
        let line = self.line()?;
        if line == word { Ok(()) } else { Err(Error::msg(format!("bench.mjs said {line:?} where {word:?} was due"))) }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // A run that ended early (an error on either side) leaves no Node behind.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
