// softmax, logSoftmax and logSumExp over one backend's kernels, and their async twins: validate,
// allocate `out` when it is not given, then one row call for the whole batch.
import type { Kernels } from './kernels.js';
import { asyncTwin, type ParallelDefaults, type Prepared, runKeys, syncTwin } from './parallel.js';
import type { AsyncOptions, FloatArray, LogSumExpOptions, ParallelOptions, SoftmaxOptions } from './types.js';
import * as check from './validate.js';

const softmaxKeys = ['cols', 'out', 'temperature', 'allMasked', ...runKeys] as const;
const logSumExpKeys = ['cols', 'out', ...runKeys] as const;

export type SoftmaxFn = <T extends FloatArray>(x: T, options?: SoftmaxOptions<T> & ParallelOptions) => T;
export type LogSumExpFn = <T extends FloatArray>(x: T, options?: LogSumExpOptions<T> & ParallelOptions) => T;
export type SoftmaxAsyncFn = <T extends FloatArray>(x: T, options?: SoftmaxOptions<T> & AsyncOptions) => Promise<T>;
export type LogSumExpAsyncFn = <T extends FloatArray>(x: T, options?: LogSumExpOptions<T> & AsyncOptions) => Promise<T>;

function prepareRowwise(op: 'softmax' | 'logSoftmax') {
  return <T extends FloatArray>(fn: string, x: T, options?: SoftmaxOptions<T> & AsyncOptions): Prepared<T> => {
    const o = check.options(fn, options, softmaxKeys);
    const input = check.floatArray(fn, 'x', x);
    const { cols } = check.shape(fn, 'x', input, o.cols);
    const temperature = check.temperature(fn, o.temperature);
    const allMaskedZero = check.allMaskedZero(fn, o.allMasked);
    const out = check.outArray(fn, 'out', o.out, input, input.length);
    return { call: { op, x: input, out, cols, temperature, allMaskedZero }, options: o, finish: () => out };
  };
}

function prepareLogSumExp<T extends FloatArray>(fn: string, x: T, options?: LogSumExpOptions<T> & AsyncOptions): Prepared<T> {
  const o = check.options(fn, options, logSumExpKeys);
  const input = check.floatArray(fn, 'x', x);
  const { rows, cols } = check.shape(fn, 'x', input, o.cols);
  const out = check.outArray(fn, 'out', o.out, input, rows);
  return { call: { op: 'logSumExp', x: input, out, cols }, options: o, finish: () => out };
}

export function softmaxFunctions(
  k: Kernels,
  defaults: ParallelDefaults,
): {
  softmax: SoftmaxFn;
  logSoftmax: SoftmaxFn;
  logSumExp: LogSumExpFn;
  softmaxAsync: SoftmaxAsyncFn;
  logSoftmaxAsync: SoftmaxAsyncFn;
  logSumExpAsync: LogSumExpAsyncFn;
} {
  const softmax = prepareRowwise('softmax'), logSoftmax = prepareRowwise('logSoftmax');
  return {
    softmax: syncTwin(k, 'softmax', softmax),
    logSoftmax: syncTwin(k, 'logSoftmax', logSoftmax),
    logSumExp: syncTwin(k, 'logSumExp', prepareLogSumExp),
    softmaxAsync: asyncTwin(k, defaults, 'softmax', softmax),
    logSoftmaxAsync: asyncTwin(k, defaults, 'logSoftmax', logSoftmax),
    logSumExpAsync: asyncTwin(k, defaults, 'logSumExp', prepareLogSumExp),
  };
}
