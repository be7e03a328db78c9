import { describe, expect, it } from 'vitest';
import { apis, poison } from './helpers/apis.js';
import { type FloatCtor, rng } from './helpers/random.js';
import { pairwiseSum } from './helpers/reference.js';
import { expectLogs } from './helpers/tolerance.js';
import { dtypes, rowShapes } from './helpers/shapes.js';

/** Rows of probabilities (summing to 1 in the array's type), about a fifth of the entries 0. */
function probabilityRows(type: FloatCtor, rows: number, cols: number, next: () => number, scale = 1) {
  const a = new type(rows * cols);
  for (let r = 0; r < rows; r++) {
    const w = Array.from({ length: cols }, () => (next() < 0.2 && cols > 1 ? 0 : next() ** 3));
    const s = pairwiseSum((c) => w[c], 0, cols) || 1;
    for (let c = 0; c < cols; c++) a[r * cols + c] = (w[c] / s) * scale;
    if (s === 1) a[r * cols] = scale; // an all-zero draw: make it one-hot
  }
  return a;
}

/** The float64 reference: entropy, cross-entropy and KL of each row, in base `base`. */
function reference(p: ArrayLike<number>, q: ArrayLike<number>, cols: number, base: number, normalize: boolean) {
  const rows = p.length / cols;
  const h = [], ce = [], kl = [];
  for (let r = 0; r < rows; r++) {
    const at = (a: ArrayLike<number>, c: number) => a[r * cols + c];
    const sp = normalize ? pairwiseSum((c) => at(p, c), 0, cols) : 1;
    const sq = normalize ? pairwiseSum((c) => at(q, c), 0, cols) : 1;
    const term = (c: number, f: (pc: number, qc: number) => number) => (at(p, c) === 0 ? 0 : f(at(p, c) / sp, at(q, c) / sq));
    const ln = Math.log(base);
    h.push(-pairwiseSum((c) => term(c, (pc) => pc * Math.log(pc)), 0, cols) / ln);
    ce.push(-pairwiseSum((c) => term(c, (pc, qc) => pc * Math.log(qc)), 0, cols) / ln);
    kl.push(pairwiseSum((c) => term(c, (pc, qc) => pc * Math.log(pc / qc)), 0, cols) / ln);
  }
  return { h, ce, kl };
}

describe.each(apis)('%s', (_name, api) => {
  it('reproduces the worked examples of DESIGN.md', () => {
    const p = new Float64Array([0.6, 0.1, 0.1, 0.1, 0.1]);
    expectLogs(api.entropy(p, { base: 10 }), [0.5331092497698138], 'entropy base 10');
    const ps = new Float64Array([1, 0, 0, 1, 0, 0, 0, 0, 1]);
    const qs = new Float64Array([0.7, 0.1, 0.2, 0.3, 0.6, 0.1, 0.1, 0.1, 0.8]);
    expectLogs(api.crossEntropyProbs(ps, qs, { cols: 3, base: 10 }), [0.1549019599857432, 0.5228787452803376, 0.09691001300805639], 'crossEntropyProbs base 10');
  });

  describe.each(dtypes)('%s', (dt, type) => {
    it.each(rowShapes)('matches the float64 reference on %i x %i rows, bases e, 2 and 10', (rows, cols) => {
      const next = rng(rows * 31 + cols);
      const p = probabilityRows(type, rows, cols, next);
      // q > 0 wherever p > 0, and sometimes 0 where p is 0 (a term that must stay 0).
      const q = probabilityRows(type, rows, cols, next).map((v, i) => (p[i] === 0 && v === 0 ? 0 : v + 1e-3));
      for (let r = 0; r < rows; r++) {
        const s = pairwiseSum((c) => q[r * cols + c], 0, cols);
        for (let c = 0; c < cols; c++) q[r * cols + c] /= s;
      }
      for (const base of [Math.E, 2, 10]) {
        const ref = reference(p, q, cols, base, false);
        const where = `${dt} ${rows}x${cols} base ${base}`;
        expectLogs(api.entropy(p, { cols, base, out: poison(new type(rows)) }), ref.h, `entropy ${where}`);
        expectLogs(api.crossEntropyProbs(p, q, { cols, base, out: poison(new type(rows)) }), ref.ce, `crossEntropyProbs ${where}`);
        expectLogs(api.klDivergence(p, q, { cols, base, out: poison(new type(rows)) }), ref.kl, `klDivergence ${where}`);
      }
    });

    it('normalizes rows with normalize: true, as SciPy does', () => {
      const rows = 4, cols = 37;
      const next = rng(7);
      const p = probabilityRows(type, rows, cols, next, 250);
      const q = probabilityRows(type, rows, cols, next, 0.01).map((v) => v + 1e-4);
      const ref = reference(p, q, cols, 2, true);
      expectLogs(api.entropy(p, { cols, base: 2, normalize: true }), ref.h, `entropy ${dt}`);
      expectLogs(api.crossEntropyProbs(p, q, { cols, base: 2, normalize: true }), ref.ce, `crossEntropyProbs ${dt}`);
      expectLogs(api.klDivergence(p, q, { cols, base: 2, normalize: true }), ref.kl, `klDivergence ${dt}`);
    });

    it('keeps its accuracy at the ends of the range: row sums near 0 or past the largest value, q subnormal', () => {
      const f32 = type === Float32Array;
      const rows = 64;
      for (const cols of [4, 67]) {
        for (const v of f32 ? [1e-40, 1e-45, 1e37] : [1e-310, 5e-324, 1e305]) {
          const p = new type(rows * cols).fill(v);
          const where = `${dt} rows of ${cols} x ${v}`;
          const ln = Array<number>(rows).fill(Math.log(cols));
          expectLogs(api.entropy(p, { cols, normalize: true }), ln, `entropy ${where}`);
          expectLogs(api.crossEntropyProbs(p, p, { cols, normalize: true }), ln, `crossEntropyProbs ${where}`);
          expectLogs(api.klDivergence(p, p, { cols, normalize: true }), Array<number>(rows).fill(0), `klDivergence ${where}`);
        }
      }
      // A confident model against a target that disagrees: p / q beyond the type's range.
      const q = new type(2 * rows).map((_, i) => (i % 2 ? (f32 ? 8.2e-40 : 1e-310) : 1));
      const p = new type(2 * rows).fill(0.5);
      const q1 = q[1];
      const kl = 0.5 * Math.log(0.5) + 0.5 * (Math.log(0.5) - Math.log(q1));
      expectLogs(api.klDivergence(p, q, { cols: 2 }), Array<number>(rows).fill(kl), `klDivergence ${dt}, q = [1, ${q1}]`);
      expectLogs(api.crossEntropyProbs(p, q, { cols: 2 }), Array<number>(rows).fill(-0.5 * Math.log(q1)), `crossEntropyProbs ${dt}, q = [1, ${q1}]`);
    });

    it('gives 0·log 0 = 0, +Infinity where q = 0 < p, 0 for equal rows and one-hot rows', () => {
      const p = new type([1, 0, 0, 0.5, 0.5, 0, 0.25, 0.25, 0.5]);
      const q = new type([1, 0, 0, 0.5, 0, 0.5, 0.25, 0.25, 0.5]);
      const h = [0, Math.LN2, 1.5 * Math.LN2];
      expectLogs(api.entropy(p, { cols: 3 }), h, 'entropy');
      expectLogs(api.klDivergence(p, q, { cols: 3 }), [0, Infinity, 0], 'klDivergence');
      expectLogs(api.crossEntropyProbs(p, q, { cols: 3 }), [0, Infinity, h[2]], 'crossEntropyProbs');
    });

    it('writes nothing when a later row is bad', () => {
      const p = new type([0.5, 0.5, 0.5, 0.6]);
      const out = poison(new type(2), 42);
      expect(() => api.entropy(p, { cols: 2, out })).toThrow(/row 1 of p sums to/);
      expect(Array.from(out)).toEqual([42, 42]);
    });
  });
});
