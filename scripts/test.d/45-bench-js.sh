# The JavaScript half of the benchmarks (benches/js) cannot rot: after 40-wasm.sh has built the
# npm package, installs sql.js from benches/js/package-lock.json, runs every JavaScript workload
# once at the tiny size on the package and on sql.js (the answers and the refusals must agree),
# and the ratio command at the tiny size with the JavaScript rows. No timing is asserted.
set -euo pipefail
if [ ! -f bindings/wasm/pkg/node/tenantree_wasm.js ]; then
    echo "45-bench-js: the npm package is not built; run 40-wasm.sh (or bindings/wasm/build.sh) first" >&2
    exit 1
fi
(cd benches/js && npm ci --no-audit --no-fund --loglevel=error && node --test test/)
out="$(cargo run --profile test -p benches --bin ratios --locked -- --size tiny --js yes)"
echo "$out"
for row in '| W1 |' '| W1 CPU |' '| W3 |' '| W4 |' '| W5 |'; do
    if ! grep -F -- "$row" <<<"$out" | grep -q 'tenantree-wasm\|×'; then
        echo "45-bench-js: no row $row" >&2
        exit 1
    fi
done
grep -q 'tenantree-wasm and sql.js gave the same answers' <<<"$out"
grep -q 'every implementation gave the same answers' <<<"$out"
grep -q 'WASM/native ≤ 2.5×' <<<"$out"
grep -q 'sql.js/tenantree-wasm ≥ 5×' <<<"$out"
