// The demo page in headless Chromium (Debian's chromium, driven by playwright-core): create,
// refuse over quota, suspend, delete, then reload, and restart the browser, and find the store
// still there (OPFS in a dedicated worker).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { serve } from '../demo/serve.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// This machine's network is closed; without these Chromium waits on connections it cannot make.
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let server;
let profile;

before(async () => {
  server = await serve(0);
  profile = mkdtempSync(join(tmpdir(), 'tenantree-chromium-'));
});

after(async () => {
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** The same profile (user-data-dir) every time: what the browser keeps is kept across launches. */
function launch() {
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
}

async function open(page) {
  await page.goto(`${server.url}/demo/`);
  await page.locator('#status[data-ready="true"]').waitFor({ timeout: 30_000 });
}

const node = (page, name) => page.locator(`li[data-name="${name}"]`).first();

async function create(page, { parent, kind, name, tenants }) {
  await page.selectOption('#create-parent', parent ? { label: parent } : { value: '' });
  // The kinds offered follow the parent; wait until the wanted one is there.
  await page.locator(`#create-kind option[value="${kind}"]`).waitFor({ state: 'attached' });
  await page.selectOption('#create-kind', kind);
  await page.fill('#create-name', name);
  await page.fill('#create-tenants', tenants === undefined ? '' : String(tenants));
  await page.click('#create-button');
}

test('the demo keeps its store across reloads and browser restarts', { timeout: 180_000 }, async () => {
  let context = await launch();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const problems = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    await open(page);
    assert.equal(await page.locator('#tree li').count(), 0, 'a fresh profile starts empty');

    await create(page, { kind: 'platform', name: 'acme' });
    await node(page, 'acme').waitFor();
    await create(page, { parent: 'acme (platform)', kind: 'distributor', name: 'north', tenants: 1 });
    await node(page, 'north').waitFor();
    await create(page, { parent: 'north (distributor)', kind: 'tenant', name: 'bakery' });
    await node(page, 'bakery').waitFor();
    assert.equal(await page.locator('#error').isHidden(), true);
    const bar = node(page, 'north').locator('.bar[data-resource="tenants"]').first();
    assert.equal((await bar.textContent()).trim(), 'tenants: 1 / 1');

    // Over quota: refused, with its code and figures shown.
    await create(page, { parent: 'north (distributor)', kind: 'tenant', name: 'florist' });
    await page.locator('#error[data-code="QUOTA_EXCEEDED"]').waitFor();
    const details = JSON.parse(await page.textContent('#error-details'));
    assert.equal(details.limit, 1);
    assert.equal(details.used, 1);
    assert.equal(details.resource, 'tenants');
    assert.equal(await page.locator('li[data-name="florist"]').count(), 0);

    // Suspend: the distributor is suspended, the tenant below it inherits it.
    await node(page, 'north').locator('.row').first().locator('button.suspend').click();
    await page.locator('li[data-name="north"][data-status="suspended"]').waitFor();
    assert.match(await node(page, 'bakery').locator('.status').first().textContent(), /suspended \(inherited\)/);

    // Delete: a non-empty node is refused; an empty one goes.
    await node(page, 'north').locator('.row').first().locator('button.delete').click();
    await page.locator('#error[data-code="STILL_IN_USE"]').waitFor();
    await create(page, { parent: 'acme (platform)', kind: 'reseller', name: 'shortlived' });
    await node(page, 'shortlived').waitFor();
    await node(page, 'shortlived').locator('.row').first().locator('button.delete').click();
    await page.locator('li[data-name="shortlived"]').waitFor({ state: 'detached' });

    // Reload: the same data, from the OPFS file.
    await page.reload();
    await page.locator('#status[data-ready="true"]').waitFor({ timeout: 30_000 });
    await page.locator('li[data-name="north"][data-status="suspended"]').waitFor();
    assert.deepEqual(
      (await page.locator('#tree li').evaluateAll((items) => items.map((i) => i.dataset.name))).sort(),
      ['acme', 'bakery', 'north'],
    );
    assert.equal(await page.locator('#error').isHidden(), true, 'the store opened without error');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }

  // A new browser on the same profile: the file is on disk, not only in the old process.
  context = await launch();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await open(page);
    await page.locator('li[data-name="bakery"]').waitFor();
    assert.equal(await page.locator('#tree li').count(), 3);
    await node(page, 'north').locator('.row').first().locator('button.enable').click();
    await page.locator('li[data-name="north"][data-status="enabled"]').waitFor();
  } finally {
    await context.close();
  }
});
