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

/** The information measures over probability rows (the kernels' ABI numbers them 0, 1, 2 in this order). */
export const measures = ['entropy', 'crossEntropyProbs', 'klDivergence'] as const;
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

/** The regression losses (the kernels' ABI numbers them 0 to 4 in this order). */
export const regressionKinds = ['l1', 'l2', 'mse', 'huber', 'smoothL1'] as const;
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

/**
 * The row kernels a backend provides: the native addon (through the loader) and the pure-TS
 * implementation. Arguments are already validated; each call covers a whole batch.
 */
export interface Kernels {
  readonly isa: NativeIsa | 'js';
  softmaxRows(x: FloatArray, out: FloatArray, cols: number, temperature: number, allMaskedZero: boolean): void;
  logSoftmaxRows(x: FloatArray, out: FloatArray, cols: number, temperature: number, allMaskedZero: boolean): void;
  logSumExpRows(x: FloatArray, out: FloatArray, cols: number): void;
  /** Writes the requested outputs and returns the sum of the row losses. */
  crossEntropyRows(call: CrossEntropyCall): number;
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
    softmaxRows: (x, out, cols, t, zero) => pick(x.length).softmaxRows(x, out, cols, t, zero),
    logSoftmaxRows: (x, out, cols, t, zero) => pick(x.length).logSoftmaxRows(x, out, cols, t, zero),
    logSumExpRows: (x, out, cols) => pick(x.length).logSumExpRows(x, out, cols),
    crossEntropyRows: (call) => pick(call.logits.length).crossEntropyRows(call),
    sigmoid: (x, out) => pick(x.length).sigmoid(x, out),
    logSigmoid: (x, out) => pick(x.length).logSigmoid(x, out),
    binaryCrossEntropyRows: (call) => pick(call.x.length).binaryCrossEntropyRows(call),
    softmaxBackwardRows: (y, dy, out, cols) => pick(y.length).softmaxBackwardRows(y, dy, out, cols),
    logSoftmaxBackwardRows: (y, dy, out, cols) => pick(y.length).logSoftmaxBackwardRows(y, dy, out, cols),
    informationRows: (call) => pick(call.p.length).informationRows(call),
    regression: (call) => pick(call.input.length).regression(call),
  };
}
