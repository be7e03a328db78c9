// softmax-simd bench [--quick] [--json]
// A self-contained benchmark that runs from the installed package (bench/ is not shipped): for
// float32 and float64 logits of 1024 x 1000 it times softmax, logSumExp, crossEntropyWithGrad and
// score on the native path (the package root) and the pure-TS path (softmax-simd/js), a plain-JS
// Math.exp loop softmax, and the copy ceiling: TypedArray.prototype.set moving as many bytes as
// the function reads and writes. Each time is the median of several samples after a warm-up.
import * as root from '../index.js';
import * as pure from '../js.js';
import type { FloatArray } from '../types.js';
import { parseCommand } from './args.js';
import type { CommandContext } from './context.js';
import { benchUsage } from './usage.js';

const ROWS = 1024;
const COLS = 1000;

interface Timing {
  /** Median milliseconds per call. */
  ms: number;
  /** Million logits per second. */
  melemPerSec: number;
}

export interface BenchRow {
  op: string;
  dtype: 'float32' | 'float64';
  native: Timing;
  pureTs: Timing;
  plainJs: Timing | null;
  /** TypedArray.prototype.set over the bytes the function reads and writes. */
  copy: Timing;
  nativeOverPureTs: number;
  nativeOverPlainJs: number | null;
  timeOverCopy: number;
}

interface Settings {
  /** Samples per contender; the median is reported. */
  samples: number;
  /** Each sample runs the function enough times to take at least this long. */
  sampleMs: number;
}

/** Median milliseconds per call of `fn`, after a warm-up that also sizes the samples. */
function measure(fn: () => void, { samples, sampleMs }: Settings): number {
  let calls = 0;
  const warm = performance.now();
  do {
    fn();
    calls++;
  } while (performance.now() - warm < sampleMs || calls < 2);
  const perCall = (performance.now() - warm) / calls;
  const inner = Math.max(1, Math.ceil(sampleMs / perCall));
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    times.push((performance.now() - t0) / inner);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** Deterministic logits in [−8, 8) (a 32-bit LCG), never all zero. */
function logits<T extends FloatArray>(type: new (n: number) => T, n: number, seed: number): T {
  const x = new type(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32) * 16 - 8;
  }
  return x;
}

/** The hand-written softmax a user would write: max, Math.exp and a sum per row. */
function plainSoftmax(x: FloatArray, cols: number, out: FloatArray): void {
  for (let start = 0; start < x.length; start += cols) {
    let max = -Infinity;
    for (let c = start; c < start + cols; c++) if (x[c] > max) max = x[c];
    let sum = 0;
    for (let c = start; c < start + cols; c++) {
      const e = Math.exp(x[c] - max);
      out[c] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let c = start; c < start + cols; c++) out[c] *= inv;
  }
}

function runBench(settings: Settings): BenchRow[] {
  const rows: BenchRow[] = [];
  const n = ROWS * COLS;
  const timing = (ms: number): Timing => ({ ms, melemPerSec: n / ms / 1e3 });
  for (const [dtype, type] of [
    ['float32', Float32Array],
    ['float64', Float64Array],
  ] as const) {
    const x = logits<FloatArray>(type, n, 12345);
    const out = new type(n), lse = new type(ROWS);
    const labels = new Int32Array(ROWS).map((_, r) => (r * 7919) % COLS);
    const src = new type(n), dst = new type(n);
    src.set(x);
    // Elements read + written, per function; a copy of m elements reads m and writes m.
    const traffic = { softmax: 2 * n, logSumExp: n + ROWS, crossEntropyWithGrad: 2 * n + ROWS, score: n + 5 * ROWS };
    const ops: [keyof typeof traffic, (api: typeof pure) => () => unknown][] = [
      ['softmax', (api) => () => api.softmax(x, { cols: COLS, out })],
      ['logSumExp', (api) => () => api.logSumExp(x, { cols: COLS, out: lse })],
      ['crossEntropyWithGrad', (api) => () => api.crossEntropyWithGrad(x, labels, { cols: COLS, gradOut: out })],
      ['score', (api) => () => api.score(x, { cols: COLS, labels })],
    ];
    for (const [op, call] of ops) {
      const t = measure(call(root), settings);
      const tPure = measure(call(pure), settings);
      const tPlain = op === 'softmax' ? measure(() => plainSoftmax(x, COLS, out), settings) : null;
      const m = Math.min(n, Math.ceil(traffic[op] / 2));
      const tCopy = measure(() => dst.subarray(0, m).set(src.subarray(0, m)), settings);
      rows.push(row(op, dtype, t, tPure, tPlain, tCopy));
    }
  }
  return rows;

  function row(op: string, dtype: 'float32' | 'float64', t: number, tPure: number, tPlain: number | null, tCopy: number): BenchRow {
    return {
      op,
      dtype,
      native: timing(t),
      pureTs: timing(tPure),
      plainJs: tPlain === null ? null : timing(tPlain),
      copy: timing(tCopy),
      nativeOverPureTs: tPure / t,
      nativeOverPlainJs: tPlain === null ? null : tPlain / t,
      timeOverCopy: t / tCopy,
    };
  }
}

function table(rows: BenchRow[]): string {
  const head = ['op', 'dtype', 'native', 'pure TS', 'plain JS', 'copy', 'native/TS', 'native/JS', 'time/copy'];
  const mel = (t: Timing | null) => (t === null ? '-' : t.melemPerSec.toFixed(0));
  const ratio = (r: number | null) => (r === null ? '-' : `${r.toFixed(r < 10 ? 2 : 1)}x`);
  const body = rows.map((r) => [r.op, r.dtype, mel(r.native), mel(r.pureTs), mel(r.plainJs), mel(r.copy), ratio(r.nativeOverPureTs), ratio(r.nativeOverPlainJs), ratio(r.timeOverCopy)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

export async function benchCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const { values, help } = parseCommand('bench', args, { quick: { type: 'boolean' }, json: { type: 'boolean' } }, []);
  if (help) {
    ctx.stdout.write(benchUsage);
    return 0;
  }
  const settings: Settings = values.quick ? { samples: 3, sampleMs: 8 } : { samples: 7, sampleMs: 40 };
  const { backend } = root;
  const backendText = `backend: ${backend.isa}${backend.native ? ` (native; supported: ${backend.supported.join(', ')})` : ` (pure TypeScript: ${backend.reason ?? ''})`}`;
  if (!values.json) ctx.stdout.write(`softmax-simd bench: ${backendText}\n${ROWS} x ${COLS} logits, Melem/s (median of ${settings.samples}), ratios of times\n`);
  const results = runBench(settings);
  ctx.stdout.write(
    values.json
      ? `${JSON.stringify({ backend, rows: ROWS, cols: COLS, samples: settings.samples, results })}\n`
      : `${table(results)}\n`,
  );
  return 0;
}
