import { describe, expect, it } from 'vitest';
import { apis, poison } from './helpers/apis.js';
import { labels as randomLabels, rng, uniform } from './helpers/random.js';
import { rowReference } from './helpers/reference.js';
import { dtypes, rowShapes } from './helpers/shapes.js';
import { expectClose, expectLogs, expectLoss, expectProbs, isF32 } from './helpers/tolerance.js';
import type { FloatArray } from '../lib/types.js';

/** The k best indices of a row: by value, then by index (a stable sort, written independently of the heap). */
function bestIndices(x: ArrayLike<number>, start: number, cols: number, k: number): number[] {
  return Array.from({ length: cols }, (_, c) => c)
    .sort((a, b) => x[start + b] - x[start + a] || a - b)
    .slice(0, k);
}

/** Float64 reference of everything score returns. */
function reference(x: FloatArray, cols: number, labels: Int32Array, k: number) {
  const rows = x.length / cols;
  const predictions = new Int32Array(rows), confidence = new Float64Array(rows), lse = new Float64Array(rows);
  const nll = new Float64Array(rows), indices = new Int32Array(rows * k), probs = new Float64Array(rows * k), args = new Float64Array(rows * k);
  let correct = 0, nllSum = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols, row = rowReference(x, start, cols);
    predictions[r] = bestIndices(x, start, cols, 1)[0];
    lse[r] = row.lse;
    confidence[r] = Math.exp(row.max - row.lse);
    nll[r] = row.lse - x[start + labels[r]];
    nllSum += nll[r];
    if (predictions[r] === labels[r]) correct++;
    bestIndices(x, start, cols, k).forEach((c, j) => {
      indices[r * k + j] = c;
      probs[r * k + j] = Math.exp(x[start + c] - row.lse);
      args[r * k + j] = row.max - x[start + c];
    });
  }
  return { predictions, confidence, lse, nll, indices, probs, args, accuracy: correct / rows, meanNll: nllSum / rows };
}

describe.each(apis)('%s', (_name, api) => {
  describe.each(dtypes)('%s', (_dt, type) => {
    // 300 x 1000 spans several chunks of the row grid (65536 elements).
    it.each([...rowShapes, [300, 1000]] as [number, number][])('score matches the float64 reference on %i x %i rows', (rows, cols) => {
      const next = rng(rows * 31 + cols);
      // Whole numbers in [−8, 8): many ties, which must go to the lowest index.
      const x = uniform(type, rows * cols, next, -8, 8).map(Math.round) as FloatArray;
      const y = randomLabels(rows, cols, next);
      const k = Math.min(cols, 5);
      const want = reference(x, cols, y, k);
      const got = api.score(x, { cols, labels: y, topK: k });
      expect(Array.from(got.predictions)).toEqual(Array.from(want.predictions));
      expectProbs(got.confidence, want.confidence, want.confidence.map(() => 0), 'confidence');
      expectLogs(got.logSumExp, want.lse, 'logSumExp');
      expectLogs(got.nll as FloatArray, want.nll, 'nll');
      expect(Array.from(got.topK!.indices)).toEqual(Array.from(want.indices));
      expectProbs(got.topK!.values, want.probs, want.args, 'topK values');
      expect(got.summary.rows).toBe(rows);
      expect(got.summary.accuracy).toBe(want.accuracy);
      expectLoss(got.summary.meanNll!, want.meanNll, isF32(x), 'meanNll');
      expect(got.summary.perplexity).toBe(Math.exp(got.summary.meanNll!));
      // argmax and topK alone agree with score; raw topK values are the logits.
      expect(Array.from(api.argmax(x, { cols }))).toEqual(Array.from(want.predictions));
      const raw = api.topK(x, k, { cols, probabilities: false });
      expect(Array.from(raw.indices)).toEqual(Array.from(want.indices));
      expect(Array.from(raw.values)).toEqual(Array.from(want.indices, (c, i) => x[Math.floor(i / k) * cols + c]));
    });

    it('topK with k = cols sorts whole rows, and writes into the given outputs', () => {
      const cols = 37, rows = 4, x = uniform(type, rows * cols, rng(5)).map((v) => Math.round(v * 2) / 2) as FloatArray;
      const indicesOut = poison(new Int32Array(rows * cols), -7);
      const valuesOut = poison(new type(rows * cols));
      const got = api.topK(x, cols, { cols, indicesOut, valuesOut });
      expect(got.indices).toBe(indicesOut);
      expect(got.values).toBe(valuesOut);
      const want = reference(x, cols, new Int32Array(rows), cols);
      expect(Array.from(indicesOut)).toEqual(Array.from(want.indices));
      expectProbs(valuesOut, want.probs, want.args, 'values');
    });

    it('reproduces the worked example: softmax of [2, 3, 4] as the top 2 of [1, 3, 2]', () => {
      const { indices, values } = api.topK(new type([1, 3, 2]), 2);
      expect(Array.from(indices)).toEqual([1, 2]);
      expectClose(values, [0.665240955775, 0.244728471055], () => (isF32(values) ? 1e-7 : 1e-12), 'values', isF32(values));
    });

    it('gives NaN rows −1, keeps the order of ±Inf, and NaN probabilities where softmax is NaN', () => {
      const inf = Infinity, nan = Number.NaN;
      const x = new type([
        1, nan, 3, 2, // a NaN: no answer
        1, inf, 3, inf, // +Inf: the first one wins; softmax is NaN
        -inf, -inf, -inf, -inf, // all −Inf: index 0; softmax NaN
        -inf, 2, -inf, 2, // −Inf entries: probability 0; the tie goes to index 1
      ]);
      const y = new Int32Array([0, 1, 2, 0]);
      const got = api.score(x, { cols: 4, labels: y, topK: 2 });
      expect(Array.from(got.predictions)).toEqual([-1, 1, 0, 1]);
      expect(Array.from(got.logSumExp.subarray(0, 3))).toEqual([nan, inf, -inf]);
      expectLogs(got.logSumExp.subarray(3), [2 + Math.log(2)], 'logSumExp');
      expect(Array.from(got.confidence.subarray(0, 3))).toEqual([nan, nan, nan]);
      expect(got.confidence[3]).toBe(0.5);
      expect(Array.from(got.nll!)).toEqual([nan, nan, nan, inf]);
      expect(Array.from(got.topK!.indices)).toEqual([-1, -1, 1, 3, 0, 1, 1, 3]);
      expect(Array.from(got.topK!.values)).toEqual([nan, nan, nan, nan, nan, nan, 0.5, 0.5]);
      expect(Array.from(api.topK(x, 2, { cols: 4, probabilities: false }).values)).toEqual([nan, nan, inf, inf, -inf, -inf, 2, 2]);
      expect(Array.from(api.argmax(x, { cols: 4 }))).toEqual([-1, 1, 0, 1]);
      // Every row accounted for; the one row with a finite prediction gives its label probability 0.
      expect(got.summary).toEqual({ rows: 4, nanRows: 1, infiniteRows: 1, maskedRows: 1, accuracy: 0.25, meanNll: inf, perplexity: inf, nllRows: 1 });
    });

    it('takes the mean NLL over the rows with a finite prediction, and counts the others by cause', () => {
      const inf = Infinity, nan = Number.NaN;
      const x = new type([
        0, 1, 2, // finite
        -inf, -inf, -inf, // all −Inf
        0, nan, 1, // a NaN
        2, 0, 0, // finite
        inf, 0, 1, // a +Inf
        -inf, -inf, -inf, // all −Inf
      ]);
      const y = [2, 0, 1, 0, 1, 1];
      const got = api.score(x, { cols: 3, labels: y });
      const nll = (row: number[], label: number) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[label];
      const meanNll = (nll([0, 1, 2], 2) + nll([2, 0, 0], 0)) / 2;
      const { meanNll: gotMean, perplexity, ...counts } = got.summary;
      // Row 1 (all −Inf, label 0) predicts 0 by argmax's convention, which is never counted correct.
      expect(counts).toEqual({ rows: 6, nanRows: 1, infiniteRows: 1, maskedRows: 2, accuracy: 2 / 6, nllRows: 2 });
      expectLoss(gotMean!, meanNll, isF32(x), 'meanNll');
      expect(perplexity).toBe(Math.exp(gotMean!));
      // No row with a prediction: NaN, explained by the counts.
      const none = api.score(new type([-inf, -inf, nan, 0]), { cols: 2, labels: [1, 1] }).summary;
      expect(none).toEqual({ rows: 2, nanRows: 1, infiniteRows: 0, maskedRows: 1, accuracy: 0, meanNll: nan, perplexity: nan, nllRows: 0 });
    });

    it('summarizes an empty batch and a batch without labels', () => {
      const empty = api.score(new type(0), { cols: 3, labels: [] });
      const none = { nanRows: 0, infiniteRows: 0, maskedRows: 0 };
      expect(empty.summary).toEqual({ rows: 0, ...none, accuracy: Number.NaN, meanNll: Number.NaN, perplexity: Number.NaN, nllRows: 0 });
      const plain = api.score(new type([0, 1, 5, 2]), { cols: 2 });
      expect(plain.summary).toEqual({ rows: 2, ...none });
      expect(plain.nll).toBeUndefined();
      expect(plain.topK).toBeUndefined();
      expect(Array.from(plain.predictions)).toEqual([1, 0]);
      expectLogs(plain.logSumExp, [Math.log(1 + Math.E), 5 + Math.log(1 + Math.exp(-3))], 'logSumExp');
    });

    it('takes any integer labels, BigInt64Array included', () => {
      const x = new type([0, 9, 1, 7, 0, 0]);
      for (const labels of [[1, 2], new Uint8Array([1, 2]), new BigInt64Array([1n, 2n])]) {
        expect(api.score(x, { cols: 3, labels }).summary.accuracy).toBe(0.5);
      }
    });
  });
});
