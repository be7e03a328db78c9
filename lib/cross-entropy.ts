// crossEntropy, crossEntropyWithGrad and crossEntropyBackward over one backend's kernels.
// The TS side validates, works out the 'mean' denominator from the targets alone, and makes one
// fused kernel call that reads the logits and writes the loss and the gradient together.
import type { Kernels } from './kernels.js';
import { backwardOutput, meanScale, reduced, targetWeightTotal } from './reduce.js';
import type {
  CrossEntropyBackwardOptions,
  CrossEntropyLossOptions,
  CrossEntropyWithGradOptions,
  FloatArray,
  IntegerArray,
  LossAndGrad,
  Reduction,
} from './types.js';
import * as check from './validate.js';

const commonKeys = ['cols', 'weight', 'ignoreIndex', 'reduction', 'labelSmoothing', 'temperature'] as const;
const lossKeys = [...commonKeys, 'out'] as const;
const withGradKeys = [...commonKeys, 'gradOut'] as const;
const backwardKeys = [...commonKeys, 'gradOutput', 'out'] as const;

type Options = Partial<Record<(typeof commonKeys)[number], unknown>>;

/** Class-index targets, or soft targets of the logits' type and shape. */
export type Target<T extends FloatArray> = IntegerArray | T;

export interface CrossEntropyFn {
  <T extends FloatArray>(logits: T, target: Target<T>, options: CrossEntropyLossOptions<T> & { reduction: 'none' }): T;
  <T extends FloatArray>(logits: T, target: Target<T>, options?: CrossEntropyLossOptions<T> & { reduction?: 'mean' | 'sum' }): number;
  <T extends FloatArray>(logits: T, target: Target<T>, options?: CrossEntropyLossOptions<T>): number | T;
}

export interface CrossEntropyWithGradFn {
  <T extends FloatArray>(
    logits: T,
    target: Target<T>,
    options: CrossEntropyWithGradOptions<T> & { reduction: 'none' },
  ): LossAndGrad<T, T>;
  <T extends FloatArray>(
    logits: T,
    target: Target<T>,
    options?: CrossEntropyWithGradOptions<T> & { reduction?: 'mean' | 'sum' },
  ): LossAndGrad<T, number>;
  <T extends FloatArray>(logits: T, target: Target<T>, options?: CrossEntropyWithGradOptions<T>): LossAndGrad<T, number | T>;
}

export type CrossEntropyBackwardFn = <T extends FloatArray>(
  logits: T,
  target: Target<T>,
  options?: CrossEntropyBackwardOptions<T>,
) => T;

/** Everything a kernel call needs, checked. */
interface Prepared {
  x: FloatArray;
  rows: number;
  cols: number;
  reduction: Reduction;
  target: Int32Array | FloatArray;
  ignoreIndex: number;
  weight: FloatArray | null;
  labelSmoothing: number;
  temperature: number;
  /** What 'mean' divides the summed loss by. */
  denominator: number;
  /** The caller's arrays the kernel reads, for the overlap checks of the outputs. */
  reads: check.Reads;
}

function prepare(fn: string, logits: unknown, target: unknown, o: Options): Prepared {
  const x = check.floatArray(fn, 'logits', logits);
  const { rows, cols } = check.shape(fn, 'logits', x, o.cols);
  const reduction = check.reduction(fn, o.reduction);
  const labelSmoothing = check.labelSmoothing(fn, o.labelSmoothing);
  const temperature = check.temperature(fn, o.temperature);
  const ignore = check.ignoreIndex(fn, o.ignoreIndex);
  const weight = check.weights(fn, o.weight, cols, x);
  // Plain object literals: object and array spreads cost microseconds here (V8 copies them slowly).
  if (check.isFloatArray(target)) {
    const soft = check.softTargets(fn, 'target', target, x);
    const reads = { alias: [x, soft], disjoint: weight ? [weight] : [] };
    return { x, rows, cols, reduction, weight, labelSmoothing, temperature, target: soft, ignoreIndex: ignore, denominator: rows, reads };
  }
  if (!check.isIntegerArray(target)) {
    throw new TypeError(
      `${fn}: target must be class indices (an integer typed array or number[]) or soft targets (a ${x.constructor.name}), got ${check.describe(target)}`,
    );
  }
  const classes = check.classTargets(fn, 'target', target, rows, cols, ignore);
  const denominator = targetWeightTotal(classes, weight);
  const reads = { alias: [x], disjoint: weight ? [weight, classes.labels] : [classes.labels] };
  return { x, rows, cols, reduction, weight, labelSmoothing, temperature, target: classes.labels, ignoreIndex: classes.ignoreIndex, denominator, reads };
}

export function crossEntropyFunctions(k: Kernels): {
  crossEntropy: CrossEntropyFn;
  crossEntropyWithGrad: CrossEntropyWithGradFn;
  crossEntropyBackward: CrossEntropyBackwardFn;
} {
  const run = (p: Prepared, lossOut: FloatArray | null, gradOut: FloatArray | null, gradScale: number, gradRowScale: FloatArray | null) =>
    k.crossEntropyRows({
      logits: p.x,
      cols: p.cols,
      target: p.target,
      ignoreIndex: p.ignoreIndex,
      weight: p.weight,
      labelSmoothing: p.labelSmoothing,
      temperature: p.temperature,
      lossOut,
      gradOut,
      gradScale,
      gradRowScale,
    });

  function crossEntropy(logits: FloatArray, target: unknown, options?: CrossEntropyLossOptions): number | FloatArray {
    const fn = 'crossEntropy';
    const o = check.options(fn, options, lossKeys);
    const p = prepare(fn, logits, target, o);
    const lossOut = check.lossOut(fn, p.reduction, o.out, p.x, p.rows, p.reads);
    const total = run(p, lossOut, null, 1, null);
    return lossOut ?? reduced(p.reduction, total, p.denominator);
  }

  function crossEntropyWithGrad(logits: FloatArray, target: unknown, options?: CrossEntropyWithGradOptions) {
    const fn = 'crossEntropyWithGrad';
    const o = check.options(fn, options, withGradKeys);
    const p = prepare(fn, logits, target, o);
    const grad = check.outArray(fn, 'gradOut', o.gradOut, p.x, p.x.length, p.reads);
    const lossOut = check.lossOut(fn, p.reduction, undefined, p.x, p.rows, p.reads);
    // The gradient of the reduced loss; for 'none', of the sum of the row losses.
    const total = run(p, lossOut, grad, meanScale(p.reduction, p.denominator), null);
    return { loss: lossOut ?? reduced(p.reduction, total, p.denominator), grad };
  }

  function crossEntropyBackward(logits: FloatArray, target: unknown, options?: CrossEntropyBackwardOptions): FloatArray {
    const fn = 'crossEntropyBackward';
    const o = check.options(fn, options, backwardKeys);
    const p = prepare(fn, logits, target, o);
    const { out, scale, each } = backwardOutput(fn, o, p.reduction, p.x, p.reads, { count: p.rows, unit: 'row', denominator: p.denominator });
    run(p, null, out, scale, each);
    return out;
  }

  return {
    crossEntropy: crossEntropy as CrossEntropyFn,
    crossEntropyWithGrad: crossEntropyWithGrad as CrossEntropyWithGradFn,
    crossEntropyBackward: crossEntropyBackward as CrossEntropyBackwardFn,
  };
}
