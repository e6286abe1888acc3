// The change feed: every committed change, in order, readable after a sequence number; pruning.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Store, chain, sys } from './helpers.mjs';

test('changes are read in order after a sequence number, and pruned by time', () => {
  const s = new Store();
  const c = chain(s);
  s.setStatus(sys, c.dist.id, { state: 'disabled' });
  const first = s.read(sys, (tx) => tx.changes(0, 3));
  assert.deepEqual(first.changes.map((e) => e.seq), [1, 2, 3]);
  assert.equal(first.changes[0].op, 'node.create');
  assert.deepEqual(first.changes[0].actor, sys);
  assert.equal(first.changes[0].node, c.platform.id);
  const rest = s.read(sys, (tx) => tx.changes(first.next, 100));
  assert.equal(rest.changes.length, 3);
  assert.ok(rest.changes.at(-1).op.includes('status'));
  assert.deepEqual(s.read(sys, (tx) => tx.changes(rest.next, 100)).changes, []);
  const later = rest.changes.at(-1).time + 1;
  assert.equal(s.write(sys, (tx) => tx.pruneChanges(later)), 6);
  assert.deepEqual(s.read(sys, (tx) => tx.changes(0, 100)).changes.filter((e) => e.time < later), []);

  const quiet = new Store({ changeFeed: false });
  chain(quiet);
  assert.deepEqual(quiet.read(sys, (tx) => tx.changes(0, 100)).changes, []);
});
