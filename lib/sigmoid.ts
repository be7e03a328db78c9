// sigmoid, logSigmoid, sigmoidBackward and binary cross-entropy with logits. The exp and log1p
// work runs in the backend's kernels; sigmoidBackward is one multiply-add an element, which
// gains nothing from crossing into native, so both backends share its TS loop.
import type { Kernels } from './kernels.js';
import { backwardOutput, byReduction, reduced } from './reduce.js';
import type {
  BinaryCrossEntropyBackwardOptions,
  BinaryCrossEntropyLossOptions,
  ElementwiseOptions,
  FloatArray,
  Reduction,
} from './types.js';
import * as check from './validate.js';

const elementwiseKeys = ['out'] as const;
const commonKeys = ['cols', 'weight', 'posWeight', 'reduction'] as const;
const lossKeys = [...commonKeys, 'out'] as const;
const backwardKeys = [...commonKeys, 'gradOutput', 'out'] as const;

export type ElementwiseFn = <T extends FloatArray>(x: T, options?: ElementwiseOptions<T>) => T;
export type SigmoidBackwardFn = <T extends FloatArray>(y: T, dy: T, options?: ElementwiseOptions<T>) => T;

/** {@link BinaryCrossEntropyFn} for any `reduction`: one loss per element with `'none'`, else a number. */
export type BinaryCrossEntropyGeneral = <T extends FloatArray>(x: T, target: T, options?: BinaryCrossEntropyLossOptions<T>) => number | T;

export interface BinaryCrossEntropyFn extends BinaryCrossEntropyGeneral {
  <T extends FloatArray>(x: T, target: T, options: BinaryCrossEntropyLossOptions<T> & { reduction: 'none' }): T;
  <T extends FloatArray>(x: T, target: T, options?: BinaryCrossEntropyLossOptions<T> & { reduction?: 'mean' | 'sum' }): number;
}

export type BinaryCrossEntropyBackwardFn = <T extends FloatArray>(
  x: T,
  target: T,
  options?: BinaryCrossEntropyBackwardOptions<T>,
) => T;

type Options = Partial<Record<(typeof commonKeys)[number], unknown>>;

interface Prepared<T extends FloatArray> {
  x: T;
  target: T;
  cols: number;
  reduction: Reduction;
  weight: FloatArray | null;
  posWeight: FloatArray | null;
  reads: check.Reads;
}

function prepare<T extends FloatArray>(fn: string, x: T, target: T, o: Options): Prepared<T> {
  const logits = check.floatArray(fn, 'x', x);
  const { cols } = check.shape(fn, 'x', logits, o.cols);
  const t = check.partner(fn, 'target', target, logits, 'x');
  const reduction = check.reduction(fn, o.reduction);
  const weight = check.weightsOf(fn, 'weight', o.weight, [['x.length', logits.length], ['cols', cols]], logits);
  let posWeight: FloatArray | null;
  if (typeof o.posWeight === 'number') {
    const pw = check.finite(fn, 'posWeight', o.posWeight);
    posWeight = check.newLike(logits, cols).fill(pw);
  } else {
    posWeight = check.weightsOf(fn, 'posWeight', o.posWeight, [['cols', cols]], logits);
  }
  const disjoint = [weight, posWeight].filter((a): a is FloatArray => a !== null);
  return { x: logits, target: t, cols, reduction, weight, posWeight, reads: { alias: [logits, t], disjoint } };
}

export function sigmoidFunctions(k: Kernels): {
  sigmoid: ElementwiseFn;
  logSigmoid: ElementwiseFn;
  sigmoidBackward: SigmoidBackwardFn;
  binaryCrossEntropyWithLogits: BinaryCrossEntropyFn;
  binaryCrossEntropyWithLogitsBackward: BinaryCrossEntropyBackwardFn;
} {
  const elementwise = (fn: string, kernel: Kernels['sigmoid']): ElementwiseFn =>
    function <T extends FloatArray>(x: T, options?: ElementwiseOptions<T>): T {
      const o = check.options(fn, options, elementwiseKeys);
      check.floatArray(fn, 'x', x);
      const out = check.outArray(fn, 'out', o.out, x, x.length);
      kernel(x, out);
      return out;
    };

  function sigmoidBackward<T extends FloatArray>(y: T, dy: T, options?: ElementwiseOptions<T>): T {
    const fn = 'sigmoidBackward';
    const o = check.options(fn, options, elementwiseKeys);
    check.floatArray(fn, 'y', y);
    check.partner(fn, 'dy', dy, y, 'y');
    const out = check.outArray(fn, 'out', o.out, y, y.length, { alias: [y, dy] });
    for (let i = 0; i < y.length; i++) {
      const s = y[i];
      out[i] = dy[i] * s * (1 - s);
    }
    return out;
  }

  // A plain object literal: spreads cost microseconds on small calls.
  const run = (p: Prepared<FloatArray>, lossOut: FloatArray | null, gradOut: FloatArray | null, gradScale: number, gradElementScale: FloatArray | null) =>
    k.binaryCrossEntropyRows({
      x: p.x,
      target: p.target,
      cols: p.cols,
      weight: p.weight,
      posWeight: p.posWeight,
      lossOut,
      gradOut,
      gradScale,
      gradElementScale,
    });

  function binaryCrossEntropyWithLogits<T extends FloatArray>(x: T, target: T, options?: BinaryCrossEntropyLossOptions<T>): number | T {
    const fn = 'binaryCrossEntropyWithLogits';
    const o = check.options(fn, options, lossKeys);
    const p = prepare(fn, x, target, o);
    const lossOut = check.lossOut(fn, p.reduction, o.out, p.x, p.x.length, p.reads);
    const total = run(p, lossOut, null, 1, null);
    return lossOut ?? reduced(p.reduction, total, p.x.length);
  }

  function binaryCrossEntropyWithLogitsBackward<T extends FloatArray>(x: T, target: T, options?: BinaryCrossEntropyBackwardOptions<T>): T {
    const fn = 'binaryCrossEntropyWithLogitsBackward';
    const o = check.options(fn, options, backwardKeys);
    const p = prepare(fn, x, target, o);
    const n = p.x.length;
    const { out, scale, each } = backwardOutput(fn, o, p.reduction, p.x, p.reads, { count: n, unit: 'element', denominator: n });
    run(p, null, out, scale, each);
    return out;
  }

  return {
    sigmoid: elementwise('sigmoid', k.sigmoid),
    logSigmoid: elementwise('logSigmoid', k.logSigmoid),
    sigmoidBackward,
    binaryCrossEntropyWithLogits: byReduction<BinaryCrossEntropyFn, BinaryCrossEntropyGeneral>(binaryCrossEntropyWithLogits),
    binaryCrossEntropyWithLogitsBackward,
  };
}
