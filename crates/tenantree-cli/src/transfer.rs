//! `export` and `import`: snapshots with a progress bar and a summary.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tenantree::{Error, SnapshotFormat, SnapshotSummary, Store};

use crate::out::Out;
use crate::{Cli, Outcome, actor, open, parse_id};

/// Options of `export`.
#[derive(Args, Debug)]
pub(crate) struct ExportArgs {
    /// Where to write (`-` for standard output).
    file: PathBuf,
    /// binary (default) or json.
    #[arg(long, default_value = "binary")]
    format: String,
    /// Export only the subtree of this node (with its ancestors).
    #[arg(long)]
    root: Option<String>,
}

/// Options of `import`.
#[derive(Args, Debug)]
pub(crate) struct ImportArgs {
    /// What to read (`-` for standard input).
    file: PathBuf,
    /// binary or json; guessed from the file's first bytes when not given.
    #[arg(long)]
    format: Option<String>,
}

fn format(s: &str) -> Result<SnapshotFormat, Error> {
    match s {
        "binary" => Ok(SnapshotFormat::Binary),
        "json" => Ok(SnapshotFormat::Json),
        other => {
            Err(Error::InvalidArgument { field: "format".into(), reason: format!("{other:?} is not binary or json") })
        }
    }
}

fn io(what: &str, e: std::io::Error) -> Error {
    Error::Storage { message: format!("{what}: {e}") }
}

/// Counts the bytes that pass, for the progress bar.
struct Counting<T> {
    inner: T,
    bar: ProgressBar,
}

impl<T: Read> Read for Counting<T> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

impl<T: Write> Write for Counting<T> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Files of at least this size get a progress bar (on standard error).
const BAR_THRESHOLD: u64 = 1024 * 1024;

fn bar(len: Option<u64>, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    match len {
        Some(len) => ProgressBar::new(len).with_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {bytes} {bytes_per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    }
}

fn print_summary(o: &mut Out, verb: &str, s: &SnapshotSummary, seconds: f64) -> Outcome<()> {
    o.emit(&serde_json::json!({"summary": s, "seconds": seconds}), |w| {
        writeln!(
            w,
            "{verb} {} nodes, {} accounts, {} tokens, {} roles, {} policies, {} properties, {} markups, {} allocations, {} tenant documents ({} records) in {seconds:.2}s",
            s.nodes,
            s.accounts,
            s.tokens,
            s.roles,
            s.policies,
            s.properties,
            s.markups,
            s.allocations,
            s.tenant_documents,
            s.records
        )
    })
}

pub(crate) fn export(cli: &Cli, o: &mut Out, a: &ExportArgs) -> Outcome<()> {
    let store = open(cli)?;
    let who = actor(cli, &store)?;
    let fmt = format(&a.format)?;
    let root = a.root.as_deref().map(parse_id).transpose()?;
    let started = Instant::now();
    let to_stdout = a.file.as_os_str() == "-";
    let nodes: u64 = store.kind_counts(&who, None)?.values().sum();
    // A large store gets a spinner; writing to standard output stays quiet.
    let progress = bar(None, !to_stdout && nodes > 10_000);
    let summary = if to_stdout {
        let mut w = std::io::stdout().lock();
        store.export_snapshot(&who, root, fmt, &mut w)?
    } else {
        let file = File::create(&a.file).map_err(|e| io(&format!("cannot create {}", a.file.display()), e))?;
        let mut w = Counting { inner: BufWriter::new(file), bar: progress.clone() };
        let s = store.export_snapshot(&who, root, fmt, &mut w)?;
        w.flush().map_err(|e| io("cannot write the snapshot", e))?;
        s
    };
    progress.finish_and_clear();
    if to_stdout {
        return Ok(());
    }
    print_summary(o, "exported", &summary, started.elapsed().as_secs_f64())
}

pub(crate) fn import(cli: &Cli, o: &mut Out, a: &ImportArgs) -> Outcome<()> {
    let started = Instant::now();
    let mut input: Box<dyn Read> = if a.file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = File::open(&a.file).map_err(|e| io(&format!("cannot open {}", a.file.display()), e))?;
        let len = file.metadata().map(|m| m.len()).ok();
        let progress = bar(len, len.is_some_and(|l| l >= BAR_THRESHOLD));
        Box::new(Counting { inner: BufReader::new(file), bar: progress })
    };
    // Read the start to tell the format and the schema, then replay it in front of the rest.
    let mut head = Vec::new();
    (&mut input).take(64 * 1024).read_to_end(&mut head).map_err(|e| io("cannot read the snapshot", e))?;
    let fmt = match &a.format {
        Some(f) => format(f)?,
        None if head.starts_with(b"TTSNAP") => SnapshotFormat::Binary,
        None => SnapshotFormat::Json,
    };
    let store = if cli.db.exists() {
        open(cli)?
    } else {
        let mut probe = head.as_slice();
        let schema = Store::snapshot_schema(fmt, &mut probe)?;
        Store::builder().schema(schema).durability(tenantree::Durability::Bulk).open(&cli.db)?
    };
    let who = actor(cli, &store)?;
    let mut whole = head.as_slice().chain(input);
    let summary = store.import_snapshot(&who, fmt, &mut whole)?;
    store.flush()?;
    print_summary(o, "imported", &summary, started.elapsed().as_secs_f64())
}
