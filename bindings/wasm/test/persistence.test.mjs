// Persistence: file images as Uint8Array for any host, and stores on a synchronous file handle
// (the OPFS backend), here on an in-memory stand-in for FileSystemSyncAccessHandle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Store, chain, observe, refused, store, sys } from './helpers.mjs';

test('an image round trips every observable thing, and the copy is a store of its own', () => {
  const s = store({ preset: 'channel' });
  const c = chain(s);
  s.setLimit(sys, c.dist.id, 'extensions', 20);
  s.allocate(sys, c.tenant.id, 'extensions', 7);
  s.setStatus(sys, c.sub.id, { state: 'suspended', profile: 1 });
  const image = s.exportImage();
  assert.ok(image instanceof Uint8Array);
  assert.deepEqual([...image.subarray(0, 4)], [...Buffer.from('redb')]);
  const copy = Store.fromImage(image);
  assert.deepEqual(observe(copy), observe(s));
  assert.deepEqual(copy.schema(), s.schema());
  assert.deepEqual(copy.check().findings, []);
  copy.createNode(sys, { kind: 'platform', name: 'only-in-copy' });
  assert.equal(s.kindCounts(sys).platform, 1);
  assert.equal(Store.fromImage(copy.exportImage()).kindCounts(sys).platform, 2);
});

test('bulk commits are flushed into the image', () => {
  const s = store({ durability: 'bulk' });
  const root = s.createNode(sys, { kind: 'platform', name: 'acme' });
  assert.equal(Store.fromImage(s.exportImage()).getNode(sys, root.id).name, 'acme');
});

test('images that are not stores are refused with clear errors', () => {
  const empty = refused(() => Store.fromImage(new Uint8Array()), 'INVALID_ARGUMENT');
  assert.equal(empty.details.field, 'image');
  const notBytes = refused(() => Store.fromImage([1, 2, 3]), 'INVALID_ARGUMENT');
  assert.match(notBytes.message, /Uint8Array/);
  refused(() => Store.fromImage(new TextEncoder().encode('SQLite format 3\0'.repeat(100))), 'INCOMPATIBLE_FORMAT');
  const image = store().exportImage();
  const truncated = refused(() => Store.fromImage(image.subarray(0, image.length >> 1)), 'INCOMPATIBLE_FORMAT');
  assert.ok(truncated.details.found.length > 0);
  refused(() => Store.fromImage(image.subarray(0, 100)), 'INCOMPATIBLE_FORMAT');
  const fusion = store({ preset: 'fusion' }).exportImage();
  refused(() => Store.fromImage(fusion, { preset: 'channel' }), 'SCHEMA_MISMATCH');
  assert.equal(Store.fromImage(fusion).schema().name, 'fusion');
});

/** A stand-in for FileSystemSyncAccessHandle over memory; `durable` is what a crash keeps. */
class MemoryHandle {
  constructor(bytes = new Uint8Array()) {
    this.bytes = bytes.slice();
    this.durable = bytes.slice();
    this.flushes = 0;
    this.closed = false;
    this.failWrites = false;
  }
  getSize() { return this.bytes.length; }
  read(buffer, { at }) {
    const n = Math.max(0, Math.min(buffer.length, this.bytes.length - at));
    buffer.set(this.bytes.subarray(at, at + n));
    return n;
  }
  write(buffer, { at }) {
    if (this.failWrites) throw new DOMException('the disk is full', 'QuotaExceededError');
    if (at + buffer.length > this.bytes.length) this.truncate(at + buffer.length);
    this.bytes.set(buffer, at);
    return buffer.length;
  }
  truncate(size) {
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, Math.min(size, this.bytes.length)));
    this.bytes = next;
  }
  flush() { this.flushes += 1; this.durable = this.bytes.slice(); }
  close() { this.closed = true; }
}

test('a store on a sync access handle persists across close and reopen', () => {
  const handle = new MemoryHandle();
  const s = Store.openBackend(handle, { preset: 'clients' });
  const client = s.createNode(sys, { kind: 'client', name: 'Big Client' });
  assert.ok(handle.flushes > 0, 'every commit is flushed to the file');
  s.free();
  assert.equal(handle.closed, true, 'freeing the store closes the handle');
  const again = Store.openBackend(new MemoryHandle(handle.bytes));
  assert.equal(again.schema().name, 'clients');
  assert.equal(again.getNode(sys, client.id).name, 'Big Client');
  // The file's bytes are an image too.
  assert.equal(Store.fromImage(again.exportImage()).getNode(sys, client.id).name, 'Big Client');
});

test('after a crash the store opens at its last durable commit', () => {
  const handle = new MemoryHandle();
  const s = Store.openBackend(handle);
  const root = s.createNode(sys, { kind: 'platform', name: 'acme' });
  s.createNode(sys, { kind: 'distributor', name: 'north', parent: root.id });
  // Crash: the process stops without closing; only flushed bytes survive.
  const afterCrash = Store.openBackend(new MemoryHandle(handle.durable));
  assert.equal(afterCrash.kindCounts(sys).distributor, 1);
  assert.deepEqual(afterCrash.check().findings, []);

  // In bulk mode, commits wait for a flush: a crash before it loses them, not the file.
  const bulkHandle = new MemoryHandle();
  const bulk = Store.openBackend(bulkHandle, { durability: 'bulk' });
  bulk.createNode(sys, { kind: 'platform', name: 'kept' });
  bulk.flush();
  bulk.createNode(sys, { kind: 'platform', name: 'lost' });
  const recovered = Store.openBackend(new MemoryHandle(bulkHandle.durable));
  assert.deepEqual(recovered.children(sys, null).items.map((n) => n.name), ['kept']);
  assert.deepEqual(recovered.check().findings, []);
});

test('a failing file is a STORAGE error, and a wrong handle an INVALID_ARGUMENT', () => {
  const handle = new MemoryHandle();
  const s = Store.openBackend(handle);
  handle.failWrites = true;
  const e = refused(() => s.createNode(sys, { kind: 'platform', name: 'acme' }), 'STORAGE');
  assert.match(e.details.message, /OPFS write failed: QuotaExceededError: the disk is full/);
  handle.failWrites = false;
  const missing = refused(() => Store.openBackend({ read() {}, write() {} }), 'INVALID_ARGUMENT');
  assert.equal(missing.details.field, 'handle');
  assert.match(missing.message, /truncate/);
  refused(() => Store.openBackend(null), 'INVALID_ARGUMENT');
});

test('openOpfs needs a dedicated worker', async () => {
  await assert.rejects(Store.openOpfs('tenantree.redb'), (e) => e.name === 'TenantreeError' && e.code === 'INVALID_ARGUMENT');
  await assert.rejects(Store.openOpfs('a/b'), (e) => e.code === 'INVALID_ARGUMENT' && e.details.field === 'name');
});
