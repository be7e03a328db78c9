import { describe, expect, it } from 'vitest';
import { apis } from './helpers/apis.js';
import { rng, uniform } from './helpers/random.js';
import { pairwiseSum } from './helpers/reference.js';
import { expectClose, expectLogs, expectLoss, logBound } from './helpers/tolerance.js';
import { dtypes } from './helpers/shapes.js';

// The float64 reference of each loss and its gradient at d = input − target.
const losses = {
  l1Loss: { loss: (d: number) => Math.abs(d), grad: (d: number) => Math.sign(d) },
  l2Loss: { loss: (d: number) => (d * d) / 2, grad: (d: number) => d },
  mseLoss: { loss: (d: number) => d * d, grad: (d: number) => 2 * d },
  huberLoss: { loss: (d: number) => (Math.abs(d) > 1 ? Math.abs(d) - 0.5 : (d * d) / 2), grad: (d: number) => Math.max(-1, Math.min(1, d)) },
  smoothL1Loss: { loss: (d: number) => (Math.abs(d) > 1 ? Math.abs(d) - 0.5 : (d * d) / 2), grad: (d: number) => Math.max(-1, Math.min(1, d)) },
} as const;

describe.each(apis)('%s', (_name, api) => {
  describe.each(dtypes)('%s', (dt, type) => {
    it.each(Object.keys(losses) as (keyof typeof losses)[])('%s matches the float64 reference on 100003 elements, every reduction', (fn) => {
      const next = rng(fn.length);
      const n = 100_003;
      const input = uniform(type, n, next, -3, 3);
      const target = uniform(type, n, next, -3, 3);
      const ref = losses[fn];
      const d = Array.from(input, (v, i) => v - target[i]);
      const sum = pairwiseSum((i) => ref.loss(d[i]), 0, n);
      // One signature for all five (huber and smoothL1 only add an option).
      const loss = api[fn] as typeof api.l1Loss;
      expectLogs(loss(input, target, { reduction: 'none' }), d.map(ref.loss), `${fn} none ${dt}`);
      expectLoss(loss(input, target, { reduction: 'sum' }), sum, dt === 'f32', `${fn} sum ${dt}`);
      expectLoss(loss(input, target), sum / n, dt === 'f32', `${fn} mean ${dt}`);
      const backward = api[`${fn}Backward`] as typeof api.l1LossBackward;
      expectClose(backward(input, target, { reduction: 'sum', gradOutput: 3 }), d.map((v) => 3 * ref.grad(v)), (i) => logBound(dt === 'f32', 3 * d[i]), `${fn}Backward ${dt}`, dt === 'f32');
    });

    it("reproduces DESIGN.md's Huber example and PyTorch's kinks", () => {
      const d = new type([-3, -1, -0.5, 0, 0.5, 1, 3]);
      const zero = new type(d.length);
      expect(Array.from(api.huberLoss(d, zero, { reduction: 'none' }))).toEqual([2.5, 0.5, 0.125, 0, 0.125, 0.5, 2.5]);
      expect(Array.from(api.l1LossBackward(d, zero, { reduction: 'sum' }))).toEqual([-1, -1, -1, 0, 1, 1, 1]);
      expect(Array.from(api.huberLossBackward(d, zero, { reduction: 'sum', delta: 0.5 }))).toEqual([-0.5, -0.5, -0.5, 0, 0.5, 0.5, 0.5]);
      expect(Array.from(api.smoothL1LossBackward(d, zero, { reduction: 'sum', beta: 0 }))).toEqual([-1, -1, -1, 0, 1, 1, 1]);
      expect(Array.from(api.smoothL1Loss(d, zero, { reduction: 'none', beta: 0 }))).toEqual(Array.from(d, Math.abs));
      expect(api.mseLoss(new type(0), new type(0))).toBeNaN();
    });

    it('smoothL1Loss stays finite where |d|·beta or |d|/beta is beyond the type (fuzz findings 4 and 7)', () => {
      // 64 elements, so that every ISA's vector path runs.
      // The last is the quadratic branch, |d| < beta, where |d|·|d| alone passes float32's maximum.
      for (const [beta, d] of [[9.2e18, 2.5e23], [6.1e-9, 1e31], [1e30, 5e29]]) {
        const input = new type(64).fill(d);
        const want = type === Float32Array ? Math.fround(d) : d;
        const loss = want >= beta ? want - beta / 2 : (want * want) / (2 * beta);
        expectLogs(api.smoothL1Loss(input, new type(64), { beta, reduction: 'none' }), Array<number>(64).fill(loss), `smoothL1Loss ${dt} beta ${beta}, d ${d}`);
        const grad = Math.min(1, want / beta);
        expectClose(api.smoothL1LossBackward(input, new type(64), { beta, reduction: 'sum' }), Array<number>(64).fill(grad), () => logBound(dt === 'f32', 1), `smoothL1LossBackward ${dt} beta ${beta}`, dt === 'f32');
      }
      expect(api.l2Loss(new type(0), new type(0), { reduction: 'sum' })).toBe(0);
    });
  });
});
