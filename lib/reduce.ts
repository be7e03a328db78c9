// What 'mean' divides by, shared by the cross-entropy and NLL losses (PyTorch's rules).
import type { ClassTargets } from './validate.js';
import type { FloatArray } from './types.js';
import { CompensatedSum } from './js/sum.js';

/** Σ w[y_i] over the rows not ignored (a count when there are no weights). */
export function targetWeightTotal({ labels, ignoreIndex }: ClassTargets, weight: FloatArray | null): number {
  const total = new CompensatedSum();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== ignoreIndex) total.add(weight ? weight[y] : 1);
  }
  return total.value();
}
