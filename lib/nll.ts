// nllLoss: one read per row, so both backends share this TS code.
import { byReduction, reduced, targetWeightTotal } from './reduce.js';
import { CompensatedSum } from './sum.js';
import type { FloatArray, IntegerArray, NllLossOptions } from './types.js';
import * as check from './validate.js';

const keys = ['cols', 'weight', 'ignoreIndex', 'reduction', 'out'] as const;

/** {@link NllLossFn} for any `reduction`: one loss per row with `'none'`, else a number. */
export type NllLossGeneral = <T extends FloatArray>(logProbs: T, target: IntegerArray, options?: NllLossOptions<T>) => number | T;

export interface NllLossFn extends NllLossGeneral {
  <T extends FloatArray>(logProbs: T, target: IntegerArray, options: NllLossOptions<T> & { reduction: 'none' }): T;
  <T extends FloatArray>(logProbs: T, target: IntegerArray, options?: NllLossOptions<T> & { reduction?: 'mean' | 'sum' }): number;
}

function nll<T extends FloatArray>(logProbs: T, target: IntegerArray, options?: NllLossOptions<T>): number | T {
  const fn = 'nllLoss';
  const o = check.options(fn, options, keys);
  const x = check.floatArray(fn, 'logProbs', logProbs);
  const { rows, cols } = check.shape(fn, 'logProbs', x, o.cols);
  const reduction = check.reduction(fn, o.reduction);
  const ignore = check.ignoreIndex(fn, o.ignoreIndex);
  const weight = check.weights(fn, o.weight, cols, x);
  const classes = check.classTargets(fn, 'target', target, rows, cols, ignore);
  const out = check.lossOut(fn, reduction, o.out, x, rows, { alias: [x], disjoint: weight ? [weight] : [] });

  const total = new CompensatedSum();
  for (let r = 0; r < rows; r++) {
    const y = classes.labels[r];
    const loss = y === classes.ignoreIndex ? 0 : -(weight ? weight[y] : 1) * x[r * cols + y];
    if (out) out[r] = loss;
    total.add(loss);
  }
  if (out) return out;
  return reduced(reduction, total.value(), reduction === 'mean' ? targetWeightTotal(classes, weight) : 1);
}

export const nllLoss = byReduction<NllLossFn, NllLossGeneral>(nll);
