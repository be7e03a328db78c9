// softmax, logSoftmax and logSumExp over one backend's kernels: validate, allocate `out` when it
// is not given, then one kernel call for the whole batch.
import type { Kernels } from './kernels.js';
import type { FloatArray, LogSumExpOptions, SoftmaxOptions } from './types.js';
import * as check from './validate.js';

const softmaxKeys = ['cols', 'out', 'temperature', 'allMasked'] as const;
const logSumExpKeys = ['cols', 'out'] as const;

export type SoftmaxFn = <T extends FloatArray>(x: T, options?: SoftmaxOptions<T>) => T;
export type LogSumExpFn = <T extends FloatArray>(x: T, options?: LogSumExpOptions<T>) => T;

export function softmaxFunctions(k: Kernels): { softmax: SoftmaxFn; logSoftmax: SoftmaxFn; logSumExp: LogSumExpFn } {
  const rowwise = (fn: string, kernel: Kernels['softmaxRows']): SoftmaxFn =>
    function <T extends FloatArray>(x: T, options?: SoftmaxOptions<T>): T {
      const o = check.options(fn, options, softmaxKeys);
      check.floatArray(fn, 'x', x);
      const { cols } = check.shape(fn, 'x', x, o.cols);
      const t = check.temperature(fn, o.temperature);
      const zero = check.allMaskedZero(fn, o.allMasked);
      const out = check.outArray(fn, 'out', o.out, x, x.length);
      kernel(x, out, cols, t, zero);
      return out;
    };
  return {
    softmax: rowwise('softmax', k.softmaxRows),
    logSoftmax: rowwise('logSoftmax', k.logSoftmaxRows),
    logSumExp<T extends FloatArray>(x: T, options?: LogSumExpOptions<T>): T {
      const fn = 'logSumExp';
      const o = check.options(fn, options, logSumExpKeys);
      check.floatArray(fn, 'x', x);
      const { rows, cols } = check.shape(fn, 'x', x, o.cols);
      const out = check.outArray(fn, 'out', o.out, x, rows);
      k.logSumExpRows(x, out, cols);
      return out;
    },
  };
}
