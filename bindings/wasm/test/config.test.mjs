// Configuration properties, markups and effective prices.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chain, refused, store, sys } from './helpers.mjs';

test('properties: upsert, replace, delete, and the effective merge down the tree', () => {
  const s = store();
  const c = chain(s);
  s.write(sys, (tx) => {
    assert.deepEqual(tx.upsertProps(c.dist.id, 'general', { color: 'blue', seats: 5, nested: { a: [1, 2] } }),
      { color: 'blue', nested: { a: [1, 2] }, seats: 5 });
    tx.upsertProps(c.tenant.id, 'general', { color: 'red' });
    assert.deepEqual(tx.replaceProps(c.reseller.id, 'general', { logo: 'shop.png' }), { logo: 'shop.png' });
  });
  s.read(sys, (tx) => {
    assert.deepEqual(tx.props(c.dist.id, 'general', { keys: ['color'] }), { color: 'blue' });
    assert.deepEqual(tx.props(c.dist.id, 'general', { search: 'SEA' }), { seats: 5 });
    const eff = tx.effectiveProps(c.tenant.id, 'general');
    assert.deepEqual(eff.properties, { color: 'red', logo: 'shop.png', nested: { a: [1, 2] }, seats: 5 });
    assert.deepEqual(eff.sources, { color: c.tenant.id, logo: c.reseller.id, nested: c.dist.id, seats: c.dist.id });
  });
  assert.equal(s.write(sys, (tx) => tx.deleteProps(c.dist.id, 'general', ['seats', 'missing'])), 1);
  assert.equal(s.write(sys, (tx) => tx.deleteProps(c.dist.id, 'general', ['color', 'nested'])), 2);
  assert.deepEqual(s.read(sys, (tx) => tx.props(c.dist.id, 'general')), {});
  const bad = refused(() => s.write(sys, (tx) => tx.upsertProps(c.dist.id, 'general', ['not', 'an', 'object'])), 'INVALID_ARGUMENT');
  assert.equal(bad.details.field, 'properties');
});

test('markups: history, the one in force, and exact prices through the chain', () => {
  const s = store();
  const c = chain(s);
  const [t1, t2] = [1_700_000_000_000_000, 1_800_000_000_000_000];
  s.write(sys, (tx) => {
    assert.deepEqual(tx.addMarkup(c.dist.id, '10', t1), { percent: '10', start: t1 });
    tx.addMarkup(c.dist.id, 20, t2);
    tx.addMarkup(c.reseller.id, 5.5, t1);
  });
  s.read(sys, (tx) => {
    assert.deepEqual(tx.markups(c.dist.id), [{ percent: '20', start: t2 }, { percent: '10', start: t1 }], 'newest first');
    assert.deepEqual(tx.markupAt(c.dist.id, t1 + 1), { percent: '10', start: t1 });
    assert.equal(tx.markupAt(c.dist.id, t1 - 1), null);
    const price = tx.effectivePrice(c.tenant.id, '100', t1 + 1);
    assert.equal(price.price, '116.05', 'exact decimals: 100 × 1.10 × 1.055');
    assert.deepEqual(price.steps.map((step) => [step.node, step.price]), [[c.dist.id, '110'], [c.reseller.id, '116.05']]);
  });
  assert.equal(s.write(sys, (tx) => tx.removeMarkup(c.dist.id, t2)), true);
  assert.equal(s.write(sys, (tx) => tx.removeMarkup(c.dist.id, t2)), false);
  refused(() => s.write(sys, (tx) => tx.addMarkup(c.dist.id, 'ten', t1)), 'INVALID_ARGUMENT');
  refused(() => s.write(sys, (tx) => tx.addMarkup(c.dist.id, '-100', t2)), 'INVALID_ARGUMENT');
});
