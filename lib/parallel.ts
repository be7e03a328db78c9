// The sync and async twins of the heavy functions, from one `prepare` that checks the arguments
// and describes the work as a row call: the sync function runs it at once (on `threads` threads,
// default 1), the async one off the main thread (default: every thread for large inputs), with an
// AbortSignal checked between chunks. The same row call gives the same bits either way.
import { type Kernels, type RowCall, rowCallLength } from './kernels.js';
import * as check from './validate.js';

/** How many threads async calls use by default, and from what size (the `backend` fields). */
export interface ParallelDefaults {
  threads: number;
  parallelMin: number;
}

/** A checked call: the row call, the options that say how to run it, and how to build the result. */
export interface Prepared<R> {
  call: RowCall;
  options: { threads?: unknown; signal?: unknown };
  finish(total: number): R;
}

/** The option keys every prepared function accepts, beyond its own. */
export const runKeys = ['threads', 'signal'] as const;

export function syncTwin<A extends unknown[], R>(
  k: Kernels,
  fn: string,
  prepare: (fn: string, ...args: A) => Prepared<R>,
): (...args: A) => R {
  return (...args: A): R => {
    const p = prepare(fn, ...args);
    if (p.options.signal !== undefined) throw new TypeError(`${fn}: signal is an option of ${fn}Async only`);
    return p.finish(k.runRows(p.call, check.threads(fn, p.options.threads, 1)));
  };
}

export function asyncTwin<A extends unknown[], R>(
  k: Kernels,
  defaults: ParallelDefaults,
  name: string,
  prepare: (fn: string, ...args: A) => Prepared<R>,
): (...args: A) => Promise<R> {
  const fn = `${name}Async`;
  return async (...args: A): Promise<R> => {
    const p = prepare(fn, ...args);
    const fallback = rowCallLength(p.call) >= defaults.parallelMin ? defaults.threads : 1;
    const threads = check.threads(fn, p.options.threads, fallback);
    const signal = check.signal(fn, p.options.signal);
    signal?.throwIfAborted();
    const control = new Int32Array(2);
    const stop = () => {
      control[0] = 1;
    };
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const total = await k.runRowsAsync(p.call, threads, control);
      if (total === null) throw signal?.reason;
      return p.finish(total);
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  };
}
