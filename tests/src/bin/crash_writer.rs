//! The writer the crash-recovery test kills: random durable batches on a store in a file, each
//! printed before (`intent N ops`) and after (`ok N` / `err N CODE`) its commit. See
//! `tests::crash` for the protocol.
//!
//! Usage: `crash_writer DB JOURNAL_ID SEED [MAX_BATCHES]`. Runs until killed or until
//! MAX_BATCHES batches were tried.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Write;

use tenantree::{Actor, NodeId, Store};
use tests::crash::{Generator, encode_batch, list_nodes, stored_seq, write_seq};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, journal, seed) = match args.as_slice() {
        [_, path, journal, seed, ..] => (
            path.clone(),
            journal.parse::<NodeId>().expect("JOURNAL_ID is a node id"),
            seed.parse::<u64>().expect("SEED is a number"),
        ),
        _ => panic!("usage: crash_writer DB JOURNAL_ID SEED [MAX_BATCHES]"),
    };
    let max: u64 = args.get(4).map_or(u64::MAX, |m| m.parse().expect("MAX_BATCHES is a number"));
    let store = Store::builder().cache_size(8 << 20).open(&path).expect("open the store");
    let sys = Actor::system();
    let mut seq = stored_seq(&store, journal).expect("read the journal");
    let mut generator = Generator::new(&store, seed, list_nodes(&store, journal).expect("list the nodes"));
    let mut out = std::io::stdout().lock();
    writeln!(out, "open {seq}").expect("stdout");
    out.flush().expect("stdout");
    for _ in 0..max {
        seq += 1;
        let ops = generator.batch();
        writeln!(out, "intent {seq} {}", encode_batch(&ops)).expect("stdout");
        out.flush().expect("stdout");
        let result = store.write(&sys, |tx| {
            for op in &ops {
                op.apply(tx)?;
            }
            write_seq(tx, journal, seq)
        });
        match result {
            Ok(()) => {
                generator.committed(&ops);
                writeln!(out, "ok {seq}").expect("stdout");
            }
            Err(e) => {
                // A refused batch changes nothing, the marker included; numbers go on.
                writeln!(out, "err {seq} {}", e.code()).expect("stdout");
            }
        }
        out.flush().expect("stdout");
    }
}
