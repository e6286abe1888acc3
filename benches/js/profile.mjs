// W5 or W4 alone on the npm package, for a profiler. Nothing is timed: run it under a profiler,
// or count instructions, which unlike time do not move with the host's neighbours (the
// difference of two counts cancels the set-up and V8's compilation, which --no-liftoff does up
// front and --single-threaded keeps in this thread).
//
// - W5 (the default, or WORKLOAD=w5): a reseller with 10,000 children named in random order,
//   then WALKS walks of all of them by name, 50 at a time, by cursor:
//
//     for w in 20 60; do WALKS=$w valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//       node --no-liftoff --single-threaded --max-semi-space-size=64 benches/js/profile.mjs; done
//
//   (instructions per page: the difference of the two totals over 40 × 200 pages).
// - W4 (WORKLOAD=w4): 10 distributors × 10 sub-distributors × 10 resellers × 10 tenants with
//   W1's limits, then WALKS rounds of getNodeWithQuotas of each tenant in turn (instructions per
//   get: the difference of two totals over the difference of the rounds times 10,000).
//
// Or `node --cpu-prof` of a build with its name section (see benches/PROFILE.md).
// TENANTREE_PACKAGE: the package's directory (default bindings/wasm).
import { createRequire } from 'node:module';
import { packageDir, w5Names } from './workloads.mjs';

const require = createRequire(import.meta.url);
const { Store } = require(packageDir);
const SYS = { type: 'system' };
const store = new Store({ preset: 'channel', changeFeed: false, durability: 'bulk' });
const insert = (recs) => store.write(SYS, (tx) => tx.createNodes(recs));
const [platform] = insert([{ kind: 'platform', name: 'p' }]);
const walks = Number(process.env.WALKS ?? 20);
const workload = process.env.WORKLOAD ?? 'w5';
let seen = 0;
if (workload === 'w5') {
  const [dist] = insert([{ kind: 'distributor', name: 'w5-dist', parent: platform }]);
  const [sub] = insert([{ kind: 'sub_distributor', name: 'w5-sub', parent: dist }]);
  const [reseller] = insert([{ kind: 'reseller', name: 'w5-res', parent: sub, limits: { tenants: 20_000 } }]);
  const names = w5Names(10_000);
  for (let i = 0; i < names.length; i += 5_000) {
    insert(names.slice(i, i + 5_000).map((name) => ({ kind: 'tenant', name, parent: reseller, limits: { extensions: 20 } })));
  }
  store.flush();
  for (let walk = 0; walk < walks; walk++) {
    let cursor = null;
    do {
      const page = store.childSummaries(SYS, reseller, { sort: 'name', limit: 50, cursor });
      for (const child of page.items) seen += child.effectiveStatus.status.state.length > 0 ? 1 : 0;
      cursor = page.next ?? null;
    } while (cursor !== null);
  }
} else if (workload === 'w4') {
  // As W1's tree (workloads.mjs), at a tenth of the quick size.
  const limits = (tenantsBelow) => ({ tenants: tenantsBelow * 2, extensions: tenantsBelow * 40 });
  const tenants = [];
  for (let d = 0; d < 10; d++) {
    const [dist] = insert([{ kind: 'distributor', name: `d${d}`, parent: platform, limits: limits(1000) }]);
    for (let s = 0; s < 10; s++) {
      const [sub] = insert([{ kind: 'sub_distributor', name: `d${d}s${s}`, parent: dist, limits: limits(100) }]);
      const resellers = insert(
        Array.from({ length: 10 }, (_, r) => ({ kind: 'reseller', name: `d${d}s${s}r${r}`, parent: sub, limits: limits(10) })),
      );
      for (const reseller of resellers) {
        const recs = Array.from({ length: 10 }, (_, t) => ({ kind: 'tenant', name: `t${tenants.length + t}`, parent: reseller, limits: { extensions: 20 } }));
        tenants.push(...insert(recs));
      }
    }
  }
  store.flush();
  for (let walk = 0; walk < walks; walk++) {
    for (const id of tenants) seen += store.getNodeWithQuotas(SYS, id).node.depth > 0 ? 1 : 0;
  }
} else {
  throw new Error(`WORKLOAD: w5 or w4, not ${workload}`);
}
console.log(`${workload}: ${walks} rounds, ${seen} records seen`);
