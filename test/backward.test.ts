import { describe, expect, it } from 'vitest';
import { apis, poison } from './helpers/apis.js';
import { rng, uniform } from './helpers/random.js';
import { pairwiseSum } from './helpers/reference.js';
import { eps, expectClose } from './helpers/tolerance.js';
import { dtypes, rowShapes } from './helpers/shapes.js';

describe.each(apis)('%s', (_name, api) => {
  describe.each(dtypes)('%s', (dt, type) => {
    it.each(rowShapes)('softmaxBackward and logSoftmaxBackward match the float64 reference on %i x %i', (rows, cols) => {
      const next = rng(rows * 17 + cols);
      const x = uniform(type, rows * cols, next, -10, 10);
      const dy = uniform(type, rows * cols, next, -1, 1);
      const y = api.softmax(x, { cols });
      const logY = api.logSoftmax(x, { cols });
      const want = new Float64Array(x.length), wantLog = new Float64Array(x.length);
      const size = new Float64Array(x.length), sizeLog = new Float64Array(x.length);
      for (let start = 0; start < x.length; start += cols) {
        const dot = pairwiseSum((c) => dy[start + c] * y[start + c], 0, cols);
        const absDot = pairwiseSum((c) => Math.abs(dy[start + c] * y[start + c]), 0, cols);
        const sum = pairwiseSum((c) => dy[start + c], 0, cols);
        const absSum = pairwiseSum((c) => Math.abs(dy[start + c]), 0, cols);
        for (let i = start; i < start + cols; i++) {
          want[i] = y[i] * (dy[i] - dot);
          size[i] = y[i] * (Math.abs(dy[i]) + absDot);
          const p = Math.exp(logY[i]);
          wantLog[i] = dy[i] - p * sum;
          sizeLog[i] = Math.abs(dy[i]) + p * absSum;
        }
      }
      // The sums round once per element in float32 at worst: a bound relative to the terms' size.
      const where = `${dt} ${rows}x${cols}`;
      expectClose(api.softmaxBackward(y, dy, { cols, out: poison(new type(x.length)) }), want, (i) => eps(dt === 'f32') * Math.max(size[i], 1e-30), `softmaxBackward ${where}`, dt === 'f32');
      expectClose(api.logSoftmaxBackward(logY, dy, { cols, out: poison(new type(x.length)) }), wantLog, (i) => eps(dt === 'f32') * sizeLog[i], `logSoftmaxBackward ${where}`, dt === 'f32');
    });

    it('works in place over y or dy, and propagates NaN within its row', () => {
      const y = new type([0.25, 0.75, 0.5, 0.5]);
      const dy = new type([1, -1, NaN, 0]);
      const want = Array.from(api.softmaxBackward(y, dy, { cols: 2 }));
      expect(want.slice(2).every(Number.isNaN)).toBe(true);
      expect(want.slice(0, 2)).toEqual([0.25 * (1 + 0.5), 0.75 * (-1 + 0.5)]);
      const dyCopy = dy.slice();
      expect(api.softmaxBackward(y, dyCopy, { cols: 2, out: dyCopy })).toBe(dyCopy);
      expect(Array.from(dyCopy)).toEqual(want);
      const logY = new type([Math.log(0.25), Math.log(0.75), -Infinity, 0]);
      const got = api.logSoftmaxBackward(logY, new type([1, 2, 3, 4]), { cols: 2, out: logY });
      expect(got).toBe(logY);
      expectClose(got, [1 - 0.25 * 3, 2 - 0.75 * 3, 3, 4 - 7], () => eps(dt === 'f32'), 'logSoftmaxBackward in place');
    });
  });
});
