// Reductions shared by every loss (PyTorch's rules): what 'mean' divides by, the reduced loss, and
// the factor and output of a …Backward call.
import { CompensatedSum } from './sum.js';
import type { FloatArray, Reduction } from './types.js';
import * as check from './validate.js';
import type { ClassTargets } from './validate.js';

/** Σ w[y_i] over the rows not ignored (a count when there are no weights). */
export function targetWeightTotal({ labels, ignoreIndex }: ClassTargets, weight: FloatArray | null): number {
  if (weight === null) {
    let count = labels.length;  // exact: an integer count
    for (let i = 0; i < labels.length; i++) if (labels[i] === ignoreIndex) count--;
    return count;
  }
  const total = new CompensatedSum();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== ignoreIndex) total.add(weight[y]);
  }
  return total.value();
}

/** The reduced loss from the sum of the per-row (or per-element) losses. */
export function reduced(reduction: Reduction, total: number, denominator: number): number {
  return reduction === 'sum' ? total : total / denominator;
}

/** d (reduced loss) / d (summed loss): 1 / denominator for 'mean', else 1. */
export function meanScale(reduction: Reduction, denominator: number): number {
  return reduction === 'mean' ? 1 / denominator : 1;
}

/**
 * A …Backward call's upstream gradient and output: `gradOutput` (a number, or with 'none' one per
 * row or element, which `out` must not overlap) and `out` (the first argument's type and length).
 * `scale` includes the 'mean' division; `each` is the per-row or per-element factor, or null.
 */
export function backwardOutput<T extends FloatArray>(
  fn: string,
  options: { gradOutput?: unknown; out?: unknown },
  reduction: Reduction,
  like: T,
  reads: check.Reads,
  per: { count: number; unit: 'row' | 'element'; denominator: number },
): { out: T; scale: number; each: FloatArray | null } {
  const upstream = check.gradOutput(fn, options.gradOutput, reduction, per.count, like, per.unit);
  const disjoint = reads.disjoint ?? [];
  const each = upstream.rowScale;
  const out = check.outArray(fn, 'out', options.out, like, like.length, { alias: reads.alias, disjoint: each ? disjoint.concat(each) : disjoint });
  return { out, scale: upstream.scale * meanScale(reduction, per.denominator), each };
}

/**
 * A loss typed by its public overloads. A loss returns one value per row (or element) with
 * reduction 'none' and a number otherwise; its public type `F` says which from the `reduction`
 * the caller passes, with overloads ahead of the general signature `G` (`number | T`) that it
 * extends. The compiler checks the implementation against `G` and that `F` ends in `G`; only the
 * choice between number and array by `reduction`, which it cannot see through one implementation,
 * is this cast's (the tests check every reduction's result on both backends).
 */
export function byReduction<F extends G, G>(general: G): F {
  return general as F;
}
