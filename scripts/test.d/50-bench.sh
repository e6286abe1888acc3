# The benchmarks cannot rot. The tiny runs of every workload on the three implementations (and
# of the ratio command) are ordinary tests, run by `cargo test --workspace` in 10-rust.sh; here
# the criterion targets, which `cargo test` does not build unless asked, are built and every
# benchmark runs once on the tiny store (criterion's test mode). No timing is asserted.
set -euo pipefail
cargo test -p benches --benches --locked
