// W5 alone on the npm package, for a profiler: a reseller with 10,000 children named in random
// order, then WALKS walks of all of them by name, 50 at a time, by cursor. Nothing is timed:
// run it under a profiler, or count instructions, which unlike time do not move with the
// host's neighbours (the difference of two walk counts cancels the set-up and V8's
// compilation, which --no-liftoff does up front and --single-threaded keeps in this thread):
//
//   for w in 20 60; do WALKS=$w valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//     node --no-liftoff --single-threaded --max-semi-space-size=64 benches/js/profile.mjs; done
//
// (instructions per page: the difference of the two totals over 40 × 200 pages), or
// `node --cpu-prof` of a build with its name section (see benches/PROFILE.md).
// TENANTREE_PACKAGE: the package's directory (default bindings/wasm).
import { createRequire } from 'node:module';
import { packageDir, w5Names } from './workloads.mjs';

const require = createRequire(import.meta.url);
const { Store } = require(packageDir);
const SYS = { type: 'system' };
const store = new Store({ preset: 'channel', changeFeed: false, durability: 'bulk' });
const insert = (recs) => store.write(SYS, (tx) => tx.createNodes(recs));
const [platform] = insert([{ kind: 'platform', name: 'p' }]);
const [dist] = insert([{ kind: 'distributor', name: 'w5-dist', parent: platform }]);
const [sub] = insert([{ kind: 'sub_distributor', name: 'w5-sub', parent: dist }]);
const [reseller] = insert([{ kind: 'reseller', name: 'w5-res', parent: sub, limits: { tenants: 20_000 } }]);
const names = w5Names(10_000);
for (let i = 0; i < names.length; i += 5_000) {
  insert(names.slice(i, i + 5_000).map((name) => ({ kind: 'tenant', name, parent: reseller, limits: { extensions: 20 } })));
}
store.flush();
let seen = 0;
const walks = Number(process.env.WALKS ?? 20);
for (let walk = 0; walk < walks; walk++) {
  let cursor = null;
  do {
    const page = store.childSummaries(SYS, reseller, { sort: 'name', limit: 50, cursor });
    for (const child of page.items) seen += child.effectiveStatus.status.state.length > 0 ? 1 : 0;
    cursor = page.next ?? null;
  } while (cursor !== null);
}
console.log(`${walks} walks, ${seen} children seen`);
