// The demo's store lives here: OPFS sync access handles exist only in dedicated workers. The
// page sends { id, method, args } and gets back { id, value } or { id, error }.
import init, { Store } from '../pkg/web/tenantree_wasm.js';

const FILE = 'tenantree-demo.redb';
const sys = { type: 'system' };
let store;

/** Opens the store, waiting for the previous page's worker to let go of the file on a reload. */
async function open() {
  await init();
  for (let attempt = 0; ; attempt++) {
    try {
      return await Store.openOpfs(FILE);
    } catch (e) {
      if (e.code !== 'ALREADY_OPEN' || attempt >= 50) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Every node with its quotas, for drawing the tree. */
function tree() {
  const nodes = [];
  for (const kind of store.schema().kinds.map((k) => k.name)) {
    let query = { kind, limit: 1000 };
    for (;;) {
      const page = store.descendants(sys, null, query);
      for (const node of page.items) nodes.push({ ...node, quotas: store.quotas(sys, node.id) });
      if (page.next === null) break;
      query = { ...query, cursor: page.next };
    }
  }
  return { schema: store.schema(), nodes };
}

const methods = {
  tree,
  createNode: (node) => store.createNode(sys, node),
  setStatus: (id, status) => store.setStatus(sys, id, status),
  deleteNode: (id) => store.deleteNode(sys, id),
  allocate: (id, resource, amount) => store.allocate(sys, id, resource, amount),
  release: (id, resource, amount) => store.release(sys, id, resource, amount),
  setLimit: (id, resource, limit) => store.setLimit(sys, id, resource, limit),
  check: () => store.check(),
  imageSize: () => store.exportImage().length,
};

const ready = open().then((s) => {
  store = s;
});

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    await ready;
    const fn = methods[method];
    if (!fn) throw new Error(`no method ${method}`);
    self.postMessage({ id, value: fn(...args) });
  } catch (e) {
    // Structured cloning keeps an Error's name and message only: send the rest explicitly.
    self.postMessage({ id, error: { name: e.name, code: e.code, message: e.message, details: e.details } });
  }
};
