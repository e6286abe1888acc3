# The JavaScript package (bindings/wasm): builds it, checks that the committed TypeScript types
# are current, runs the Node tests against the built package, and the demo page in headless
# Chromium. Installs what it needs: the wasm32 target and the pinned wasm-bindgen-cli (build.sh),
# the npm packages from package-lock.json, and Debian's chromium.
set -euo pipefail

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x /usr/bin/chromium ]; then
    echo "40-wasm: installing Debian's chromium"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The binding's own lints on its real target; the generated types must match the Rust types.
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
cargo clippy -p tenantree-wasm --target wasm32-unknown-unknown --locked -- -D warnings
cargo test -p tenantree-wasm --locked typescript

cd bindings/wasm
npm ci --no-audit --no-fund --loglevel=error
./build.sh
node --test test/*.test.mjs
node --test test-browser/*.test.mjs
