// 004's tenant documents: settings, status, holidays, balance, custom headers and voicemail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chain, refused, store, sys } from './helpers.mjs';

const newYear = {
  name: 'New Year', region: 'DEU', consecutive: false, every_year: true,
  year_start: 2026, year_end: 2026, month_start: 1, month_end: 1, day_start: 1, day_end: 1,
  hour_start: 0, hour_end: 23, minute_start: 0, minute_end: 59,
};

test('tenant settings: defaults, partial updates, validation, unique SIP domains', () => {
  const s = store();
  const c = chain(s);
  const before = s.read(sys, (tx) => tx.tenantSettings(c.tenant.id));
  assert.equal(before.domain, '');
  const after = s.write(sys, (tx) => tx.updateTenantSettings(c.tenant.id, { domain: 'bakery.example.com', timezone: 'Europe/Berlin' }));
  assert.equal(after.domain, 'bakery.example.com');
  assert.equal(after.timezone, 'Europe/Berlin');
  assert.equal(after.currency, before.currency, 'fields not named keep their value');
  const bad = refused(() => s.write(sys, (tx) => tx.updateTenantSettings(c.tenant.id, { timezone: 'Mars/Olympus' })), 'INVALID_ARGUMENT');
  assert.equal(bad.details.field, 'timezone');
  const other = s.createNode(sys, { kind: 'tenant', name: 'butcher', parent: c.reseller.id });
  refused(() => s.write(sys, (tx) => tx.updateTenantSettings(other.id, { domain: 'BAKERY.example.com' })), 'ALREADY_EXISTS');
  assert.equal(s.read(sys, (tx) => tx.tenantSettings(other.id)).domain, '', 'the refused update changed nothing');
  const status = s.read(sys, (tx) => tx.tenantStatus(c.tenant.id));
  assert.equal(typeof status.version, 'string');
  refused(() => s.read(sys, (tx) => tx.tenantSettings(c.reseller.id)), 'INVALID_ARGUMENT');
});

test('holidays: create, get, list with filter, search, order, skip and top, update, delete', () => {
  const s = store();
  const c = chain(s);
  const made = s.write(sys, (tx) => [
    tx.createHoliday(c.tenant.id, newYear),
    tx.createHoliday(c.tenant.id, { ...newYear, name: 'Christmas', month_start: 12, month_end: 12, day_start: 25, day_end: 26 }),
    tx.createHoliday(c.tenant.id, { ...newYear, name: 'Labour Day', region: 'FRA', month_start: 5, month_end: 5 }),
  ]);
  assert.deepEqual(s.read(sys, (tx) => tx.holiday(c.tenant.id, made[1].id)), made[1]);
  const page = s.read(sys, (tx) => tx.holidays(c.tenant.id, {
    filter: [{ field: 'month_start', op: 'ge', value: 5 }], order_by: { field: 'name', direction: 'desc' }, skip: 0, top: 1,
  }));
  assert.equal(page.count, 2);
  assert.deepEqual(page.items.map((h) => h.name), ['Labour Day']);
  const searched = s.read(sys, (tx) => tx.holidays(c.tenant.id, { filter: [], search: 'CHRIST', skip: 0 }));
  assert.deepEqual(searched.items.map((h) => h.id), [made[1].id]);
  const updated = s.write(sys, (tx) => tx.updateHoliday(c.tenant.id, made[0].id, { name: 'Neujahr' }));
  assert.equal(updated.name, 'Neujahr');
  assert.equal(updated.month_start, 1);
  const bad = refused(() => s.write(sys, (tx) => tx.createHoliday(c.tenant.id, { ...newYear, month_start: 2, month_end: 2, day_start: 30, day_end: 30 })), 'INVALID_ARGUMENT');
  assert.match(bad.details.field, /day/);
  assert.equal(s.write(sys, (tx) => tx.deleteHoliday(c.tenant.id, made[2].id)), true);
  assert.equal(s.write(sys, (tx) => tx.deleteHoliday(c.tenant.id, made[2].id)), false);
  refused(() => s.read(sys, (tx) => tx.holiday(c.tenant.id, made[2].id)), 'NOT_FOUND');
  assert.equal(s.read(sys, (tx) => tx.holidays(c.tenant.id)).count, 2);
});

test('balance: exact recharges with five decimals, refused amounts change nothing', () => {
  const s = store();
  const c = chain(s);
  s.write(sys, (tx) => {
    assert.equal(tx.recharge(c.tenant.id, '10.12345').balance, '10.12345');
    assert.equal(tx.recharge(c.tenant.id, 0.1).balance, '10.22345');
  });
  const balance = s.read(sys, (tx) => tx.balance(c.tenant.id, { limit: 10 }));
  assert.equal(balance.balance, '10.22345');
  assert.equal(balance.count, 2);
  assert.deepEqual(balance.entries.map((e) => e.amount), ['10.12345', '0.1']);
  refused(() => s.write(sys, (tx) => tx.recharge(c.tenant.id, '0.000001')), 'INVALID_ARGUMENT');
  refused(() => s.write(sys, (tx) => tx.recharge(c.tenant.id, '-5')), 'INVALID_ARGUMENT');
  assert.equal(s.read(sys, (tx) => tx.balance(c.tenant.id)).balance, '10.22345');
});

test('custom headers and voicemail: set, read back, validate', () => {
  const s = store();
  const c = chain(s);
  const headers = s.write(sys, (tx) => tx.setCustomHeaders(c.tenant.id, {
    add: [{ name: 'X-Account', value: 'bakery', scope: 'TRUNK' }], relay: [],
  }));
  assert.deepEqual(s.read(sys, (tx) => tx.customHeaders(c.tenant.id)), headers);
  assert.equal(headers.add[0].name, 'X-Account');
  refused(() => s.write(sys, (tx) => tx.setCustomHeaders(c.tenant.id, { add: [{ name: 'bad header', value: 'v', scope: 'TRUNK' }] })), 'INVALID_ARGUMENT');
  const vm = s.write(sys, (tx) => tx.updateVoicemail(c.tenant.id, { extension_number: '999' }));
  assert.equal(vm.extension_number, '999');
  assert.deepEqual(s.read(sys, (tx) => tx.voicemail(c.tenant.id)), vm);
  refused(() => s.write(sys, (tx) => tx.updateVoicemail(c.tenant.id, { extension_number: 'abc' })), 'INVALID_ARGUMENT');
});
