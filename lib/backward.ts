// Vector-Jacobian products of softmax and logSoftmax, for users who chain them in their own
// autograd: given the forward output y and the upstream gradient dy, the gradient wrt the input.
import type { Kernels } from './kernels.js';
import type { FloatArray, RowsOptions } from './types.js';
import * as check from './validate.js';

const keys = ['cols', 'out'] as const;

export type BackwardProductFn = <T extends FloatArray>(y: T, dy: T, options?: RowsOptions<T>) => T;

export function backwardFunctions(k: Kernels): { softmaxBackward: BackwardProductFn; logSoftmaxBackward: BackwardProductFn } {
  const rowwise = (fn: string, kernel: Kernels['softmaxBackwardRows']): BackwardProductFn =>
    function <T extends FloatArray>(y: T, dy: T, options?: RowsOptions<T>): T {
      const o = check.options(fn, options, keys);
      check.floatArray(fn, 'y', y);
      const { cols } = check.shape(fn, 'y', y, o.cols);
      check.partner(fn, 'dy', dy, y, 'y');
      const out = check.outArray(fn, 'out', o.out, y, y.length, { alias: [y, dy] });
      kernel(y, dy, out, cols);
      return out;
    };
  return {
    softmaxBackward: rowwise('softmaxBackward', k.softmaxBackwardRows),
    logSoftmaxBackward: rowwise('logSoftmaxBackward', k.logSoftmaxBackwardRows),
  };
}
