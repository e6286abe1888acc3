// The JavaScript half of the binding's hot paths (src/convert.rs): the busiest arguments read
// without a round trip through JSON text, and the busiest records built as plain objects.
//
// Records come on the wire of the crate tenantree-wasm-hot (bindings/wasm/hot/src/wire.rs,
// whose docs give the slots): its numbers are read in place, through a Float64Array view of
// wasm memory, and its text (every string of the record in one, in UTF-8) is decoded once;
// each string is sliced out of it by its start and end in UTF-16 code units. The objects are
// the same plain data, keys in the same order, as JSON.parse of the records' serde JSON.
// Arguments (ids, resource names, children queries) are written into wasm memory the same
// way, at addresses the binding gives.

const UTF8 = new TextDecoder();

// The wasm instance's memory, given by every new store (`useMemory`), and views of all of it,
// made again only when the memory has grown (its old buffer is then detached and the views
// have no bytes). Reading and writing through these views spares the busiest calls a
// `subarray` per argument (about a tenth of a microsecond each).
let MEMORY = null;
let U8 = new Uint8Array(0);
let F64 = new Float64Array(0);

// Where `allocate` and `release` put their arguments and find the quota's numbers (the
// binding's AdjustSlots, src/convert.rs): byte addresses in wasm memory, and the longest
// resource name the slot holds.
let ADJUST_NUMS = 0;
let ADJUST_ID = 0;
let ADJUST_RESOURCE = 0;
let ADJUST_CAP = 0;
// The resource's name in its slot, as last written there (null: unknown): a run of calls
// usually names one resource, written once.
let slotResource = null;

/**
 * Takes the wasm instance's memory, for the functions below that read or write it, and the
 * addresses of the slots of `allocate` and `release` in it.
 */
export function useMemory(memory, numsAt, idAt, resourceAt, resourceCap) {
  MEMORY = memory;
  U8 = new Uint8Array(0);
  F64 = new Float64Array(0);
  ADJUST_NUMS = (numsAt >>> 0) / 8;
  ADJUST_ID = idAt >>> 0;
  ADJUST_RESOURCE = resourceAt >>> 0;
  ADJUST_CAP = resourceCap >>> 0;
  slotResource = null;
}

function bytes() {
  if (U8.byteLength === 0) U8 = new Uint8Array(MEMORY.buffer);
  return U8;
}

function floats() {
  if (F64.byteLength === 0) F64 = new Float64Array(MEMORY.buffer);
  return F64;
}

const STATES = ['enabled', 'disabled', 'suspended'];
const PROFILE = ['displayName', 'email', 'website', 'phone', 'address', 'description', 'externalName', 'billingId'];

class Reader {
  constructor(nums, at, text) {
    this.f = nums;
    this.t = text;
    this.i = at;
  }

  num() {
    return this.f[this.i++];
  }

  // NaN is null (numbers are never NaN otherwise).
  optNum() {
    const v = this.f[this.i++];
    return v !== v ? null : v;
  }

  str() {
    const a = this.f[this.i++];
    return this.t.slice(a, this.f[this.i++]);
  }

  // -1 is null.
  optStr() {
    const a = this.f[this.i++];
    return a < 0 ? null : this.t.slice(a, this.f[this.i++]);
  }

  status() {
    const state = this.f[this.i++];
    if (state === 2) return { state: 'suspended', profile: this.f[this.i++] };
    return { state: STATES[state] };
  }

  node() {
    const id = this.str();
    const kind = this.str();
    const parent = this.optStr();
    const name = this.str();
    const status = this.status();
    const effectiveStatus = { status: this.status(), source: this.optStr() };
    // The profile's fields are present only when set (serde's skip_serializing_if). A node
    // with none (most) is made whole in one literal, one shape for all of them; the others
    // get their keys added one at a time, in the same order.
    let node = null;
    for (let k = 0; k < PROFILE.length; k++) {
      const v = this.optStr();
      if (v === null) continue;
      node ??= { id, kind, parent, name, status, effectiveStatus };
      node[PROFILE[k]] = v;
    }
    const extra = this.optStr();
    if (extra !== null) {
      node ??= { id, kind, parent, name, status, effectiveStatus };
      node.extra = JSON.parse(extra);
    }
    const tenantFullAccess = this.f[this.i++] === 1;
    const limits = this.limits();
    if (node === null) {
      return {
        id, kind, parent, name, status, effectiveStatus, tenantFullAccess, limits,
        depth: this.f[this.i++], created: this.f[this.i++], updated: this.f[this.i++], version: this.f[this.i++],
      };
    }
    node.tenantFullAccess = tenantFullAccess;
    node.limits = limits;
    node.depth = this.f[this.i++];
    node.created = this.f[this.i++];
    node.updated = this.f[this.i++];
    node.version = this.f[this.i++];
    return node;
  }

  limits() {
    const limits = {};
    for (let n = this.f[this.i++]; n > 0; n--) {
      const resource = this.str();
      const value = this.f[this.i++];
      // As JSON.parse does: an own property even for `__proto__`, which `=` would not set.
      if (resource === '__proto__') {
        Object.defineProperty(limits, resource, { value, enumerable: true, writable: true, configurable: true });
      } else {
        limits[resource] = value;
      }
    }
    return limits;
  }

  quota() {
    return {
      resource: this.str(),
      limit: this.optNum(),
      used: this.num(),
      allocated: this.num(),
      available: this.optNum(),
    };
  }

  quotas() {
    const quotas = [];
    for (let n = this.num(); n > 0; n--) quotas.push(this.quota());
    return quotas;
  }
}

// The summaries of a page (their slots as SummaryPageWire::push writes them), with the
// reader's position, numbers and text held in local variables for the whole page: a page is
// the busiest loop here.
function summaries(r) {
  const f = r.f;
  const t = r.t;
  let i = r.i;
  const items = [];
  // The last parent and kind sliced, by their slots: the children of a page share their
  // parent and mostly their kind, whose slots then point at the same slice of the text, and a
  // string made once serves them all.
  let parentA = -1;
  let parentB = -1;
  let parent = null;
  let kindA = -1;
  let kindB = -1;
  let kind = '';
  for (let n = f[i++]; n > 0; n--) {
    const pa = f[i++];
    if (pa < 0) {
      parent = null;
      parentA = -1;
    } else {
      const pb = f[i++];
      if (pa !== parentA || pb !== parentB) {
        parentA = pa;
        parentB = pb;
        parent = t.slice(pa, pb);
      }
    }
    const id = t.slice(f[i], f[i + 1]);
    const ka = f[i + 2];
    const kb = f[i + 3];
    if (ka !== kindA || kb !== kindB) {
      kindA = ka;
      kindB = kb;
      kind = t.slice(ka, kb);
    }
    const name = t.slice(f[i + 4], f[i + 5]);
    i += 6;
    let state = f[i++];
    const status = state === 2 ? { state: 'suspended', profile: f[i++] } : { state: STATES[state] };
    state = f[i++];
    const inForce = state === 2 ? { state: 'suspended', profile: f[i++] } : { state: STATES[state] };
    const sa = f[i++];
    let source = null;
    if (sa >= 0) source = t.slice(sa, f[i++]);
    items.push({ id, kind, parent, name, status, effectiveStatus: { status: inForce, source }, depth: f[i++] });
  }
  r.i = i;
  return items;
}

// The text of the last record of each shape, as decoded; null while none is (or a decode
// failed).
const LAST_TEXT = [null, null, null, null, null, null];

/**
 * The record of shape `shape` (0 node, 1 page of nodes, 2 quota, 3 quotas, 4 page of node
 * summaries, 5 node with quotas) on the wire whose numbers start at byte `numsAt` of wasm
 * memory (8-aligned) and whose text is the `textLen` bytes at `textAt`; `same` when those
 * bytes are the last record's text, whose string is then taken again instead of decoded.
 */
export function fromWire(shape, numsAt, textAt, textLen, same) {
  let text = same ? LAST_TEXT[shape] ?? null : null;
  if (text === null) {
    LAST_TEXT[shape] = null;
    const at = textAt >>> 0;
    text = textLen === 0 ? '' : UTF8.decode(bytes().subarray(at, at + textLen));
    if (shape < LAST_TEXT.length) LAST_TEXT[shape] = text;
  }
  const r = new Reader(floats(), (numsAt >>> 0) / 8, text);
  switch (shape) {
    case 0:
      return r.node();
    case 1: {
      const items = [];
      for (let n = r.num(); n > 0; n--) items.push(r.node());
      return { items, total: r.num(), limit: r.num(), page: r.num(), pages: r.num(), next: r.optStr() };
    }
    case 2:
      return r.quota();
    case 3:
      return r.quotas();
    case 4: {
      const items = summaries(r);
      return { items, total: r.num(), limit: r.num(), page: r.num(), pages: r.num(), next: r.optStr() };
    }
    case 5: {
      const node = r.node();
      return { node, quotas: r.quotas() };
    }
    default:
      throw new Error(`tenantree: unknown wire shape ${shape}`);
  }
}

// The byte of each pair of ASCII hex digits (either case), -1 for every other pair of ASCII
// characters: indexed by the first character's code times 128 plus the second's.
const HEX2 = new Int16Array(128 * 128).fill(-1);
{
  const digit = (c) => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);
  for (let a = 0; a < 128; a++) {
    for (let b = 0; b < 128; b++) {
      const hi = digit(a);
      const lo = digit(b);
      if (hi >= 0 && lo >= 0) HEX2[a * 128 + b] = hi * 16 + lo;
    }
  }
}
// Where each of a UUID's 16 bytes starts in its hyphenated text.
const BYTE_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/**
 * Writes the 16 bytes of `value` at byte `out` of wasm memory when it is a UUID in its
 * hyphenated text form (hex digits of either case), as the core parses it; false for anything
 * else, which then takes the general way and its errors (the bytes at `out` are then the
 * caller's to ignore).
 */
export function idBytes(value, out) {
  if (typeof value !== 'string' || value.length !== 36) return false;
  if (value.charCodeAt(8) !== 45 || value.charCodeAt(13) !== 45 || value.charCodeAt(18) !== 45 || value.charCodeAt(23) !== 45) {
    return false;
  }
  const m = bytes();
  const base = out >>> 0;
  for (let k = 0; k < 16; k++) {
    const at = BYTE_AT[k];
    const hi = value.charCodeAt(at);
    const lo = value.charCodeAt(at + 1);
    // Both below 128, or the pair is not hex digits.
    const byte = (hi | lo) < 128 ? HEX2[(hi << 7) | lo] : -1;
    if (byte < 0) return false;
    m[base + k] = byte;
  }
  return true;
}

/**
 * Writes `value` at byte `out` of wasm memory and answers its length when it is a string of
 * at most `cap` ASCII characters (a resource's name); -1 for anything else, which then takes
 * the general way and its errors.
 */
export function asciiInto(value, out, cap) {
  if (typeof value !== 'string' || value.length > cap) return -1;
  return putAscii(bytes(), out >>> 0, value) ? value.length : -1;
}

// Writes the string `s` at byte `at` of `m`; false, part written, when it is not ASCII.
function putAscii(m, at, s) {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c > 127) return false;
    m[at + k] = c;
  }
  return true;
}

// The string fields of a children query, in their order on its wire (see
// bindings/wasm/hot/src/child_query.rs), and whether null is theirs to refuse (a field that
// is not optional: the JSON way decides).
const QUERY_STRINGS = ['kind', 'status', 'search', 'sort', 'dir', 'cursor'];
const QUERY_NOT_NULL = [false, false, false, true, true, false];

/**
 * Writes the children query `q` into wasm memory, its slots (the end of each string field in
 * the text, -1 when absent; then `offset` and `limit`, NaN when absent) at byte `numsAt` and
 * its string fields, one after the other, at byte `textAt`, and answers the text's length;
 * when `q` is undefined, null, or a plain object of those fields only, each an ASCII string
 * (the text at most `cap` long) or a whole number, null or undefined as JSON.stringify would
 * see them. -1 for anything else, which then takes the general way and its errors.
 */
export function childQueryInto(q, numsAt, textAt, cap) {
  const strings = [undefined, undefined, undefined, undefined, undefined, undefined];
  let offset;
  let limit;
  if (q !== undefined && q !== null) {
    if (!plain(q)) return -1;
    for (const key of Object.keys(q)) {
      const v = q[key];
      const at = QUERY_STRINGS.indexOf(key);
      if (at >= 0) strings[at] = v;
      else if (key === 'offset') offset = v;
      else if (key === 'limit') limit = v;
      else return -1;
    }
  }
  // The views are taken only now: reading `q` may run getters, and a getter may call into
  // wasm (another store) and grow its memory, which would leave earlier views detached.
  const f = floats();
  const slot = (numsAt >>> 0) / 8;
  const m = bytes();
  const base = textAt >>> 0;
  let n = 0;
  for (let k = 0; k < QUERY_STRINGS.length; k++) {
    const s = strings[k];
    if (s === undefined || (s === null && !QUERY_NOT_NULL[k])) {
      f[slot + k] = -1;
      continue;
    }
    if (typeof s !== 'string' || n + s.length > cap || !putAscii(m, base + n, s)) return -1;
    n += s.length;
    f[slot + k] = n;
  }
  // offset is not optional either: null is the JSON way's to refuse.
  if (offset === undefined) f[slot + 6] = NaN;
  else if (typeof offset === 'number' && Number.isSafeInteger(offset)) f[slot + 6] = offset;
  else return -1;
  if (limit === undefined || limit === null) f[slot + 7] = NaN;
  else if (typeof limit === 'number' && Number.isSafeInteger(limit)) f[slot + 7] = limit;
  else return -1;
  return n;
}

// Ids decoded per text of at most this many: V8 keeps a cut string as a slice of its text, so
// an id kept from a batch keeps its whole text alive (368 KB for a batch of 10,000 in one text);
// in texts of 64 it is at most 2.3 KB, for one decoder call per 64 ids (about 1 ns an id).
const IDS_PER_TEXT = 64;

/**
 * The `count` ids of `len` ASCII characters each written one after the other at byte
 * `textAt` of wasm memory, as an array of strings: decoded `IDS_PER_TEXT` at a time and cut.
 */
export function idsFromText(textAt, count, len) {
  const at = textAt >>> 0;
  const m = bytes();
  const ids = new Array(count);
  for (let first = 0; first < count; first += IDS_PER_TEXT) {
    const n = Math.min(IDS_PER_TEXT, count - first);
    const from = at + first * len;
    const text = UTF8.decode(m.subarray(from, from + n * len));
    for (let k = 0; k < n; k++) ids[first + k] = text.slice(k * len, (k + 1) * len);
  }
  return ids;
}

/** `value` when it is a number, NaN for anything else (which then takes the general way). */
export function numberOf(value) {
  return typeof value === 'number' ? value : NaN;
}

/**
 * Whether `actor` is exactly `{ type: 'system' }`: a plain object whose only own enumerable
 * property is `type`, the string 'system', with no `toJSON` anywhere. JSON.stringify then gives
 * `{"type":"system"}` for it, which serde reads as the system actor. Anything else (other
 * actors, more properties, arrays, objects with a prototype or a `toJSON`, an inherited or
 * non-enumerable `type`) takes the general way through JSON, with its answer and its errors.
 */
export function isSystemActor(actor) {
  if (!plain(actor)) return false;
  const keys = Object.keys(actor);
  return keys.length === 1 && keys[0] === 'type' && actor.type === 'system';
}

// A plain object as JSON.stringify writes it: its own enumerable keys, nothing it would
// transform first (a toJSON, a class instance, a boxed value).
function plain(o) {
  if (typeof o !== 'object' || o === null) return false;
  const proto = Object.getPrototypeOf(o);
  return (proto === Object.prototype || proto === null) && !('toJSON' in o);
}

let wireNums = [];

/**
 * A batch of new nodes for `createNodes` as one text (returned) and numbers (taken next by
 * `newNodesNums`), when every record is a plain object with only `kind` and `name` (strings),
 * `parent` (a string, null or undefined) and `limits` (undefined, or a plain object of
 * non-negative safe integers or undefined). Kinds, parents and limit keys repeat across a
 * batch, so each distinct one is written once, in a table at the front: the numbers start
 * with the table's size and each entry's length (in UTF-16 code units); then per record the
 * kind's entry, the name's length, the parent's entry (-1 when there is none), the number of
 * limits, then each limit's key entry and value. The text holds the table's strings, then
 * the names in order. Any other batch answers undefined and takes the JSON way, which gives
 * its answer and its errors; so does a text the wasm side finds it cannot take as such (a
 * lone surrogate).
 */
export function newNodesWire(recs) {
  if (!Array.isArray(recs) || Object.getPrototypeOf(recs) !== Array.prototype || 'toJSON' in recs) return undefined;
  const table = new Map();
  const entry = (str) => {
    let at = table.get(str);
    if (at === undefined) {
      at = table.size;
      table.set(str, at);
    }
    return at;
  };
  const nums = [];
  let names = '';
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i];
    if (!plain(r)) return undefined;
    let kind;
    let name;
    let parent = null;
    let limits;
    for (const key of Object.keys(r)) {
      const v = r[key];
      if (key === 'kind' && typeof v === 'string') kind = v;
      else if (key === 'name' && typeof v === 'string') name = v;
      else if (key === 'parent' && (typeof v === 'string' || v === null || v === undefined)) parent = v ?? null;
      else if (key === 'limits' && (v === undefined || plain(v))) limits = v;
      else return undefined;
    }
    if (kind === undefined || name === undefined) return undefined;
    nums.push(entry(kind), name.length, parent === null ? -1 : entry(parent));
    names += name;
    const at = nums.length;
    nums.push(0);
    if (limits !== undefined) {
      let n = 0;
      for (const key of Object.keys(limits)) {
        const v = limits[key];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return undefined;
        nums.push(entry(key), v);
        n++;
      }
      nums[at] = n;
    }
  }
  const head = [table.size];
  let text = '';
  for (const str of table.keys()) {
    head.push(str.length);
    text += str;
  }
  wireNums = head.concat(nums);
  return text + names;
}

/** The numbers of the last `newNodesWire`, once. */
export function newNodesNums() {
  const nums = new Float64Array(wireNums);
  wireNums = [];
  return nums;
}

// What `lend` answers for a callback that returned a promise (or any thenable).
const THENABLE = Symbol('tenantree: the callback returned a promise');

/** Whether `value` is `lend`'s answer for a promise. */
export function isThenableMarker(value) {
  return value === THENABLE;
}

// The view classes of ReadTx (kind 0) and WriteTx (kind 1), made on first use.
const VIEWS = [undefined, undefined];

/**
 * A method of the view that calls `method` on the object `of(view)`. The generated methods
 * take a fixed number of parameters (a missing one is undefined to them, as it is here), so
 * up to four are passed as such, which spares every call an array of its arguments; more go
 * through a rest parameter.
 */
function forwarder(method, of) {
  switch (method.length) {
    case 0:
      return function () {
        return method.call(of(this));
      };
    case 1:
      return function (a) {
        return method.call(of(this), a);
      };
    case 2:
      return function (a, b) {
        return method.call(of(this), a, b);
      };
    case 3:
      return function (a, b, c) {
        return method.call(of(this), a, b, c);
      };
    case 4:
      return function (a, b, c, d) {
        return method.call(of(this), a, b, c, d);
      };
    default:
      return function (...args) {
        return method.apply(of(this), args);
      };
  }
}

// The object's methods behind the view's `allocate` and `release`, which the view does not
// show: they act on whatever the slots hold.
const IN_PLACE = { allocate: '__allocate', release: '__release' };
const INTERNAL = new Set(['__allocate', '__release', '__renamed']);

/**
 * The view's `allocate` or `release`: when the id is a UUID string, the resource's name a
 * short ASCII string and the amount a safe whole number, they are written into wasm memory
 * and `inPlace` (the object's `__allocate` or `__release`) does the work with numbers alone
 * crossing, the quota's numbers left in wasm memory (`takeRenamed`, the object's `__renamed`,
 * gives the quota's resource in the case where the core named it otherwise); anything else,
 * or arguments the binding does not take that way, goes to `method`, the general way, with
 * its answer and its errors.
 */
function adjuster(method, inPlace, takeRenamed, of) {
  return function (id, resource, amount) {
    const tx = of(this);
    if (
      typeof amount === 'number' &&
      Number.isSafeInteger(amount) &&
      amount >= 0 &&
      typeof resource === 'string' &&
      resource.length <= ADJUST_CAP &&
      idBytes(id, ADJUST_ID) &&
      (resource === slotResource || resourceInSlot(resource))
    ) {
      const done = inPlace.call(tx, resource.length, amount);
      if (done !== 1) {
        const f = floats();
        const at = ADJUST_NUMS;
        const limit = f[at];
        const available = f[at + 3];
        return {
          resource: done === 0 ? resource : takeRenamed.call(tx),
          limit: limit !== limit ? null : limit,
          used: f[at + 1],
          allocated: f[at + 2],
          available: available !== available ? null : available,
        };
      }
    }
    return method.call(tx, id, resource, amount);
  };
}

// Writes the resource's name into its slot; false, when it is not ASCII.
function resourceInSlot(resource) {
  slotResource = putAscii(bytes(), ADJUST_RESOURCE, resource) ? resource : null;
  return slotResource !== null;
}

/**
 * A class whose instances stand for a transaction object of prototype `proto` (instanceof
 * and every method alike): each method forwards to the object the view was made with, until
 * `end` points the view at the dead object, whose methods all fail with "this transaction is
 * over". The object itself stays out of reach of the callback, in a private field.
 */
function viewClass(proto) {
  class TxView {
    #tx;

    constructor(tx) {
      this.#tx = tx;
    }

    static of(view) {
      return view.#tx;
    }

    static end(view, dead) {
      view.#tx = dead;
    }
  }
  const of = TxView.of;
  Object.setPrototypeOf(TxView.prototype, proto);
  for (const key of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, key);
    // The view's `constructor` is the class it stands for, so that it prints and inspects as one.
    if (key === 'constructor') {
      Object.defineProperty(TxView.prototype, key, d);
      continue;
    }
    // The classes have methods only; an accessor would read the view as if it were the object,
    // so one added later stops every transaction here, in the first test that makes a view.
    if (d.get || d.set) throw new Error(`tenantree: a transaction view cannot forward the accessor ${key}`);
    if (typeof d.value !== 'function') continue;
    if (INTERNAL.has(key)) {
      Object.defineProperty(TxView.prototype, key, { value: undefined });
      continue;
    }
    const method = d.value;
    const inPlace = Object.hasOwn(IN_PLACE, key) ? proto[IN_PLACE[key]] : null;
    // A binding that lost the way with numbers only stops every transaction here, in the
    // first test that makes a view, instead of going the general way unnoticed.
    if (inPlace !== null && (typeof inPlace !== 'function' || typeof proto.__renamed !== 'function')) {
      throw new Error(`tenantree: the transaction object has no ${IN_PLACE[key]} or __renamed`);
    }
    // The view owns nothing: freeing it frees nothing (the store frees its object).
    const forward =
      key === 'free' || key === '__destroy_into_raw'
        ? function () {}
        : inPlace !== null
          ? adjuster(method, inPlace, proto.__renamed, of)
          : forwarder(method, of);
    Object.defineProperty(forward, 'name', { value: key });
    Object.defineProperty(TxView.prototype, key, { ...d, value: forward });
  }
  if (typeof Symbol.dispose === 'symbol' && Symbol.dispose in proto) {
    Object.defineProperty(TxView.prototype, Symbol.dispose, { value() {}, writable: true, configurable: true });
  }
  return TxView;
}

/**
 * Runs `callback` with a fresh view of `live`, the store's transaction object of `kind`
 * (0 read, 1 write), which turns to `dead` when the callback returns or throws. Answers what
 * the callback returned, or THENABLE for a promise: that goes on without its transaction,
 * and its rejection, which nobody holds any more, is caught so that it does not end a Node
 * process. What the callback throws goes through.
 */
export function lend(kind, callback, live, dead) {
  const View = VIEWS[kind] ?? (VIEWS[kind] = viewClass(Object.getPrototypeOf(live)));
  const view = new View(live);
  let value;
  try {
    value = callback(view);
  } finally {
    View.end(view, dead);
  }
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
    let then;
    try {
      then = value.then;
    } catch {
      return value;
    }
    if (typeof then === 'function') {
      try {
        then.call(value, undefined, () => {});
      } catch {
        // As before: a throwing `then` changes nothing; the callback's value is refused.
      }
      return THENABLE;
    }
  }
  return value;
}
