//! Running the built `tenantree` binary in tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// The error body printed with `--json`.
    pub fn error(&self) -> serde_json::Value {
        serde_json::from_str(self.stderr.trim()).unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", self.stderr))
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "failed: {}\n{}", self.stderr, self.stdout);
        self
    }
}

/// A scratch database.
pub struct Db {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    Db { _dir: dir, path }
}

pub fn run_in(db: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenantree"))
        .args(args)
        .env("TENANTREE_DB", db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Db {
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(&self.path, args, None)
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        run_in(&self.path, args, Some(stdin))
    }

    /// Creates a node and returns its id.
    pub fn create(&self, kind: &str, name: &str, parent: Option<&str>, extra: &[&str]) -> String {
        let mut args = vec!["--json", "create", kind, name];
        if let Some(p) = parent {
            args.extend(["--parent", p]);
        }
        args.extend(extra);
        self.run(&args).ok().json()["id"].as_str().unwrap().to_owned()
    }
}
