// entropy, crossEntropyProbs and klDivergence over rows of probabilities. The kernel checks the
// rows (one pass) before it computes (a second), so a bad row throws with nothing written; this
// module turns the index it reports into a message.
import type { Kernels, Measure } from './kernels.js';
import { CompensatedSum } from './sum.js';
import type { FloatArray, InformationOptions } from './types.js';
import * as check from './validate.js';

const keys = ['cols', 'base', 'normalize', 'out'] as const;

/** How far from 1 a row's sum may be, by element type. */
const tolerance = (p: FloatArray) => (check.arrayType(p) === 'Float32Array' ? 1e-3 : 1e-9);

export type EntropyFn = <T extends FloatArray>(p: T, options?: InformationOptions<T>) => T;
export type DivergenceFn = <T extends FloatArray>(p: T, q: T, options?: InformationOptions<T>) => T;

/** The error for row r, the first row the kernel rejected. */
function badRow(fn: string, name: string, x: FloatArray, r: number, cols: number, normalize: boolean, tol: number): RangeError | null {
  const sum = new CompensatedSum();
  for (let i = r * cols; i < (r + 1) * cols; i++) {
    const v = x[i];
    if (!(v >= 0) || v === Infinity) {
      return new RangeError(`${fn}: ${name}[${i}] (row ${r}) must be a finite probability ≥ 0, got ${check.describe(v)}`);
    }
    sum.add(v);
  }
  const s = sum.value();
  if (normalize && !(s > 0)) return new RangeError(`${fn}: row ${r} of ${name} sums to 0; normalize needs a positive sum`);
  if (!normalize && !(Math.abs(s - 1) <= tol)) {
    return new RangeError(`${fn}: row ${r} of ${name} sums to ${s}, not 1 (within ${tol}); pass normalize: true to divide rows by their sums`);
  }
  return null;
}

export function informationFunctions(k: Kernels): {
  entropy: EntropyFn;
  crossEntropyProbs: DivergenceFn;
  klDivergence: DivergenceFn;
} {
  function run<T extends FloatArray>(fn: Measure, p: T, q: T | undefined, options: InformationOptions<T> | undefined): T {
    const o = check.options(fn, options, keys);
    const x = check.floatArray(fn, 'p', p);
    const y = fn === 'entropy' ? null : check.partner(fn, 'q', q, x, 'p');
    const { rows, cols } = check.shape(fn, 'p', x, o.cols);
    const scale = check.logBase(fn, o.base);
    const normalize = check.boolean(fn, 'normalize', o.normalize);
    const out = check.outArray(fn, 'out', o.out, x, rows, { alias: [], disjoint: y ? [x, y] : [x] });
    const tol = tolerance(x);
    const bad = k.informationRows({ measure: fn, p: x, q: y, out, cols, normalize, scale, tolerance: tol });
    if (bad >= 0) {
      throw (
        badRow(fn, 'p', x, bad, cols, normalize, tol) ??
        (y && badRow(fn, 'q', y, bad, cols, normalize, tol)) ??
        new RangeError(`${fn}: row ${bad} of p or q is not a row of probabilities`)
      );
    }
    return out;
  }
  return {
    entropy: (p, options) => run('entropy', p, undefined, options),
    crossEntropyProbs: (p, q, options) => run('crossEntropyProbs', p, q, options),
    klDivergence: (p, q, options) => run('klDivergence', p, q, options),
  };
}
