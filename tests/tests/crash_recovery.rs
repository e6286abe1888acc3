//! Crash recovery: a writer process doing random durable transactions is SIGKILLed at random
//! moments; after each kill the file is reopened and must hold every batch the writer reported
//! committed, nothing of a batch that did not commit, match the reference model, and pass
//! `check()`. Then the next writer goes on with the same file.
//!
//! `TENANTREE_CRASH_ROUNDS` sets the number of kills (default 40; `scripts/soak` runs many
//! more), `TENANTREE_CRASH_SEED` replays a run (the seed is printed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, clippy::print_stderr)]
#![cfg(unix)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tenantree::{Actor, NewNode, Store};
use tests::Model;
use tests::crash::{CrashOp, Rng, apply_batch_model, decode_batch, stored_seq};

const WRITER: &str = env!("CARGO_BIN_EXE_crash_writer");

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| v.parse().unwrap_or_else(|_| panic!("{name} is not a number")))
}

/// Lines the writer printed; a last line cut by the kill (no newline) is dropped.
fn read_lines(out: impl Read, first: mpsc::Sender<()>) -> Vec<String> {
    let mut reader = BufReader::new(out);
    let mut lines = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) if buf.last() == Some(&b'\n') => {
                lines.push(String::from_utf8(buf[..buf.len() - 1].to_vec()).expect("utf-8"));
                if lines.len() == 1 {
                    let _ = first.send(());
                }
            }
            Ok(_) => break,
        }
    }
    lines
}

#[derive(Debug, Default)]
struct Stats {
    committed: u64,
    refused: u64,
    refused_by: BTreeMap<String, u64>,
    in_flight_landed: u64,
    in_flight_lost: u64,
}

/// Replays one writer's log on the model and checks the reopened store against it.
fn reconcile(model: &mut Model, lines: &[String], store: &Store, journal: tenantree::NodeId, stats: &mut Stats) {
    let mut pending: Option<(u64, Vec<CrashOp>)> = None;
    let mut last_ok = None;
    for line in lines {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "open" => last_ok = Some(rest.parse::<u64>().expect("open N")),
            "intent" => {
                let (n, ops) = rest.split_once(' ').expect("intent N OPS");
                let ops = decode_batch(ops).unwrap_or_else(|| panic!("undecodable batch: {line}"));
                pending = Some((n.parse().expect("intent N"), ops));
            }
            "ok" | "err" => {
                let mut parts = rest.split(' ');
                let n: u64 = parts.next().and_then(|n| n.parse().ok()).expect("outcome N");
                let (pn, ops) = pending.take().expect("an outcome follows an intent");
                assert_eq!(n, pn, "outcome for the batch announced");
                let predicted = apply_batch_model(model, &ops);
                if word == "ok" {
                    assert_eq!(predicted, Ok(()), "the writer committed batch {n} the model refuses: {ops:?}");
                    last_ok = Some(n);
                    stats.committed += 1;
                } else {
                    let code = parts.next().expect("err N CODE");
                    assert_eq!(predicted, Err(code), "batch {n} was refused with {code}: {ops:?}");
                    stats.refused += 1;
                    *stats.refused_by.entry(code.to_owned()).or_default() += 1;
                }
            }
            other => panic!("unexpected writer line {other:?}"),
        }
    }
    let last_ok = last_ok.expect("the writer printed its open line");
    let stored = stored_seq(store, journal).expect("read the marker");
    match pending {
        Some((n, ops)) if stored == n => {
            // Killed after the commit, before its outcome was printed: it must be whole.
            assert_eq!(apply_batch_model(model, &ops), Ok(()), "batch {n} landed but the model refuses it");
            stats.in_flight_landed += 1;
        }
        Some((n, _)) => {
            assert_eq!(stored, last_ok, "marker after a kill during batch {n}");
            stats.in_flight_lost += 1;
        }
        None => assert_eq!(stored, last_ok, "marker: every reported commit, and nothing more"),
    }
    model.assert_matches(store);
    let report = store.check().expect("check runs");
    assert!(report.is_clean(), "check() after the kill: {report:?}");
}

#[test]
fn killed_writers_lose_nothing_committed_and_leave_nothing_half_done() {
    let rounds = env_u64("TENANTREE_CRASH_ROUNDS").unwrap_or(40);
    let seed = env_u64("TENANTREE_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    eprintln!("crash recovery: {rounds} rounds, TENANTREE_CRASH_SEED={seed}");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.redb");
    let journal = rng.node_id();
    let mut model = Model::new(tenantree::Schema::channel());
    {
        let store = Store::open(&path).unwrap();
        store.create_node(&Actor::system(), NewNode::new("platform", "journal").id(journal)).unwrap();
        model.create(journal, "platform", None, "journal", &BTreeMap::new(), None).unwrap();
    }
    let mut stats = Stats::default();
    for round in 0..rounds {
        let mut child = Command::new(WRITER)
            .arg(&path)
            .arg(journal.to_string())
            .arg(rng.next_u64().to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the writer");
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || read_lines(stdout, tx));
        let opened = rx.recv_timeout(Duration::from_secs(60)).is_ok();
        if opened && round == 0 {
            // The writer holds the file: a second store on it gets a typed error.
            let err = Store::open(&path).unwrap_err();
            assert_eq!(err.code(), "ALREADY_OPEN", "{err}");
        }
        // Kill at a random moment: mostly mid-stream, sometimes right after the open.
        let delay = match rng.below(6) {
            0 => rng.below(5),
            _ => 20 + rng.below(400),
        };
        std::thread::sleep(Duration::from_millis(delay as u64));
        child.kill().expect("SIGKILL the writer");
        let status = child.wait().unwrap();
        let lines = reader.join().unwrap();
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(opened, "round {round}: the writer never opened the store: {stderr}");
        assert_eq!(status.signal(), Some(9), "round {round}: the writer died by itself ({status}): {stderr}");
        let store = Store::open(&path).unwrap_or_else(|e| panic!("round {round}: reopen after SIGKILL: {e}"));
        reconcile(&mut model, &lines, &store, journal, &mut stats);
    }
    eprintln!("crash recovery: {stats:?}, {} nodes at the end", model.nodes.len());
    assert!(stats.committed > 0, "no batch ever committed: the test proved nothing");
}
