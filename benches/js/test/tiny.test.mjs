// The JavaScript workloads once at the tiny size, on the npm package and on sql.js: the answers
// must agree and be right. No timing is asserted.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Refused, SqlJs, TenantreeWasm, loadSqlJs, runAll, sizesOf, w5Names } from '../workloads.mjs';

const SQL = await loadSqlJs();
const makers = { 'tenantree-wasm': () => new TenantreeWasm(), 'sql.js': () => new SqlJs(SQL) };

test('every JavaScript workload runs at the tiny size and both implementations agree', async () => {
  const out = await runAll('tiny');
  assert.equal(out.agree, true);
  assert.deepEqual(Object.keys(out.engines).sort(), ['sql.js', 'tenantree-wasm']);
  const s = sizesOf('tiny');
  for (const [name, r] of Object.entries(out.engines)) {
    assert.equal(r.tenants, 40, name);
    for (const w of ['W3', 'W4', 'W5']) assert.ok(r.stats[w].samples > 0, `${name} ${w}`);
    const { w3Allocated, w3Released, w4, w5 } = r.observed;
    const ext = (v) => v.quotas.find((q) => q.resource === 'extensions');
    assert.equal(w3Allocated.kind, 'tenant', name);
    assert.equal(w3Allocated.depth, 5, name);
    assert.deepEqual([ext(w3Allocated).used, ext(w3Allocated).allocated, ext(w3Allocated).available], [1, 1, 19], name);
    assert.deepEqual([ext(w3Released).used, ext(w3Released).available], [0, 20], name);
    assert.equal(w4.length, 3, name);
    for (const v of w4) {
      assert.match(v.name, /^tenant-\d{7}$/, name);
      assert.equal(v.effective, 'enabled', name);
      assert.equal(v.quotas.length, 8, name);
    }
    const names = w5.flatMap((p) => p.items.map((i) => i.name));
    assert.deepEqual(names, [...w5Names(s.w5Children)].sort(), `${name}: W5 walks every child once, by name`);
    assert.ok(w5.every((p) => p.total === s.w5Children && p.items.length <= s.w5Page), name);
  }
});

test('sql.js refuses what the npm package refuses, with the same codes', () => {
  const codes = {};
  for (const [name, make] of Object.entries(makers)) {
    const e = make();
    const code = (f) => {
      try {
        f();
        return 'ok';
      } catch (err) {
        return err.code ?? String(err);
      }
    };
    try {
      const [root] = e.insert([{ kind: 'platform', name: 'acme' }]);
      const [dist] = e.insert([{ kind: 'distributor', name: 'd', parent: root, limits: { tenants: 1, extensions: 5 } }]);
      const [t] = e.insert([{ kind: 'tenant', name: 't', parent: dist, limits: { extensions: 5 } }]);
      codes[name] = {
        overTenants: code(() => e.insert([{ kind: 'tenant', name: 'u', parent: dist }])),
        sameName: code(() => e.insert([{ kind: 'reseller', name: 'T', parent: dist }])),
        kindRule: code(() => e.insert([{ kind: 'distributor', name: 'x', parent: dist }])),
        overExtensions: code(() => e.adjust([{ node: t, resource: 'extensions', delta: 6 }])),
        atomicBatch: code(() => e.adjust([
          { node: t, resource: 'extensions', delta: 3 },
          { node: t, resource: 'extensions', delta: 3 },
        ])),
        afterBatch: e.get(t).quotas.find((q) => q.resource === 'extensions').used,
      };
    } finally {
      e.close();
    }
  }
  assert.deepEqual(codes['sql.js'], codes['tenantree-wasm']);
  assert.deepEqual(codes['tenantree-wasm'], {
    overTenants: 'QUOTA_EXCEEDED',
    sameName: 'ok',
    kindRule: 'KIND_NOT_ALLOWED',
    overExtensions: 'QUOTA_EXCEEDED',
    atomicBatch: 'QUOTA_EXCEEDED',
    afterBatch: 0,
  });
  assert.ok(new Refused('X', 'y') instanceof Error);
});
