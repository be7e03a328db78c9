// Concurrency: the package used from 8 worker_threads at once, 200 async calls in flight from one
// thread, aborts mid-flight among calls that must stay exact, and a process or a Worker that ends
// while async work is in flight. Runs on the path the environment picks (native, or
// SOFTMAX_SIMD_BACKEND=js); the Workers and child processes load the built package (dist/).
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as m from '../lib/index.js';
import type { FloatArray } from '../lib/index.js';
import { rng } from './helpers/random.js';

const forcedJs = process.env.SOFTMAX_SIMD_BACKEND === 'js';
const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;

type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;
type Result = number | ArrayLike<number> | { [key: string]: Result | undefined } | undefined;

/** The first difference between two results, bit for bit (NaN equals NaN, −0 differs from +0), or null. */
function bitDifference(got: Result, want: Result, path = 'result'): string | null {
  if (typeof want === 'number' || want === undefined) return Object.is(got, want) ? null : `${path}: ${String(got)} vs ${want}`;
  if (ArrayBuffer.isView(want)) {
    const g = got as ArrayLike<number> & { constructor: unknown }, w = want as ArrayLike<number>;
    if (!ArrayBuffer.isView(got) || g.constructor !== w.constructor || g.length !== w.length) return `${path}: not a ${want.constructor.name}(${w.length})`;
    for (let i = 0; i < w.length; i++) if (!Object.is(g[i], w[i])) return `${path}[${i}]: ${g[i]} vs ${w[i]}`;
    return null;
  }
  const g = got as Record<string, Result>, w = want as Record<string, Result>;
  if (typeof got !== 'object' || got === null || Object.keys(g).sort().join() !== Object.keys(w).sort().join()) return `${path}: keys differ`;
  for (const key of Object.keys(w)) {
    const difference = bitDifference(g[key], w[key], `${path}.${key}`);
    if (difference) return difference;
  }
  return null;
}

const poisoned = <C extends FloatCtor>(T: C, length: number) => new T(length).fill(Number.NaN) as InstanceType<C>;

interface Data {
  T: FloatCtor;
  rows: number;
  cols: number;
  n: number;
  x: FloatArray;
  labels: Int32Array;
  soft: FloatArray;
}

/** Logits uniform in [−10, 10] (with a NaN row and a +Inf row when `special`), labels, soft targets. */
function data(T: FloatCtor, rows: number, cols: number, seed: number, special = false): Data {
  const next = rng(seed), n = rows * cols;
  const x = new T(n);
  for (let i = 0; i < n; i++) x[i] = -10 + 20 * next();
  if (special && rows >= 3) {
    x[cols + (seed % cols)] = Number.NaN;
    x[2 * cols] = Infinity;
  }
  const labels = Int32Array.from({ length: rows }, () => Math.floor(next() * cols));
  const soft = m.softmax(x.map(() => next()) as FloatArray, { cols });
  return { T, rows, cols, n, x, labels, soft };
}

/** A large input (rows of 1024) filled by doubling copies of a seeded pattern: fast to make. */
function large(T: FloatCtor, rows: number, seed: number): Data {
  const cols = 1024, n = rows * cols, x = new T(n), next = rng(seed);
  for (let i = 0; i < 4096; i++) x[i] = -8 + 16 * next();
  for (let have = 4096; have < n; have *= 2) x.copyWithin(have, 0, Math.min(have, n - have));
  const labels = Int32Array.from({ length: rows }, (_, r) => (r * 7919) % cols);
  return { T, rows, cols, n, x, labels, soft: x };
}

type Extra = { threads?: number; signal?: AbortSignal };
type Twin = [name: string, sync: () => Result, async: (o: Extra) => Promise<Result>];

/** The i-th of a family of calls with an async twin over `d`; the async call's outputs are poisoned. */
function twin(i: number, d: Data): Twin {
  const { T, n, rows, cols, x, labels, soft } = d;
  const k = Math.min(1 + (i % 4), cols);
  switch (i % 9) {
    case 0:
      return ['softmax', () => m.softmax(x, { cols, temperature: 0.8 }), (o) => m.softmaxAsync(x, { cols, temperature: 0.8, out: poisoned(T, n), ...o })];
    case 1:
      return ['logSoftmax', () => m.logSoftmax(x, { cols, allMasked: 'zero' }), (o) => m.logSoftmaxAsync(x, { cols, allMasked: 'zero', out: poisoned(T, n), ...o })];
    case 2:
      return ['logSumExp', () => m.logSumExp(x, { cols }), (o) => m.logSumExpAsync(x, { cols, out: poisoned(T, rows), ...o })];
    case 3: {
      const reduction = (['mean', 'sum', 'none'] as const)[i % 3];
      const target = i % 2 ? labels : soft;
      return [
        `crossEntropy ${reduction}`,
        () => m.crossEntropy(x, target, { cols, reduction, labelSmoothing: 0.05 }) as Result,
        (o) => m.crossEntropyAsync(x, target, { cols, reduction, labelSmoothing: 0.05, ...o }) as Promise<Result>,
      ];
    }
    case 4:
      return [
        'crossEntropyWithGrad',
        () => m.crossEntropyWithGrad(x, labels, { cols, reduction: 'sum' }) as unknown as Result,
        (o) => m.crossEntropyWithGradAsync(x, labels, { cols, reduction: 'sum', gradOut: poisoned(T, n), ...o }) as unknown as Promise<Result>,
      ];
    case 5: {
      const probabilities = i % 2 === 0;
      return [
        'topK',
        () => m.topK(x, k, { cols, probabilities }) as unknown as Result,
        (o) => m.topKAsync(x, k, { cols, probabilities, indicesOut: new Int32Array(rows * k).fill(-7), valuesOut: poisoned(T, rows * k), ...o }) as unknown as Promise<Result>,
      ];
    }
    case 6:
      return ['score', () => m.score(x, { cols, labels, topK: k }) as unknown as Result, (o) => m.scoreAsync(x, { cols, labels, topK: k, ...o }) as unknown as Promise<Result>];
    case 7:
      return ['score without labels', () => m.score(x, { cols }) as unknown as Result, (o) => m.scoreAsync(x, { cols, ...o }) as unknown as Promise<Result>];
    default:
      // In place, on a copy of its own.
      return ['softmax in place', () => m.softmax(x, { cols }), (o) => {
        const copy = x.slice();
        return m.softmaxAsync(copy, { cols, out: copy, ...o });
      }];
  }
}

/** The next message from a Worker; rejects on its error or exit. */
function message<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage).off('error', reject).off('exit', onExit);
    };
    const onMessage = (value: T) => {
      done();
      resolve(value);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`the worker exited (code ${code}) before answering`));
    };
    worker.on('message', onMessage).on('error', reject).on('exit', onExit);
  });
}

describe('concurrency', () => {
  it('runs in 8 worker_threads at once, each checking its own results against float64 and its sync twins', async () => {
    const workers = Array.from({ length: 8 }, (_, id) => new Worker(new URL('./stress/worker-calls.js', import.meta.url), {
      // The pure-TS path has no threads to vary, and is slower: less of it.
      workerData: { id, seed: 9000 + id, rounds: 1, elements: forcedJs ? 70_000 : 140_000, threads: forcedJs ? [2] : [1, 2, null] },
    }));
    const exits = workers.map((w) => new Promise<number>((resolve) => w.once('exit', resolve)));
    try {
      // Every worker has loaded the package and made its data before any computes.
      expect(await Promise.all(workers.map((w) => message(w)))).toEqual(Array(8).fill('ready'));
      workers.forEach((w) => w.postMessage('go'));
      const reports = await Promise.all(workers.map((w) => message<{ id: number; backend: object; checks: number; failures: string[] }>(w)));
      reports.forEach((report, id) => {
        expect(report.failures, `worker ${id}`).toEqual([]);
        // 3 checks against the reference, then 8 async twins on each thread setting: all ran.
        expect(report).toEqual({ id, backend: { native: m.backend.native, isa: m.backend.isa }, checks: 3 + 8 * (forcedJs ? 1 : 3), failures: [] });
      });
      // Their work done, the workers end by themselves.
      expect(await Promise.all(exits)).toEqual(Array(8).fill(0));
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }, 30_000);

  it('gives 200 async calls in flight at once the bits of their sync twins', async () => {
    const shapes: [number, number][] = [[1, 3], [7, 17], [64, 100], [33, 1000], [40, 4099], [300, 512], [5, 2 ** 15]];
    const sets = shapes.flatMap(([rows, cols], s) => [
      data(Float32Array, rows, cols, 100 + s, s % 2 === 0),
      data(Float64Array, rows, cols, 200 + s, s % 2 === 1),
    ]);
    const threads = [undefined, 1, 2, 3, 4, 8, 16];
    const calls = Array.from({ length: 200 }, (_, i) => {
      const [name, sync, async] = twin(i, sets[Math.floor(i / 9) % sets.length]);
      const t = threads[i % threads.length];
      return { what: `#${i} ${name} on ${t ?? 'default'} threads`, want: sync(), run: () => async(t === undefined ? {} : { threads: t }) };
    });
    const pending = calls.map((call) => call.run());
    const results = await Promise.all(pending);
    const wrong = results.map((got, i) => bitDifference(got, calls[i].want, calls[i].what)).filter((d) => d !== null);
    expect(wrong).toEqual([]);
  }, 30_000);

  it('aborts calls mid-flight while others run: those reject with their signal\'s reason, the others stay exact', async () => {
    const others = [
      ...Array.from({ length: 12 }, (_, i) => twin(i, data(i % 2 ? Float64Array : Float32Array, 50, 1000, 300 + i, true))),
      ...Array.from({ length: 6 }, (_, i) => twin(i * 2, large(Float64Array, 512, 400 + i))),
    ].map(([name, sync, async], i) => ({ name, want: sync(), run: () => async({ threads: 1 + (i % 3) }) }));
    const big = large(Float32Array, 4096, 7); // 2^22 elements, 64 chunks of the row grid
    let reasons = 0;
    const abortable = () => {
      const controller = new AbortController(), reason = new Error(`stop #${reasons++}`);
      return { signal: controller.signal, abort: () => controller.abort(reason), reason };
    };
    /** How a call settled: 'its reason', 'resolved', or what else it rejected with. */
    const settle = (promise: Promise<unknown>, reason: unknown) =>
      promise.then(() => 'resolved', (error: unknown) => (error === reason ? 'its reason' : `rejected with ${String(error)}`));
    const wants = new Map<string, Result>();
    const want = (name: string, sync: () => Result) => wants.get(name) ?? wants.set(name, sync()).get(name);

    // The others go first, then calls aborted at once (on the native path they may be queued, or
    // running; on the pure-TS path each has done its first slice), then more others. An already
    // aborted signal rejects at once with nothing written.
    const first = others.slice(0, 9).map((call) => call.run());
    const atOnce = [
      ['softmax', () => m.softmax(big.x, { cols: big.cols })],
      ['score', () => m.score(big.x, { cols: big.cols, labels: big.labels, topK: 2 }) as unknown as Result],
      ['crossEntropyWithGrad', () => m.crossEntropyWithGrad(big.x, big.labels, { cols: big.cols }) as unknown as Result],
    ].map(([name, sync], i) => {
      const a = abortable(), out = poisoned(Float32Array, big.n);
      const promise: Promise<unknown> = i === 0
        ? m.softmaxAsync(big.x, { cols: big.cols, out, threads: 2, signal: a.signal })
        : i === 1
          ? m.scoreAsync(big.x, { cols: big.cols, labels: big.labels, topK: 2, signal: a.signal })
          : m.crossEntropyWithGradAsync(big.x, big.labels, { cols: big.cols, gradOut: out, signal: a.signal });
      a.abort();
      return { name: name as string, sync: sync as () => Result, settled: settle(promise, a.reason), result: promise.catch(() => undefined), out };
    });
    const preAborted = abortable();
    preAborted.abort();
    const untouched = poisoned(Float32Array, big.n);
    const rejectedAtOnce = settle(m.softmaxAsync(big.x, { cols: big.cols, out: untouched, signal: preAborted.signal }), preAborted.reason);
    const second = others.slice(9).map((call) => call.run());

    // Mid-flight for certain: one thread, poll until its first row is written, and abort while the
    // middle row is not: more than half the chunks are then still to be taken, and no chunk is taken
    // after the abort. (If the poll comes too late, the call may finish: then it must be exact.)
    // 2^22 float64 values, 64 chunks: some 4 ms of work on one thread natively. The output is
    // made once, so that no allocation (and no GC pause) comes between the call and the poll. On a
    // loaded machine the poll often comes too late (a CI run once caught 1 of 20): up to 60 tries.
    const wide = large(Float64Array, 4096, 11), out = new Float64Array(wide.n);
    let caught = 0;
    for (let attempt = 0; attempt < 60 && caught < 3; attempt++) {
      const a = abortable(), grad = attempt % 2 === 1;
      out.fill(Number.NaN);
      const promise: Promise<unknown> = grad
        ? m.crossEntropyWithGradAsync(wide.x, wide.labels, { cols: wide.cols, gradOut: out, threads: 1, signal: a.signal })
        : m.softmaxAsync(wide.x, { cols: wide.cols, out, threads: 1, signal: a.signal });
      while (Number.isNaN(out[0])) await new Promise((resolve) => setImmediate(resolve));
      const midway = Number.isNaN(out[wide.n / 2]);
      a.abort();
      const settled = await settle(promise, a.reason);
      if (midway) {
        caught++;
        expect(settled, `attempt ${attempt}`).toBe('its reason');
        expect(Number.isNaN(out[wide.n - 1]), `attempt ${attempt}: the last chunk was written`).toBe(true);
      } else if (settled === 'resolved') {
        const sync = grad
          ? () => m.crossEntropyWithGrad(wide.x, wide.labels, { cols: wide.cols }).grad
          : () => m.softmax(wide.x, { cols: wide.cols });
        expect(bitDifference(out, want(grad ? 'wide grad' : 'wide softmax', sync), `attempt ${attempt}`)).toBeNull();
      } else {
        expect(settled, `attempt ${attempt}`).toBe('its reason');
      }
    }
    expect(caught, 'calls caught mid-flight').toBe(3);

    for (const call of atOnce) {
      const settled = await call.settled;
      if (settled === 'resolved') expect(bitDifference((await call.result) as Result, want(call.name, call.sync), call.name)).toBeNull();
      else expect(settled, call.name).toBe('its reason');
    }
    expect(await rejectedAtOnce).toBe('its reason');
    expect(untouched.every(Number.isNaN), 'an already-aborted call wrote to its output').toBe(true);

    const results = await Promise.all([...first, ...second]);
    const wrong = results.map((got, i) => bitDifference(got, others[i].want, others[i].name)).filter((d) => d !== null);
    expect(wrong).toEqual([]);
    // The pool still answers exactly afterwards.
    const after = twin(4, large(Float32Array, 256, 8));
    expect(bitDifference(await after[2]({ threads: 4 }), after[1]())).toBeNull();
  }, 30_000);

  describe('a process or Worker that ends with async work in flight', () => {
    const run = (script: string, flags: string[] = []) => {
      const child = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
      return { status: child.status, signal: child.signal, stderr: child.stderr, stdout: child.stdout, error: child.error };
    };
    // A child's large input: 2^22 float32 values (2^20 on the slower pure-TS path), rows of 1024,
    // made by doubling copies.
    const setup = `
      const cols = 1024, n = 2 ** ${forcedJs ? 20 : 22}, x = new Float32Array(n);
      for (let i = 0; i < 4096; i++) x[i] = Math.sin(i) * 8;
      for (let have = 4096; have < n; have *= 2) x.copyWithin(have, 0, have);
      const labels = Int32Array.from({ length: n / cols }, (_, r) => r % cols);`;

    it.each(['at once', 'on the next turn of the event loop', 'when the first call settles'])('exits cleanly (process.exit(0) %s)', (when) => {
      // Six calls, then a witness that is sure to be still running at the exit: a softmax of 2^24
      // values on one thread (some 25 ms of work natively; 2^22 values, 16 times the others, on the
      // pure-TS path), queued behind the others.
      const child = run(`
        import { backend, softmaxAsync, logSumExpAsync, crossEntropyWithGradAsync, scoreAsync, topKAsync } from ${JSON.stringify(dist)};
        ${setup}
        const wide = new Float32Array(2 ** ${forcedJs ? 22 : 24}), witness = new Float32Array(wide.length).fill(Number.NaN);
        for (let at = 0; at < wide.length; at += n) wide.set(x, at);
        const calls = [
          () => softmaxAsync(x, { cols, threads: 4 }),
          () => crossEntropyWithGradAsync(x, labels, { cols, threads: 2 }),
          () => scoreAsync(x, { cols, labels, topK: 5, threads: 3 }),
          () => logSumExpAsync(x, { cols }),
          () => topKAsync(x, 3, { cols, threads: 2 }),
          () => softmaxAsync(x, { cols, out: new Float32Array(n), threads: 1 }),
          () => softmaxAsync(wide, { cols, out: witness, threads: 1 }),
        ];
        let settled = 0;
        const pending = calls.map((call) => call().then(() => settled++, () => settled++));
        const exit = () => {
          const witnessDone = !Number.isNaN(witness[witness.length - 1]);
          console.log(JSON.stringify({ native: backend.native, started: calls.length, settled, witnessDone }));
          process.exit(0);
        };
        const when = ${JSON.stringify(when)};
        if (when === 'at once') exit();
        else if (when === 'when the first call settles') Promise.race(pending).then(exit);
        else setImmediate(exit);`);
      expect(child.error).toBeUndefined();
      expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
      const report = JSON.parse(child.stdout);
      expect(report.native).toBe(!forcedJs);
      expect(report.witnessDone, 'the witness call was no longer in flight at the exit').toBe(false);
    }, 30_000);

    it('survives Workers terminated (or exiting) with calls in flight, and keeps computing exactly', () => {
      // Each Worker keeps three async calls in flight at all times until it is stopped.
      const worker = `
        import { parentPort, workerData } from 'node:worker_threads';
        import * as m from ${JSON.stringify(dist)};
        ${setup}
        const loop = async (call) => { for (;;) await call(); };
        loop(() => m.softmaxAsync(x, { cols, threads: 2 }));
        loop(() => m.crossEntropyWithGradAsync(x, labels, { cols, threads: 1 }));
        loop(() => m.scoreAsync(x, { cols, labels, topK: 2, threads: 3 }));
        parentPort.postMessage('started');
        if (workerData.exitAfter !== undefined) setTimeout(() => process.exit(0), workerData.exitAfter);`;
      const workerUrl = `data:text/javascript,${encodeURIComponent(worker)}`;
      const child = run(`
        import { once } from 'node:events';
        import { Worker } from 'node:worker_threads';
        import * as m from ${JSON.stringify(dist)};
        ${setup}
        const want = m.softmax(x, { cols });
        const mine = [1, 2, 4].map((threads) => m.softmaxAsync(x, { cols, threads }));
        const exits = [];
        for (const [stop, after] of [['terminate', 0], ['terminate', 3], ['terminate', 20], ['exit', 0], ['exit', 10]]) {
          const w = new Worker(new URL(${JSON.stringify(workerUrl)}), { workerData: { exitAfter: stop === 'exit' ? after : undefined } });
          await once(w, 'message');
          if (stop === 'terminate') {
            await new Promise((resolve) => setTimeout(resolve, after));
            exits.push(await w.terminate());
          } else {
            exits.push((await once(w, 'exit'))[0]);
          }
        }
        const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
        const results = [...(await Promise.all(mine)), await m.softmaxAsync(x, { cols, threads: 3 })];
        const small = m.softmax(new Float64Array([3, 1, -3]));
        console.log(JSON.stringify({ exits, exact: results.map((r) => same(r, want)), small: Array.from(small) }));`,
      // Node 20.20 itself aborts in about 1 run in 25 here, on the pure-TS path too, when a Worker
      // ends while V8 compiles its code on a background thread ("NodePlatform::ForIsolate:
      // Assertion failed: (data.first) != nullptr", from a TurboFan job's allocation); with
      // compilation on the Worker's own thread it does not (0 in 40).
      ['--no-concurrent-recompilation']);
      expect(child.error).toBeUndefined();
      expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
      const report = JSON.parse(child.stdout);
      // terminate() resolves with exit code 1; process.exit(0) inside a Worker ends it with 0.
      expect(report.exits).toEqual([1, 1, 1, 0, 0]);
      expect(report.exact).toEqual([true, true, true, true]);
      expect(report.small[0]).toBeCloseTo(0.8788782427321509, 14);
    }, 30_000);
  });
});
