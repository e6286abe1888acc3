//! Writes the seed corpus of every fuzz target, made by `tests::fuzz::seeds` from valid inputs,
//! to `DIR/<target>/seed-<n>` (default DIR: `fuzz/corpus`). `scripts/fuzz` runs it.
#![allow(clippy::expect_used)]

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fuzz/corpus".to_owned()));
    for target in tests::fuzz::TARGETS {
        let sub = dir.join(target);
        std::fs::create_dir_all(&sub).expect("create the corpus folder");
        for (n, seed) in tests::fuzz::seeds(target).iter().enumerate() {
            std::fs::write(sub.join(format!("seed-{n}")), seed).expect("write a seed");
        }
    }
}
