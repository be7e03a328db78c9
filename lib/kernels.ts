import { surface } from './surface.js';
import type { FloatArray, NativeIsa } from './types.js';

/** One fused cross-entropy call over validated inputs (see native/include/softmax_simd/kernels.h). */
export interface CrossEntropyCall {
  logits: FloatArray;
  cols: number;
  /** Class indices (one per row) or soft targets (the logits' type and length). */
  target: Int32Array | FloatArray;
  /** A 32-bit value that marks ignored rows in `target`. */
  ignoreIndex: number;
  weight: FloatArray | null;
  labelSmoothing: number;
  temperature: number;
  lossOut: FloatArray | null;
  gradOut: FloatArray | null;
  /** Factor on every gradient row. */
  gradScale: number;
  /** Extra factor per row, or null. */
  gradRowScale: FloatArray | null;
}

/** One binary cross-entropy call (element-wise, over rows of `cols`), validated. */
export interface BinaryCrossEntropyCall {
  x: FloatArray;
  target: FloatArray;
  cols: number;
  /** Per-element weights (the length of x) or per-class weights (length cols), or null. */
  weight: FloatArray | null;
  /** Per-class weights of the positive term (length cols), or null for 1. */
  posWeight: FloatArray | null;
  lossOut: FloatArray | null;
  gradOut: FloatArray | null;
  /** Factor on every gradient element. */
  gradScale: number;
  /** Extra factor per element, or null. */
  gradElementScale: FloatArray | null;
}

/** The information measures over probability rows (the kernels' ABI numbers them in this order). */
export const measures = surface.measures;
export type Measure = (typeof measures)[number];

/** One information-measure call over validated shapes; the kernel checks the values. */
export interface InformationCall {
  measure: Measure;
  p: FloatArray;
  /** null for the entropy. */
  q: FloatArray | null;
  out: FloatArray;
  cols: number;
  /** Divide each row by its sum first. */
  normalize: boolean;
  /** 1 / ln(base). */
  scale: number;
  /** How far from 1 a row's sum may be (without normalize). */
  tolerance: number;
}

/** The regression losses (the kernels' ABI numbers them in this order). */
export const regressionKinds = surface.regressionKinds;
export type RegressionKind = (typeof regressionKinds)[number];

/** One regression-loss call over validated element pairs. */
export interface RegressionCall {
  /** smoothL1 with beta 0 comes as 'l1'. */
  kind: RegressionKind;
  input: FloatArray;
  target: FloatArray;
  /** delta (huber) or beta (smoothL1, > 0). */
  param: number;
  lossOut: FloatArray | null;
  gradOut: FloatArray | null;
  gradScale: number;
  gradElementScale: FloatArray | null;
}

/** One scoring call (see native/include/softmax_simd/kernels.h, score_args); null skips an output. */
export interface ScoreCall {
  logits: FloatArray;
  cols: number;
  /** One class index per row, each in [0, cols), or null. */
  labels: Int32Array | null;
  predictions: Int32Array | null;
  confidence: FloatArray | null;
  logSumExp: FloatArray | null;
  /** Needs labels. */
  nll: FloatArray | null;
  /** Top-k count, 0 for none. */
  k: number;
  topProbabilities: boolean;
  topIndices: Int32Array | null;
  topValues: FloatArray | null;
}

/** A call over rows that can be split into row ranges and run on several threads. */
export type RowCall =
  | { op: 'softmax' | 'logSoftmax'; x: FloatArray; out: FloatArray; cols: number; temperature: number; allMaskedZero: boolean }
  | { op: 'logSumExp'; x: FloatArray; out: FloatArray; cols: number }
  | { op: 'crossEntropy'; call: CrossEntropyCall }
  | { op: 'score'; call: ScoreCall };

/** The rows of a chunk on the fixed grid both backends use (native/src/node/row_jobs.h). */
export function chunkRows(cols: number): number {
  return Math.max(1, Math.floor(surface.chunkElements / cols));
}

/**
 * Async calls on inputs of at least this many elements use every thread by default; below it,
 * one: with only a few chunks, waking a second thread costs more than it gains (bench/README.md,
 * "Threads and async", has the sweep this comes from).
 */
export const PARALLEL_MIN = 1048576;

/** The number of elements a row call reads (what routing and the threads default go by). */
export function rowCallLength(c: RowCall): number {
  // By `op`, not `'call' in c`: an `in` over the calls' several shapes is slow, and tiny calls feel it.
  return c.op === 'crossEntropy' || c.op === 'score' ? c.call.logits.length : c.x.length;
}

/** The rows and cols of a row call. */
export function rowCallShape(c: RowCall): { rows: number; cols: number } {
  const cols = c.op === 'crossEntropy' || c.op === 'score' ? c.call.cols : c.cols;
  return { rows: rowCallLength(c) / cols, cols };
}

/**
 * The row kernels a backend provides: the native addon (through the loader) and the pure-TS
 * implementation. Arguments are already validated; each call covers a whole batch.
 */
export interface Kernels {
  readonly isa: NativeIsa | 'js';
  sigmoid(x: FloatArray, out: FloatArray): void;
  logSigmoid(x: FloatArray, out: FloatArray): void;
  /** Writes the requested outputs and returns the sum of the element losses. */
  binaryCrossEntropyRows(call: BinaryCrossEntropyCall): number;
  softmaxBackwardRows(y: FloatArray, dy: FloatArray, out: FloatArray, cols: number): void;
  logSoftmaxBackwardRows(y: FloatArray, dy: FloatArray, out: FloatArray, cols: number): void;
  /**
   * Checks every row of p (and q) first: entries finite and ≥ 0, sums within `tolerance` of 1
   * (or > 0 to normalize). Returns the first row that fails, with nothing written; else writes
   * one value per row and returns −1.
   */
  informationRows(call: InformationCall): number;
  /** Writes the requested outputs and returns the sum of the element losses. */
  regression(call: RegressionCall): number;
  /**
   * Runs a row call (softmax, logSoftmax, logSumExp, the fused cross-entropy or scoring) over the fixed chunk grid on `threads` threads and returns its total (the loss
   * or NLL sum; 0 for the others), the chunks' partial totals added in chunk order: the same bits
   * for any number of threads.
   */
  runRows(call: RowCall, threads: number): number;
  /**
   * As runRows, off the main thread; null when `control[0]` was set before the last chunk.
   * `control` is an Int32Array(2): [0] the stop flag, [1] free for the backend's use.
   */
  runRowsAsync(call: RowCall, threads: number, control: Int32Array): Promise<number | null>;
}

/**
 * Kernels that send inputs of at most `smallMax` elements to `small` (the pure-TS kernels) and
 * the rest to `big` (the addon): below that size, crossing into native costs more than the work.
 */
export function routeSmall(big: Kernels, small: Kernels, smallMax: number): Kernels {
  if (smallMax <= 0) return big;
  const pick = (length: number) => (length <= smallMax ? small : big);
  return {
    isa: big.isa,
    sigmoid: (x, out) => pick(x.length).sigmoid(x, out),
    logSigmoid: (x, out) => pick(x.length).logSigmoid(x, out),
    binaryCrossEntropyRows: (call) => pick(call.x.length).binaryCrossEntropyRows(call),
    softmaxBackwardRows: (y, dy, out, cols) => pick(y.length).softmaxBackwardRows(y, dy, out, cols),
    logSoftmaxBackwardRows: (y, dy, out, cols) => pick(y.length).logSoftmaxBackwardRows(y, dy, out, cols),
    informationRows: (call) => pick(call.p.length).informationRows(call),
    regression: (call) => pick(call.input.length).regression(call),
    runRows: (call, threads) => pick(rowCallLength(call)).runRows(call, threads),
    runRowsAsync: (call, threads, control) => pick(rowCallLength(call)).runRowsAsync(call, threads, control),
  };
}
