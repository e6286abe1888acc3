// The seed APIs in the page: store.handle and the fetch-compatible handler (issue 8).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refused, store } from './helpers.mjs';

const fast = { passwordParams: { memoryKib: 8, iterations: 1, parallelism: 1 } };
const ADMIN = 'in-page-admin-token-0123456789';
const auth = (token) => ({ authorization: `Bearer ${token}` });

function harness() {
  const s = store({ preset: 'seeds', ...fast });
  s.configureApi({ adminToken: ADMIN });
  return s;
}

test('handle: a dealer is created, logs in, creates tenants within its quota, and sees only its own', () => {
  const s = harness();
  assert.equal(s.handle({ method: 'GET', path: '/api/dealers' }).status, 401, 'no token');
  assert.equal(s.handle({ method: 'GET', path: '/api/dealers', headers: auth('not-a-token-at-all-000') }).status, 401);
  const made = s.handle({
    method: 'POST', path: '/api/dealers', headers: auth(ADMIN),
    body: { level: 'DISTRIBUTOR', name: 'north', password: 's3cret', max_tenants: 1 },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal(typeof made.body.id, 'string');
  s.handle({ method: 'POST', path: '/api/dealers', headers: auth(ADMIN), body: JSON.stringify({ level: 'DISTRIBUTOR', name: 'south', password: 's3cret' }) });

  const login = s.handle({ method: 'POST', path: '/api/login', body: { name: 'north', password: 's3cret' } });
  assert.equal(login.status, 200);
  assert.equal(typeof login.body.access_token, 'string');
  assert.equal(login.body.expires_in, 3600);
  const bad = s.handle({ method: 'POST', path: '/api/login', body: { name: 'north', password: 'wrong' } });
  assert.equal(bad.status, 401);
  assert.deepEqual(s.handle({ method: 'POST', path: '/api/login', body: { name: 'nobody', password: 'wrong' } }).body, bad.body,
    'a bad name and a bad password answer alike');

  const north = [['Authorization', `Bearer ${login.body.access_token}`]];
  assert.equal(s.handle({ method: 'POST', path: '/api/tenants', headers: north, body: { name: 'bakery' } }).status, 201);
  const over = s.handle({ method: 'POST', path: '/api/tenants', headers: north, body: new TextEncoder().encode('{"name": "butcher"}') });
  assert.equal(over.status, 400);
  assert.equal(over.body.code, 'QUOTA_EXCEEDED');
  const listed = s.handle({ method: 'GET', path: '/api/tenants', headers: new Headers(north) });
  assert.equal(listed.status, 200);
  assert.ok(JSON.stringify(listed.body).includes('bakery'));

  const southLogin = s.handle({ method: 'POST', path: '/api/login', body: { name: 'south', password: 's3cret' } });
  const southList = s.handle({ method: 'GET', path: '/api/tenants', headers: auth(southLogin.body.access_token) });
  assert.equal(southList.status, 200);
  assert.ok(!JSON.stringify(southList.body).includes('bakery'), 'another dealer never sees these tenants');
});

test('handle: unknown routes, methods and 003 instances answer in the documented way', () => {
  const s = harness();
  assert.equal(s.handle({ path: '/no/such/route', headers: auth(ADMIN) }).status, 404);
  const wrong = s.handle({ method: 'DELETE', path: '/api/dealers', headers: auth(ADMIN) });
  assert.equal(wrong.status, 405);
  assert.ok(wrong.headers.Allow ?? wrong.headers.allow);
  assert.equal(s.handle({ path: '/api/v01/draas/other/resellers', headers: auth(ADMIN) }).status, 404);
  assert.notEqual(s.handle({ path: '/api/v01/draas/default/resellers', headers: auth(ADMIN) }).status, 404, 'the configured instance exists');
});

test('handle: malformed requests are INVALID_ARGUMENT errors, and other schemas are refused', () => {
  const s = harness();
  refused(() => s.handle('GET /clients'), 'INVALID_ARGUMENT');
  refused(() => s.handle({ method: 'GET' }), 'INVALID_ARGUMENT');
  refused(() => s.handle({ path: '/clients', headers: [['only-a-name']] }), 'INVALID_ARGUMENT');
  refused(() => s.configureApi({ instance: 'x', colour: 'blue' }), 'INVALID_ARGUMENT');
  refused(() => store().handle({ path: '/clients' }), 'INVALID_ARGUMENT');
});

test('fetchHandler: a fetch-compatible function over the same dispatcher', async () => {
  const s = harness();
  const fetch = s.fetchHandler();
  const created = await fetch('http://tenantree.local/clients/create', {
    method: 'POST', headers: auth(ADMIN), body: JSON.stringify({ name: 'Acme' }),
  });
  assert.ok(created instanceof Response);
  assert.equal(created.status, 200);
  assert.equal(created.headers.get('content-type'), 'application/json');
  const { id } = await created.json();
  const got = await fetch(new Request(`http://tenantree.local/clients/${id}`, { headers: auth(ADMIN) }));
  assert.equal(got.status, 200);
  assert.equal((await got.json()).name, 'Acme');
  const listed = await fetch(new URL('http://x/clients?limit=1'), { headers: auth(ADMIN) });
  assert.equal((await listed.json()).total, 1);
  assert.equal((await fetch('http://x/clients')).status, 401);
  // The same store answers through handle: one backend.
  assert.equal(s.handle({ path: `/clients/${id}`, headers: auth(ADMIN) }).body.name, 'Acme');
});
