/** The element types every function accepts; results have the input's type. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Class-index targets: any integer typed array, a BigInt64Array / BigUint64Array (ONNX Runtime's
 * int64 labels) or an array of numbers. Every value must be an integer.
 */
export type IntegerArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | readonly number[];

/** What softmax / logSoftmax give a row whose entries are all −Inf: NaN (PyTorch) or 0 / −Inf. */
export type AllMasked = 'nan' | 'zero';

/** How per-row losses are combined. */
export type Reduction = 'none' | 'mean' | 'sum';

export interface SoftmaxOptions<T extends FloatArray = FloatArray> {
  /** Entries per row (the class axis); defaults to the whole array as one row. */
  cols?: number;
  /** Where to write the result (same type and length as the input; may be the input itself). */
  out?: T;
  /**
   * Divides the logits first: softmax(x / temperature), computed as (x − max x) / temperature, so
   * a tiny temperature gives the limit (one-hot at the max, ties shared). Finite and ≥ 5.6e-309
   * (1/temperature finite); default 1.
   */
  temperature?: number;
  /** Result for a row of all −Inf: `'nan'` (default, PyTorch) or `'zero'` (0, log-space −Inf). */
  allMasked?: AllMasked;
}

export interface LogSumExpOptions<T extends FloatArray = FloatArray> {
  /** Entries per row; defaults to the whole array as one row. */
  cols?: number;
  /** Where to write the one value per row (same type as the input, length = rows). */
  out?: T;
}

export interface CrossEntropyOptions {
  /** Classes per row; defaults to the whole array as one row. */
  cols?: number;
  /** Per-class weights, length `cols` (converted to the logits' type). */
  weight?: FloatArray | readonly number[];
  /** Rows whose class-index target equals this have loss 0 and gradient 0. Default −100. */
  ignoreIndex?: number;
  /** `'mean'` (default), `'sum'`, or `'none'` for one loss per row. */
  reduction?: Reduction;
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C. Default 0. */
  labelSmoothing?: number;
  /** Divides the logits first; the gradient includes the 1/T. Finite and ≥ 5.6e-309 (1/T finite); default 1. */
  temperature?: number;
}

export interface CrossEntropyLossOptions<T extends FloatArray = FloatArray>
  extends CrossEntropyOptions {
  /** With `reduction: 'none'`: where to write the per-row losses (length = rows). */
  out?: T;
}

export interface CrossEntropyWithGradOptions<T extends FloatArray = FloatArray>
  extends CrossEntropyOptions {
  /** Where to write d loss / d logits (same type and length as the logits; may be the logits). */
  gradOut?: T;
}

export interface CrossEntropyBackwardOptions<T extends FloatArray = FloatArray>
  extends CrossEntropyOptions {
  /**
   * The upstream gradient d L / d loss: a number (default 1), or with `reduction: 'none'` one
   * value per row.
   */
  gradOutput?: number | FloatArray | readonly number[];
  /** Where to write the gradient (same type and length as the logits; may be the logits). */
  out?: T;
}

export interface NllLossOptions<T extends FloatArray = FloatArray> {
  /** Classes per row; defaults to the whole array as one row. */
  cols?: number;
  /** Per-class weights, length `cols`. */
  weight?: FloatArray | readonly number[];
  /** Rows whose target equals this have loss 0. Default −100. */
  ignoreIndex?: number;
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** With `reduction: 'none'`: where to write the per-row losses (length = rows). */
  out?: T;
}

export interface InformationOptions<T extends FloatArray = FloatArray> {
  /** Entries per row; defaults to the whole array as one row. */
  cols?: number;
  /** The logarithm's base: a finite number > 0 other than 1; default e (nats). 2 gives bits. */
  base?: number;
  /**
   * Divide each row by its sum first (as SciPy does). Without it, entries must be ≥ 0 and each
   * row must sum to 1 within 1e-3 (float32) or 1e-9 (float64).
   */
  normalize?: boolean;
  /** Where to write the one value per row (same type as the input, length = rows). */
  out?: T;
}

export interface ElementwiseOptions<T extends FloatArray = FloatArray> {
  /** Where to write the result (same type and length as the input; may be an input itself). */
  out?: T;
}

export interface RowsOptions<T extends FloatArray = FloatArray> extends ElementwiseOptions<T> {
  /** Entries per row; defaults to the whole array as one row. */
  cols?: number;
}

export interface BinaryCrossEntropyOptions {
  /** Entries per row, for per-class `weight` and `posWeight`; defaults to the whole array. */
  cols?: number;
  /** Weights of the length of x (per element) or of `cols` (per class, repeated over rows). */
  weight?: FloatArray | readonly number[];
  /** The positive term's weight: a number, or one per class (length `cols`). Default 1. */
  posWeight?: number | FloatArray | readonly number[];
  /** `'mean'` (default, over every element), `'sum'`, or `'none'` for one loss per element. */
  reduction?: Reduction;
}

export interface BinaryCrossEntropyLossOptions<T extends FloatArray = FloatArray> extends BinaryCrossEntropyOptions {
  /** With `reduction: 'none'`: where to write the element losses (length of x). */
  out?: T;
}

/** The upstream gradient and the output of a `…Backward` function. */
export interface BackwardOptions<T extends FloatArray = FloatArray> {
  /**
   * d L / d loss: a number (default 1), or with `reduction: 'none'` one value per loss element.
   */
  gradOutput?: number | FloatArray | readonly number[];
  /** Where to write the gradient (same type and length as the first argument; may be an input). */
  out?: T;
}

export interface BinaryCrossEntropyBackwardOptions<T extends FloatArray = FloatArray>
  extends BinaryCrossEntropyOptions,
    BackwardOptions<T> {}

export interface RegressionOptions {
  /** `'mean'` (default), `'sum'`, or `'none'` for one loss per element. */
  reduction?: Reduction;
}

export interface HuberOptions extends RegressionOptions {
  /** Where the loss turns from quadratic to linear: finite and > 0; default 1. */
  delta?: number;
}

export interface SmoothL1Options extends RegressionOptions {
  /** Where the loss turns from quadratic to linear: finite and ≥ 0; default 1 (0 gives L1). */
  beta?: number;
}

/** The result of {@link crossEntropyWithGrad}. */
export interface LossAndGrad<T extends FloatArray, L extends number | T> {
  loss: L;
  grad: T;
}

/** How an `…Async` function (and, with `threads`, its sync twin) runs. */
export interface ParallelOptions {
  /**
   * Threads to split the rows over (an integer in [1, 1024]). Async: the library's own threads
   * (never libuv's pool), at most {@link Backend.threads}; by default all of them for inputs of
   * `backend.parallelMin` elements or more, else 1. Sync default: 1. The result is the same, bit
   * for bit, for any number of threads.
   */
  threads?: number;
}

/**
 * An AbortSignal, as far as its type goes: declared here so that these declarations need neither
 * the DOM lib nor @types/node. Any real AbortSignal fits; the call checks that it is one.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * How an `…Async` function runs. Its result array, unless `out` gives one, is allocated on the JS
 * thread before the work starts: pass `out` (reused) in hot loops over large inputs.
 */
export interface AsyncOptions extends ParallelOptions {
  /** Stops the work between chunks of rows; the Promise then rejects with `signal.reason`. */
  signal?: AbortSignalLike;
}

export interface ArgmaxOptions {
  /** Entries per row; defaults to the whole array as one row. */
  cols?: number;
  /** Where to write the one index per row (an Int32Array of length rows). */
  out?: Int32Array;
}

export interface TopKOptions<T extends FloatArray = FloatArray> {
  /** Entries per row; defaults to the whole array as one row. */
  cols?: number;
  /** `values` are softmax probabilities (default) or, with false, the logits themselves. */
  probabilities?: boolean;
  /** Where to write the indices (an Int32Array of length rows × k). */
  indicesOut?: Int32Array;
  /** Where to write the values (the input's type, length rows × k). */
  valuesOut?: T;
}

/** The k best classes of each row, row-major (rows × k), best first. */
export interface TopKResult<T extends FloatArray> {
  indices: Int32Array;
  values: T;
}

export interface ScoreOptions {
  /** Classes per row; defaults to the whole array as one row. */
  cols?: number;
  /** One class index per row, each in [0, cols): adds `nll` and the summary's accuracy, meanNll, perplexity. */
  labels?: IntegerArray;
  /** Also return the top k classes of each row with their probabilities (1 ≤ k ≤ cols). */
  topK?: number;
}

/** What {@link score} returns: one entry per row, and a summary of the batch. */
export interface ScoreResult<T extends FloatArray> {
  /** The argmax of each row (lowest index on ties; −1 for a row with a NaN). */
  predictions: Int32Array;
  /** The largest probability of each row, 1 / Σ exp(x − max). */
  confidence: T;
  /** The log-sum-exp of each row. */
  logSumExp: T;
  /** With labels: −log softmax(x)[label] of each row. */
  nll?: T;
  /** With `topK`: the k best classes of each row and their probabilities. */
  topK?: TopKResult<T>;
  summary: ScoreSummary;
}

export interface ScoreSummary {
  rows: number;
  /**
   * Rows with no finite prediction, by cause (their log-sum-exp says which): a NaN logit
   * (prediction −1, log-sum-exp NaN), a +Inf logit (log-sum-exp +Inf), every logit −Inf
   * (log-sum-exp −Inf). Their NLL is NaN and they are left out of `meanNll`.
   */
  nanRows: number;
  infiniteRows: number;
  maskedRows: number;
  /** With labels: the share of all rows whose prediction is the label (a row of all −Inf never is). */
  accuracy?: number;
  /**
   * With labels: the mean of nll over the `nllRows` rows that have a finite prediction; +Inf
   * if one of them gives its label probability 0 (a −Inf logit); NaN when no row has one.
   */
  meanNll?: number;
  /** With labels: exp(meanNll). */
  perplexity?: number;
  /** With labels: the rows `meanNll` averages: rows − nanRows − infiniteRows − maskedRows. */
  nllRows?: number;
}

/** A native kernel set: SIMD (AVX2 + FMA, AVX-512F, NEON) or the scalar C++ reference. */
export type NativeIsa = 'avx512' | 'avx2' | 'neon' | 'scalar';

/** Which implementation answers calls. */
export interface Backend {
  /** True when the native addon loaded. */
  readonly native: boolean;
  /** The kernels in use: a SIMD ISA, `'scalar'` C++, or `'js'` (pure TypeScript). */
  readonly isa: NativeIsa | 'js';
  /** The native ISAs this machine and build support, best last (empty on the pure-TS path). */
  readonly supported: readonly NativeIsa[];
  /**
   * Inputs of at most this many elements take the pure-TS kernels even on the native path (where
   * crossing into native costs more than the work); 0 on the pure-TS path or when disabled with
   * SOFTMAX_SIMD_SMALL_MAX=0.
   */
  readonly smallMax: number;
  /**
   * The library's threads for async calls, which a large input uses by default: the cores this
   * process may use, or SOFTMAX_SIMD_THREADS. They are the library's own, started on first use;
   * libuv's pool (fs, dns, zlib, crypto) runs none of the work. 1 on the pure-TS path (its async
   * calls run on the main thread, in chunks, yielding between them).
   */
  readonly threads: number;
  /** Inputs of this many elements or more are split over `threads` by default in async calls. */
  readonly parallelMin: number;
  /** Why the pure-TS path is in use, when it is (absent on the native path). */
  readonly reason?: string;
}
