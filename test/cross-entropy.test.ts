import { describe, expect, it } from 'vitest';
import fixtures from './fixtures/cross-entropy.json' with { type: 'json' };
import type { FloatArray, IntegerArray, Reduction } from '../lib/types.js';
import { apis, poison } from './helpers/apis.js';
import { decode, type Encoded } from './helpers/fixtures.js';
import { type FloatCtor, labels, rng, uniform } from './helpers/random.js';
import { coefficients, crossEntropyRow, rowReference } from './helpers/reference.js';
import { expectClose, logBound, probBound } from './helpers/tolerance.js';
import { dtypes } from './helpers/shapes.js';

interface Case {
  rows: number;
  cols: number;
  logits: FloatArray;
  target: Int32Array | FloatArray;
  weight: FloatArray | null;
  ignoreIndex: number;
  reduction: Reduction;
  labelSmoothing: number;
  temperature: number;
}

/** The float64 reference of a case: reduced (or per-row) loss, gradient, and the gradient's error bound. */
function reference(k: Case) {
  const { rows, cols, logits: x, temperature: t } = k;
  const soft = k.target instanceof Int32Array ? null : k.target;
  const rowLoss: number[] = [];
  const grad = new Float64Array(x.length), bound = new Float64Array(x.length);
  let denominator = soft ? rows : 0;
  const f32 = x instanceof Float32Array;
  for (let r = 0; r < rows; r++) {
    const y = soft ? null : k.target[r];
    if (y === k.ignoreIndex) {
      rowLoss.push(0);
      continue;
    }
    if (!soft) denominator += k.weight ? k.weight[y as number] : 1;
    const row = crossEntropyRow(x, r * cols, cols, t, coefficients(cols, k.labelSmoothing, k.weight, y, soft, r * cols));
    rowLoss.push(row.loss);
    const { max } = rowReference(x, r * cols, cols, t);
    for (let c = 0; c < cols; c++) {
      grad[r * cols + c] = row.grad[c];
      // As for probabilities, relative above 1e-30; an entry whose gradient is exactly 0 (p = q = 0,
      // a −Inf logit) must come out exactly 0.
      const scale = row.gradScale[c];
      bound[r * cols + c] = scale === 0 ? 0 : probBound(f32, max - x[r * cols + c] / t) * Math.max(scale, 1e-30);
    }
  }
  const sum = rowLoss.reduce((a, b) => a + b, 0);
  const scale = k.reduction === 'mean' ? 1 / denominator : 1;
  // Ignored rows stay exactly 0 (also when 'mean' divides by a zero weight total).
  for (let i = 0; i < grad.length; i++) {
    if (bound[i] === 0) continue;
    grad[i] *= scale;
    bound[i] *= Math.abs(scale);
  }
  const loss = k.reduction === 'none' ? rowLoss : k.reduction === 'sum' ? sum : sum / denominator;
  return { loss, grad, bound };
}

/** A random batch with class-index targets and no weights; `over` sets the rest. */
function randomCase(type: FloatCtor, rows: number, cols: number, seed: number, over: Partial<Case>) {
  const next = rng(seed);
  const logits = uniform(type, rows * cols, next);
  const target = labels(rows, cols, next);
  const base: Case = { rows, cols, logits, weight: null, ignoreIndex: -100, reduction: 'mean', labelSmoothing: 0, temperature: 1, target };
  return { ...base, ...over, target, next };
}

function options(k: Case) {
  const { cols, weight, ignoreIndex, labelSmoothing, temperature } = k;
  return { cols, weight: weight ?? undefined, ignoreIndex, labelSmoothing, temperature };
}

function expectLoss(got: number | FloatArray, want: number | number[], f32: boolean, what: string) {
  const g = typeof got === 'number' ? [got] : got;
  const w = typeof want === 'number' ? [want] : want;
  // A reduced loss is returned as a double whatever the dtype; per-row losses have the input's type.
  expectClose(g, w, (i) => logBound(f32, w[i]), what, f32 && typeof got !== 'number');
}

describe.each(apis)('%s', (_name, api) => {
  /** Runs crossEntropy, crossEntropyWithGrad and crossEntropyBackward on a case against `want`. */
  function checkAllForms(k: Case, want: { loss: number | number[]; grad: ArrayLike<number> }, bound: ArrayLike<number>, what: string) {
    const f32 = k.logits instanceof Float32Array;
    const type = k.logits.constructor as FloatCtor;
    const opts = { ...options(k), reduction: k.reduction };
    expectLoss(api.crossEntropy(k.logits, k.target, opts), want.loss, f32, `${what} crossEntropy`);
    const gradOut = poison(new type(k.logits.length));
    const both = api.crossEntropyWithGrad(k.logits, k.target, { ...opts, gradOut });
    expect(both.grad).toBe(gradOut);
    expectLoss(both.loss, want.loss, f32, `${what} withGrad loss`);
    expectClose(both.grad, want.grad, (i) => bound[i], `${what} withGrad grad`, f32);
    const back = api.crossEntropyBackward(k.logits, k.target, { ...opts, out: poison(new type(k.logits.length)) });
    expectClose(back, want.grad, (i) => bound[i], `${what} backward`, f32);
  }

  describe.each(dtypes)('%s', (dt, type) => {
    describe('PyTorch fixtures', () => {
      it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
        const k: Case = {
          rows: c.rows,
          cols: c.cols,
          logits: new type(decode(c.logits as Encoded[])),
          target: c.target ? Int32Array.from(c.target) : new type(c.softTarget as number[]),
          weight: c.weight ? new type(c.weight) : null,
          ignoreIndex: c.ignoreIndex,
          reduction: c.reduction as Reduction,
          labelSmoothing: c.labelSmoothing,
          temperature: c.temperature,
        };
        // PyTorch gives the values; the float64 reference gives the bound each gradient entry must meet.
        const want = { loss: decode(c.loss as Encoded | Encoded[]), grad: decode(c.grad as Encoded[]) };
        checkAllForms(k, want, reference(k).bound, `${dt} ${name}`);
      });

      it.each(fixtures.nll.map((c) => [c.name, c] as const))('nllLoss %s', (name, c) => {
        const logProbs = new type(decode(c.logProbs as Encoded[]));
        const opts = { cols: c.cols, weight: c.weight ?? undefined, ignoreIndex: c.ignoreIndex, reduction: c.reduction as Reduction };
        expectLoss(api.nllLoss(logProbs, c.target, opts), decode(c.loss as Encoded | Encoded[]), dt === 'f32', `${dt} nll ${name}`);
      });
    });

    const shapes: [number, number][] = [
      [9, 1],
      [6, 3],
      [8, 17],
      [3, 4099],
      [2, 2 ** 20],
    ];
    it.each(shapes)('matches the float64 reference on %i x %i rows, every option', (rows, cols) => {
      const next = rng(rows * 31 + cols);
      const logits = uniform(type, rows * cols, next, -12, 12);
      const weight = uniform(type, cols, next, 0.2, 2);
      const y = labels(rows, cols, next);
      y[rows - 1] = 7; // ignored below
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        const k: Case = { rows, cols, logits, target: y, weight, ignoreIndex: 7, reduction, labelSmoothing: 0.1, temperature: 1.5 };
        const ref = reference(k);
        checkAllForms(k, ref, ref.bound, `${dt} ${rows}x${cols} ${reduction}`);
      }
      const soft = api.softmax(uniform(type, rows * cols, next, -3, 3), { cols });
      for (const reduction of ['mean', 'none'] as const) {
        const k: Case = { rows, cols, logits, target: soft, weight, ignoreIndex: -100, reduction, labelSmoothing: 0.2, temperature: 0.8 };
        const ref = reference(k);
        checkAllForms(k, ref, ref.bound, `${dt} soft ${rows}x${cols} ${reduction}`);
      }
    });

    it('writes the gradient in place over the logits, and over soft targets', () => {
      const cols = 11;
      const k = randomCase(type, 5, cols, 5, { labelSmoothing: 0.05 });
      const { logits, next } = k, y = k.target;
      const ref = reference(k);
      const inPlace = logits.slice();
      const result = api.crossEntropyWithGrad(inPlace, y, { ...options(k), gradOut: inPlace });
      expect(result.grad).toBe(inPlace);
      expectLoss(result.loss, ref.loss, dt === 'f32', 'in place loss');
      expectClose(inPlace, ref.grad, (i) => ref.bound[i], 'in place grad', dt === 'f32');

      const soft = api.softmax(uniform(type, logits.length, next), { cols });
      const ks: Case = { ...k, target: soft.slice() };
      const refSoft = reference(ks);
      api.crossEntropyBackward(logits, soft, { cols, labelSmoothing: 0.05, out: soft });
      expectClose(soft, refSoft.grad, (i) => refSoft.bound[i], 'gradient over the soft targets', dt === 'f32');
    });

    it('scales the gradient by gradOutput, per row with reduction none', () => {
      const cols = 6;
      const k = randomCase(type, 4, cols, 11, { reduction: 'none' });
      const { logits } = k, y = k.target;
      const ref = reference(k);
      const perRow = [0.5, -2, 0, 3];
      const got = api.crossEntropyBackward(logits, y, { cols, reduction: 'none', gradOutput: perRow });
      const want = ref.grad.map((g, i) => g * perRow[Math.floor(i / cols)]);
      expectClose(got, want, (i) => ref.bound[i] * 3, 'per-row gradOutput', dt === 'f32');
      const mean = reference({ ...k, reduction: 'mean' });
      const scaled = api.crossEntropyBackward(logits, y, { cols, gradOutput: 0.25 });
      expectClose(scaled, mean.grad.map((g) => g * 0.25), (i) => mean.bound[i], 'scalar gradOutput', dt === 'f32');
    });

    it("reproduces DESIGN.md's worked examples", () => {
      // The gradient of the summed loss is softmax(z) − onehot(y).
      const z = new type([3, 1, -3, 0.5, 2, -1]);
      const { grad } = api.crossEntropyWithGrad(z, [0, 2], { cols: 3, reduction: 'sum' });
      const p = api.softmax(z, { cols: 3 });
      const want = Array.from(p, (v, i) => v - (i === 0 || i === 5 ? 1 : 0));
      expectClose(grad, want, () => (dt === 'f32' ? 2e-7 : 1e-15), 'softmax - onehot');
      const a = new type([0.1, 0.15, 0.05, 0.6, 0.1].map(Math.log));
      const nll = api.nllLoss(a, [3]);
      expect(Math.abs(nll - 0.5108256237659907)).toBeLessThanOrEqual(dt === 'f32' ? 1e-7 : 1e-15);
    });

    it('accepts every integer label type and an ignoreIndex beyond int32', () => {
      const cols = 5;
      const logits = uniform(type, 4 * cols, rng(3));
      const want = api.crossEntropy(logits, new Int32Array([1, 4, 0, 2]), { cols, reduction: 'none' });
      const forms: IntegerArray[] = [
        [1, 4, 0, 2],
        new Int8Array([1, 4, 0, 2]),
        new Uint8Array([1, 4, 0, 2]),
        new Int16Array([1, 4, 0, 2]),
        new Uint16Array([1, 4, 0, 2]),
        new Uint32Array([1, 4, 0, 2]),
        new BigInt64Array([1n, 4n, 0n, 2n]),
        new BigUint64Array([1n, 4n, 0n, 2n]),
      ];
      for (const target of forms) {
        expect(api.crossEntropy(logits, target, { cols, reduction: 'none' }), target.constructor.name).toEqual(want);
      }
      const big = 2 ** 40;
      const ignored = api.crossEntropy(logits, [1, big, 0, 2], { cols, reduction: 'none', ignoreIndex: big });
      expect(Array.from(ignored)).toEqual([want[0], 0, want[2], want[3]]);
      const bigint = api.crossEntropy(logits, new BigInt64Array([1n, BigInt(big), 0n, 2n]), { cols, reduction: 'sum', ignoreIndex: big });
      expect(bigint).toBeCloseTo(want[0] + want[2] + want[3], dt === 'f32' ? 5 : 12);
    });

    it('gives NaN for the mean of an empty or fully ignored batch, with a zero gradient', () => {
      const empty = new type(0);
      expect(api.crossEntropy(empty, [], { cols: 4 })).toBeNaN();
      expect(api.crossEntropy(empty, [], { cols: 4, reduction: 'sum' })).toBe(0);
      const logits = uniform(type, 6, rng(9));
      const { loss, grad } = api.crossEntropyWithGrad(logits, [-100, -100], { cols: 3, gradOut: poison(new type(6)) });
      expect(loss).toBeNaN();
      expect(Array.from(grad)).toEqual([0, 0, 0, 0, 0, 0]);
    });
  });
});
