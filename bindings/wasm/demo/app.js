// The demo page: draws the tree the worker's store holds, and sends it the user's actions.
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const pending = new Map();
let nextId = 0;

worker.onmessage = ({ data: { id, value, error } }) => {
  const { resolve, reject } = pending.get(id);
  pending.delete(id);
  if (error) reject(Object.assign(new Error(error.message), error));
  else resolve(value);
};

/** Calls a method of the worker's store. Errors come back as Errors with code and details. */
function call(method, ...args) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, method, args });
  });
}

const $ = (id) => document.getElementById(id);
let schema;

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function showError(e) {
  $('error').hidden = false;
  $('error').dataset.code = e.code ?? 'ERROR';
  $('error-code').textContent = e.code ?? e.name;
  $('error-message').textContent = e.message;
  $('error-details').textContent = JSON.stringify(e.details ?? {}, null, 2);
}

function clearError() {
  $('error').hidden = true;
  delete $('error').dataset.code;
}

/** Runs an action, shows a refusal, redraws. */
async function act(method, ...args) {
  try {
    await call(method, ...args);
    clearError();
  } catch (e) {
    showError(e);
  }
  await render();
}

function statusBadge(node) {
  const own = node.status.state;
  const inherited = node.effectiveStatus.source !== null && node.effectiveStatus.source !== node.id;
  const state = inherited ? node.effectiveStatus.status.state : own;
  const text = inherited ? `${state} (inherited)` : state;
  return el('span', { className: `status ${inherited ? 'inherited' : own}`, textContent: text });
}

function usageBar(quota) {
  const limit = quota.limit;
  const pct = limit ? Math.min(100, (quota.used / limit) * 100) : 0;
  const label = limit === null ? `${quota.resource}: ${quota.used}` : `${quota.resource}: ${quota.used} / ${limit}`;
  const fill = el('div', { className: `fill${limit !== null && quota.used >= limit ? ' full' : ''}` });
  fill.style.width = `${pct}%`;
  const bar = el('div', { className: 'bar', title: label }, label, el('div', { className: 'track' }, fill));
  bar.dataset.resource = quota.resource;
  return bar;
}

function row(node, childrenList) {
  const off = node.status.state !== 'enabled';
  const suspend = el('button', {
    className: off ? 'enable' : 'suspend',
    textContent: off ? 'Enable' : 'Suspend',
    onclick: () => act('setStatus', node.id, off ? { state: 'enabled' } : { state: 'suspended', profile: 1 }),
  });
  const remove = el('button', { className: 'delete', textContent: 'Delete', onclick: () => act('deleteNode', node.id) });
  const allocate = el('button', {
    className: 'allocate', textContent: '+1 extension', onclick: () => act('allocate', node.id, 'extensions', 1),
  });
  const shown = node.quotas.filter((q) => q.limit !== null || q.used > 0);
  const line = el('div', { className: 'row' },
    el('span', { className: 'name', textContent: node.name }),
    el('span', { className: 'kind', textContent: node.kind }),
    statusBadge(node),
    el('div', { className: 'usage' }, ...shown.map(usageBar)),
    allocate, suspend, remove);
  const item = el('li', {}, line, childrenList);
  item.dataset.name = node.name;
  item.dataset.kind = node.kind;
  item.dataset.status = node.status.state;
  return item;
}

async function render() {
  const { schema: s, nodes } = await call('tree');
  schema = s;
  const byParent = new Map();
  for (const node of nodes) {
    const key = node.parent ?? '';
    if (!byParent.has(key)) byParent.set(key, []);
    byParent.get(key).push(node);
  }
  const list = (parent) => {
    const kids = (byParent.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name));
    return kids.length ? el('ul', {}, ...kids.map((n) => row(n, list(n.id)))) : null;
  };
  $('tree').replaceChildren(list('') ?? el('p', { textContent: 'Empty: create a platform to start.' }));

  const parent = $('create-parent');
  const chosen = parent.value;
  parent.replaceChildren(
    el('option', { value: '', textContent: '(top level)' }),
    ...nodes.map((n) => el('option', { value: n.id, textContent: `${n.name} (${n.kind})` })),
  );
  if ([...parent.options].some((o) => o.value === chosen)) parent.value = chosen;
  fillKinds(nodes);
  $('status').textContent = `${nodes.length} nodes, stored in this browser.`;
}

/** The kinds that may hang under the chosen parent, from the schema. */
function fillKinds(nodes) {
  const parent = nodes.find((n) => n.id === $('create-parent').value);
  const kinds = schema.kinds.filter((k) => (parent ? k.parents.includes(parent.kind) : k.topLevel));
  const chosen = $('create-kind').value;
  $('create-kind').replaceChildren(...kinds.map((k) => el('option', { value: k.name, textContent: k.name })));
  if (kinds.some((k) => k.name === chosen)) $('create-kind').value = chosen;
}

$('create-parent').onchange = () => render();

$('create').onsubmit = async (event) => {
  event.preventDefault();
  const limits = {};
  for (const resource of ['tenants', 'extensions']) {
    const value = $(`create-${resource}`).value;
    if (value !== '') limits[resource] = Number(value);
  }
  const parent = $('create-parent').value || null;
  await act('createNode', { kind: $('create-kind').value, name: $('create-name').value, parent, limits });
  if ($('error').hidden) $('create-name').value = '';
};

try {
  await render();
  $('status').dataset.ready = 'true';
} catch (e) {
  $('status').textContent = 'The store could not be opened.';
  showError(e);
}
