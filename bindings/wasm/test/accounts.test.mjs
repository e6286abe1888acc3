// Accounts, sessions, tokens, roles, password policies and the outbox; scoped access through an
// account's actor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Store, chain, refused, sys } from './helpers.mjs';

// argon2id at its cheapest: these tests check behaviour, not hashing cost.
const fast = { passwordParams: { memoryKib: 8, iterations: 1, parallelism: 1 } };

function setup() {
  const s = new Store(fast);
  const c = chain(s);
  const admin = s.createAccount(sys, {
    username: 'ops@north.example', role: 'distributor_admin', node: c.dist.id, password: 'S3cure!pass', sendWelcome: true,
  });
  return { s, c, admin };
}

test('login gives a session whose actor sees its subtree only', () => {
  const { s, c, admin } = setup();
  assert.equal(admin.username, 'ops@north.example');
  assert.equal(admin.node, c.dist.id);
  assert.equal(admin.hasPassword, true);
  assert.equal('password' in admin, false, 'no password comes back');
  const session = s.login('OPS@north.example', 'S3cure!pass');
  assert.deepEqual(session.actor, { type: 'account', id: admin.id });
  assert.equal(session.account.id, admin.id);
  assert.equal(s.getNode(session.actor, c.tenant.id).name, 'bakery');
  const outside = refused(() => s.getNode(session.actor, c.platform.id), 'NOT_FOUND');
  assert.equal(outside.details.id, c.platform.id);
  const forbidden = refused(() => s.deleteNode(session.actor, c.dist.id), 'FORBIDDEN');
  assert.match(forbidden.details.action, /delete/);
  const wrong = refused(() => s.login('ops@north.example', 'nope'), 'UNAUTHENTICATED');
  assert.deepEqual(wrong.details, {});
  assert.equal(s.getAccount(sys, admin.id).username, admin.username);
});

test('tokens authenticate until revoked', () => {
  const { s, admin } = setup();
  const issued = s.issueToken(sys, admin.id, { name: 'ci', expiresIn: 3600 });
  assert.equal(typeof issued.secret, 'string');
  assert.equal(issued.info.name, 'ci');
  assert.equal(issued.info.expires - issued.info.created, 3600 * 1_000_000);
  assert.equal(s.authenticate(issued.secret).account.id, admin.id);
  const chosen = s.write(sys, (tx) => tx.registerToken(admin.id, { name: 'host' }, 'tt_host-chosen-secret-0123456789abcdef'));
  assert.equal(s.authenticate('tt_host-chosen-secret-0123456789abcdef').account.id, admin.id);
  s.read(sys, (tx) => assert.deepEqual(tx.tokens(admin.id).map((t) => t.name).sort(), ['ci', 'host']));
  assert.equal(s.write(sys, (tx) => tx.revokeToken(issued.info.id)), true);
  refused(() => s.authenticate(issued.secret), 'UNAUTHENTICATED');
  assert.equal(s.write(sys, (tx) => tx.revokeToken(chosen.info.id)), true);
});

test('accounts are listed, updated, re-passworded and deleted', () => {
  const { s, c, admin } = setup();
  s.read(sys, (tx) => {
    assert.equal(tx.accountByUsername('OPS@NORTH.EXAMPLE').id, admin.id);
    const page = tx.accounts(c.dist.id, { search: 'north' });
    assert.deepEqual(page.items.map((a) => a.id), [admin.id]);
    assert.equal(tx.accounts(null).total, 0);
  });
  const updated = s.write(sys, (tx) => tx.updateAccount(admin.id, { firstName: 'Olga', expectedVersion: 1 }));
  assert.equal(updated.firstName, 'Olga');
  assert.equal(updated.version, 2);
  refused(() => s.write(sys, (tx) => tx.updateAccount(admin.id, { lastName: 'X', expectedVersion: 1 })), 'CONFLICT');
  s.write(sys, (tx) => tx.setPassword(admin.id, 'N3w!secret', null));
  refused(() => s.login('ops@north.example', 'S3cure!pass'), 'UNAUTHENTICATED');
  assert.equal(s.login('ops@north.example', 'N3w!secret').account.id, admin.id);
  const weak = refused(() => s.write(sys, (tx) => tx.setPassword(admin.id, 'abc')), 'WEAK_PASSWORD');
  assert.ok(weak.details.rules.includes('min_length'), JSON.stringify(weak.details));
  const dup = refused(() => s.createAccount(sys, { username: 'ops@north.example', role: 'tenant_user', node: c.tenant.id }), 'ALREADY_EXISTS');
  assert.equal(dup.details.field, 'username');
  const blocked = refused(() => s.deleteNode(sys, c.dist.id), 'STILL_IN_USE');
  assert.ok(blocked.details.blockers.some((b) => b.kind === 'account'));
  assert.equal(s.write(sys, (tx) => tx.deleteAccount(admin.id)), true);
  assert.equal(s.write(sys, (tx) => tx.deleteAccount(admin.id)), false);
});

test('roles, password policies and the outbox', () => {
  const { s, c, admin } = setup();
  const auditor = s.write(sys, (tx) => tx.defineRole({ name: 'auditor', permissions: ['*.list', '*.instance.read'] }));
  assert.deepEqual(auditor, { name: 'auditor', permissions: ['*.list', '*.instance.read'], builtin: false });
  s.read(sys, (tx) => {
    const roles = tx.roles();
    assert.ok(roles.some((r) => r.name === 'distributor_admin' && r.builtin));
    assert.ok(roles.some((r) => r.name === 'auditor' && !r.builtin));
  });
  const watcher = s.createAccount(sys, { username: 'watcher', role: 'auditor', node: c.sub.id, password: 'W4tch!ing' });
  const session = s.login('watcher', 'W4tch!ing');
  assert.equal(s.getNode(session.actor, c.tenant.id).name, 'bakery');
  refused(() => s.setStatus(session.actor, c.tenant.id, { state: 'disabled' }), 'FORBIDDEN');
  refused(() => s.write(sys, (tx) => tx.deleteRole('auditor')), 'STILL_IN_USE');
  s.write(sys, (tx) => tx.deleteAccount(watcher.id));
  assert.equal(s.write(sys, (tx) => tx.deleteRole('auditor')), true);

  const policy = { ...s.read(sys, (tx) => tx.passwordPolicy(null)).policy, min_length: 12 };
  const set = s.write(sys, (tx) => tx.setPasswordPolicy(c.dist.id, policy));
  assert.deepEqual(set, { policy, source: c.dist.id, own: true });
  assert.equal(s.read(sys, (tx) => tx.passwordPolicy(c.tenant.id)).source, c.dist.id, 'inherited below');
  refused(() => s.createAccount(sys, { username: 'short', role: 'tenant_user', node: c.tenant.id, password: 'Sh0rt!pw' }), 'WEAK_PASSWORD');
  assert.equal(s.write(sys, (tx) => tx.setPasswordPolicy(c.dist.id, null)).own, false);

  const [welcome] = s.read(sys, (tx) => tx.outbox(0, 10));
  assert.deepEqual({ kind: welcome.kind, account: welcome.account, recipient: welcome.recipient },
    { kind: 'welcome', account: admin.id, recipient: 'ops@north.example' });
  const again = s.write(sys, (tx) => tx.sendWelcome(admin.id));
  assert.equal(again.id, welcome.id + 1);
  assert.equal(s.write(sys, (tx) => tx.ackOutbox(again.id)), 2);
  assert.deepEqual(s.read(sys, (tx) => tx.outbox(0, 10)), []);
});
