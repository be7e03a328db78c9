// Measurement machinery shared by the parent and the child processes: deterministic inputs, the
// timing loop (calibrate, warm up, sample, median) and the correctness guard.
import { performance } from 'node:perf_hooks';

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
function mixSeed(...parts) {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** Inputs smaller than this rotate between ROTATION buffers, so no call sees only one hot buffer. */
export const ROTATE_BELOW_BYTES = 16 * 2 ** 20;
export const ROTATION = 4; // a power of two: the timing loops pick a buffer with `i & mask`

export const ARRAY_TYPES = { f32: Float32Array, f64: Float64Array };

/**
 * The buffers of one (dtype, shape): `count` input sets of logits uniform in [−8, 8) and labels
 * uniform in [0, cols), each with its own preallocated outputs, so allocation is never timed.
 */
export function makeBuffers(dtype, rows, cols, seed) {
  const Type = ARRAY_TYPES[dtype];
  const elements = rows * cols;
  const count = elements * Type.BYTES_PER_ELEMENT < ROTATE_BELOW_BYTES ? ROTATION : 1;
  const xs = [];
  const labels = [];
  for (let b = 0; b < count; b++) {
    const next = prng(mixSeed(seed, rows, cols, b));
    const x = new Type(elements);
    for (let i = 0; i < elements; i++) x[i] = 16 * next() - 8;
    const y = new Int32Array(rows);
    for (let r = 0; r < rows; r++) y[r] = Math.floor(next() * cols);
    if (!x.some((v) => v !== 0)) throw new Error('bench: the PRNG produced an all-zero input');
    xs.push(x);
    labels.push(y);
  }
  return {
    dtype,
    rows,
    cols,
    elements,
    bytes: elements * Type.BYTES_PER_ELEMENT,
    xs,
    labels,
    // Written once here, so the page faults of a first touch are never timed.
    outs: xs.map(() => new Type(elements).fill(NaN)), // softmax / logSoftmax out, gradOut, copy destination
    sums: xs.map(() => new Type(rows).fill(NaN)), // logSumExp out
  };
}

// ---------------------------------------------------------------- timing

/** Results of timed code go here so the JIT cannot drop the work as dead. */
export let blackhole = 0;

/** Milliseconds taken by run(calls); run performs `calls` operations and returns any number. */
function timeCalls(run, calls) {
  const t0 = performance.now();
  const r = run(calls);
  const ms = performance.now() - t0;
  if (typeof r === 'number') blackhole += r;
  return ms;
}

/** Grows the call count until one batch takes at least sampleMs; returns it and that batch's time. */
function calibrate(run, calls, sampleMs) {
  for (;;) {
    const ms = timeCalls(run, calls);
    if (ms >= sampleMs) return { calls, ms };
    const guess = Math.ceil((calls * 1.2 * sampleMs) / Math.max(ms, 1e-3));
    calls = Math.max(calls + 1, Math.min(calls * 10, guess));
  }
}

/**
 * Times run(calls) in `samples` batches of at least sampleMs each and returns seconds per call
 * (median, min, max). Calibrates again after the warm-up when its batches got shorter than
 * sampleMs: the first calibration runs unoptimized code and picks too few calls for the optimized one.
 * Warm-up and calibration together last at least warmupMs.
 */
export function measure(run, { samples, sampleMs, warmupMs }) {
  const start = performance.now();
  let { calls, ms: last } = calibrate(run, 1, sampleMs);
  // Warm-up: the calibration counts; a long call (a large shape) needs no more.
  while (performance.now() - start < warmupMs) last = timeCalls(run, calls);
  if (last < sampleMs) calls = calibrate(run, calls, sampleMs).calls;
  const perCall = [];
  for (let s = 0; s < samples; s++) perCall.push(timeCalls(run, calls) / calls / 1e3);
  perCall.sort((a, b) => a - b);
  const mid = perCall.length >> 1;
  const median = perCall.length % 2 ? perCall[mid] : (perCall[mid - 1] + perCall[mid]) / 2;
  return { median, min: perCall[0], max: perCall[perCall.length - 1], callsPerSample: calls, samples };
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

// ---------------------------------------------------------------- correctness guard

/** Largest tolerated difference: relative, or absolute below `floor` (see check). */
export const TOLERANCE = { f32: 1e-4, f64: 1e-9 };

/**
 * Largest |got − want| / max(|want|, floor) over the arrays; NaN where exactly one side is NaN
 * counts as Infinity. floor 0 makes it purely relative (probabilities); floor 1 makes large
 * log-values relative and small ones absolute.
 */
export function maxDifference(got, want, floor) {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const b = want[i];
    if (a === b) continue;
    const d = Math.abs(a - b) / Math.max(Math.abs(b), floor, Number.MIN_VALUE);
    if (!(d <= worst)) worst = d !== d ? Infinity : d;
  }
  return worst;
}

/** Throws a clear error when a contender's output is not the reference's (never time a broken kernel). */
export function check(what, dtype, got, want) {
  const tolerance = TOLERANCE[dtype];
  for (const [name, g, w, floor] of [
    ['values', got.values, want.values, want.floor],
    ['loss', [got.loss], [want.loss], 1],
  ]) {
    if (w[0] === undefined) continue;
    const diff = maxDifference(g, w, floor);
    if (!(diff < tolerance)) {
      throw new Error(
        `bench: ${what} disagrees with the pure-TS reference: max difference in ${name} is ${diff} ` +
          `(tolerance ${tolerance}); not benchmarking a broken kernel`,
      );
    }
  }
}
