// The type test: the generated TypeScript types describe the real values. Real records and
// errors made by the package are written out as TypeScript literals annotated with their
// generated types, and the TypeScript compiler must accept them (strict, exact optional
// properties, excess-property checks); a literal with one field wrong must be refused. A usage
// file checks the classes' signatures against the same types, for both builds' .d.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Store, chain, store, sys } from './helpers.mjs';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Real values, by the type that must describe them. */
function realValues() {
  const s = store();
  const c = chain(s);
  s.setLimit(sys, c.dist.id, 'extensions', 5);
  s.updateNode(sys, c.tenant.id, { email: 'ops@bakery.example', extra: { plan: 'gold', seats: [1, 2], nested: { ok: true } } });
  s.setStatus(sys, c.reseller.id, { state: 'suspended', profile: 3 });
  const values = [
    ['Node', s.getNode(sys, c.tenant.id)],
    ['Node', s.getNode(sys, c.platform.id)],
    ['Page<Node>', s.children(sys, c.dist.id, { limit: 1 })],
    ['Page<Node>', s.descendants(sys, null, { kind: 'tenant' })],
    ['Node[]', s.ancestors(sys, c.tenant.id)],
    ['Quota[]', s.quotas(sys, c.tenant.id)],
    ['NodeWithQuotas', s.getNodeWithQuotas(sys, c.tenant.id)],
    ['Record<string, number>', s.kindCounts(sys)],
    ['CheckReport', s.check()],
    ['Schema', s.schema()],
    ['Schema', store({ preset: 'fusion' }).schema()],
    ['OpOutput[]', s.batch(sys, [
      { op: 'allocate', id: c.dist.id, resource: 'extensions', amount: 1 },
      { op: 'createNode', kind: 'tenant', name: 'second', parent: c.dist.id },
      { op: 'deleteNode', id: '01900000-0000-7000-8000-00000000dead' },
    ])],
  ];
  const accounts = new Store({ passwordParams: { memoryKib: 8, iterations: 1, parallelism: 1 } });
  const a = chain(accounts);
  const account = accounts.createAccount(sys, { username: 'ops', role: 'distributor_admin', node: a.dist.id, password: 'S3cure!pass', sendWelcome: true });
  values.push(['Account', account]);
  values.push(['Session', accounts.login('ops', 'S3cure!pass')]);
  values.push(['IssuedToken', accounts.issueToken(sys, account.id, { name: 'ci', expiresIn: 60 })]);
  accounts.write(sys, (tx) => {
    tx.upsertProps(a.dist.id, 'general', { color: 'blue', seats: 3, nested: { ok: [true, null] } });
    tx.addMarkup(a.dist.id, '12.5', 1_700_000_000_000_000);
  });
  accounts.read(sys, (tx) => {
    values.push(['Page<Account>', tx.accounts(a.dist.id)]);
    values.push(['T.TokenInfo[]', tx.tokens(account.id)]);
    values.push(['T.Role[]', tx.roles()]);
    values.push(['T.EffectivePolicy', tx.passwordPolicy(a.tenant.id)]);
    values.push(['T.Message[]', tx.outbox(0, 10)]);
    values.push(['T.Properties', tx.props(a.dist.id, 'general')]);
    values.push(['T.EffectiveProperties', tx.effectiveProps(a.tenant.id, 'general')]);
    values.push(['T.Markup[]', tx.markups(a.dist.id)]);
    values.push(['T.EffectivePrice', tx.effectivePrice(a.tenant.id, '19.99', null)]);
    values.push(['T.ChangePage', tx.changes(0, 100)]);
  });
  values.push(['T.SnapshotSummary', accounts.exportSnapshot(sys, null, 'json').summary]);
  const errors = [];
  const attempts = [
    () => s.allocate(sys, c.dist.id, 'extensions', 10),
    () => s.deleteNode(sys, c.dist.id),
    () => s.setLimit(sys, c.sub.id, 'extensions', 50),
    () => s.createNode(sys, { kind: 'tenant', name: 'x', parent: c.tenant.id }),
    () => s.createNode(sys, { kind: 'distributor', name: 'north', parent: c.platform.id }),
    () => s.createNode(sys, { kind: 'tenant', name: 'x', parent: c.reseller.id }),
    () => s.getNode({ type: 'account', id: 1 }, c.platform.id),
    () => s.batch(sys, [{ op: 'release', id: c.tenant.id, resource: 'extensions', amount: 1 }]),
    () => s.moveNode(sys, c.dist.id, c.sub.id),
    () => s.getNode(sys, 'nope'),
    () => accounts.write(sys, (tx) => tx.setPassword(account.id, 'abc')),
  ];
  for (const attempt of attempts) {
    try {
      attempt();
      assert.fail('expected an error');
    } catch (e) {
      errors.push({ name: e.name, code: e.code, message: e.message, details: e.details });
    }
  }
  assert.equal(new Set(errors.map((e) => e.code)).size, errors.length - 1, 'errors of many codes');
  values.push(['ErrorShape<TenantreeError>[]', errors]);
  return values;
}

const PRELUDE = `
import type * as T from "tenantree";
type Node = T.Node; type Page<X> = T.Page<X>; type Quota = T.Quota; type CheckReport = T.CheckReport;
type NodeWithQuotas = T.NodeWithQuotas;
type Schema = T.Schema; type OpOutput = T.OpOutput; type TenantreeError = T.TenantreeError;
type Account = T.Account; type Session = T.Session; type IssuedToken = T.IssuedToken;
type ErrorShape<E> = E extends { code: infer C; details: infer D } ? { name: "TenantreeError"; code: C; message: string; details: D } : never;
`;

function literals(values) {
  return values.map(([type, value], i) => `export const v${i}: ${type} = ${JSON.stringify(value, null, 1)};`).join('\n');
}

/** Compiles `files` (name → source) against the package's .d.ts for `build`; returns the diagnostics. */
function compile(files, build) {
  const dir = mkdtempSync(join(tmpdir(), 'tenantree-types-'));
  try {
    const names = Object.entries(files).map(([name, source]) => {
      writeFileSync(join(dir, name), source);
      return join(dir, name);
    });
    const program = ts.createProgram(names, {
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.esnext.d.ts', 'lib.dom.d.ts'],
      types: [],
      baseUrl: dir,
      paths: { tenantree: [join(pkg, 'pkg', build, 'tenantree_wasm.d.ts')] },
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const USAGE = `
import { Store, type Node, type Page, type Quota, type NodeWithQuotas, type TenantreeError, type Actor, type StoreOptions, type Session as T_Session, type SnapshotExport } from "tenantree";
const sys: Actor = { type: "system" };
const options: StoreOptions = { preset: "channel", durability: "bulk" };
const s = new Store(options);
const root: Node = s.createNode(sys, { kind: "platform", name: "acme", limits: { tenants: 10 } });
const page: Page<Node> = s.children(sys, root.id, { sort: "created", dir: "desc", limit: 5 });
const quotas: Quota[] = s.quotas(sys, root.id);
const both: NodeWithQuotas = s.getNodeWithQuotas(sys, root.id);
s.read(sys, (tx) => { const inTx: NodeWithQuotas = tx.getNodeWithQuotas(root.id); return inTx.quotas.length; });
// @ts-expect-error: a node with its quotas is not a node
const notANode: Node = s.getNodeWithQuotas(sys, root.id);
const deleted: boolean = s.deleteNode(sys, root.id);
const image: Uint8Array = s.exportImage();
const copy: Store = Store.fromImage(image);
const id: string = s.write(sys, (tx) => tx.createNode({ kind: "platform", name: "b" }).id);
s.read(sys, (tx) => tx.check().findings.length);
s.updateNode(sys, root.id, { email: null, displayName: "ACME" });
s.setStatus(sys, root.id, { state: "suspended", profile: 2 });
try { s.allocate(sys, root.id, "extensions", 1); } catch (e) {
  const err = e as TenantreeError;
  if (err.code === "QUOTA_EXCEEDED" && !("index" in err.details)) {
    const figures: number = err.details.limit - err.details.used;
    void figures;
  }
}
const session: T_Session = s.login("ops", "S3cure!pass");
const price: string = s.read(session.actor, (tx) => tx.effectivePrice(root.id, "10", null).price);
const exported: SnapshotExport = s.exportSnapshot(sys, null, "binary");
const imported: number = new Store().importSnapshot(sys, "binary", exported.bytes).nodes;
s.write(sys, (tx) => { tx.upsertProps(root.id, "general", { a: 1 }); tx.addMarkup(root.id, 5, null); });
void [price, imported];
// @ts-expect-error: snapshots come as binary or json
s.exportSnapshot(sys, null, "xml");
// @ts-expect-error: not a preset
new Store({ preset: "galaxy" });
// @ts-expect-error: a node needs a name
s.createNode(sys, { kind: "platform" });
// @ts-expect-error: statuses are objects
s.setStatus(sys, root.id, "disabled");
// @ts-expect-error: amounts are numbers
s.allocate(sys, root.id, "extensions", "1");
void [page, quotas, both, notANode, deleted, copy, id];
`;

for (const build of ['node', 'web']) {
  test(`the generated types describe the real values (${build} build)`, () => {
    const values = realValues();
    const diagnostics = compile({ 'values.ts': PRELUDE + literals(values) }, build);
    assert.deepEqual(diagnostics, []);
  });

  test(`the classes' signatures use the generated types (${build} build)`, () => {
    assert.deepEqual(compile({ 'usage.ts': USAGE }, build), []);
  });
}

test('the type test can fail: a wrong field, a missing field, an extra field', () => {
  const [[, node]] = realValues();
  const wrong = { ...node, version: String(node.version) };
  const { depth, ...missing } = node;
  const extra = { ...node, colour: 'blue' };
  for (const bad of [wrong, missing, extra]) {
    const diagnostics = compile({ 'bad.ts': PRELUDE + literals([['Node', bad]]) }, 'node');
    assert.equal(diagnostics.length, 1, `expected one diagnostic for ${JSON.stringify(bad)}`);
  }
  assert.equal(typeof depth, 'number');
});
