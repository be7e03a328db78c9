// Section `async` (opt-in: node bench/run.js --only=async): the async twins and the `threads`
// option, float32, in the parent with the package as a user loads it (native auto) and its pure-TS
// path. Four parts:
//   speedup    softmax and score (with labels) at 1024x1000 and 65536x128: sync and async on 1 and 2 threads,
//              and a copy of the same bytes on 1 and 2 worker threads (the memory ceiling);
//   threshold  async on 2 threads against 1 over sizes 2^12..2^23, cols 1000, 128 and 10: from what
//              size a second thread pays, i.e. backend.parallelMin;
//   lag        the event loop's delay while one async softmax of 100M elements runs, against the sync
//              call, which blocks the loop for its whole duration;
//   pure TS    the same for the JS path's async twin (main thread, ~4 ms slices, setTimeout between).
// The timing is not the tables': an async call is timed from the call to its promise settling, one
// call at a time (never two in flight), and the variants of a cell take turns call by call (sample
// by sample in the threshold sweep), so the load of a shared machine falls on all of them alike.
// Medians. Details: bench/README.md, "Threads and async".
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { makeBuffers } from './harness.js';
import { compare, guard, reference } from './reference.js';
import { printTable } from './report.js';

const pow2 = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => 2 ** (from + i));

/** The section's settings (full run, --quick). Elements of the lag jobs: multiples of LAG_COLS. */
const SETTINGS = {
  full: {
    reps: 100, // timed calls per variant and cell (speed-up)
    warmup: 5, // untimed rounds first
    shapes: [
      [1024, 1000],
      [65536, 128],
    ],
    sweepCols: [1000, 128, 10],
    sweepSizes: pow2(12, 23),
    sweepSamples: 15,
    sampleMs: 10, // a threshold sample: one variant's calls for at least this long (async on 1 thread)
    lagElements: 100_000_000,
    lagReps: 9,
    pureElements: 10_000_000,
    pureReps: 5,
  },
  quick: {
    reps: 12,
    warmup: 2,
    shapes: [
      [1024, 1000],
      [65536, 128],
    ],
    sweepCols: [1000, 128],
    sweepSizes: [2 ** 14, 2 ** 17, 2 ** 19, 2 ** 21],
    sweepSamples: 3,
    sampleMs: 4,
    lagElements: 20_000_000,
    lagReps: 2,
    pureElements: 4_000_000,
    pureReps: 2,
  },
};

const DTYPE = 'f32';
const LAG_COLS = 1000;
/** The margin 2 threads must win by (async on 1 thread over async on 2, by the time) to be the default. */
const WIN_SPEEDUP = 1.1;
/** Other processes using more cores than this during a measurement make its speed-ups doubtful (2 cores here). */
const BUSY_CORES = 0.25;
/** monitorEventLoopDelay's timer period (ms): it records the interval between ticks, the lag is the excess. */
const RESOLUTION_MS = 1;

// ---------------------------------------------------------------- measuring

/**
 * The CPU time used while a part runs: by this process (every thread: process.cpuUsage) and by
 * the rest of the machine (/proc/stat's busy time minus ours; Linux only), in cores on average.
 * On a shared 2-core machine, `othersCores` near 1 means a second thread had no core of its own.
 */
function cpuMeter() {
  const busySec = () => {
    try {
      // user nice system idle iowait irq softirq steal (guest time is already in user): USER_HZ 100.
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
      return (f.reduce((a, b) => a + b, 0) - f[3] - f[4]) / 100;
    } catch {
      return undefined;
    }
  };
  const [t0, cpu0, busy0] = [performance.now(), process.cpuUsage(), busySec()];
  return () => {
    const wallSec = (performance.now() - t0) / 1e3;
    const cpu = process.cpuUsage(cpu0);
    const ours = (cpu.user + cpu.system) / 1e6;
    const busy1 = busySec();
    const others = busy0 === undefined || busy1 === undefined ? undefined : Math.max(0, busy1 - busy0 - ours);
    return { wallSec: round(wallSec, 3), oursCores: round(ours / wallSec, 2), othersCores: others === undefined ? null : round(others / wallSec, 2) };
  };
}

const round = (x, digits) => +x.toFixed(digits);

function quantile(sorted, q) {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

/** Median, quartiles, min and max of a list of milliseconds. */
function summary(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { medianMs: quantile(s, 0.5), p25Ms: quantile(s, 0.25), p75Ms: quantile(s, 0.75), minMs: s[0], maxMs: s[s.length - 1], n: s.length };
}

/**
 * Milliseconds from the call to its result (for an async call: to its promise settling), and the
 * cores it kept busy: the process's CPU time (every thread) over that wall time.
 */
async function timeCall(call) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = call();
  if (r instanceof Promise) await r;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cores: (cpu.user + cpu.system) / 1e3 / ms };
}

/**
 * Times `variants` (each `{ name, call(i) }`, i the call's number, for rotating buffers) one call
 * at a time, taking turns: round r starts with variant r mod n, so no variant always follows the
 * same one. `warmup` untimed rounds first. Returns each variant's call times (ms) and cores.
 */
async function taketurns(variants, reps, warmup) {
  const times = variants.map(() => []);
  const cores = variants.map(() => []);
  for (let round = 0; round < warmup + reps; round++) {
    for (let j = 0; j < variants.length; j++) {
      const v = (round + j) % variants.length;
      const t = await timeCall(() => variants[v].call(round));
      if (round >= warmup) {
        times[v].push(t.ms);
        cores[v].push(t.cores);
      }
    }
  }
  return { times, cores };
}

/** Runs call(i) for i in [0, n), one at a time (awaiting each promise); returns the milliseconds and the cores kept busy (see timeCall). */
async function timeBatch(call, n) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = call(i);
    if (r instanceof Promise) await r;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cores: (cpu.user + cpu.system) / 1e3 / ms };
}

// ---------------------------------------------------------------- checking

/** Whether two typed arrays (or null) hold the same bits (NaN equals NaN). */
function sameBits(a, b) {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** What a call returned, as arrays to compare: softmax's out (copied), score's per-row outputs and mean NLL. */
function snapshot(op, result) {
  if (op === 'softmax') return { values: result.slice() };
  return { predictions: result.predictions, confidence: result.confidence, logSumExp: result.logSumExp, nll: result.nll, meanNll: result.summary.meanNll };
}

/** Stops the run unless `got` is the same bits as `want` (the package's promise for any thread count, sync or async). */
function expectSame(what, got, want) {
  for (const key of Object.keys(want)) {
    const same = typeof want[key] === 'number' ? Object.is(got[key], want[key]) : sameBits(got[key], want[key]);
    if (!same) throw new Error(`bench: ${what}: ${key} differs from the sync call on 1 thread (it must be the same bits); not benchmarking it`);
  }
}

/**
 * The sync call on 1 thread against the float64 reference (softmax: the probabilities; score: its
 * log-sum-exp per row and the mean NLL, which is the cross-entropy loss), with the tables' tolerances.
 */
function checkReference(what, op, set, got) {
  if (op === 'softmax') {
    const ref = reference('softmax', set);
    return guard(what, ref.tolerance, compare({ values: got.values }, ref));
  }
  const lse = reference('logSumExp', set);
  const ce = reference('crossEntropy', set);
  const ref = { values: lse.values, floor: lse.floor, loss: ce.loss, lossFloor: ce.lossFloor };
  guard(what, { values: lse.tolerance.values, loss: ce.tolerance.loss }, compare({ values: got.logSumExp, loss: got.meanNll }, ref));
}

// ---------------------------------------------------------------- the calls

/**
 * One op's call as a variant: `sync` or async, on `threads` threads (undefined: the option left
 * out, the default a user gets), over the set's rotating input copies. softmax writes into the
 * set's preallocated outputs; score allocates its per-row outputs as it does for a user.
 */
function variant(lib, op, set, { async, threads }) {
  const { xs, outs, labels, cols } = set;
  const mask = xs.length - 1;
  const run = (o) => (threads === undefined ? o : { ...o, threads });
  const name = `${async ? 'async' : 'sync'} ${threads ?? 'default'}`;
  if (op === 'softmax') {
    const opts = outs.map((out) => run({ cols, out }));
    const f = async ? lib.softmaxAsync : lib.softmax;
    return { name, call: (i) => f(xs[i & mask], opts[i & mask]) };
  }
  const opts = labels.map((l) => run({ cols, labels: l }));
  const f = async ? lib.scoreAsync : lib.score;
  return { name, call: (i) => f(xs[i & mask], opts[i & mask]) };
}

/** Runs each variant once on input copy 0 and stops the run on a wrong output (see checkReference, expectSame). */
async function checkVariants(op, set, variants, label, { withReference }) {
  let want;
  for (const v of variants) {
    set.outs[0].fill(NaN);
    const got = snapshot(op, await v.call(0));
    if (want === undefined) {
      if (withReference) checkReference(`${v.name} ${label}`, op, set, got);
      want = got;
    } else expectSame(`${v.name} ${label}`, got, want);
  }
}

/** The rows of a chunk on the package's fixed grid (dist/kernels.js, loaded with the section). */
let chunkRows;
const chunksOf = (rows, cols) => Math.ceil(rows / chunkRows(cols));

// ---------------------------------------------------------------- part 1: speed-up

const OPS = ['softmax', 'score'];

/** A copy worker: waits on ctl[id], copies src[c][begin, end) to dst[c] as job[3 id ..] says, counts itself done in ctl[2]. */
const COPY_WORKER = `
const { workerData: { src, dst, ctl, job, id } } = require('node:worker_threads');
for (;;) {
  Atomics.wait(ctl, id, 0);
  Atomics.store(ctl, id, 0);
  const [c, begin, end] = job.subarray(3 * id, 3 * id + 3);
  dst[c].set(src[c].subarray(begin, end), begin);
  Atomics.add(ctl, 2, 1);
  Atomics.notify(ctl, 2);
}`;

/**
 * The memory ceiling on 1 and 2 threads: a copy (TypedArray.set) of the shape's bytes, in as many
 * rotated copies as the op's inputs, by 1 or 2 worker threads that sleep until woken through
 * Atomics (as libuv's pool threads are for an async call) while the main thread waits without
 * blocking (Atomics.waitAsync, as it awaits a promise). A softmax reads and writes each element
 * once, as the copy does, so its 2-thread speed-up cannot go much beyond the copy's.
 */
async function copyCeiling(elements, copies, s) {
  const shared = () => Array.from({ length: copies }, () => new Float32Array(new SharedArrayBuffer(elements * 4)).fill(1));
  const [src, dst] = [shared(), shared()];
  const ctl = new Int32Array(new SharedArrayBuffer(12)); // wake flags of workers 0 and 1, then the done count
  const job = new Int32Array(new SharedArrayBuffer(24));
  const workers = [0, 1].map((id) => new Worker(COPY_WORKER, { eval: true, workerData: { src, dst, ctl, job, id } }));
  try {
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('online', resolve).once('error', reject))));
    const copy = async (c, threads) => {
      Atomics.store(ctl, 2, 0);
      for (let id = 0; id < threads; id++) {
        job.set([c, Math.floor((id * elements) / threads), Math.floor(((id + 1) * elements) / threads)], 3 * id);
        Atomics.store(ctl, id, 1);
        Atomics.notify(ctl, id);
      }
      for (let done; (done = Atomics.load(ctl, 2)) < threads; ) await Atomics.waitAsync(ctl, 2, done).value;
    };
    const mask = copies - 1;
    const variants = [1, 2].map((threads) => ({ name: `copy ${threads}`, call: (i) => copy(i & mask, threads) }));
    const { times } = await taketurns(variants, s.reps, s.warmup);
    const stats = Object.fromEntries(variants.map((v, i) => [v.name, summary(times[i])]));
    return { variants: stats, speedup: stats['copy 1'].medianMs / stats['copy 2'].medianMs };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function speedupPart(native, s, seed, progress) {
  const cells = [];
  for (const [rows, cols] of s.shapes) {
    const set = makeBuffers(DTYPE, rows, cols, seed);
    progress(`async speed-up: copy ${rows}x${cols} on 1 and 2 threads`);
    const copy = await copyCeiling(set.elements, set.xs.length, s);
    for (const op of OPS) {
      const label = `${op} ${DTYPE} ${rows}x${cols}`;
      progress(`async speed-up: ${label}`);
      const variants = [
        variant(native, op, set, { async: false }),
        variant(native, op, set, { async: false, threads: 2 }),
        variant(native, op, set, { async: true, threads: 1 }),
        variant(native, op, set, { async: true, threads: 2 }),
      ];
      await checkVariants(op, set, variants, label, { withReference: true });
      const meter = cpuMeter();
      const { times, cores } = await taketurns(variants, s.reps, s.warmup);
      const { othersCores } = meter();
      const medianCores = (list) => quantile([...list].sort((a, b) => a - b), 0.5);
      const stats = Object.fromEntries(variants.map((v, i) => [v.name, { ...summary(times[i]), medianCores: medianCores(cores[i]) }]));
      const base = stats['sync default'].medianMs;
      cells.push({
        op,
        dtype: DTYPE,
        shape: `${rows}x${cols}`,
        rows,
        cols,
        elements: rows * cols,
        chunks: chunksOf(rows, cols),
        inputBuffers: set.xs.length,
        variants: stats,
        speedup: Object.fromEntries(variants.slice(1).map((v) => [v.name, base / stats[v.name].medianMs])),
        copy,
        othersCores,
      });
    }
  }
  return cells;
}

// ---------------------------------------------------------------- part 2: threshold

/**
 * One point of the sweep: sync on 1 thread, async on 1 and on 2 threads, in paired samples (each
 * sample runs the three batches of n calls back to back, the order rotating), n chosen so that a
 * batch of async calls on 1 thread lasts at least sampleMs.
 */
async function thresholdPoint(native, op, set, s) {
  const variants = [
    variant(native, op, set, { async: false, threads: 1 }),
    variant(native, op, set, { async: true, threads: 1 }),
    variant(native, op, set, { async: true, threads: 2 }),
  ];
  await checkVariants(op, set, variants, `${op} ${DTYPE} ${set.rows}x${set.cols}`, { withReference: false });
  let n = 1;
  for (;;) {
    const { ms } = await timeBatch(variants[1].call, n);
    if (ms >= s.sampleMs) break;
    n = Math.max(n + 1, Math.min(n * 10, Math.ceil((n * 1.2 * s.sampleMs) / Math.max(ms, 1e-3))));
  }
  for (const v of variants) await timeBatch(v.call, n); // warm-up round
  const perCall = variants.map(() => []);
  const cores = variants.map(() => []);
  for (let k = 0; k < s.sweepSamples; k++) {
    for (let j = 0; j < variants.length; j++) {
      const v = (k + j) % variants.length;
      const batch = await timeBatch(variants[v].call, n);
      perCall[v].push(batch.ms / n);
      cores[v].push(batch.cores);
    }
  }
  const [sync1, async1, async2] = perCall.map((ms) => summary(ms));
  const paired = perCall[1].map((ms, k) => ms / perCall[2][k]);
  return {
    callsPerSample: n,
    async2Cores: quantile(cores[2].sort((a, b) => a - b), 0.5), // median cores busy during the async calls on 2 threads
    variants: { 'sync 1': sync1, 'async 1': async1, 'async 2': async2 },
    speedup: async1.medianMs / async2.medianMs, // async on 1 thread over async on 2 (by the time): > 1 when the second thread helps
    pairedSpeedups: paired, // the same per sample (the three variants of a sample run back to back)
    winShare: paired.filter((r) => r >= WIN_SPEEDUP).length / paired.length,
  };
}

/**
 * Per swept size, the speed-up of 2 threads (×2) over the op × cols series: the geometric mean
 * and the worst. A size passes when the mean is at least WIN_SPEEDUP and no series is slower on
 * 2 threads (×2 ≥ 1). The recommended parallelMin is the smallest size from which every size
 * passes, up to the largest swept; null when the largest fails. (A rule on each point alone is at
 * the mercy of this machine's noise: one point of one series decides.)
 */
function recommend(points, sizes) {
  const bySize = sizes.map((size) => {
    const at = points.filter((p) => p.size === size);
    const geomeanSpeedup = Math.exp(at.reduce((a, p) => a + Math.log(p.speedup), 0) / at.length);
    const worst = at.reduce((a, p) => (p.speedup < a.speedup ? p : a));
    return {
      size,
      geomeanSpeedup,
      minSpeedup: worst.speedup,
      worst: `${worst.op} cols ${worst.cols}`,
      seriesWinning: at.filter((p) => p.speedup >= WIN_SPEEDUP).length,
      series: at.length,
      pass: geomeanSpeedup >= WIN_SPEEDUP && worst.speedup >= 1,
    };
  });
  let parallelMin = null;
  for (let i = bySize.length - 1; i >= 0 && bySize[i].pass; i--) parallelMin = bySize[i].size;
  return { bySize, parallelMin };
}

async function thresholdPart(native, s, seed, progress) {
  const points = [];
  for (const cols of s.sweepCols) {
    progress(`async threshold: cols ${cols}, ${s.sweepSizes.length} sizes`);
    for (const size of s.sweepSizes) {
      const rows = Math.ceil(size / cols); // at least `size` elements: parallelMin = size covers this point
      const set = makeBuffers(DTYPE, rows, cols, seed);
      for (const op of OPS) {
        const meter = cpuMeter();
        const point = await thresholdPoint(native, op, set, s);
        const { othersCores } = meter();
        points.push({ op, dtype: DTYPE, cols, size, rows, elements: rows * cols, chunks: chunksOf(rows, cols), ...point, othersCores });
      }
    }
  }
  return {
    criterion: `from this size up, at every swept size: 2 threads at least ${WIN_SPEEDUP}x as fast as 1 by the geometric mean over op x cols, and never slower in any`,
    points,
    ...recommend(points, s.sweepSizes),
  };
}

// ---------------------------------------------------------------- parts 3 and 4: event-loop lag

/** `elements` float32 logits (rows of LAG_COLS), the tile of a LAG_COLS × LAG_COLS set repeated, and an output. */
function lagBuffers(tile, elements) {
  const x = new Float32Array(elements);
  const block = tile.xs[0];
  for (let at = 0; at < elements; at += block.length) x.set(block.subarray(0, Math.min(block.length, elements - at)), at);
  return { x, out: new Float32Array(elements).fill(NaN) }; // written once, so first-touch page faults are not timed
}

/** The first and the last tile of a lag job's output against the reference of the tile (both repeat it). */
function checkTiles(what, out, tile, ref) {
  const n = tile.xs[0].length;
  for (const at of [0, out.length - n]) guard(`${what} (elements ${at}..)`, ref.tolerance, compare({ values: out.subarray(at, at + n) }, ref));
}

/**
 * Runs `job` (a function, maybe async) with the event loop's delay monitored at 1 ms resolution:
 * 20 ms of idle loop first (the timer running), the histogram reset, 3 ms more (after a reset the
 * histogram drops its next tick, which would be the one a sync job delays), the job, then 3 ms
 * more (after a sync job the late tick lands there). The lag of a tick is its interval minus the
 * 1 ms period.
 */
async function withLag(histogram, job) {
  histogram.reset();
  histogram.enable();
  await sleep(20);
  histogram.reset();
  await sleep(3);
  const t0 = performance.now();
  const r = job();
  if (r instanceof Promise) await r;
  const ms = performance.now() - t0;
  await sleep(3);
  histogram.disable();
  const lag = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  return { ms, lagMaxMs: lag(histogram.max), lagP99Ms: lag(histogram.percentile(99)), lagMeanMs: lag(histogram.mean), ticks: histogram.count };
}

/** Each job `reps` times, taking turns, with the loop's lag; the medians (and the worst max lag) per job. */
async function lagRows(jobs, reps, elements) {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const runs = jobs.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (let j = 0; j < jobs.length; j++) {
      const v = (r + j) % jobs.length;
      runs[v].push(await withLag(histogram, jobs[v].run));
    }
  }
  const median = (list, key) => quantile(list.map((x) => x[key]).sort((a, b) => a - b), 0.5);
  return jobs.map((job, i) => {
    const list = runs[i];
    const ms = median(list, 'ms');
    return {
      job: job.name,
      threads: job.threads ?? null,
      medianMs: ms,
      melemPerSec: job.idle ? null : elements / ms / 1e3,
      lagMaxMs: median(list, 'lagMaxMs'),
      lagMaxWorstMs: Math.max(...list.map((x) => x.lagMaxMs)),
      lagP99Ms: median(list, 'lagP99Ms'),
      runs: list,
    };
  });
}

async function lagPart(native, b, s, tile, ref, progress) {
  const elements = s.lagElements;
  const cols = LAG_COLS;
  progress(`async lag: softmax ${DTYPE} ${elements / cols}x${cols} (${(elements / 1e6).toFixed(0)}M elements, ${((elements * 8) / 2 ** 20).toFixed(0)} MiB in + out)`);
  const { x, out } = lagBuffers(tile, elements);
  const label = `softmax ${DTYPE} ${elements / cols}x${cols}`;
  native.softmax(x, { cols, out });
  checkTiles(`sync 1 ${label}`, out, tile, ref);
  out.fill(NaN);
  await native.softmaxAsync(x, { cols, out });
  checkTiles(`async default ${label}`, out, tile, ref);
  const jobs = [
    { name: `async, default threads (${elements >= b.parallelMin ? b.threads : 1})`, run: () => native.softmaxAsync(x, { cols, out }) },
    { name: 'async, threads 1', threads: 1, run: () => native.softmaxAsync(x, { cols, out, threads: 1 }) },
    { name: 'sync, threads 1 (default)', threads: 1, run: () => native.softmax(x, { cols, out }) },
    { name: 'sync, threads 2', threads: 2, run: () => native.softmax(x, { cols, out, threads: 2 }) },
  ];
  const rows = await lagRows(jobs, s.lagReps, elements);
  // The idle loop for as long as the async job takes: the timer's own jitter on this machine.
  const [idle] = await lagRows([{ name: 'idle loop (no job)', idle: true, run: () => sleep(Math.round(rows[0].medianMs)) }], s.lagReps, elements);
  return { op: 'softmax', dtype: DTYPE, rows: elements / cols, cols, elements, jobs: [...rows, idle] };
}

async function purePart(pure, native, b, s, tile, ref, progress) {
  const elements = s.pureElements;
  const cols = LAG_COLS;
  progress(`async lag, pure TS: softmax ${DTYPE} ${elements / cols}x${cols}`);
  const { x, out } = lagBuffers(tile, elements);
  const label = `pure TS softmax ${DTYPE} ${elements / cols}x${cols}`;
  pure.softmax(x, { cols, out });
  checkTiles(`sync ${label}`, out, tile, ref);
  out.fill(NaN);
  await pure.softmaxAsync(x, { cols, out });
  checkTiles(`async ${label}`, out, tile, ref);
  const jobs = [
    { name: 'pure TS async', run: () => pure.softmaxAsync(x, { cols, out }) },
    { name: 'pure TS sync', run: () => pure.softmax(x, { cols, out }) },
    ...(native ? [{ name: `native async, default threads (${elements >= b.parallelMin ? b.threads : 1})`, run: () => native.softmaxAsync(x, { cols, out }) }] : []),
  ];
  const rows = await lagRows(jobs, s.pureReps, elements);
  return { op: 'softmax', dtype: DTYPE, rows: elements / cols, cols, elements, jobs: rows, asyncOverSync: rows[0].medianMs / rows[1].medianMs };
}

// ---------------------------------------------------------------- the section

/**
 * Runs the four parts (the first two need the native addon) and returns everything for the JSON
 * file. `ctx.native` is the package's default entry, `ctx.pure` its pure-TS path; `b` its backend.
 */
export async function runAsyncSection(ctx, b, config, machine, progress) {
  const t0 = Date.now();
  ({ chunkRows } = await import(new URL('../dist/kernels.js', import.meta.url).href));
  const s = config.quick ? SETTINGS.quick : SETTINGS.full;
  const native = b.native ? ctx.native : undefined;
  const tile = makeBuffers(DTYPE, LAG_COLS, LAG_COLS, config.seed);
  const ref = reference('softmax', tile);
  const out = { settings: { quick: config.quick, seed: config.seed, ...s, winSpeedup: WIN_SPEEDUP } };
  const load = {};
  const part = async (name, run) => {
    const meter = cpuMeter();
    const result = await run();
    load[name] = meter();
    return result;
  };
  if (native) {
    out.speedup = await part('speedup', () => speedupPart(native, s, config.seed, progress));
    out.threshold = await part('threshold', () => thresholdPart(native, s, config.seed, progress));
    out.lag = await part('lag', () => lagPart(native, b, s, tile, ref, progress));
  }
  out.pureTs = await part('pureTs', () => purePart(ctx.pure, native, b, s, tile, ref, progress));
  return {
    timestamp: new Date(t0).toISOString(),
    durationSec: (Date.now() - t0) / 1e3,
    machine,
    backend: { threads: b.threads, parallelMin: b.parallelMin, uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '(default 4)' },
    load,
    ...out,
  };
}

// ---------------------------------------------------------------- printing

const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const us = (x) => (x * 1e3 >= 100 ? (x * 1e3).toFixed(0) : (x * 1e3).toFixed(1));
const times = (r) => `${r.toFixed(2)}×`;
/** A median with `±N%` when half the interquartile range is at least 5% of it. */
const withSpread = (st, fmt) => {
  const half = ((st.p75Ms - st.p25Ms) / 2 / st.medianMs) * 100;
  return `${fmt(st.medianMs)}${half >= 5 ? ` ±${half.toFixed(0)}%` : ''}`;
};
const cores = (x) => (x == null ? '—' : x.toFixed(2));
const loadNote = (l) => (l?.othersCores == null ? '' : `; other processes used ${l.othersCores.toFixed(2)} cores meanwhile`);

export function printAsync(r) {
  const b = r.backend;
  console.log(
    `\nasync section: backend.threads ${b.threads}, backend.parallelMin ${b.parallelMin}, UV_THREADPOOL_SIZE ${b.uvThreadpoolSize}; ` +
      `${r.settings.reps} calls per variant (speed-up), ${r.settings.sweepSamples} paired samples of >= ${r.settings.sampleMs} ms (threshold)${r.settings.quick ? '; QUICK' : ''}`,
  );
  if (r.speedup) {
    const names = Object.keys(r.speedup[0].variants);
    printTable(
      `async speed-up, ${DTYPE}: ms per call, median (±: half the interquartile range, when >= 5%); async timed from the call to the promise settling, one call at a time${loadNote(r.load.speedup)}`,
      ['op shape', 'chunks', ...names, ...names.slice(1).map((n) => `×${n.replace(' ', '')}`), 'others'],
      r.speedup.map((c) => [
        `${c.op} ${c.shape}`,
        String(c.chunks),
        ...names.map((n) => withSpread(c.variants[n], ms)),
        ...names.slice(1).map((n) => times(c.speedup[n])),
        cores(c.othersCores),
      ]),
    );
    console.log("  ×<variant>: sync default (1 thread) time over that variant's: the speed-up over the plain sync call; others: cores other processes used meanwhile");
    printTable(
      'the memory ceiling: a copy of the same bytes (TypedArray.set, rotated copies as the inputs) by 1 or 2 worker threads woken through Atomics; ms, median',
      ['op shape', 'copy 1', 'copy 2', '×copy2', 'async 2 / copy 2'],
      r.speedup.map((c) => [
        `${c.op} ${c.shape}`,
        withSpread(c.copy.variants['copy 1'], ms),
        withSpread(c.copy.variants['copy 2'], ms),
        times(c.copy.speedup),
        (c.variants['async 2'].medianMs / c.copy.variants['copy 2'].medianMs).toFixed(2),
      ]),
    );
    console.log("  ×copy2: the copy's speed-up on 2 threads, about the most a second thread can give a kernel that runs at copy speed");
    printTable(
      'cores busy during a call: CPU time of the process (all threads) over the wall time, median',
      ['op shape', ...names],
      r.speedup.map((c) => [`${c.op} ${c.shape}`, ...names.map((n) => c.variants[n].medianCores.toFixed(2))]),
    );
  }
  if (r.threshold) {
    const t = r.threshold;
    printTable(
      `async threshold, ${DTYPE}: µs per call, median of paired samples; ×2: async 1 thread over async 2 threads${loadNote(r.load.threshold)}`,
      ['op', 'cols', 'size', 'rows', 'chunks', 'sync 1', 'async 1', 'async 2', '×2', `≥${WIN_SPEEDUP}`, 'cores', 'others'],
      t.points.map((p) => [
        p.op,
        String(p.cols),
        `2^${Math.log2(p.size)}`,
        String(p.rows),
        String(p.chunks),
        us(p.variants['sync 1'].medianMs),
        us(p.variants['async 1'].medianMs),
        us(p.variants['async 2'].medianMs),
        times(p.speedup),
        `${Math.round(p.winShare * p.pairedSpeedups.length)}/${p.pairedSpeedups.length}`,
        p.async2Cores.toFixed(2),
        cores(p.othersCores),
      ]),
    );
    console.log(
      `  ≥${WIN_SPEEDUP}: paired samples where async on 2 threads was at least ${WIN_SPEEDUP}x as fast as on 1; chunks: of the fixed grid (1 chunk: 1 worker); ` +
        'cores: CPU time over wall time during the async calls on 2 threads (median); others: cores other processes used meanwhile',
    );
    printTable(
      `async threshold by size: ×2 over the ${t.bySize[0].series} op × cols series`,
      ['size', 'elements', 'geomean ×2', 'min ×2', 'worst', `series ≥${WIN_SPEEDUP}`, 'pass'],
      t.bySize.map((z) => [`2^${Math.log2(z.size)}`, String(z.size), times(z.geomeanSpeedup), times(z.minSpeedup), z.worst, `${z.seriesWinning}/${z.series}`, z.pass ? 'yes' : 'no']),
    );
    console.log(`  rule: ${t.criterion}`);
    const busy = t.points.filter((p) => p.othersCores > BUSY_CORES).length;
    console.log(`  recommended parallelMin: ${t.parallelMin ?? 'none (the largest size did not pass)'} (current ${b.parallelMin})`);
    if (busy) console.log(`  ${busy} of ${t.points.length} points ran while other processes used > ${BUSY_CORES} cores: rerun on a quiet machine before trusting this`);
  }
  const lagTable = (title, part, load) =>
    printTable(
      `${title}${loadNote(load)}`,
      ['job', 'ms', 'Melem/s', 'lag max', 'worst max', 'lag p99'],
      part.jobs.map((j) => [j.job, ms(j.medianMs), j.melemPerSec == null ? '—' : j.melemPerSec.toFixed(0), ms(j.lagMaxMs), ms(j.lagMaxWorstMs), ms(j.lagP99Ms)]),
    );
  if (r.lag) {
    lagTable(
      `event-loop lag during one softmax ${DTYPE} ${r.lag.rows}x${r.lag.cols} (${r.lag.elements / 1e6}M elements): ms, medians over ${r.settings.lagReps} runs; lag = a 1 ms timer tick's interval − 1 ms (monitorEventLoopDelay)`,
      r.lag,
      r.load.lag,
    );
  }
  lagTable(
    `pure TS path: softmax ${DTYPE} ${r.pureTs.rows}x${r.pureTs.cols} (${r.pureTs.elements / 1e6}M elements), medians over ${r.settings.pureReps} runs; async / sync time ${times(r.pureTs.asyncOverSync)}`,
    r.pureTs,
    r.load.pureTs,
  );
  const busy = Object.entries(r.load).filter(([, l]) => l.othersCores > BUSY_CORES);
  if (busy.length) {
    console.log(
      `\nwarning: other processes used ${busy.map(([k, l]) => `${l.othersCores.toFixed(2)} cores during ${k}`).join(', ')}: ` +
        'on this machine a second thread then has no core of its own, and the speed-ups say little',
    );
  }
}
