import { describe, expect, it } from 'vitest';
import special from './fixtures/softmax-special.json' with { type: 'json' };
import { apis, poison } from './helpers/apis.js';
import { rng, uniform } from './helpers/random.js';
import { rowReference } from './helpers/reference.js';
import { expectClose, expectLogs, expectProbs } from './helpers/tolerance.js';
import { decode } from './helpers/fixtures.js';
import { dtypes } from './helpers/shapes.js';

/** Float64 reference of softmax, logSoftmax (with temperature) and logSumExp for every row. */
function reference(x: ArrayLike<number>, cols: number, t: number) {
  const n = x.length;
  const p = new Float64Array(n), logp = new Float64Array(n), args = new Float64Array(n);
  const lse = new Float64Array(n / cols);
  for (let start = 0, r = 0; start < n; start += cols, r++) {
    const row = rowReference(x, start, cols, t);
    lse[r] = t === 1 ? row.lse : rowReference(x, start, cols, 1).lse;
    for (let c = start; c < start + cols; c++) {
      logp[c] = x[c] / t - row.lse;
      p[c] = Math.exp(logp[c]);
      args[c] = row.max - x[c] / t;
    }
  }
  return { p, logp, lse, args };
}

const shapes: [number, number][] = [
  [7, 1],
  [5, 2],
  [9, 3],
  [6, 17],
  [3, 4099],
  [2, 2 ** 20],
];

describe.each(apis)('%s', (_name, api) => {
  describe.each(dtypes)('%s', (dt, type) => {
    it.each(shapes)('matches the float64 reference on %i x %i rows, temperature 1 and 0.6', (rows, cols) => {
      const next = rng(rows * 7919 + cols);
      const x = uniform(type, rows * cols, next, -20, 20);
      for (const t of [1, 0.6]) {
        const ref = reference(x, cols, t);
        const where = `${dt} ${rows}x${cols} t=${t}`;
        const p = api.softmax(x, { cols, temperature: t, out: poison(new type(x.length)) });
        expectProbs(p, ref.p, ref.args, `softmax ${where}`);
        const logp = api.logSoftmax(x, { cols, temperature: t, out: poison(new type(x.length)) });
        expectLogs(logp, ref.logp, `logSoftmax ${where}`);
      }
      const ref = reference(x, cols, 1);
      expectLogs(api.logSumExp(x, { cols, out: poison(new type(rows)) }), ref.lse, `logSumExp ${dt} ${rows}x${cols}`);
    });

    it('works in place and on views at a non-zero byteOffset', () => {
      const cols = 13, rows = 4;
      const backing = uniform(type, rows * cols + 5, rng(42), -10, 10);
      const x = backing.subarray(3, 3 + rows * cols);
      const ref = reference(x, cols, 1);
      const lse = api.logSumExp(x, { cols });
      expectLogs(lse, ref.lse, 'logSumExp of a view');
      const copy = x.slice();
      expect(api.logSoftmax(copy, { cols, out: copy })).toBe(copy);
      expectLogs(copy, ref.logp, 'logSoftmax in place');
      const out = poison(new type(rows * cols + 9)).subarray(4, 4 + rows * cols);
      expect(api.softmax(x, { cols, out })).toBe(out);
      expectProbs(out, ref.p, ref.args, 'softmax into a view');
      expect(api.softmax(x, { cols, out: x })).toBe(x);
      expectProbs(x, ref.p, ref.args, 'softmax in place over a view');
      expect([backing[0], backing[1], backing[2], backing[rows * cols + 3], backing[rows * cols + 4]].some(Number.isNaN)).toBe(false);
    });

    it('returns a new array of the input type, one per row for logSumExp', () => {
      const x = new type([1, 2, 3, 4]);
      const p = api.softmax(x, { cols: 2 });
      expect(p).toBeInstanceOf(type);
      expect(p).not.toBe(x);
      const lse = api.logSumExp(x);
      expect(lse).toBeInstanceOf(type);
      expect(lse.length).toBe(1);
      expect(api.logSumExp(x, { cols: 2 }).length).toBe(2);
      expect(api.softmax(new type(0), { cols: 3 }).length).toBe(0);
      expect(api.logSumExp(new type(0), { cols: 3 }).length).toBe(0);
    });

    it("reproduces DESIGN.md's worked examples", () => {
      const close = (got: ArrayLike<number>, want: number[]) =>
        expectClose(got, want, () => (dt === 'f32' ? 1e-6 : 5e-13), 'worked example');
      close(api.softmax(new type([3, 1, -3])), [0.878878242732, 0.118943235911, 0.002178521357]);
      const want = [0.09003057317, 0.244728471055, 0.665240955775];
      for (const shift of [0, -4, 1000]) close(api.softmax(new type([2 + shift, 3 + shift, 4 + shift])), want);
    });

    it('writes 0 / −Inf for all −Inf rows with allMasked: zero and NaN by default', () => {
      const x = new type([-Infinity, -Infinity, 1, -Infinity, Number.NaN, -Infinity]);
      const opts = { cols: 2 } as const;
      expectClose(api.softmax(x, opts), [NaN, NaN, 1, 0, NaN, NaN], () => 0, 'softmax nan mode');
      expectClose(api.softmax(x, { ...opts, allMasked: 'zero' }), [0, 0, 1, 0, NaN, NaN], () => 0, 'softmax zero');
      expectClose(api.logSoftmax(x, { ...opts, allMasked: 'zero' }), [-Infinity, -Infinity, 0, -Infinity, NaN, NaN], () => 0, 'log zero');
      expectClose(api.logSumExp(x, opts), [-Infinity, 1, NaN], () => 0, 'lse');
    });
  });

  // PyTorch's results on rows of NaN, ±Inf, huge and underflowing values, in each dtype.
  describe.each(special.cases.map((c) => [c.name, c] as const))('special row %s', (_n, c) => {
    it('matches PyTorch', () => {
      const type = c.dtype === 'float32' ? Float32Array : Float64Array;
      const x = new type(decode(c.x));
      const sentinel = 7.25; // not a possible output, so an unwritten entry shows
      const { args } = reference(x, c.cols, 1);
      const out = () => poison(new type(x.length), sentinel);
      expectProbs(api.softmax(x, { cols: c.cols, out: out() }), decode(c.softmax), args, 'softmax');
      expectLogs(api.logSoftmax(x, { cols: c.cols, out: out() }), decode(c.logSoftmax), 'logSoftmax');
      const lse = api.logSumExp(x, { cols: c.cols, out: poison(new type(x.length / c.cols), sentinel) });
      expectLogs(lse, decode(c.logSumExp), 'logSumExp');
    });
  });
});
