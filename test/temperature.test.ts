// Extreme temperatures (issue 15, item 2). Every path divides x − max by T, so where x / T or 1/T
// would overflow the result is the limit as T → 0⁺: one-hot of the row's max, ties shared, losses
// +Inf where the label is not a max. Temperatures whose 1/T is not finite (below 5.6e-309) are a
// RangeError on every path.
import { describe, expect, it } from 'vitest';
import { apis } from './helpers/apis.js';
import { coefficients, crossEntropyRow, pairwiseSum } from './helpers/reference.js';
import { expectClose, expectLogs, logBound, probBound } from './helpers/tolerance.js';
import { dtypes } from './helpers/shapes.js';
import { rng, uniform } from './helpers/random.js';

// Below float32's normal range, below its subnormals, near double's limit, and huge.
const temperatures = [5.6e-309, 1e-300, 1e-46, 1e-40, 3e-39, 1e-30, 1e30, 1e39, 1e300];
const cols = 37;

describe.each(apis)('%s', (_name, api) => {
  describe.each(dtypes)('%s', (dt, type) => {
    const f32 = dt === 'f32';
    // Row 0: a unique max; row 1: two tied maxima and a near tie; row 2: all equal.
    const x = uniform(type, 3 * cols, rng(2), -4, 4);
    x[3] = 5;
    x[cols + 5] = x[cols + 30] = 6;
    x[cols + 6] = f32 ? Math.fround(6 - 2 ** -20) : 6 - 2 ** -50;
    x.fill(1.5, 2 * cols);
    const weight = uniform(type, cols, rng(3), 0.5, 10);
    const labels = [3, 6, 0];
    const soft = api.softmax(uniform(type, 3 * cols, rng(4), -1, 1), { cols });

    it.each(temperatures)('softmax, logSoftmax and cross-entropy at temperature %d', (t) => {
      const where = `${dt} T ${t}`;
      for (let r = 0; r < 3; r++) {
        const start = r * cols;
        const row = x.subarray(start, start + cols);
        // log p_c = (x_c − m)/t − log Σ exp((x − m)/t), in double.
        const m = Math.max(...row);
        const logSum = Math.log(pairwiseSum((c) => Math.exp((row[c] - m) / t), 0, cols));
        const logp = Array.from(row, (v) => (v - m) / t - logSum);
        const p = logp.map(Math.exp);
        expectClose(api.softmax(row, { temperature: t }), p, (c) => probBound(f32, 0) * p[c], `softmax ${where} row ${r}`, f32);
        const gotLog = api.logSoftmax(row, { temperature: t });
        expectClose(gotLog, logp, (c) => logBound(f32, logp[c]), `logSoftmax ${where} row ${r}`, f32);
        expect(gotLog.every((v) => v <= 0 && !Number.isNaN(v)), `logSoftmax ${where} row ${r}: no NaN`).toBe(true);
      }
      for (const [what, target, q] of [
        ['labels, weights, smoothing', labels, (r: number) => coefficients(cols, 0.1, weight, labels[r], null, r * cols)],
        ['soft targets, weights', soft, (r: number) => coefficients(cols, 0, weight, null, soft, r * cols)],
      ] as const) {
        const got = api.crossEntropyWithGrad(x, target, { cols, weight, labelSmoothing: what.startsWith('labels') ? 0.1 : 0, temperature: t, reduction: 'sum' });
        let loss = 0;
        for (let r = 0; r < 3; r++) {
          const ref = crossEntropyRow(x, r * cols, cols, t, q(r));
          loss += ref.loss;
          const g = got.grad.subarray(r * cols, (r + 1) * cols);
          expect(Array.from(g).some(Number.isNaN), `${what} ${where} row ${r}: gradient NaN`).toBe(false);
          expectClose(g, ref.grad, (c) => probBound(f32, 0) * ref.gradScale[c], `${what} gradient ${where} row ${r}`, f32);
        }
        expectClose([got.loss], [loss], () => logBound(f32, loss), `${what} loss ${where}`);
      }
    });

    it('rejects temperatures whose reciprocal is not finite', () => {
      for (const t of [1e-310, 5e-324, 2 ** -1024]) {
        expect(() => api.softmax(x, { cols, temperature: t })).toThrow(/softmax: temperature must be finite and ≥ 5\.6e-309/);
        expect(() => api.crossEntropy(x, labels, { cols, temperature: t })).toThrow(RangeError);
      }
      expect(api.softmax(x, { cols, temperature: 2 ** -1024 * (1 + 2 ** -50) }).every((v) => v >= 0)).toBe(true);
    });
  });
});
