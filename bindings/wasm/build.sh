#!/usr/bin/env bash
# Builds the npm package's JavaScript and wasm from the binding crate:
#   pkg/node  CommonJS for Node (`require` and `import` both work)
#   pkg/web   an ES module for browsers, workers and edge runtimes (call its default `init` first)
# Installs what it needs: the wasm32 target, and wasm-bindgen-cli at exactly the version of the
# wasm-bindgen crate in Cargo.lock (the two must match, or the generated glue does not fit).
# Prints the size of the .wasm, raw and gzipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$version" ]; then
    echo "build.sh: no wasm-bindgen in Cargo.lock" >&2
    exit 1
fi

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $version" ]; then
    echo "build.sh: installing wasm-bindgen-cli $version (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$version" --force
fi

# TENANTREE_WASM_PROFILE=dev builds faster while iterating; the package and the tests use the
# size-tuned wasm-release profile.
profile="${TENANTREE_WASM_PROFILE:-wasm-release}"
cargo build -p tenantree-wasm --target wasm32-unknown-unknown --profile "$profile" --locked
dir="$profile"
[ "$profile" = dev ] && dir=debug
wasm="$root/target/wasm32-unknown-unknown/$dir/tenantree_wasm.wasm"

rm -rf "$here/pkg/node" "$here/pkg/web"
wasm-bindgen --remove-name-section --remove-producers-section --target nodejs --out-dir "$here/pkg/node" "$wasm"
wasm-bindgen --remove-name-section --remove-producers-section --target web --out-dir "$here/pkg/web" "$wasm"

out="$here/pkg/web/tenantree_wasm_bg.wasm"
raw=$(wc -c <"$out")
gz=$(gzip -9 -c "$out" | wc -c)
echo "build.sh: tenantree_wasm_bg.wasm is $raw bytes ($(( (raw + 512) / 1024 )) KiB), gzipped $gz bytes ($(( (gz + 512) / 1024 )) KiB)"
