// Queries: children with filters, search, sorting, offset and cursor paging; descendants;
// counts per kind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refused, store, sys } from './helpers.mjs';

function populated() {
  const s = store();
  const root = s.createNode(sys, { kind: 'platform', name: 'acme' });
  const names = ['delta', 'alpha', 'Charlie', 'bravo', 'echo'];
  const dists = names.map((name) => s.createNode(sys, { kind: 'distributor', name, parent: root.id, email: `${name}@example.com` }));
  s.setStatus(sys, dists[0].id, { state: 'disabled' });
  const reseller = s.createNode(sys, { kind: 'reseller', name: 'direct', parent: root.id });
  for (let i = 0; i < 7; i++) s.createNode(sys, { kind: 'tenant', name: `t${i}`, parent: i < 4 ? reseller.id : dists[1].id });
  return { s, root, dists, reseller };
}

test('children: sorted by name ignoring case, filtered by kind and status, searched', () => {
  const { s, root } = populated();
  const all = s.children(sys, root.id, { kind: 'distributor' });
  assert.deepEqual(all.items.map((n) => n.name), ['alpha', 'bravo', 'Charlie', 'delta', 'echo']);
  assert.equal(all.total, 5);
  assert.equal(all.limit, 10);
  assert.equal(all.next, null);
  const desc = s.children(sys, root.id, { kind: 'distributor', dir: 'desc', limit: 2 });
  assert.deepEqual(desc.items.map((n) => n.name), ['echo', 'delta']);
  assert.equal(desc.pages, 3);
  const disabled = s.children(sys, root.id, { status: 'disabled' });
  assert.deepEqual(disabled.items.map((n) => n.name), ['delta']);
  const found = s.children(sys, root.id, { search: 'CHARLIE@' });
  assert.deepEqual(found.items.map((n) => n.name), ['Charlie']);
  const byCreation = s.children(sys, root.id, { sort: 'created' });
  assert.deepEqual(byCreation.items.map((n) => n.name), ['delta', 'alpha', 'Charlie', 'bravo', 'echo', 'direct']);
  const top = s.children(sys, null);
  assert.deepEqual(top.items.map((n) => n.name), ['acme']);
  assert.equal(s.children(sys, null, undefined).total, 1, 'the query is optional');
});

test('children: offset and cursor paging cover every child once', () => {
  const { s, root } = populated();
  const offsetPage = s.children(sys, root.id, { offset: 2, limit: 2 });
  assert.equal(offsetPage.page, 2);
  assert.equal(offsetPage.items.length, 2);
  const seen = [];
  let query = { limit: 2 };
  for (;;) {
    const page = s.children(sys, root.id, query);
    seen.push(...page.items.map((n) => n.name));
    if (page.next === null) break;
    assert.equal(typeof page.next, 'string');
    query = { limit: 2, cursor: page.next };
  }
  assert.deepEqual(seen, ['alpha', 'bravo', 'Charlie', 'delta', 'direct', 'echo']);
  refused(() => s.children(sys, root.id, { cursor: 'garbage' }), 'INVALID_ARGUMENT');
  const bad = refused(() => s.children(sys, root.id, { sort: 'size' }), 'INVALID_ARGUMENT');
  assert.equal(bad.details.field, 'sort');
});

test('descendants of a kind, in tree order, with a cursor', () => {
  const { s, root, reseller } = populated();
  const tenants = s.descendants(sys, root.id, { kind: 'tenant', limit: 100 });
  assert.equal(tenants.total, 7);
  assert.equal(tenants.items.length, 7);
  const under = s.descendants(sys, reseller.id, { kind: 'tenant' });
  assert.deepEqual(under.items.map((n) => n.name).sort(), ['t0', 't1', 't2', 't3']);
  const first = s.descendants(sys, null, { kind: 'tenant', limit: 5 });
  const second = s.descendants(sys, null, { kind: 'tenant', limit: 5, cursor: first.next });
  assert.equal(first.items.length + second.items.length, 7);
  assert.equal(second.next, null);
  refused(() => s.descendants(sys, null, {}), 'INVALID_ARGUMENT');
});

test('kindCounts per subtree and for the whole store', () => {
  const { s, root, dists } = populated();
  assert.deepEqual(s.kindCounts(sys), { distributor: 5, platform: 1, reseller: 1, sub_distributor: 0, tenant: 7 });
  assert.deepEqual(s.kindCounts(sys, null), s.kindCounts(sys));
  assert.equal(s.kindCounts(sys, dists[1].id).tenant, 3);
  assert.equal(s.kindCounts(sys, root.id).platform, 0);
});

test('a children query answers the same on its input wire as through JSON, refusals included', () => {
  const { s, root } = populated();
  // A String object stringifies as its string but is not one: it takes the JSON way.
  const boxed = (q) => Object.fromEntries(Object.entries(q).map(([k, v]) => [k, typeof v === 'string' ? new String(v) : v]));
  const cursor = s.children(sys, root.id, { limit: 2 }).next;
  const queries = [
    {},
    { kind: 'distributor', status: 'enabled', search: 'A', sort: 'created', dir: 'desc', offset: 1, limit: 3 },
    { sort: 'name', limit: 2, cursor },
    { kind: null, status: null, search: null, cursor: null, limit: null },
    { kind: undefined, limit: 3 },
    { search: 'CHARLIÉ' },
    { extra: 'ignored, as serde ignores it' },
  ];
  for (const q of queries) {
    const label = JSON.stringify(q);
    const general = boxed(q);
    for (const call of ['children', 'childSummaries']) {
      assert.deepStrictEqual(s[call](sys, root.id, q), s[call](sys, root.id, general), `${call} ${label}`);
      assert.deepStrictEqual(s.read(sys, (tx) => tx[call](root.id, q)), s[call](sys, root.id, general), `tx.${call} ${label}`);
    }
  }
  assert.deepStrictEqual(s.childSummaries(sys, root.id, null), s.childSummaries(sys, root.id));
  const refusals = [
    { sort: 'size' },
    { status: 'Enabled' },
    { dir: 'up' },
    { sort: null },
    { dir: null },
    { offset: null },
    { offset: -1 },
    { limit: 1.5 },
    { limit: -0 },
    { limit: 2 ** 32 },
    { limit: 'ten' },
    { cursor: 'not a cursor' },
    // Longer than the input wire's text (512): the JSON way.
    { search: 'x'.repeat(250), cursor: 'y'.repeat(300) },
  ];
  for (const q of refusals) {
    const label = JSON.stringify(q);
    const fast = refused(() => s.childSummaries(sys, root.id, q), 'INVALID_ARGUMENT');
    const slow = refused(() => s.childSummaries(sys, root.id, boxed(q)), 'INVALID_ARGUMENT');
    assert.equal(fast.message, slow.message, label);
    assert.deepStrictEqual(fast.details, slow.details, label);
  }
});
