// Measurement machinery shared by the parent and the child processes: deterministic inputs, the
// timing loop (calibrate, warm up, sample, median), and checking then timing a list of contenders.
import { performance } from 'node:perf_hooks';
import { BASELINE_TOLERANCE, compare, guard } from './reference.js';

// ---------------------------------------------------------------- inputs

/** mulberry32: a tiny seeded PRNG giving floats in [0, 1); every process draws the same inputs. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One 32-bit seed per (seed, rows, cols, buffer), so a shape's inputs do not depend on the filter. */
export function mixSeed(...parts) {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** Inputs smaller than this rotate between ROTATION buffers, so no call sees only one hot buffer. */
const ROTATE_BELOW_BYTES = 16 * 2 ** 20;
const ROTATION = 4; // a power of two: the timing loops pick a buffer with `i & mask`

/** How many copies of an input of `bytes` bytes (and of its outputs) the timing loops cycle through. */
export const inputCopies = (bytes) => (bytes < ROTATE_BELOW_BYTES ? ROTATION : 1);

/** The dtypes measured, and their array types. */
export const DTYPES = ['f32', 'f64'];
export const ARRAY_TYPES = { f32: Float32Array, f64: Float64Array };

/**
 * The buffers of one (dtype, shape): `count` input sets of logits uniform in [−8, 8) and labels
 * uniform in [0, cols), each with its own preallocated outputs, so allocation is never timed.
 */
export function makeBuffers(dtype, rows, cols, seed) {
  const Type = ARRAY_TYPES[dtype];
  const elements = rows * cols;
  const count = inputCopies(elements * Type.BYTES_PER_ELEMENT);
  const xs = [];
  const labels = [];
  for (let b = 0; b < count; b++) {
    const next = prng(mixSeed(seed, rows, cols, b));
    const x = new Type(elements);
    for (let i = 0; i < elements; i++) x[i] = 16 * next() - 8;
    const y = new Int32Array(rows);
    for (let r = 0; r < rows; r++) y[r] = Math.floor(next() * cols);
    xs.push(x);
    labels.push(y);
  }
  return {
    dtype,
    rows,
    cols,
    elements,
    xs,
    labels,
    // Written once here, so the page faults of a first touch are never timed.
    outs: xs.map(() => new Type(elements).fill(NaN)), // softmax / logSoftmax out, gradOut, copy destination
    rowOuts: xs.map(() => new Type(rows).fill(NaN)), // logSumExp out
  };
}

// ---------------------------------------------------------------- timing

/** Results of timed code go here so the JIT cannot drop the work as dead. */
let blackhole = 0;

/**
 * Milliseconds taken by run(calls); run performs `calls` operations and returns anything, or a
 * promise of it (ONNX Runtime's session.run is asynchronous): one await per batch, not per call.
 */
async function timeCalls(run, calls) {
  const t0 = performance.now();
  const r = await run(calls);
  const ms = performance.now() - t0;
  if (typeof r === 'number') blackhole += r;
  return ms;
}

/** Grows the call count until one batch takes at least sampleMs; returns it and that batch's time. */
async function calibrate(run, calls, sampleMs) {
  for (;;) {
    const ms = await timeCalls(run, calls);
    if (ms >= sampleMs) return { calls, ms };
    const guess = Math.ceil((calls * 1.2 * sampleMs) / Math.max(ms, 1e-3));
    calls = Math.max(calls + 1, Math.min(calls * 10, guess));
  }
}

/**
 * Times run(calls) in `samples` batches of at least sampleMs each and returns seconds per call
 * (median, min, max). Calibrates again after the warm-up when its batches got shorter than
 * sampleMs: the first calibration runs unoptimized code and picks too few calls for the optimized one.
 * Warm-up and calibration together last at least warmupMs. Slow contenders (a peer taking seconds
 * per call) stop sampling once the whole measurement has taken budgetMs, after at least one sample.
 */
export async function measure(run, { samples, sampleMs, warmupMs, budgetMs }) {
  const start = performance.now();
  let { calls, ms: last } = await calibrate(run, 1, sampleMs);
  // Warm-up: the calibration counts; a long call (a large shape) needs no more.
  while (performance.now() - start < warmupMs) last = await timeCalls(run, calls);
  if (last < sampleMs) calls = (await calibrate(run, calls, sampleMs)).calls;
  const perCall = [];
  while (perCall.length < samples && (perCall.length === 0 || performance.now() - start < budgetMs)) {
    perCall.push((await timeCalls(run, calls)) / calls / 1e3);
  }
  return summarize(perCall, calls);
}

/** Median, min and max of the seconds per call of each sample. */
function summarize(perCall, calls) {
  perCall.sort((a, b) => a - b);
  const mid = perCall.length >> 1;
  const median = perCall.length % 2 ? perCall[mid] : (perCall[mid - 1] + perCall[mid]) / 2;
  return { median, min: perCall[0], max: perCall[perCall.length - 1], callsPerSample: calls, samples: perCall.length };
}

/** Seconds per call → Melem/s for a shape of `elements` values, with the spread. */
export function toRates(timing, elements) {
  const rate = (sec) => elements / sec / 1e6;
  return {
    medianMelemPerSec: rate(timing.median),
    minMelemPerSec: rate(timing.max),
    maxMelemPerSec: rate(timing.min),
    medianNsPerCall: timing.median * 1e9,
    callsPerSample: timing.callsPerSample,
    samples: timing.samples,
  };
}

// ---------------------------------------------------------------- contenders

// A contender is `{ name, guard?, skip?, prepare }`: `prepare()` (maybe async) gives
// `{ run(calls), once(), release?() }`, where `once()` returns (or promises) `{ values, loss }` for
// input set 0. `skip` says why it cannot run this cell. `guard` stops the run when the output is
// wrong: 'contract' (the package: the reference's tolerance, DESIGN.md's accuracy contract) or
// 'baseline' (plain JS: BASELINE_TOLERANCE); a peer has none, its error is only reported.

/**
 * Checks each contender's output against the reference and, given a timing config, times it:
 * `{ results: { name: { ...rates, ...compare's error fields } }, skipped: { name: reason } }`.
 * Without `config` (the −Inf cell) only the errors are returned.
 */
export async function evaluate(contenders, { label, set, ref }, config) {
  const results = {};
  const skipped = {};
  for (const contender of contenders) {
    if (contender.skip) {
      skipped[contender.name] = contender.skip;
      continue;
    }
    const prepared = await contender.prepare();
    try {
      const t0 = performance.now();
      const output = await prepared.once();
      const firstMs = performance.now() - t0;
      const checked = compare(output, ref);
      const tolerance = { contract: ref.tolerance, baseline: BASELINE_TOLERANCE[set.dtype] }[contender.guard];
      if (tolerance !== undefined) guard(`${contender.name} ${label}`, tolerance, checked);
      const { byPart, ...error } = checked;
      if (!config) results[contender.name] = error;
      else {
        // A first call longer than the whole budget is the only sample (tfjs-cpu on large shapes).
        const timing = firstMs >= config.budgetMs ? summarize([firstMs / 1e3], 1) : await measure(prepared.run, config);
        results[contender.name] = { ...toRates(timing, set.elements), ...error };
      }
    } finally {
      await prepared.release?.();
    }
  }
  return { results, skipped };
}
