// The pure-TS kernels add row sums in blocks of SUM_BLOCK terms (lib/sum.ts) and take the row max
// without testing each entry for NaN (a NaN turns the exp sum NaN instead). These cases sit on
// the block edges: lengths just under, at and over one and two blocks, and NaN, ±Inf and bad
// probabilities in the first block, at its last entry, at the next block's first entry and in the
// last block, on every backend.
import { describe, expect, it } from 'vitest';
import { SUM_BLOCK } from '../lib/sum.js';
import { apis, poison } from './helpers/apis.js';
import { labels, rng, uniform } from './helpers/random.js';
import { pairwiseSum, rowReference } from './helpers/reference.js';
import { dtypes } from './helpers/shapes.js';
import { expectClose, logBound, probBound } from './helpers/tolerance.js';

const B = SUM_BLOCK;
const lengths = [B - 1, B, B + 1, 2 * B - 1, 2 * B, 2 * B + 1, 3 * B + 17];
/** Places in a row of `cols` (≥ B + 1): first block, its last entry, the next block's first, the last entry. */
const places = (cols: number) => [0, B - 1, B, cols - 1];

describe.each(apis)('%s', (_name, api) => {
  describe.each(dtypes)('%s', (dt, type) => {
    const f32 = dt === 'f32';

    it.each(lengths)('matches the float64 reference on rows of %i classes', (cols) => {
      const rows = 3;
      const next = rng(cols);
      const x = uniform(type, rows * cols, next, -20, 20);
      const y = labels(rows, cols, next);
      const p = api.softmax(x, { cols, out: poison(new type(x.length)) });
      const logp = api.logSoftmax(x, { cols, out: poison(new type(x.length)) });
      const lse = api.logSumExp(x, { cols });
      const loss = api.crossEntropy(x, y, { cols, reduction: 'none' }) as InstanceType<typeof type>;
      const wantP: number[] = [], wantLogP: number[] = [], args: number[] = [], wantLse: number[] = [], wantLoss: number[] = [];
      for (let r = 0; r < rows; r++) {
        const ref = rowReference(x, r * cols, cols);
        wantLse.push(ref.lse);
        wantLoss.push(ref.lse - x[r * cols + y[r]]);
        for (let c = 0; c < cols; c++) {
          const v = x[r * cols + c];
          wantP.push(Math.exp(v - ref.lse));
          wantLogP.push(v - ref.lse);
          args.push(ref.max - v);
        }
      }
      expectClose(p, wantP, (i) => Math.max(wantP[i], 1e-30) * probBound(f32, args[i]), `softmax ${cols}`, f32);
      expectClose(logp, wantLogP, (i) => logBound(f32, wantLogP[i]), `logSoftmax ${cols}`, f32);
      expectClose(lse, wantLse, (i) => logBound(f32, wantLse[i]), `logSumExp ${cols}`, f32);
      expectClose(loss, wantLoss, (i) => logBound(f32, wantLoss[i]), `crossEntropy ${cols}`, f32);

      const dy = uniform(type, rows * cols, next, -1, 1);
      const back = api.softmaxBackward(p, dy, { cols });
      const wantBack: number[] = [], scaleBack: number[] = [];
      for (let r = 0; r < rows; r++) {
        const s = r * cols;
        const dot = pairwiseSum((c) => dy[s + c] * p[s + c], 0, cols);
        const mag = pairwiseSum((c) => Math.abs(dy[s + c] * p[s + c]), 0, cols);
        for (let c = 0; c < cols; c++) {
          wantBack.push(p[s + c] * (dy[s + c] - dot));
          scaleBack.push(p[s + c] * (Math.abs(dy[s + c]) + mag));
        }
      }
      expectClose(back, wantBack, (i) => scaleBack[i] * (f32 ? 1e-6 : 1e-12), `softmaxBackward ${cols}`, f32);

      const a = uniform(type, rows * cols, next, -2, 2), b = uniform(type, rows * cols, next, -2, 2);
      const mse = api.mseLoss(a, b, { reduction: 'sum' }) as number;
      const wantMse = pairwiseSum((i) => (a[i] - b[i]) ** 2, 0, a.length);
      expect(Math.abs(mse - wantMse)).toBeLessThanOrEqual(logBound(f32, wantMse));

      const h = api.entropy(p, { cols });
      for (let r = 0; r < rows; r++) {
        const want = pairwiseSum((c) => (p[r * cols + c] > 0 ? -p[r * cols + c] * Math.log(p[r * cols + c]) : 0), 0, cols);
        expect(Math.abs(h[r] - (f32 ? Math.fround(want) : want))).toBeLessThanOrEqual(logBound(f32, want));
      }
    });

    it.each(lengths.filter((c) => c > B))('gives NaN, +Inf and −Inf their results wherever they sit in a row of %i', (cols) => {
      for (const at of places(cols)) {
        const next = rng(cols + at);
        const x = uniform(type, 2 * cols, next);
        const y = labels(2, cols, next);
        const clean = rowReference(x, cols, cols); // row 1 stays finite throughout

        const nan = x.slice();
        nan[at] = Number.NaN;
        const p = api.softmax(nan, { cols }), logp = api.logSoftmax(nan, { cols }), lse = api.logSumExp(nan, { cols });
        const loss = api.crossEntropy(nan, y, { cols, reduction: 'none' });
        for (let c = 0; c < cols; c++) {
          expect(p[c], `NaN at ${at}: softmax[${c}]`).toBeNaN();
          expect(logp[c], `NaN at ${at}: logSoftmax[${c}]`).toBeNaN();
        }
        expect(lse[0]).toBeNaN();
        expect((loss as Float64Array)[0]).toBeNaN();
        expect(Math.abs(lse[1] - clean.lse)).toBeLessThanOrEqual(logBound(f32, clean.lse));

        const inf = x.slice();
        inf[at] = Infinity;
        expect(api.logSumExp(inf, { cols })[0]).toBe(Infinity);
        expect(Array.from(api.softmax(inf, { cols }).subarray(0, cols)).every(Number.isNaN), `+Inf at ${at}`).toBe(true);
        // +Inf and NaN in different blocks: NaN wins.
        inf[at === 0 ? cols - 1 : 0] = Number.NaN;
        expect(api.logSumExp(inf, { cols })[0]).toBeNaN();

        const masked = x.slice();
        masked[at] = -Infinity;
        const mp = api.softmax(masked, { cols }), mlogp = api.logSoftmax(masked, { cols });
        expect(mp[at]).toBe(0);
        expect(mlogp[at]).toBe(-Infinity);
        let total = 0;
        for (let c = 0; c < cols; c++) total += mp[c];
        expect(Math.abs(total - 1)).toBeLessThanOrEqual(f32 ? 1e-5 : 1e-12);

        // A row of −Inf but one NaN is NaN, also with allMasked: 'zero'.
        const allMasked = new type(cols).fill(-Infinity);
        allMasked[at] = Number.NaN;
        expect(Array.from(api.softmax(allMasked, { allMasked: 'zero' })).every(Number.isNaN)).toBe(true);
        expect(api.logSumExp(allMasked)[0]).toBeNaN();
      }
    });

    it.each(lengths.filter((c) => c > B))('rejects a bad probability in any block of a row of %i, with nothing written', (cols) => {
      for (const at of places(cols)) {
        for (const bad of [-1e-3, Number.NaN, Infinity]) {
          const p = new type(2 * cols).fill(1 / cols), q = p.slice();
          const out = poison(new type(2), 7);
          const wrong = p.slice();
          wrong[cols + at] = bad; // row 1
          expect(() => api.entropy(wrong, { cols, out })).toThrow(/row 1/);
          expect(() => api.klDivergence(p, wrong, { cols, out })).toThrow(/row 1/);
          expect(Array.from(out)).toEqual([7, 7]);
          expect(api.klDivergence(p, q, { cols, out })[1]).toBeCloseTo(0, 6);
        }
      }
    });
  });
});
