//! The fuzz targets' bodies (`tests::fuzz`, also run by `fuzz/` under libFuzzer) as property
//! tests, so that the test command covers them on stable: each target gets arbitrary bytes and
//! mutations (flipped, inserted, removed bytes, truncation) of its valid seed inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use proptest::prelude::*;
use tests::fuzz::{TARGETS, run, seeds};

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => any::<usize>().prop_map(Mutation::Remove),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut data: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = data.len();
        match *m {
            Mutation::Flip(i, b) if len > 0 => data[i % len] ^= b,
            Mutation::Insert(i, b) => data.insert(i % (len + 1), b),
            Mutation::Remove(i) if len > 0 => {
                data.remove(i % len);
            }
            Mutation::Truncate(i) => data.truncate(i % (len + 1)),
            _ => {}
        }
    }
    data
}

#[test]
fn every_target_has_seeds_that_pass() {
    for target in TARGETS {
        let seeds = seeds(target);
        let accepted: Vec<bool> = seeds.iter().map(|seed| run(target, seed)).collect();
        assert!(
            accepted.iter().filter(|a| **a).count() * 2 > seeds.len(),
            "{target}: most seeds are valid: {accepted:?}"
        );
    }
    // The snapshot, batch and query seeds are all valid: the mutations start from real inputs.
    for target in ["snapshot_binary", "snapshot_json", "schema_json", "batch_json", "query_json", "api_request"] {
        for (n, seed) in seeds(target).iter().enumerate() {
            assert!(run(target, seed), "{target} seed {n} is accepted: {}", String::from_utf8_lossy(seed));
        }
    }
}

/// fuzz/ declares exactly the targets `tests::fuzz` has, each calling its own body, so the
/// cargo-fuzz targets and these property tests cannot drift apart.
#[test]
fn the_fuzz_crate_lists_every_target() {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    let mut bins: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \"")?.strip_suffix('"'))
        .filter(|n| *n != "tenantree-fuzz")
        .collect();
    bins.sort_unstable();
    let mut want = TARGETS.to_vec();
    want.sort_unstable();
    assert_eq!(bins, want, "the [[bin]] targets of fuzz/Cargo.toml");
    for target in TARGETS {
        let source = std::fs::read_to_string(fuzz.join(format!("fuzz_targets/{target}.rs"))).unwrap();
        assert!(source.contains(&format!("tests::fuzz::run(\"{target}\", data)")), "{target}.rs runs its body");
    }
}

/// The committed corpus under fuzz/corpus/ (seeds and whatever fuzzing found) passes too.
#[test]
fn the_committed_corpus_passes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let mut files = 0;
    for target in TARGETS {
        let Ok(dir) = std::fs::read_dir(root.join(target)) else { continue };
        for entry in dir {
            let path = entry.unwrap().path();
            let _ = run(target, &std::fs::read(&path).unwrap());
            files += 1;
        }
    }
    assert!(files >= TARGETS.len(), "fuzz/corpus holds the seeds ({files} files)");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn targets_survive_arbitrary_bytes(target in 0..TARGETS.len(), data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = run(TARGETS[target], &data);
    }

    #[test]
    fn targets_survive_mutated_seeds(
        target in 0..TARGETS.len(),
        seed in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let seeds = seeds(TARGETS[target]);
        let data = mutate(seeds[seed % seeds.len()].clone(), &mutations);
        let _ = run(TARGETS[target], &data);
    }
}
