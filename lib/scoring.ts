// argmax, topK and score over one backend's kernels (one scoring row call each), and the async
// twins of topK and score.
import type { Kernels, ScoreCall } from './kernels.js';
import { ScoreTally } from './score-summary.js';
import { asyncTwin, type ParallelDefaults, type Prepared, runKeys, syncTwin } from './parallel.js';
import type {
  ArgmaxOptions,
  AsyncOptions,
  FloatArray,
  ParallelOptions,
  ScoreOptions,
  ScoreResult,
  TopKOptions,
  TopKResult,
} from './types.js';
import * as check from './validate.js';

const argmaxKeys = ['cols', 'out', ...runKeys] as const;
const topKKeys = ['cols', 'probabilities', 'indicesOut', 'valuesOut', ...runKeys] as const;
const scoreKeys = ['cols', 'labels', 'topK', ...runKeys] as const;

export type ArgmaxFn = (x: FloatArray, options?: ArgmaxOptions & ParallelOptions) => Int32Array;
export type TopKFn = <T extends FloatArray>(x: T, k: number, options?: TopKOptions<T> & ParallelOptions) => TopKResult<T>;
export type TopKAsyncFn = <T extends FloatArray>(x: T, k: number, options?: TopKOptions<T> & AsyncOptions) => Promise<TopKResult<T>>;
export type ScoreFn = <T extends FloatArray>(logits: T, options?: ScoreOptions & ParallelOptions) => ScoreResult<T>;
export type ScoreAsyncFn = <T extends FloatArray>(logits: T, options?: ScoreOptions & AsyncOptions) => Promise<ScoreResult<T>>;

/** A scoring row call: the given outputs, every other one absent. */
function scoreCall(logits: FloatArray, cols: number, outputs: Partial<ScoreCall>): { op: 'score'; call: ScoreCall } {
  const none = { labels: null, predictions: null, confidence: null, logSumExp: null, nll: null, k: 0, topProbabilities: false, topIndices: null, topValues: null };
  return { op: 'score', call: { logits, cols, ...none, ...outputs } };
}

function prepareArgmax(fn: string, x: FloatArray, options?: ArgmaxOptions & ParallelOptions): Prepared<Int32Array> {
  const o = check.options(fn, options, argmaxKeys);
  const input = check.floatArray(fn, 'x', x);
  const { rows, cols } = check.shape(fn, 'x', input, o.cols);
  const out = check.int32Out(fn, 'out', o.out, rows, [input]);
  return { call: scoreCall(input, cols, { predictions: out }), options: o, finish: () => out };
}

function prepareTopK<T extends FloatArray>(fn: string, x: T, k: number, options?: TopKOptions<T> & AsyncOptions): Prepared<TopKResult<T>> {
  const o = check.options(fn, options, topKKeys);
  const input = check.floatArray(fn, 'x', x);
  const { rows, cols } = check.shape(fn, 'x', input, o.cols);
  const top = check.count(fn, 'k', k, cols);
  const probabilities = o.probabilities === undefined ? true : check.boolean(fn, 'probabilities', o.probabilities);
  const indices = check.int32Out(fn, 'indicesOut', o.indicesOut, rows * top, [input]);
  const values = check.outArray(fn, 'valuesOut', o.valuesOut, input, rows * top, { alias: [], disjoint: [input, indices] });
  const call = scoreCall(input, cols, { k: top, topProbabilities: probabilities, topIndices: indices, topValues: values });
  return { call, options: o, finish: () => ({ indices, values }) };
}

function prepareScore<T extends FloatArray>(fn: string, logits: T, options?: ScoreOptions & AsyncOptions): Prepared<ScoreResult<T>> {
  const o = check.options(fn, options, scoreKeys);
  const x = check.floatArray(fn, 'logits', logits);
  const { rows, cols } = check.shape(fn, 'logits', x, o.cols);
  const labels = o.labels === undefined ? null : check.classTargets(fn, 'labels', o.labels, rows, cols, null).labels;
  const top = o.topK === undefined ? 0 : check.count(fn, 'topK', o.topK, cols);
  const predictions = new Int32Array(rows), confidence = check.newLike(x, rows), logSumExp = check.newLike(x, rows);
  const nll = labels ? check.newLike(x, rows) : null;
  const topK = top ? { indices: new Int32Array(rows * top), values: check.newLike(x, rows * top) } : null;
  const call = scoreCall(x, cols, {
    labels,
    predictions,
    confidence,
    logSumExp,
    nll,
    k: top,
    topProbabilities: true,
    topIndices: topK && topK.indices,
    topValues: topK && topK.values,
  });
  const finish = (): ScoreResult<T> => {
    const tally = new ScoreTally();
    tally.add(predictions, logSumExp, labels, nll);
    const result: ScoreResult<T> = { predictions, confidence, logSumExp, summary: tally.summary(labels !== null) };
    if (nll) result.nll = nll;
    if (topK) result.topK = topK;
    return result;
  };
  return { call, options: o, finish };
}

export function scoringFunctions(
  k: Kernels,
  defaults: ParallelDefaults,
): { argmax: ArgmaxFn; topK: TopKFn; topKAsync: TopKAsyncFn; score: ScoreFn; scoreAsync: ScoreAsyncFn } {
  return {
    argmax: syncTwin(k, 'argmax', prepareArgmax),
    topK: syncTwin(k, 'topK', prepareTopK),
    topKAsync: asyncTwin(k, defaults, 'topK', prepareTopK),
    score: syncTwin(k, 'score', prepareScore),
    scoreAsync: asyncTwin(k, defaults, 'score', prepareScore),
  };
}
