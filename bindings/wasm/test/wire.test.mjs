// The busiest records (nodes, pages of nodes, quotas, a node with its quotas) are built in JavaScript from numbers and
// one text (src/hot.js, the wire of bindings/wasm/hot); every other record goes through the
// generic conversion (serde-wasm-bindgen). Both must give the same plain data, keys in the
// same order, for every shape a record can take.
import assert from 'node:assert/strict';
import test from 'node:test';
import { WriteTx, refused, store, sys } from './helpers.mjs';

const same = (wire, generic, what) => {
  assert.deepStrictEqual(wire, generic, what);
  assert.equal(JSON.stringify(wire), JSON.stringify(generic), `${what}: keys in the same order`);
};

test('nodes from the wire equal the generic conversion, for every field and status', () => {
  const s = store();
  // batch answers through the generic conversion; getNode, children and ancestors' neighbours
  // through the wire.
  const [platform] = s.batch(sys, [{
    op: 'createNode',
    kind: 'platform',
    name: "acme_co.'s-1",
    displayName: 'ACME 😀',
    email: 'ops@acme.example',
    website: 'https://acme.example',
    phone: '+1 555 0100',
    address: 'Main St 1\nSpringfield',
    description: 'line\twith "quotes" and \\ and \u2028',
    externalName: 'ext-ü',
    billingId: 'B-1',
    extra: { a: [1, 2.5, { b: null, c: true }], 'ü': 'x', big: 9007199254740991, neg: -3 },
    limits: { tenants: 100, extensions: 9007199254740991, disk_bytes: 0 },
  }]);
  const [dist, suspended, plain] = s.batch(sys, [
    { op: 'createNode', kind: 'distributor', name: 'north', parent: platform.id },
    { op: 'createNode', kind: 'distributor', name: 'south', parent: platform.id, status: { state: 'suspended', profile: 7 } },
    { op: 'createNode', kind: 'distributor', name: 'east', parent: platform.id, tenantFullAccess: false },
  ]);
  const [sub] = s.batch(sys, [{ op: 'createNode', kind: 'sub_distributor', name: 'sub', parent: dist.id }]);
  const [reseller] = s.batch(sys, [{ op: 'createNode', kind: 'reseller', name: 'shop', parent: sub.id }]);
  s.batch(sys, [{ op: 'createNode', kind: 'tenant', name: 'bakery', parent: reseller.id, limits: { extensions: 5 } }]);
  const tenantId = s.children(sys, reseller.id).items[0].id;
  // Disabled above: the nodes below inherit it (read back through the generic conversion).
  const [disabled] = s.batch(sys, [{ op: 'setStatus', id: dist.id, status: { state: 'disabled' } }]);
  const [tenant] = s.batch(sys, [{ op: 'setLimits', id: tenantId, limits: { extensions: 6 } }]);
  const [, , subNow, resellerNow] = s.ancestors(sys, tenantId);
  assert.equal(tenant.effectiveStatus.source, dist.id, 'the tenant inherits the distributor\'s status');
  assert.equal(subNow.effectiveStatus.status.state, 'disabled');
  assert.equal(suspended.status.profile, 7);
  assert.equal(platform.parent, null);

  for (const generic of [platform, disabled, suspended, plain, subNow, resellerNow, tenant]) {
    same(s.getNode(sys, generic.id), generic, `store.getNode ${generic.name}`);
    same(s.read(sys, (tx) => tx.getNode(generic.id)), generic, `tx.getNode ${generic.name}`);
  }
  const page = s.children(sys, platform.id, { sort: 'name' });
  same(page.items, [plain, disabled, suspended], 'a page of children');
  assert.deepStrictEqual(Object.keys(page), ['items', 'total', 'limit', 'page', 'pages', 'next']);
  const top = s.read(sys, (tx) => tx.children(null));
  same(top.items, [platform], 'the top level');
  // Summaries are nodes cut down to the fields the children index holds, in the same order.
  const cut = ({ id, kind, parent, name, status, effectiveStatus, depth }) => ({ id, kind, parent, name, status, effectiveStatus, depth });
  const summaries = s.childSummaries(sys, platform.id, { sort: 'name' });
  same(summaries.items, [plain, disabled, suspended].map(cut), 'a page of child summaries');
  same({ ...summaries, items: null }, { ...page, items: null }, 'the page around the summaries');
  same(s.read(sys, (tx) => tx.childSummaries(null)).items, [platform].map(cut), 'the top level, summarised');
  same(s.childSummaries(sys, sub.id).items, [resellerNow].map(cut), 'an inherited status, summarised');
  const tenants = s.descendants(sys, platform.id, { kind: 'tenant' });
  same(tenants.items, [tenant], 'descendants');

  // Written through the wire, compared with the same change through batch on a twin node.
  const [twinA, twinB] = s.batch(sys, [
    { op: 'createNode', kind: 'distributor', name: 'twin-a', parent: platform.id },
    { op: 'createNode', kind: 'distributor', name: 'twin-b', parent: platform.id },
  ]);
  const viaWire = s.write(sys, (tx) => tx.updateNode(twinA.id, { displayName: 'Twin', extra: { k: [] } }));
  const [viaBatch] = s.batch(sys, [{ op: 'updateNode', id: twinB.id, displayName: 'Twin', extra: { k: [] } }]);
  same({ ...viaWire, id: null, name: null, created: null, updated: null }, { ...viaBatch, id: null, name: null, created: null, updated: null }, 'updateNode');

  // A node with no profile field is made in one literal; one with only `extra`, or only the
  // last profile field, gets its keys one at a time: the same order either way.
  const [onlyExtra, onlyLast, onlyLimits] = s.batch(sys, [
    { op: 'createNode', kind: 'distributor', name: 'only-extra', parent: platform.id, extra: { k: 1 } },
    { op: 'createNode', kind: 'distributor', name: 'only-last', parent: platform.id, billingId: 'B-2' },
    { op: 'createNode', kind: 'distributor', name: 'only-limits', parent: platform.id, limits: { tenants: 1 } },
  ]);
  for (const generic of [onlyExtra, onlyLast, onlyLimits]) {
    same(s.getNode(sys, generic.id), generic, `store.getNode ${generic.name}`);
  }
});

test('quotas from the wire equal the generic conversion, null limits included', () => {
  const s = store();
  const [root] = s.batch(sys, [{ op: 'createNode', kind: 'platform', name: 'acme', limits: { extensions: 10 } }]);
  const [dist] = s.batch(sys, [{ op: 'createNode', kind: 'distributor', name: 'north', parent: root.id }]);
  const [sub] = s.batch(sys, [{ op: 'createNode', kind: 'sub_distributor', name: 'sub', parent: dist.id }]);
  s.batch(sys, [{ op: 'allocate', id: sub.id, resource: 'extensions', amount: 2 }]);
  const [generic] = s.batch(sys, [{ op: 'allocate', id: dist.id, resource: 'extensions', amount: 3 }]);
  assert.deepEqual([generic.used, generic.allocated], [5, 3], 'used counts what is below, allocated only its own');
  const [unlimited] = s.batch(sys, [{ op: 'allocate', id: dist.id, resource: 'concurrent_calls', amount: 2 }]);
  assert.equal(generic.limit, null, 'no limit on the distributor itself');
  assert.equal(generic.available, 5, 'room left under the platform');
  assert.equal(unlimited.available, null);
  const quotas = s.quotas(sys, dist.id);
  same(quotas.find((q) => q.resource === 'extensions'), generic, 'quotas: extensions');
  same(quotas.find((q) => q.resource === 'concurrent_calls'), unlimited, 'quotas: concurrent_calls');
  same(s.read(sys, (tx) => tx.quotas(dist.id)), quotas, 'tx.quotas');
  const released = s.write(sys, (tx) => tx.release(dist.id, 'extensions', 1));
  const [again] = s.batch(sys, [{ op: 'allocate', id: dist.id, resource: 'extensions', amount: 1 }]);
  same(s.write(sys, (tx) => tx.release(dist.id, 'extensions', 1)), released, 'tx.release');
  same(s.allocate(sys, dist.id, 'extensions', 1), again, 'store.allocate');
});

test('a node with its quotas is getNode and quotas of the same snapshot, keys in order', () => {
  const s = store();
  const [root] = s.batch(sys, [{ op: 'createNode', kind: 'platform', name: 'acme', limits: { extensions: 10 } }]);
  const [dist] = s.batch(sys, [{ op: 'createNode', kind: 'distributor', name: 'north', parent: root.id, displayName: 'North 😀' }]);
  s.batch(sys, [{ op: 'allocate', id: dist.id, resource: 'extensions', amount: 3 }]);
  s.batch(sys, [{ op: 'setStatus', id: root.id, status: { state: 'suspended', profile: 2 } }]);
  for (const id of [root.id, dist.id]) {
    const both = s.getNodeWithQuotas(sys, id);
    assert.deepStrictEqual(Object.keys(both), ['node', 'quotas']);
    same(both, { node: s.getNode(sys, id), quotas: s.quotas(sys, id) }, 'store.getNodeWithQuotas');
    same(s.read(sys, (tx) => tx.getNodeWithQuotas(id)), both, 'tx.getNodeWithQuotas');
    same(s.write(sys, (tx) => tx.getNodeWithQuotas(id)), both, 'in a write');
  }
  const seen = s.getNodeWithQuotas(sys, dist.id);
  assert.equal(seen.node.effectiveStatus.source, root.id);
  assert.equal(seen.quotas.find((q) => q.resource === 'extensions').available, 7);
  refused(() => s.getNodeWithQuotas(sys, '01900000-0000-7000-8000-00000000abcd'), 'NOT_FOUND');
  assert.equal(refused(() => s.getNodeWithQuotas(sys, 'nope'), 'INVALID_ARGUMENT').details.field, 'id');
});

test('nodes with their quotas read one after another each come out whole', () => {
  // The binding reads each into the record the last one left: kinds, names, limits, profile
  // fields and extra data that differ from one to the next must not leak into it.
  const s = store();
  const [root, dist, reseller, tenant] = s.batch(sys, [
    { op: 'createNode', kind: 'platform', name: 'acme', limits: { extensions: 10, tenants: 4 } },
  ]).concat(
    s.write(sys, (tx) => {
      const d = tx.createNode({ kind: 'distributor', name: 'north-and-a-much-longer-name', parent: tx.children(null).items[0].id, displayName: 'North 😀', extra: { tier: 'gold' } });
      const r = tx.createNode({ kind: 'reseller', name: 'r', parent: d.id, limits: { tenants: 2 } });
      const t = tx.createNode({ kind: 'tenant', name: 'bakery', parent: r.id, email: 'b@example.com' });
      return [d, r, t];
    }),
  );
  s.write(sys, (tx) => tx.allocate(tenant.id, 'extensions', 2));
  const ids = [root.id, dist.id, reseller.id, tenant.id];
  for (const k of [3, 1, 0, 2, 1, 3, 3, 0, 1, 2]) {
    const id = ids[k];
    same(s.getNodeWithQuotas(sys, id), { node: s.getNode(sys, id), quotas: s.quotas(sys, id) }, `node ${k}`);
    same(s.read(sys, (tx) => tx.getNodeWithQuotas(ids[3 - k])), { node: s.getNode(sys, ids[3 - k]), quotas: s.quotas(sys, ids[3 - k]) }, `node ${3 - k} in a read`);
  }
  // A refusal between two reads leaves the next one whole.
  refused(() => s.getNodeWithQuotas(sys, '01900000-0000-7000-8000-00000000abcd'), 'NOT_FOUND');
  same(s.getNodeWithQuotas(sys, dist.id), { node: s.getNode(sys, dist.id), quotas: s.quotas(sys, dist.id) }, 'after a refusal');
  // One record is kept for every store of the package: a store of another schema, with fewer
  // resources, read in between, and this one again.
  const clients = store({ preset: 'clients' });
  const client = clients.createNode(sys, { kind: 'client', name: 'acme' });
  for (const [t, id] of [[clients, client.id], [s, tenant.id], [clients, client.id], [s, root.id]]) {
    const both = t.getNodeWithQuotas(sys, id);
    same(both, { node: t.getNode(sys, id), quotas: t.quotas(sys, id) }, `${both.node.kind} of its store`);
  }
  assert.ok(clients.quotas(sys, client.id).length < s.quotas(sys, tenant.id).length, 'the schemas have other resources');
});

test('ids in any case and the system actor take the fast way; everything else the general one', () => {
  const s = store();
  const root = s.createNode(sys, { kind: 'platform', name: 'acme' });
  assert.equal(s.getNode(sys, root.id.toUpperCase()).id, root.id);
  assert.equal(s.getNode(sys, new String(root.id)).id, root.id, 'a String object stringifies as its string');
  assert.equal(s.getNode({ type: 'system', note: 'ignored, as serde ignores it' }, root.id).id, root.id);
  assert.equal(s.getNode(Object.assign(Object.create(null), { type: 'system' }), root.id).id, root.id);
  for (const bad of [root.id.replace(/-/g, '_'), `${root.id.slice(0, 35)}g`, `${root.id.slice(0, 35)}é`, root.id.slice(1), 7]) {
    assert.equal(refused(() => s.getNode(sys, bad), 'INVALID_ARGUMENT').details.field, 'id', String(bad));
  }
  refused(() => s.getNode(sys, '00000000-0000-0000-0000-000000000000'), 'INVALID_ARGUMENT');
  // An unknown id in canonical form reaches the core.
  refused(() => s.getNode(sys, '01900000-0000-7000-8000-00000000abcd'), 'NOT_FOUND');
  // The general way decides whatever is more than { type: 'system' }: a member JSON cannot
  // write, a type that JSON does not see (not enumerable, or inherited).
  const cyclic = { type: 'system' };
  cyclic.self = cyclic;
  refused(() => s.getNode(cyclic, root.id), 'INVALID_ARGUMENT');
  refused(() => s.getNode({ type: 'system', n: 1n }, root.id), 'INVALID_ARGUMENT');
  refused(() => s.getNode(Object.defineProperty({}, 'type', { value: 'system' }), root.id), 'INVALID_ARGUMENT');
  refused(() => s.getNode(Object.create({ type: 'system' }), root.id), 'INVALID_ARGUMENT');
  // Not the system actor: an array, an object whose toJSON says otherwise, a class instance.
  refused(() => s.getNode(Object.assign([], { type: 'system' }), root.id), 'INVALID_ARGUMENT');
  refused(() => s.getNode({ type: 'system', toJSON: () => ({ type: 'nobody' }) }, root.id), 'INVALID_ARGUMENT');
  class Wrapped {
    constructor() {
      this.type = 'system';
    }
  }
  // A class instance goes the general way, where JSON gives the same answer.
  assert.equal(s.getNode(new Wrapped(), root.id).id, root.id);
});

test('an id that fails half read leaves no trace for the id read before it', () => {
  const s = store();
  const a = s.createNode(sys, { kind: 'platform', name: 'a' });
  const b = s.createNode(sys, { kind: 'platform', name: 'b' });
  assert.equal(s.getNode(sys, a.id).name, 'a');
  // b's first fifteen bytes are read before its last pair fails.
  const broken = `${b.id.slice(0, 34)}zz`;
  assert.equal(refused(() => s.getNode(sys, broken), 'INVALID_ARGUMENT').details.field, 'id');
  assert.equal(s.getNode(sys, a.id).name, 'a', 'the id read before is read again whole');
  assert.equal(s.read(sys, (tx) => tx.quotas(b.id).length > 0 && tx.getNode(b.id).name), 'b');
  assert.equal(s.getNode(sys, a.id.toUpperCase()).name, 'a');
});

test('resource names and amounts: the fast way and the general one answer alike', () => {
  const s = store();
  const platform = s.createNode(sys, { kind: 'platform', name: 'acme', limits: { extensions: 10 } });
  const unknown = (name) => refused(() => s.allocate(sys, platform.id, name, 1), 'INVALID_ARGUMENT');
  // Names of up to 64 ASCII characters are read by hot.js; longer or non-ASCII ones are not.
  const short = unknown('x'.repeat(64));
  const long = unknown('x'.repeat(65));
  const accented = unknown('extensiöns');
  for (const e of [short, long, accented]) assert.equal(e.details.field, 'resource', e.message);
  assert.ok(accented.message.includes('extensiöns'), accented.message);
  assert.ok(long.message.includes('x'.repeat(65)), long.message);
  // In a transaction as on the store, and an amount as large as a JS number holds exactly.
  assert.equal(s.write(sys, (tx) => tx.allocate(platform.id, 'extensions', 3)).used, 3);
  assert.equal(refused(() => s.write(sys, (tx) => tx.allocate(platform.id, 'extensions', 2 ** 53 - 1)), 'QUOTA_EXCEEDED').details.requested, 2 ** 53 - 1);
  assert.equal(s.write(sys, (tx) => tx.release(platform.id, 'extensions', 3)).used, 0);
  assert.equal(refused(() => s.write(sys, (tx) => tx.release(platform.id, 'extensions', 0.5)), 'INVALID_ARGUMENT').details.field, 'amount');
});

test("a transaction's allocate and release, numbers only crossing, answer and refuse as the store's", () => {
  const s = store();
  // Limits that refuse some amounts, and keep every sum a JS number.
  const limits = { extensions: 100, concurrent_calls: 2 ** 53 - 1 };
  const platform = s.createNode(sys, { kind: 'platform', name: 'acme', limits });
  const dist = s.createNode(sys, { kind: 'distributor', name: 'north', parent: platform.id });
  const tenant = s.createNode(sys, { kind: 'tenant', name: 'bakery', parent: dist.id });
  // What a call gives: its answer, or its error's code, message and details.
  const outcome = (fn) => {
    try {
      return { answer: fn() };
    } catch (e) {
      return { code: e.code, message: e.message, details: e.details };
    }
  };
  const ids = [
    tenant.id, dist.id.toUpperCase(), platform.id, '00000000-0000-0000-0000-000000000000',
    '01900000-0000-7000-8000-000000000001', `${tenant.id.slice(0, 34)}zz`, `{${tenant.id.slice(1, 35)}}`,
    'bakery', 5, null, undefined, { id: tenant.id },
  ];
  const resources = ['extensions', 'concurrent_calls', 'tenants', 'nope', '', 'x'.repeat(64), 'x'.repeat(65), 'extensiöns', 7, null];
  const amounts = [1, 4, 11, 0, -0, -1, 1.5, 2 ** 53 - 1, 2 ** 53, NaN, Infinity, '2', 2n, null, undefined];
  let answered = 0;
  for (const op of ['allocate', 'release']) {
    for (const id of ids) {
      for (const resource of resources) {
        for (const amount of amounts) {
          const what = `${op}(${String(id)}, ${String(resource)}, ${String(amount)})`;
          const inTx = outcome(() => s.write(sys, (tx) => tx[op](id, resource, amount)));
          if (inTx.answer !== undefined) {
            answered++;
            // Undone, then done again on the store, which must give the same quota.
            s[op === 'allocate' ? 'release' : 'allocate'](sys, id, resource, amount);
          }
          const onStore = outcome(() => s[op](sys, id, resource, amount));
          if (onStore.answer !== undefined) same(inTx.answer, onStore.answer, what);
          else assert.deepStrictEqual(inTx, onStore, what);
        }
      }
    }
    // What allocate left, release gives back: each operation happened once on each way.
    const used = s.quotas(sys, platform.id).filter((q) => q.resource in limits).map((q) => [q.resource, q.used]);
    assert.deepEqual(used, op === 'allocate' ? [['extensions', 3 * (1 + 4 + 11)], ['concurrent_calls', 3 * (1 + 4 + 11)]] : [['extensions', 0], ['concurrent_calls', 0]]);
  }
  // Three ids, two resources and three amounts each way.
  assert.equal(answered, 2 * 3 * 2 * 3);
  // Kept past its callback, the transaction refuses them as it refuses everything.
  let kept;
  s.write(sys, (tx) => { kept = tx; });
  for (const op of ['allocate', 'release']) {
    const e = refused(() => kept[op](tenant.id, 'extensions', 1), 'INVALID_ARGUMENT');
    assert.equal(e.details.field, 'tx');
  }
});

test('allocate and release inside one transaction: refusals change nothing, another store between calls confuses nothing', () => {
  // The way with numbers only exists, and the transaction does not show it.
  assert.equal(typeof WriteTx.prototype.__allocate, 'function');
  assert.equal(typeof WriteTx.prototype.__release, 'function');
  const s = store();
  const platform = s.createNode(sys, { kind: 'platform', name: 'acme', limits: { extensions: 10 } });
  const tenant = s.createNode(sys, { kind: 'distributor', name: 'north', parent: platform.id });
  const ext = (id) => s.quotas(sys, id).find((q) => q.resource === 'extensions');
  const answers = s.write(sys, (tx) => {
    assert.equal(tx.__allocate, undefined);
    const first = tx.allocate(tenant.id, 'extensions', 4);
    // Refused in the middle of the transaction, which goes on and commits.
    assert.equal(refused(() => tx.allocate(tenant.id, 'extensions', 7), 'QUOTA_EXCEEDED').details.requested, 7);
    refused(() => tx.release(tenant.id, 'extensions', 5), 'INVALID_ARGUMENT');
    refused(() => tx.allocate('01900000-0000-7000-8000-000000000001', 'extensions', 1), 'NOT_FOUND');
    // Another store between two calls, grown by a large batch (which usually grows wasm
    // memory too), whose own calls write the same slots: another id and resource, then the
    // same resource as this transaction's next call.
    const other = store();
    const root = other.createNode(sys, { kind: 'platform', name: 'other' });
    other.write(sys, (otx) => {
      otx.createNodes(Array.from({ length: 20_000 }, (_, k) => ({ kind: 'distributor', name: `d${k}`, parent: root.id })));
      assert.equal(otx.allocate(root.id, 'concurrent_calls', 2).used, 2);
    });
    const second = tx.allocate(tenant.id, 'extensions', 1);
    other.write(sys, (otx) => assert.equal(otx.allocate(root.id, 'extensions', 3).used, 3));
    const third = tx.release(tenant.id, 'extensions', 2);
    other.free();
    return [first, second, third];
  });
  assert.deepEqual(answers, [
    { resource: 'extensions', limit: null, used: 4, allocated: 4, available: 6 },
    { resource: 'extensions', limit: null, used: 5, allocated: 5, available: 5 },
    { resource: 'extensions', limit: null, used: 3, allocated: 3, available: 7 },
  ]);
  assert.deepEqual(ext(tenant.id), answers[2]);
  assert.equal(ext(platform.id).used, 3);
});
