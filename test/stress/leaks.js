#!/usr/bin/env node
// Leak check: calls every public function of the built package (dist/) N times, the sync functions
// and the async twins, with the inputs of cases.js: both dtypes, shapes from 1×3 to 16×100, every
// option; one call in 16 must throw (a TypeError or RangeError, caught and checked), one async call
// in 16 has an already-aborted signal, one call in 512 runs 2 chunks on 2 threads and one async call
// in 512 is aborted mid-flight (32 chunks, aborted as soon as it starts). Async calls run 16 at a
// time. After a warm-up of every function it takes RSS and process.memoryUsage().external /
// arrayBuffers (after global.gc()), again after each function and at the end, prints a table, and
// fails (exit 1) when RSS or external memory grew by more than the limit, or a call misbehaved.
//
//   node test/stress/leaks.js [--calls=N] [--warmup=N] [--limit-mb=10] [--only=softmax,topKAsync] [--window=16]
//
// N defaults to $SOFTMAX_SIMD_LEAKS_CALLS or 20,000 (CI); the full run is --calls=1000000. The
// backend is the package's: SOFTMAX_SIMD_BACKEND=js for the pure-TS path, SOFTMAX_SIMD_ISA to cap
// the ISA. It runs itself again in a child Node with --expose-gc and fixed-size semi-spaces (see
// nodeFlags below). Exit codes: 0 pass, 1 a leak or a wrong call, 2 usage error or no dist/ (run
// npm run build).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// V8's young generation grows under a high allocation rate (its semi-spaces from 1 to 16 MB:
// measured, RSS +28 MB over 400,000 scoreAsync calls with heapUsed flat, then a plateau), and even
// at a fixed 16 MB its pages are touched over the first tens of thousands of calls: RSS that is no
// leak. Semi-spaces fixed at 1 MB are all touched within the warm-up.
const nodeFlags = ['--expose-gc', '--min-semi-space-size=1', '--max-semi-space-size=1'];
if (process.env.SOFTMAX_SIMD_LEAKS_CHILD !== '1') {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, ...nodeFlags, self, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, SOFTMAX_SIMD_LEAKS_CHILD: '1' },
  });
  process.exit(child.status ?? 1);
}

const usage = 'usage: node test/stress/leaks.js [--calls=N] [--warmup=N] [--limit-mb=MB] [--only=name,name] [--window=W]';
const options = { calls: Number(process.env.SOFTMAX_SIMD_LEAKS_CALLS || 20_000), warmup: 4096, 'limit-mb': 10, window: 16, only: '' };
for (const arg of process.argv.slice(2)) {
  const [, key, value] = /^--([a-z-]+)=(.*)$/.exec(arg) ?? [];
  if (arg === '--help' || arg === '-h') {
    console.log(usage);
    process.exit(0);
  }
  if (!(key in options)) {
    console.error(`leaks.js: unknown argument ${arg}\n${usage}`);
    process.exit(2);
  }
  options[key] = key === 'only' ? value : Number(value.replace(/_/g, ''));
}
for (const key of ['calls', 'warmup', 'window']) {
  if (!Number.isSafeInteger(options[key]) || options[key] < (key === 'warmup' ? 0 : 1)) {
    console.error(`leaks.js: --${key} must be a ${key === 'warmup' ? 'non-negative' : 'positive'} integer, got ${options[key]}`);
    process.exit(2);
  }
}
if (!(options['limit-mb'] > 0)) {
  console.error(`leaks.js: --limit-mb must be > 0, got ${options['limit-mb']}`);
  process.exit(2);
}

const distIndex = new URL('../../dist/index.js', import.meta.url);
if (!existsSync(distIndex)) {
  console.error('leaks.js: dist/index.js is missing: run npm run build first');
  process.exit(2);
}
const m = await import(distIndex.href);
const { SHAPES, bigSet, callsFor, check, dataSet, functionNames, uncovered } = await import('./cases.js');

const missing = uncovered(m);
if (missing.length) {
  console.error(`leaks.js: no cases for ${missing.join(', ')}: add them to test/stress/cases.js`);
  process.exit(1);
}
let names = functionNames();
if (options.only) {
  const wanted = options.only.split(',');
  const unknown = wanted.filter((name) => !names.includes(name));
  if (unknown.length) {
    console.error(`leaks.js: --only: unknown function ${unknown.join(', ')} (known: ${names.join(', ')})`);
    process.exit(2);
  }
  names = names.filter((name) => wanted.includes(name));
}

const sets = SHAPES.flatMap(([rows, cols], i) => [dataSet(Float32Array, rows, cols, 100 + i), dataSet(Float64Array, rows, cols, 200 + i)]);
const large = { threaded: bigSet(Float32Array, 128, 8), abortable: bigSet(Float32Array, 2048, 9) };
const cases = new Map(names.map((name) => [name, callsFor(m, name, sets, large)]));

// --- running the calls --------------------------------------------------------------------------

/** Which call the i-th call of a function is. */
function pick(c, i, counters) {
  if (c.midAbort && i % 512 === 255) return c.midAbort;
  if (c.big && i % 512 === 511) return c.big;
  if (c.preAborted && i % 16 === 13) return c.preAborted;
  if (i % 16 === 7) return c.bad[(i >> 4) % c.bad.length];
  return c.good[counters.good++ % c.good.length];
}

const failures = [];
function fail(name, call, message) {
  if (failures.length < 20) failures.push(`${name} (${call.what}): ${message}`);
  else failures.length++;
}

/** Checks how a call ended against what it should have done; counts it. */
function tally(name, call, counts, outcome) {
  const { result, error, reason, threw } = outcome;
  switch (call.expect) {
    case 'ok':
      if (threw) return fail(name, call, `threw ${error?.stack ?? error}`);
      {
        const bad = check(result);
        if (bad) return fail(name, call, bad);
      }
      return;
    case 'TypeError':
    case 'RangeError':
      if (!threw) return fail(name, call, `returned instead of throwing a ${call.expect}`);
      if (error?.constructor?.name !== call.expect) return fail(name, call, `threw ${error?.stack ?? error}, not a ${call.expect}`);
      counts.errors++;
      return;
    case 'aborted':
      if (!threw || error !== reason) return fail(name, call, threw ? `rejected with ${error}, not its signal's reason` : 'resolved');
      counts.aborted++;
      return;
    case 'aborted-or-ok':
      if (threw && error !== reason) return fail(name, call, `rejected with ${error?.stack ?? error}, not its signal's reason`);
      if (threw) counts.aborted++;
      else counts.finishedFirst++;
  }
}

const now = () => performance.now();
const tty = process.stdout.isTTY;
let lastProgress = 0;
function progress(name, done, total, started, final = false) {
  const t = now();
  if (!final && t - lastProgress < (tty ? 200 : 10_000)) return;
  lastProgress = t;
  const rate = done / Math.max((t - started) / 1000, 1e-9);
  const line = `  ${name.padEnd(38)} ${fmt(done).padStart(11)} / ${fmt(total)} calls  ${fmt(Math.round(rate)).padStart(10)} calls/s`;
  if (tty) process.stdout.write(`\r${line}\x1b[K`);
  else if (!final) console.log(line);
}

function runSync(name, c, n, counts) {
  const fn = name;
  const counters = { good: 0 };
  const started = now();
  for (let i = 0; i < n; i++) {
    const call = pick(c, i, counters);
    try {
      tally(fn, call, counts, { result: call.run(), threw: false });
    } catch (error) {
      tally(fn, call, counts, { error, threw: true });
    }
    if ((i & 1023) === 1023) progress(name, i + 1, n, started);
  }
}

function startAsync(name, call, counts) {
  let promise, reason;
  try {
    const started = call.run();
    if (call.expect === 'aborted' || call.expect === 'aborted-or-ok') ({ promise, reason } = started);
    else promise = started;
  } catch (error) {
    fail(name, call, `threw synchronously instead of returning a Promise: ${error?.stack ?? error}`);
    return null;
  }
  if (!(promise instanceof Promise)) {
    fail(name, call, 'did not return a Promise');
    return null;
  }
  return promise.then(
    (result) => tally(name, call, counts, { result, threw: false, reason }),
    (error) => tally(name, call, counts, { error, threw: true, reason }),
  );
}

async function runAsync(name, c, n, counts) {
  const counters = { good: 0 };
  const ring = new Array(options.window).fill(null);
  const started = now();
  for (let i = 0; i < n; i++) {
    const slot = i % ring.length;
    if (ring[slot]) await ring[slot];
    ring[slot] = startAsync(name, pick(c, i, counters), counts);
    if ((i & 1023) === 1023) progress(name, i + 1, n, started);
  }
  await Promise.all(ring);
}

async function run(name, n) {
  const counts = { errors: 0, aborted: 0, finishedFirst: 0 };
  if (name.endsWith('Async')) await runAsync(name, cases.get(name), n, counts);
  else runSync(name, cases.get(name), n, counts);
  return counts;
}

// --- memory -------------------------------------------------------------------------------------

/** Memory after full collections, with event-loop turns between them for finalizers. */
async function memory() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { rss, external, arrayBuffers, heapUsed, heapTotal } = process.memoryUsage();
  return { rss, external, arrayBuffers, heapUsed, heapTotal };
}

const MB = 2 ** 20;
const fmt = (v) => v.toLocaleString('en-US');
const mb = (v) => (v / MB).toFixed(1);
const grown = (a, b) => `${mb(a)} → ${mb(b)} (${b >= a ? '+' : ''}${mb(b - a)})`;

// --- the run ------------------------------------------------------------------------------------

const b = m.backend;
console.log(`leaks.js: backend ${b.native ? `native ${b.isa} (supported: ${b.supported.join(', ')})` : `pure TS (${b.reason})`}, Node ${process.version}`);
console.log(`${fmt(options.calls)} calls per function after ${fmt(options.warmup)} warm-up calls, ${names.length} functions, ${options.window} async calls in flight; limit +${options['limit-mb']} MB`);

const t0 = now();
for (const name of names) await run(name, options.warmup);
if (tty) process.stdout.write('\r\x1b[K');
const baseline = await memory();
console.log(`after the warm-up (${((now() - t0) / 1000).toFixed(1)} s): rss ${mb(baseline.rss)} MB, external ${mb(baseline.external)} MB, arrayBuffers ${mb(baseline.arrayBuffers)} MB, heapUsed ${mb(baseline.heapUsed)} MB, heapTotal ${mb(baseline.heapTotal)} MB\n`);

const header = ['function', 'calls', 'time s', 'calls/s', 'rss MB', 'external MB', 'arrayBuffers MB', 'threw', 'aborted'];
const widths = [38, 11, 8, 10, 24, 22, 22, 9, 9];
const row = (cells) => cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(' ');
console.log(row(header));
const totals = { calls: 0, errors: 0, aborted: 0, finishedFirst: 0 };
for (const name of names) {
  const before = await memory();
  const started = now();
  const counts = await run(name, options.calls);
  const seconds = (now() - started) / 1000;
  progress(name, options.calls, options.calls, started, true);
  if (tty) process.stdout.write('\r\x1b[K');
  const after = await memory();
  totals.calls += options.calls;
  for (const key of ['errors', 'aborted', 'finishedFirst']) totals[key] += counts[key];
  const aborted = name.endsWith('Async') ? `${fmt(counts.aborted)}${counts.finishedFirst ? `+${counts.finishedFirst}` : ''}` : '-';
  console.log(row([name, fmt(options.calls), seconds.toFixed(2), fmt(Math.round(options.calls / seconds)), grown(before.rss, after.rss), grown(before.external, after.external), grown(before.arrayBuffers, after.arrayBuffers), fmt(counts.errors), aborted]));
}
const end = await memory();
const limit = options['limit-mb'] * MB;
const seconds = (now() - t0) / 1000;

console.log(`\n${fmt(totals.calls)} calls in ${seconds.toFixed(1)} s (warm-up included); ${fmt(totals.errors)} threw or rejected as they should; ${fmt(totals.aborted)} aborted calls rejected with their signal's reason${totals.finishedFirst ? ` (${fmt(totals.finishedFirst)} aborted mid-flight had finished first)` : ''}`);
console.log(`memory, after the warm-up → end: rss ${grown(baseline.rss, end.rss)} MB, external ${grown(baseline.external, end.external)} MB, arrayBuffers ${grown(baseline.arrayBuffers, end.arrayBuffers)} MB, heapUsed ${grown(baseline.heapUsed, end.heapUsed)} MB, heapTotal ${grown(baseline.heapTotal, end.heapTotal)} MB`);
const problems = [];
if (failures.length) problems.push(`${failures.length} call(s) misbehaved:\n  ${failures.slice(0, 20).join('\n  ')}`);
if (end.rss - baseline.rss > limit) problems.push(`RSS grew by ${mb(end.rss - baseline.rss)} MB (limit ${options['limit-mb']} MB)`);
if (end.external - baseline.external > limit) problems.push(`external memory grew by ${mb(end.external - baseline.external)} MB (limit ${options['limit-mb']} MB)`);
if (end.arrayBuffers - baseline.arrayBuffers > limit) problems.push(`arrayBuffers grew by ${mb(end.arrayBuffers - baseline.arrayBuffers)} MB (limit ${options['limit-mb']} MB)`);
if (problems.length) {
  console.log(`FAIL leaks.js (${b.isa}): ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`PASS leaks.js (${b.isa}): ${names.length} functions × ${fmt(options.calls)} calls, every call as expected, memory within +${options['limit-mb']} MB`);
