// crossEntropy, crossEntropyWithGrad and crossEntropyBackward over one backend's kernels.
// The TS side validates, works out the 'mean' denominator from the targets alone, and makes one
// fused kernel call that reads the logits and writes the loss and the gradient together.
import type { CrossEntropyCall, Kernels } from './kernels.js';
import { asyncTwin, type ParallelDefaults, type Prepared, runKeys, syncTwin } from './parallel.js';
import { backwardOutput, byReduction, meanScale, reduced, targetWeightTotal } from './reduce.js';
import type {
  AsyncOptions,
  CrossEntropyBackwardOptions,
  CrossEntropyLossOptions,
  CrossEntropyWithGradOptions,
  FloatArray,
  IntegerArray,
  LossAndGrad,
  ParallelOptions,
  Reduction,
} from './types.js';
import * as check from './validate.js';

const commonKeys = ['cols', 'weight', 'ignoreIndex', 'reduction', 'labelSmoothing', 'temperature', ...runKeys] as const;
const lossKeys = [...commonKeys, 'out'] as const;
const withGradKeys = [...commonKeys, 'gradOut'] as const;
const backwardKeys = [...commonKeys, 'gradOutput', 'out'] as const;

type Options = Partial<Record<(typeof commonKeys)[number], unknown>>;

/** Options for the async twins (and `threads` for the sync functions). */
type Run<P> = P extends 'async' ? AsyncOptions : ParallelOptions;
type Promised<P, R> = P extends 'async' ? Promise<R> : R;

/** Class-index targets, or soft targets of the logits' type and shape. */
export type Target<T extends FloatArray> = IntegerArray | T;

/** {@link CrossEntropyFn} for any `reduction`: one loss per row with `'none'`, else a number. */
export type CrossEntropyGeneral<P = 'sync'> = <T extends FloatArray>(
  logits: T,
  target: Target<T>,
  options?: CrossEntropyLossOptions<T> & Run<P>,
) => Promised<P, number | T>;

export interface CrossEntropyFn<P = 'sync'> extends CrossEntropyGeneral<P> {
  <T extends FloatArray>(logits: T, target: Target<T>, options: CrossEntropyLossOptions<T> & Run<P> & { reduction: 'none' }): Promised<P, T>;
  <T extends FloatArray>(
    logits: T,
    target: Target<T>,
    options?: CrossEntropyLossOptions<T> & Run<P> & { reduction?: 'mean' | 'sum' },
  ): Promised<P, number>;
}

/** {@link CrossEntropyWithGradFn} for any `reduction`. */
export type CrossEntropyWithGradGeneral<P = 'sync'> = <T extends FloatArray>(
  logits: T,
  target: Target<T>,
  options?: CrossEntropyWithGradOptions<T> & Run<P>,
) => Promised<P, LossAndGrad<T, number | T>>;

export interface CrossEntropyWithGradFn<P = 'sync'> extends CrossEntropyWithGradGeneral<P> {
  <T extends FloatArray>(
    logits: T,
    target: Target<T>,
    options: CrossEntropyWithGradOptions<T> & Run<P> & { reduction: 'none' },
  ): Promised<P, LossAndGrad<T, T>>;
  <T extends FloatArray>(
    logits: T,
    target: Target<T>,
    options?: CrossEntropyWithGradOptions<T> & Run<P> & { reduction?: 'mean' | 'sum' },
  ): Promised<P, LossAndGrad<T, number>>;
}

export type CrossEntropyBackwardFn = <T extends FloatArray>(
  logits: T,
  target: Target<T>,
  options?: CrossEntropyBackwardOptions<T> & ParallelOptions,
) => T;

/** Everything a kernel call needs, checked. */
interface Checked<T extends FloatArray> {
  x: T;
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

function checked<T extends FloatArray>(fn: string, logits: T, target: Target<T>, o: Options): Checked<T> {
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

/** The row call of a prepared cross-entropy. */
function rowCall(p: Checked<FloatArray>, lossOut: FloatArray | null, gradOut: FloatArray | null, gradScale: number, gradRowScale: FloatArray | null) {
  const call: CrossEntropyCall = {
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
  };
  return { op: 'crossEntropy', call } as const;
}

function prepareLoss<T extends FloatArray>(
  fn: string,
  logits: T,
  target: Target<T>,
  options?: CrossEntropyLossOptions<T> & AsyncOptions,
): Prepared<number | T> {
  const o = check.options(fn, options, lossKeys);
  const p = checked(fn, logits, target, o);
  const lossOut = check.lossOut(fn, p.reduction, o.out, p.x, p.rows, p.reads);
  return { call: rowCall(p, lossOut, null, 1, null), options: o, finish: (total) => lossOut ?? reduced(p.reduction, total, p.denominator) };
}

function prepareWithGrad<T extends FloatArray>(
  fn: string,
  logits: T,
  target: Target<T>,
  options?: CrossEntropyWithGradOptions<T> & AsyncOptions,
): Prepared<LossAndGrad<T, number | T>> {
  const o = check.options(fn, options, withGradKeys);
  const p = checked(fn, logits, target, o);
  const grad = check.outArray(fn, 'gradOut', o.gradOut, p.x, p.x.length, p.reads);
  const lossOut = check.lossOut(fn, p.reduction, undefined, p.x, p.rows, p.reads);
  // The gradient of the reduced loss; for 'none', of the sum of the row losses.
  const call = rowCall(p, lossOut, grad, meanScale(p.reduction, p.denominator), null);
  return { call, options: o, finish: (total) => ({ loss: lossOut ?? reduced(p.reduction, total, p.denominator), grad }) };
}

function prepareBackward<T extends FloatArray>(
  fn: string,
  logits: T,
  target: Target<T>,
  options?: CrossEntropyBackwardOptions<T> & ParallelOptions,
): Prepared<T> {
  const o = check.options(fn, options, backwardKeys);
  const p = checked(fn, logits, target, o);
  const { out, scale, each } = backwardOutput(fn, o, p.reduction, p.x, p.reads, { count: p.rows, unit: 'row', denominator: p.denominator });
  return { call: rowCall(p, null, out, scale, each), options: o, finish: () => out };
}

export function crossEntropyFunctions(
  k: Kernels,
  defaults: ParallelDefaults,
): {
  crossEntropy: CrossEntropyFn;
  crossEntropyWithGrad: CrossEntropyWithGradFn;
  crossEntropyBackward: CrossEntropyBackwardFn;
  crossEntropyAsync: CrossEntropyFn<'async'>;
  crossEntropyWithGradAsync: CrossEntropyWithGradFn<'async'>;
} {
  return {
    crossEntropy: byReduction<CrossEntropyFn, CrossEntropyGeneral>(syncTwin(k, 'crossEntropy', prepareLoss)),
    crossEntropyWithGrad: byReduction<CrossEntropyWithGradFn, CrossEntropyWithGradGeneral>(syncTwin(k, 'crossEntropyWithGrad', prepareWithGrad)),
    crossEntropyBackward: syncTwin(k, 'crossEntropyBackward', prepareBackward),
    crossEntropyAsync: byReduction<CrossEntropyFn<'async'>, CrossEntropyGeneral<'async'>>(asyncTwin(k, defaults, 'crossEntropy', prepareLoss)),
    crossEntropyWithGradAsync: byReduction<CrossEntropyWithGradFn<'async'>, CrossEntropyWithGradGeneral<'async'>>(
      asyncTwin(k, defaults, 'crossEntropyWithGrad', prepareWithGrad),
    ),
  };
}
