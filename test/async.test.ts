// The async twins against their sync functions: the same bits for any number of threads, both
// backends; aborts; the threads and signal options; the event loop runs while the work does.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { apis } from './helpers/apis.js';
import { labels as randomLabels, rng, uniform } from './helpers/random.js';
import { dtypes } from './helpers/shapes.js';

type Result = number | ArrayLike<number> | { [key: string]: Result | undefined } | undefined;

/** Bit-for-bit equality of numbers (NaN equal to NaN, −0 not equal to +0), arrays and objects of them. */
function expectSameBits(got: Result, want: Result, path = 'result'): void {
  if (typeof want === 'number' || want === undefined) return expect(Object.is(got, want), `${path}: ${got} vs ${want}`).toBe(true);
  if (ArrayBuffer.isView(want)) {
    const g = got as ArrayLike<number>, w = want as ArrayLike<number>;
    expect(g.constructor, path).toBe(w.constructor);
    expect(g.length, `${path}.length`).toBe(w.length);
    for (let i = 0; i < w.length; i++) if (!Object.is(g[i], w[i])) expect.fail(`${path}[${i}]: ${g[i]} vs ${w[i]}`);
    return;
  }
  const w = want as Record<string, Result>, g = got as Record<string, Result>;
  expect(Object.keys(g).sort(), path).toEqual(Object.keys(w).sort());
  for (const key of Object.keys(w)) expectSameBits(g[key], w[key], `${path}.${key}`);
}

describe.each(apis)('%s', (_name, api) => {
  describe.each(dtypes)('%s', (_dt, type) => {
    // 777 x 300: 3.6 chunks of the row grid; NaN and ±Inf rows among them.
    const rows = 777, cols = 300;
    const next = rng(4242);
    const x = uniform(type, rows * cols, next, -30, 30);
    x[5 * cols + 7] = Number.NaN;
    x[400 * cols + 2] = Infinity;
    const y = randomLabels(rows, cols, next);
    const soft = api.softmax(uniform(type, rows * cols, next), { cols });
    type Case = [string, (o: { threads?: number }) => Result, (o: { threads?: number }) => Promise<Result>];
    const cases: Case[] = [
      ['softmax', (o) => api.softmax(x, { cols, temperature: 0.7, ...o }), (o) => api.softmaxAsync(x, { cols, temperature: 0.7, ...o })],
      ['logSoftmax', (o) => api.logSoftmax(x, { cols, ...o }), (o) => api.logSoftmaxAsync(x, { cols, ...o })],
      ['logSumExp', (o) => api.logSumExp(x, { cols, ...o }), (o) => api.logSumExpAsync(x, { cols, ...o })],
      ['crossEntropy mean', (o) => api.crossEntropy(x, y, { cols, ...o }), (o) => api.crossEntropyAsync(x, y, { cols, ...o })],
      ['crossEntropy sum, soft targets', (o) => api.crossEntropy(x, soft, { cols, reduction: 'sum', ...o }), (o) => api.crossEntropyAsync(x, soft, { cols, reduction: 'sum', ...o })],
      ['crossEntropy none', (o) => api.crossEntropy(x, y, { cols, reduction: 'none', ...o }), (o) => api.crossEntropyAsync(x, y, { cols, reduction: 'none', ...o })],
      [
        'crossEntropyWithGrad',
        (o) => api.crossEntropyWithGrad(x, y, { cols, labelSmoothing: 0.1, ...o }) as unknown as Result,
        (o) => api.crossEntropyWithGradAsync(x, y, { cols, labelSmoothing: 0.1, ...o }) as unknown as Promise<Result>,
      ],
      ['topK', (o) => api.topK(x, 3, { cols, ...o }) as unknown as Result, (o) => api.topKAsync(x, 3, { cols, ...o }) as unknown as Promise<Result>],
      [
        'score',
        (o) => api.score(x, { cols, labels: y, topK: 2, ...o }) as unknown as Result,
        (o) => api.scoreAsync(x, { cols, labels: y, topK: 2, ...o }) as unknown as Promise<Result>,
      ],
    ];

    it.each(cases)('%s: async = sync, bit for bit, on 1 to 4 threads', async (_what, sync, async) => {
      const want = sync({});
      for (const threads of [1, 2, 3, 4]) {
        expectSameBits(sync({ threads }), want, `sync, ${threads} threads`);
        expectSameBits(await async({ threads }), want, `async, ${threads} threads`);
      }
      expectSameBits(await async({}), want, 'async, default threads');
    });
  });

  it('rejects at once with the reason of an aborted signal, and writes nothing', async () => {
    const x = new Float32Array([1, 2, 3]), out = new Float32Array(3).fill(7);
    const reason = new Error('stop');
    await expect(api.softmaxAsync(x, { out, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(Array.from(out)).toEqual([7, 7, 7]);
  });

  it('stops between chunks when the signal aborts mid-flight, leaving the last chunk unwritten', async () => {
    // 2^24 elements, 256 chunks: the abort comes microseconds after the call returned its Promise,
    // long before the last chunk (native: about 5 ms of work; pure TS: it yields after ~4 ms).
    const cols = 1024, x = new Float32Array(2 ** 24), out = new Float32Array(x.length).fill(7);
    const controller = new AbortController();
    const pending = api.softmaxAsync(x, { cols, out, signal: controller.signal });
    controller.abort();
    // (The settled value, not the 2^24-element array, goes to the assertion: a failure stays readable.)
    expect(await pending.then(() => 'resolved', (error: unknown) => (error as Error).name)).toBe('AbortError');
    expect(out[out.length - 1]).toBe(7);
  });

  it('lets the event loop run while the work does', async () => {
    const x = new Float64Array(2 ** 23);
    let turns = 0, done = false;
    const spin = () => {
      turns++;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    await api.softmaxAsync(x, { cols: 4096 });
    done = true;
    expect(turns).toBeGreaterThan(0);
  });

  it('rejects arrays on resizable buffers (they could shrink under the call), with nothing written', async () => {
    const Resizable = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer;
    const x = new Float32Array(new Resizable(12, { maxByteLength: 24 }));
    const out = new Float32Array(3).fill(7);
    await expect(api.softmaxAsync(x, { out })).rejects.toThrow(/softmaxAsync: x is on a resizable ArrayBuffer, which could shrink under the running call; use a fixed-length one, or softmax/);
    await expect(api.scoreAsync(new Float32Array(3), { labels: new Int32Array(new Resizable(4, { maxByteLength: 8 })) })).rejects.toThrow(/scoreAsync: labels is on a resizable ArrayBuffer/);
    expect(Array.from(out)).toEqual([7, 7, 7]);
  });

  it('rejects with a TypeError when an array is transferred while the call runs', async () => {
    // The buffer's new owner (`kept`) holds its memory until the call settles; were it freed
    // sooner, the native workers would write freed memory (docs/reliability.md).
    const x = new Float32Array(2 ** 22).fill(1);
    const pending = api.softmaxAsync(x, { cols: 1024, threads: 2 });
    const kept = structuredClone(x.buffer, { transfer: [x.buffer] });
    const settled = await pending.then(() => 'resolved', (error: Error) => `${error.name}: ${error.message}`);
    expect(settled).toBe('TypeError: softmaxAsync: x was detached (transferred) while the call ran, so its result is discarded');
    expect(kept.byteLength).toBe(2 ** 24);
  });

  it('checks threads and signal', async () => {
    const x = new Float32Array(4);
    expect(() => api.softmax(x, { threads: 0 })).toThrow(/softmax: threads must be an integer in \[1, 1024\], got 0/);
    expect(() => api.softmax(x, { threads: 1.5 })).toThrow(RangeError);
    expect(() => api.softmax(x, { threads: '2' as never })).toThrow(TypeError);
    expect(() => api.softmax(x, { signal: new AbortController().signal } as never)).toThrow(/softmax: signal is an option of softmaxAsync only/);
    await expect(api.scoreAsync(x, { threads: 2000 })).rejects.toThrow(/scoreAsync: threads must be an integer in \[1, 1024\], got 2000/);
    await expect(api.topKAsync(x, 1, { signal: {} as never })).rejects.toThrow(/topKAsync: signal must be an AbortSignal, got an object/);
    await expect(api.topKAsync(x, 5)).rejects.toThrow(/topKAsync: k must be an integer in \[1, 4\] \(cols\), got 5/);
  });
});

describe("the library's own threads", () => {
  // libuv's pool, which fs shares, cut to one thread: when async kernels ran there, an fs.stat
  // queued behind a long softmaxAsync settled after it (issue 15, item 12). On the library's own
  // threads, the stat is answered at once. The order of settling is the test, not a time.
  it('a long softmaxAsync never holds up fs on a one-thread libuv pool', async () => {
    const { execFile } = await import('node:child_process');
    const dist = new URL('../dist/index.js', import.meta.url).href;
    const script = `
      const { stat } = await import('node:fs/promises');
      const m = await import(${JSON.stringify(dist)});
      const x = new Float32Array(2 ** 25);
      for (let i = 0; i < x.length; i++) x[i] = (i % 977) / 97;
      const order = [];
      const calls = [1, 2, 3].map(() => m.softmaxAsync(x, { cols: 1024, out: new Float32Array(x.length) }).then(() => order.push('softmax')));
      await stat(${JSON.stringify(fileURLToPath(import.meta.url))}).then(() => order.push('stat'));
      await Promise.all(calls);
      console.log(JSON.stringify(order));`;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, UV_THREADPOOL_SIZE: '1' } }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      );
    });
    expect(JSON.parse(stdout)).toEqual(['stat', 'softmax', 'softmax', 'softmax']);
  }, 60_000);
});
