// Measures the worst error of each function, dtype and backend against the float64 reference on
// random batches (logits uniform in [−20, 20], cols from 1 to 2^20), in two units: plain (relative
// for probabilities, absolute / max(1, |ref|) for log-values and losses; gradients and backward
// products relative to the size of their terms) and as a fraction of DESIGN.md's bound, which
// must stay ≤ 1. Prints the table docs/numerics.md quotes (the README condenses it).
import { afterAll, describe, expect, it } from 'vitest';
import { type Api, apis } from './helpers/apis.js';
import { type FloatCtor, labels, rng, uniform } from './helpers/random.js';
import { coefficients, crossEntropyRow, pairwiseSum, rowReference } from './helpers/reference.js';
import { logBound, probBound } from './helpers/tolerance.js';
import { dtypes } from './helpers/shapes.js';

const shapes: [number, number][] = [
  [64, 1],
  [64, 3],
  [64, 17],
  [32, 1000],
  [4, 4099],
  [2, 2 ** 20],
];
/** Worst plain error and worst error / bound, per row of the printed table. */
const table = new Map<string, { error: number; ofBound: number }>();
function record(key: string, error: number, bound: number) {
  const row = table.get(key) ?? { error: 0, ofBound: 0 };
  row.error = Math.max(row.error, error);
  row.ofBound = Math.max(row.ofBound, error / bound);
  table.set(key, row);
}

describe.each(apis)('%s', (name, api) => {
  describe.each(dtypes)('%s', (dt, type) => {
    it('stays within the contract on every shape', () => {
      const f32 = dt === 'f32';
      // The float32 output is the rounded reference at best, so errors are taken after rounding it.
      const round = f32 ? Math.fround : (v: number) => v;
      for (const [rows, cols] of shapes) {
        const next = rng(rows + cols);
        const x = uniform(type, rows * cols, next, -20, 20);
        const y = labels(rows, cols, next);
        const p = api.softmax(x, { cols }), logp = api.logSoftmax(x, { cols }), lse = api.logSumExp(x, { cols });
        const loss = api.crossEntropy(x, y, { cols, reduction: 'none', labelSmoothing: 0.1 });
        const grad = api.crossEntropyBackward(x, y, { cols, reduction: 'none', labelSmoothing: 0.1 });
        const scored = api.score(x, { cols, labels: y });
        for (let r = 0; r < rows; r++) {
          const start = r * cols;
          const ref = rowReference(x, start, cols);
          const ce = crossEntropyRow(x, start, cols, 1, coefficients(cols, 0.1, null, y[r], null, start));
          record(`${name} ${dt} logSumExp`, Math.abs(lse[r] - round(ref.lse)) / Math.max(1, Math.abs(ref.lse)), logBound(f32, 1));
          record(`${name} ${dt} crossEntropy`, Math.abs(loss[r] - round(ce.loss)) / Math.max(1, ce.loss), logBound(f32, 1));
          const confidence = Math.exp(ref.max - ref.lse), nll = ref.lse - x[start + y[r]];
          record(`${name} ${dt} score confidence`, Math.abs(scored.confidence[r] - round(confidence)) / confidence, probBound(f32, 0));
          record(`${name} ${dt} score nll`, Math.abs(scored.nll![r] - round(nll)) / Math.max(1, nll), logBound(f32, 1));
          for (let c = 0; c < cols; c++) {
            const i = start + c;
            const want = Math.exp(x[i] - ref.lse);
            const arg = ref.max - x[i];
            if (want > 1e-30) record(`${name} ${dt} softmax`, Math.abs(p[i] - round(want)) / want, probBound(f32, arg));
            const wantLog = x[i] - ref.lse;
            record(`${name} ${dt} logSoftmax`, Math.abs(logp[i] - round(wantLog)) / Math.max(1, Math.abs(wantLog)), logBound(f32, 1));
            const scale = ce.gradScale[c];
            if (scale > 1e-30) record(`${name} ${dt} gradient`, Math.abs(grad[i] - round(ce.grad[c])) / scale, probBound(f32, arg));
          }
        }
      }
      for (const [rows, cols] of shapes) measureLossSurface(name, api, dt, type, rows, cols);
      for (const [key, row] of table) if (key.startsWith(`${name} ${dt} `)) expect(row.ofBound, key).toBeLessThanOrEqual(1);
    }, 60_000);
  });
});

/** The functions of issue 5 on the same shapes: entropies of softmax rows, sigmoid family, BCE, backward products. */
function measureLossSurface(name: string, api: Api, dt: string, type: FloatCtor, rows: number, cols: number) {
  const f32 = dt === 'f32';
  const round = f32 ? Math.fround : (v: number) => v;
  const next = rng(rows * cols + 5);
  const x = uniform(type, rows * cols, next, -20, 20);
  const p = api.softmax(x, { cols }), q = api.softmax(uniform(type, rows * cols, next, -5, 5), { cols });
  const logp = api.logSoftmax(x, { cols });
  const t = uniform(type, rows * cols, next, 0, 1), dy = uniform(type, rows * cols, next, -1, 1);
  const h = api.entropy(p, { cols }), kl = api.klDivergence(p, q, { cols });
  const sig = api.sigmoid(x), logSig = api.logSigmoid(x);
  const bce = api.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
  const bceGrad = api.binaryCrossEntropyWithLogitsBackward(x, t, { reduction: 'sum' });
  const sb = api.softmaxBackward(p, dy, { cols }), lsb = api.logSoftmaxBackward(logp, dy, { cols });
  const key = (fn: string) => `${name} ${dt} ${fn}`;
  const logError = (got: number, want: number) => Math.abs(got - round(want)) / Math.max(1, Math.abs(want));
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const term = (f: (c: number) => number) => pairwiseSum((c) => (p[start + c] === 0 ? 0 : f(start + c)), 0, cols);
    const wantH = -term((i) => p[i] * Math.log(p[i]));
    const wantKl = term((i) => p[i] * Math.log(p[i] / q[i]));
    record(key('entropy'), logError(h[r], wantH), logBound(f32, 1));
    record(key('klDivergence'), logError(kl[r], wantKl), logBound(f32, 1));
    const dot = pairwiseSum((c) => dy[start + c] * p[start + c], 0, cols);
    const absDot = pairwiseSum((c) => Math.abs(dy[start + c] * p[start + c]), 0, cols);
    const sum = pairwiseSum((c) => dy[start + c], 0, cols);
    const absSum = pairwiseSum((c) => Math.abs(dy[start + c]), 0, cols);
    for (let i = start; i < start + cols; i++) {
      const e = Math.exp(-Math.abs(x[i]));
      const wantSig = (x[i] < 0 ? e : 1) / (1 + e);
      record(key('sigmoid'), Math.abs(sig[i] - round(wantSig)) / wantSig, probBound(f32, 0));
      record(key('logSigmoid'), logError(logSig[i], Math.min(x[i], 0) - Math.log1p(e)), logBound(f32, 1));
      const wantBce = (1 - t[i]) * x[i] + Math.max(-x[i], 0) + Math.log1p(e);
      record(key('BCE loss'), logError(bce[i], wantBce), logBound(f32, 1));
      record(key('BCE gradient'), Math.abs(bceGrad[i] - round(wantSig - t[i])), logBound(f32, 1));
      if (p[i] > 0) record(key('softmaxBackward'), Math.abs(sb[i] - round(p[i] * (dy[i] - dot))) / (p[i] * (Math.abs(dy[i]) + absDot)), logBound(f32, 1));
      const pl = Math.exp(logp[i]);
      record(key('logSoftmaxBackward'), Math.abs(lsb[i] - round(dy[i] - pl * sum)) / (Math.abs(dy[i]) + pl * absSum), logBound(f32, 1));
    }
  }
}

afterAll(() => {
  const lines = [...table].map(([key, { error, ofBound }]) => `${key.padEnd(40)} ${error.toExponential(2).padStart(10)}  ${(100 * ofBound).toFixed(1).padStart(6)}% of bound`);
  console.log(`worst error against the float64 reference (shapes ${shapes.map(([r, c]) => `${r}x${c}`).join(', ')})\n${lines.join('\n')}`);
});
