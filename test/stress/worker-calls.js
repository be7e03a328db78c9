// Runs inside a worker_threads Worker for test/concurrency.test.ts (not a stress script of its
// own): loads the built package in this thread, makes its own data from workerData.seed (about
// workerData.elements values), posts 'ready' and waits for the parent's 'go' (so that every worker
// computes at once), then for workerData.rounds rounds checks the sync functions against a float64
// reference computed here and every async twin (on each of workerData.threads, null for the
// default; all in flight at once) against its sync function, bit for bit, with outputs poisoned
// (NaN) before each call. Posts { id, backend, checks, failures } to the parent.
import { parentPort, workerData } from 'node:worker_threads';
import * as m from '../../dist/index.js';
import { rng } from './cases.js';

const { id, seed, rounds, elements, threads: threadSettings } = workerData;
const failures = [];
let checks = 0;
const fail = (message) => {
  if (failures.length < 10) failures.push(`worker ${id}: ${message}`);
};

// Each worker its own dtype, row length and data (more than 65,536 elements: two chunks of the row
// grid or more, so that the async calls spread over the pool's threads).
const T = id % 2 === 0 ? Float32Array : Float64Array;
const cols = [3, 17, 100, 1000, 4099, 33, 257, 2][id % 8];
const rows = Math.ceil(elements / cols);
const n = rows * cols;
const next = rng(seed);
const x = new T(n);
for (let i = 0; i < n; i++) x[i] = -8 + 16 * next();
const labels = Int32Array.from({ length: rows }, () => Math.floor(next() * cols));

// The float64 reference: per row max m and log-sum-exp with a Neumaier-compensated sum.
const lse = new Float64Array(rows);
for (let r = 0; r < rows; r++) {
  let max = -Infinity;
  for (let c = 0; c < cols; c++) max = Math.max(max, x[r * cols + c]);
  let s = 0, comp = 0;
  for (let c = 0; c < cols; c++) {
    const v = Math.exp(x[r * cols + c] - max), t = s + v;
    comp += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  lse[r] = max + Math.log(s + comp);
}
const f32 = T === Float32Array;
const eps = f32 ? 1e-6 : 1e-12;
let meanLoss = 0;
for (let r = 0; r < rows; r++) meanLoss += lse[r] - x[r * cols + labels[r]];
meanLoss /= rows;

const poisoned = (Type, length) => new Type(length).fill(Number.NaN);

function checkSyncAgainstReference() {
  const p = m.softmax(x, { cols, out: poisoned(T, n) });
  for (let i = 0; i < n; i++) {
    const r = Math.floor(i / cols), want = Math.exp(x[i] - lse[r]);
    // DESIGN.md's bound: 1e-6 relative for float32 plus the rounding of x − m (|x − m| ≤ 16 here).
    const bound = (f32 ? eps + 16 * 2 ** -23 : eps) * Math.max(want, 1e-30);
    if (!(Math.abs(p[i] - want) <= bound)) return fail(`softmax[${i}] = ${p[i]}, want ${want}`);
  }
  checks++;
  const l = m.logSumExp(x, { cols, out: poisoned(T, rows) });
  for (let r = 0; r < rows; r++) {
    if (!(Math.abs(l[r] - lse[r]) <= eps * Math.max(1, Math.abs(lse[r])))) return fail(`logSumExp[${r}] = ${l[r]}, want ${lse[r]}`);
  }
  checks++;
  const loss = m.crossEntropy(x, labels, { cols });
  if (!(Math.abs(loss - meanLoss) <= eps * Math.max(1, Math.abs(meanLoss)))) return fail(`crossEntropy = ${loss}, want ${meanLoss}`);
  checks++;
}

/** Bit-for-bit equality (NaN equals NaN, −0 differs from +0) of numbers, typed arrays and objects of them. */
function sameBits(got, want, path) {
  if (typeof want === 'number' || want === undefined) return Object.is(got, want) || `${path}: ${got} vs ${want}`;
  if (ArrayBuffer.isView(want)) {
    if (!got || got.constructor !== want.constructor || got.length !== want.length) return `${path}: ${got?.constructor?.name}(${got?.length}) vs ${want.constructor.name}(${want.length})`;
    for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return `${path}[${i}]: ${got[i]} vs ${want[i]}`;
    return true;
  }
  const keys = Object.keys(want);
  if (!got || typeof got !== 'object' || Object.keys(got).sort().join() !== keys.sort().join()) return `${path}: keys ${got && Object.keys(got)} vs ${keys}`;
  for (const key of keys) {
    const same = sameBits(got[key], want[key], `${path}.${key}`);
    if (same !== true) return same;
  }
  return true;
}

// [name, sync call, async call]; `o` adds threads, the async calls get poisoned outputs.
const k = Math.min(3, cols);
const twins = [
  ['softmax', () => m.softmax(x, { cols }), (o) => m.softmaxAsync(x, { cols, out: poisoned(T, n), ...o })],
  ['logSoftmax', () => m.logSoftmax(x, { cols, temperature: 0.5 }), (o) => m.logSoftmaxAsync(x, { cols, temperature: 0.5, out: poisoned(T, n), ...o })],
  ['logSumExp', () => m.logSumExp(x, { cols }), (o) => m.logSumExpAsync(x, { cols, out: poisoned(T, rows), ...o })],
  ['crossEntropy', () => m.crossEntropy(x, labels, { cols, labelSmoothing: 0.1 }), (o) => m.crossEntropyAsync(x, labels, { cols, labelSmoothing: 0.1, ...o })],
  ['crossEntropy none', () => m.crossEntropy(x, labels, { cols, reduction: 'none' }), (o) => m.crossEntropyAsync(x, labels, { cols, reduction: 'none', out: poisoned(T, rows), ...o })],
  ['crossEntropyWithGrad', () => m.crossEntropyWithGrad(x, labels, { cols }), (o) => m.crossEntropyWithGradAsync(x, labels, { cols, gradOut: poisoned(T, n), ...o })],
  ['topK', () => m.topK(x, k, { cols }), (o) => m.topKAsync(x, k, { cols, indicesOut: new Int32Array(rows * k).fill(-7), valuesOut: poisoned(T, rows * k), ...o })],
  ['score', () => m.score(x, { cols, labels, topK: k }), (o) => m.scoreAsync(x, { cols, labels, topK: k, ...o })],
];

await new Promise((resolve) => {
  parentPort.once('message', resolve);
  parentPort.postMessage('ready');
});
try {
  for (let round = 0; round < rounds; round++) {
    checkSyncAgainstReference();
    const wants = twins.map(([, sync]) => sync());
    const pending = [];
    for (const threads of threadSettings) {
      twins.forEach(([name, , runAsync], i) => {
        pending.push(runAsync(threads === null ? {} : { threads }).then((got) => {
          const same = sameBits(got, wants[i], `${name}Async (threads ${threads ?? 'default'})`);
          if (same === true) checks++;
          else fail(same);
        }));
      });
    }
    await Promise.all(pending);
  }
} catch (error) {
  fail(`threw ${error?.stack ?? error}`);
}
parentPort.postMessage({ id, backend: { native: m.backend.native, isa: m.backend.isa }, checks, failures });
