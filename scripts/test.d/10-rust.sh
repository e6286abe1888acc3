# Formatting, lints (native and wasm32), and every Rust test of the workspace: unit tests,
# integration tests, the property tests against the reference model, and doctests.
set -euo pipefail
rustup target add wasm32-unknown-unknown
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# The core must build for wasm32-unknown-unknown: no clock, threads or files of its own.
cargo clippy -p tenantree --target wasm32-unknown-unknown --locked -- -D warnings
# So must the seed-API dispatcher, which the npm package will call.
cargo clippy -p tenantree-api --target wasm32-unknown-unknown --locked -- -D warnings
cargo test --workspace --locked
