// The usage example of the package's README runs as written.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

test('the README example runs', async (t) => {
  const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
  const example = /```js\n([\s\S]*?)```/.exec(readme)[1];
  const logged = [];
  t.mock.method(console, 'log', (...args) => logged.push(args));
  // Inside the package, so that `import 'tenantree'` resolves to it as it does for users.
  const file = join(here, '.readme-example.mjs');
  writeFileSync(file, `${example}\nexport { tenant, copy, sys };\n`);
  try {
    const { tenant, copy, sys } = await import(pathToFileURL(file).href);
    assert.equal(logged[0][0], 'QUOTA_EXCEEDED');
    assert.equal(logged[0][1].limit, 1);
    assert.deepEqual(tenant.effectiveStatus.status, { state: 'suspended', profile: 2 });
    assert.equal(copy.kindCounts(sys).reseller, 1);
  } finally {
    rmSync(file, { force: true });
  }
});
