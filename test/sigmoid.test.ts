import { describe, expect, it } from 'vitest';
import { apis, poison } from './helpers/apis.js';
import { rng, uniform } from './helpers/random.js';
import { pairwiseSum } from './helpers/reference.js';
import { eps, expectClose, expectLogs, expectLoss, expectProbs, logBound } from './helpers/tolerance.js';
import { dtypes } from './helpers/shapes.js';

// The float64 reference, from e = exp(−|x|) (independent of lib/js only in its form: the math is
// the textbook's).
const sigmoidRef = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** Per-element PyTorch loss and gradient of binary cross-entropy on logits, and the gradient's size (for its bound). */
function bceRef(x: number, t: number, w: number, pw: number) {
  const l = 1 + (pw - 1) * t;
  return {
    loss: w * ((1 - t) * x + l * softplus(-x)),
    grad: w * (l * sigmoidRef(x) - pw * t),
    size: Math.abs(w) * (Math.abs(l) + Math.abs(pw * t)),
  };
}

const sizes = [1, 3, 17, 4099, 100_003];
const specials = [0, -0, 1e-30, -1e-30, 20, -20, 40, -40, 80, -80, 100, -100, 1000, -1000, Infinity, -Infinity, NaN];

describe.each(apis)('%s', (_name, api) => {
  describe.each(dtypes)('%s', (dt, type) => {
    it.each(sizes)('sigmoid, logSigmoid and sigmoidBackward match the float64 reference on %i elements', (n) => {
      const next = rng(n);
      const x = uniform(type, n, next, -30, 30);
      x.set(specials.slice(0, Math.min(n, specials.length)));
      const dy = uniform(type, n, next, -2, 2);
      const y = api.sigmoid(x, { out: poison(new type(n)) });
      const ref = Array.from(x, sigmoidRef);
      expectProbs(y, ref, new Float64Array(n), `sigmoid ${dt} ${n}`);
      expectLogs(api.logSigmoid(x, { out: poison(new type(n)) }), Array.from(x, (v) => -softplus(-v)), `logSigmoid ${dt} ${n}`);
      const g = api.sigmoidBackward(y, dy, { out: poison(new type(n)) });
      expectClose(g, Array.from(y, (s, i) => dy[i] * s * (1 - s)), (i) => logBound(dt === 'f32', dy[i]), `sigmoidBackward ${dt}`, dt === 'f32');
    });

    it('logSigmoid keeps its relative accuracy where the result is tiny (no log(0))', () => {
      const x = new type([20, 40, 80]);
      const got = api.logSigmoid(x);
      for (let i = 0; i < x.length; i++) {
        const want = -Math.log1p(Math.exp(-x[i]));
        expect(Math.abs(got[i] - want) / Math.abs(want), `logSigmoid(${x[i]})`).toBeLessThan(eps(dt === 'f32'));
      }
      expect(Array.from(api.logSigmoid(new type([-1000, -Infinity, Infinity, NaN])))).toEqual([-1000, -Infinity, 0, NaN]);
      expect(Array.from(api.sigmoid(new type([-1000, -Infinity, Infinity, NaN, 0])))).toEqual([0, 0, 1, NaN, 0.5]);
    });

    it('works in place', () => {
      const x = uniform(type, 37, rng(3), -10, 10);
      const want = Array.from(x, sigmoidRef);
      expect(api.sigmoid(x, { out: x })).toBe(x);
      expectProbs(x, want, new Float64Array(37), 'sigmoid in place');
    });

    describe.each([
      ['no weights', false, false],
      ['per-element weight', 'element', false],
      ['per-class weight and posWeight', 'class', 'class'],
      ['scalar posWeight', false, 'scalar'],
    ] as const)('binaryCrossEntropyWithLogits, %s', (_w, weighting, pos) => {
      it.each([
        [1, 1],
        [7, 3],
        [33, 17],
        [3, 4099],
      ])('matches the float64 reference on %i x %i, every reduction', (rows, cols) => {
        const next = rng(rows * 131 + cols);
        const n = rows * cols;
        const x = uniform(type, n, next, -30, 30);
        const t = uniform(type, n, next, 0, 1).map((v) => (v < 0.3 ? 0 : v > 0.7 ? 1 : v));
        const weight = weighting === 'element' ? uniform(type, n, next, 0, 2) : weighting === 'class' ? uniform(type, cols, next, 0, 2) : undefined;
        const posWeight = pos === 'class' ? uniform(type, cols, next, 0.5, 3) : pos === 'scalar' ? 2.5 : undefined;
        const refs = Array.from(x, (xi, i) =>
          bceRef(
            xi,
            t[i],
            weight ? weight[weighting === 'element' ? i : i % cols] : 1,
            typeof posWeight === 'number' ? Math.fround(posWeight) : posWeight ? posWeight[i % cols] : 1,
          ),
        );
        const opts = { cols, weight, posWeight };
        const where = `${dt} ${rows}x${cols}`;
        const losses = api.binaryCrossEntropyWithLogits(x, t, { ...opts, reduction: 'none', out: poison(new type(n)) });
        expectLogs(losses, refs.map((r) => r.loss), `loss none ${where}`);
        const sum = pairwiseSum((i) => refs[i].loss, 0, n);
        expectLoss(api.binaryCrossEntropyWithLogits(x, t, { ...opts, reduction: 'sum' }), sum, dt === 'f32', `loss sum ${where}`);
        expectLoss(api.binaryCrossEntropyWithLogits(x, t, opts), sum / n, dt === 'f32', `loss mean ${where}`);
        const bound = (scale: number) => (i: number) => logBound(dt === 'f32', refs[i].size) * scale;
        const gSum = api.binaryCrossEntropyWithLogitsBackward(x, t, { ...opts, reduction: 'sum', gradOutput: 0.5, out: poison(new type(n)) });
        expectClose(gSum, refs.map((r) => 0.5 * r.grad), bound(0.5), `grad sum ${where}`, dt === 'f32');
        const gMean = api.binaryCrossEntropyWithLogitsBackward(x, t, opts);
        expectClose(gMean, refs.map((r) => r.grad / n), bound(1 / n), `grad mean ${where}`, dt === 'f32');
        const upstream = uniform(type, n, next, -1, 1);
        const gNone = api.binaryCrossEntropyWithLogitsBackward(x, t, { ...opts, reduction: 'none', gradOutput: upstream });
        expectClose(gNone, refs.map((r, i) => r.grad * upstream[i]), bound(1), `grad none ${where}`, dt === 'f32');
      });
    });

    it('binaryCrossEntropyWithLogits: an empty batch gives NaN for mean and 0 for sum', () => {
      expect(api.binaryCrossEntropyWithLogits(new type(0), new type(0), { cols: 2 })).toBeNaN();
      expect(api.binaryCrossEntropyWithLogits(new type(0), new type(0), { cols: 2, reduction: 'sum' })).toBe(0);
    });
  });
});
