#!/usr/bin/env node
// The JavaScript workloads (W1, W3, W4, W5) on tenantree-wasm and sql.js, in one run.
//
//   node --expose-gc bench.mjs [--size tiny|quick|full] [--json] [--only tenantree-wasm,sql.js]
//
// Prints a table, or with --json one JSON object (what `cargo run -p benches --bin ratios`
// reads). Exits non-zero when the implementations disagree. Needs the package built
// (bindings/wasm/build.sh) and `npm ci` here.

import { runAll } from './workloads.mjs';

const args = process.argv.slice(2);
let size = 'quick';
let json = false;
let only;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--size') size = args[++i];
  else if (args[i] === '--json') json = true;
  else if (args[i] === '--only') only = args[++i].split(',');
  else {
    console.error('usage: bench.mjs [--size tiny|quick|full] [--json] [--only tenantree-wasm,sql.js]');
    process.exit(2);
  }
}

const log = (line) => console.error(line);
const out = await runAll(size, { only, log });
if (json) {
  // The answers stay here (only whether they agree goes out): the pages of W5 alone are
  // hundreds of kilobytes.
  const engines = Object.fromEntries(Object.entries(out.engines).map(([k, { observed, ...rest }]) => [k, rest]));
  console.log(JSON.stringify({ ...out, engines }));
} else {
  const fmt = (ns) => (ns >= 1e7 ? `${(ns / 1e6).toFixed(1)} ms` : `${(ns / 1e3).toFixed(2)} µs`);
  const tt = out.engines['tenantree-wasm'];
  const sq = out.engines['sql.js'];
  const per = (r, k) => (k === 'W1' ? r?.w1.ns / r?.tenants : k === 'W1 CPU' ? r?.w1.cpuNs / r?.tenants : r?.stats[k].ns);
  console.log(`# JavaScript workloads, size ${out.size} (${out.tenants} tenants), Node ${out.node}, sql.js ${out.sqljs}\n`);
  console.log('| workload | tenantree-wasm | sql.js | sql.js/tenantree-wasm |');
  console.log('|---|---:|---:|---:|');
  for (const k of ['W1', 'W1 CPU', 'W3', 'W4', 'W5']) {
    const a = tt && per(tt, k);
    const b = sq && per(sq, k);
    console.log(`| ${k} | ${a ? fmt(a) : 'n/a'} | ${b ? fmt(b) : 'n/a'} | ${a && b ? `${(b / a).toFixed(2)}×` : 'n/a'} |`);
  }
  console.log(`\nanswers: ${out.agree ? 'both implementations gave the same answers' : 'THE IMPLEMENTATIONS DISAGREE'}`);
}
// exitCode, not exit(): a pipe's pending output must be written before Node stops.
process.exitCode = out.agree ? 0 : 1;
