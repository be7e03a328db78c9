// The library calls the CLI makes, in one place. TEMPORARY: `score` and the async twins
// (`scoreAsync`, `softmaxAsync`, `logSoftmaxAsync`) are being added to the package root; until
// they are there, this module types them locally and stands in for them (the sync functions
// behind a resolved Promise, `score` from logSumExp and a JS loop). When they land, the stand-ins
// go and these names are re-exported from '../index.js'.
import * as root from '../index.js';
import type { FloatArray, IntegerArray } from '../types.js';

export interface ScoreOptions {
  cols: number;
  labels?: IntegerArray;
  topK?: number;
}

export interface AsyncOptions {
  threads?: number;
  signal?: AbortSignal;
}

export interface ScoreResult<T extends FloatArray> {
  predictions: Int32Array;
  confidence: T;
  logSumExp: T;
  nll?: T;
  topK?: { indices: Int32Array; values: T };
  summary: { rows: number; accuracy?: number; meanNll?: number; perplexity?: number };
}

export interface SoftmaxAsyncOptions<T extends FloatArray> extends AsyncOptions {
  cols?: number;
  out?: T;
  temperature?: number;
}

interface AsyncApi {
  score<T extends FloatArray>(logits: T, options: ScoreOptions): ScoreResult<T>;
  scoreAsync<T extends FloatArray>(logits: T, options: ScoreOptions & AsyncOptions): Promise<ScoreResult<T>>;
  softmaxAsync<T extends FloatArray>(x: T, options: SoftmaxAsyncOptions<T>): Promise<T>;
  logSoftmaxAsync<T extends FloatArray>(x: T, options: SoftmaxAsyncOptions<T>): Promise<T>;
}

const api = root as unknown as Partial<AsyncApi>;

export const { backend, softmax, logSoftmax, logSumExp, crossEntropyWithGrad } = root;

/** Whether `score` is the package's own (false while the stand-in below answers). */
export const hasScore = typeof api.score === 'function';

function standInScore<T extends FloatArray>(logits: T, options: ScoreOptions): ScoreResult<T> {
  const { cols, labels, topK: k } = options;
  const rows = logits.length / cols;
  const make = (n: number) => new (logits.constructor as new (n: number) => T)(n);
  const lse = root.logSumExp(logits, { cols });
  const predictions = new Int32Array(rows), confidence = make(rows);
  const nll = labels ? make(rows) : undefined;
  const topK = k ? { indices: new Int32Array(rows * k), values: make(rows * k) } : undefined;
  let correct = 0, nllSum = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let best = -1, max = -Infinity;
    for (let c = 0; c < cols; c++) {
      const v = logits[start + c];
      if (Number.isNaN(v)) {
        best = -1;
        break;
      }
      if (best < 0 || v > max) (best = c), (max = v);
    }
    predictions[r] = best;
    confidence[r] = best < 0 ? NaN : Math.exp(max - lse[r]);
    if (labels && nll) {
      const y = Number(labels[r]);
      nll[r] = lse[r] - logits[start + y];
      nllSum += nll[r];
      if (y === best) correct++;
    }
    if (topK && k) {
      const order = Array.from({ length: cols }, (_, c) => c).sort((a, b) => logits[start + b] - logits[start + a]);
      for (let j = 0; j < k; j++) {
        topK.indices[r * k + j] = order[j];
        topK.values[r * k + j] = Math.exp(logits[start + order[j]] - lse[r]);
      }
    }
  }
  const summary = labels
    ? { rows, accuracy: correct / rows, meanNll: nllSum / rows, perplexity: Math.exp(nllSum / rows) }
    : { rows };
  return { predictions, confidence, logSumExp: lse, nll, topK, summary };
}

/** The package's scoreAsync, or its stand-in. */
export function scoreAsync<T extends FloatArray>(logits: T, options: ScoreOptions & AsyncOptions): Promise<ScoreResult<T>> {
  if (api.scoreAsync) return api.scoreAsync(logits, options);
  const { threads: _threads, signal, ...rest } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve) => setImmediate(resolve)).then(() => standInScore(logits, rest));
}

/** The package's score, or its stand-in. */
export function score<T extends FloatArray>(logits: T, options: ScoreOptions): ScoreResult<T> {
  return api.score ? api.score(logits, options) : standInScore(logits, options);
}

function standInAsync(fn: typeof root.softmax) {
  return <T extends FloatArray>(x: T, options: SoftmaxAsyncOptions<T>): Promise<T> => {
    const { threads: _threads, signal, ...rest } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve) => setImmediate(resolve)).then(() => fn(x, rest));
  };
}

export const softmaxAsync: AsyncApi['softmaxAsync'] = api.softmaxAsync ?? standInAsync(root.softmax);
export const logSoftmaxAsync: AsyncApi['logSoftmaxAsync'] = api.logSoftmaxAsync ?? standInAsync(root.logSoftmax);
