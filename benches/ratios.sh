#!/usr/bin/env bash
# The quick ratio command with everything it needs: builds the npm package (bindings/wasm),
# installs sql.js (benches/js, from its package-lock.json), then runs every native and
# JavaScript workload in one run and prints the table of times and ratios.
#   benches/ratios.sh                 # quick: 100,000 tenants
#   benches/ratios.sh --size full     # the issue's sizes (JavaScript W1 stays at 100,000)
set -euo pipefail
cd "$(dirname "$0")/.."
bindings/wasm/build.sh >&2
(cd benches/js && npm ci --no-audit --no-fund --loglevel=error >&2)
cargo build --release -p benches --bin ratios --locked >&2
exec target/release/ratios "$@"
