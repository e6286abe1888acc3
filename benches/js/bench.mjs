#!/usr/bin/env node
// The JavaScript workloads (W1, W3, W4, W5) on tenantree-wasm and sql.js, in one run.
//
//   node --expose-gc bench.mjs [--size tiny|quick|full] [--json] [--only tenantree-wasm,sql.js]
//   node --expose-gc bench.mjs --serve [--size ...]
//
// Prints a table, or with --json one JSON object. Exits non-zero when the implementations
// disagree. Needs the package built (bindings/wasm/build.sh) and `npm ci` here.
//
// --serve is how the ratio command (`cargo run -p benches --bin ratios`) runs it: after the
// warm-up it prints `ready`, then reads one command a line from stdin and answers each with
// `ok`: `build` (a round of W1), `read` (a round of W4, W3 and W5 on the latest stores), and
// `end`, answered with the JSON object. The ratio command sends its rounds between its native
// ones, so that WASM/native divides times taken moments apart, not minutes.

import readline from 'node:readline';

import { Session, runAll } from './workloads.mjs';

const args = process.argv.slice(2);
let size = 'quick';
let json = false;
let only;
let serve = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--size') size = args[++i];
  else if (args[i] === '--json') json = true;
  else if (args[i] === '--only') only = args[++i].split(',');
  else if (args[i] === '--serve') serve = true;
  else {
    console.error('usage: bench.mjs [--size tiny|quick|full] [--json] [--only tenantree-wasm,sql.js] [--serve]');
    process.exit(2);
  }
}

const log = (line) => console.error(line);

/** The result as one line of JSON. The answers stay here (only whether they agree goes out):
 * the pages of W5 alone are hundreds of kilobytes. */
const jsonLine = (out) => {
  const engines = Object.fromEntries(Object.entries(out.engines).map(([k, { observed, ...rest }]) => [k, rest]));
  return JSON.stringify({ ...out, engines });
};

/** Answers the ratio command's commands until `end`; returns the result. */
async function serveRounds() {
  const session = await Session.open(size, { only, log });
  console.log('ready');
  const commands = { build: () => session.buildRound(), read: () => session.readRound() };
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const command = line.trim();
    if (command === 'end') return session.finish();
    if (!commands[command]) throw new Error(`bench.mjs --serve: unknown command ${JSON.stringify(command)}`);
    commands[command]();
    console.log('ok');
  }
  throw new Error('bench.mjs --serve: stdin closed before `end`');
}

const out = serve ? await serveRounds() : await runAll(size, { only, log });
if (json || serve) {
  console.log(jsonLine(out));
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
