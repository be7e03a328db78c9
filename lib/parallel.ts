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

/**
 * The sync function of a `prepare`, with its parameters and result: a generic `prepare`
 * (`<T extends FloatArray>(fn, x: T, …) => Prepared<T>`) gives a generic function, which each
 * module checks against its public type (softmax.ts: `softmax: SoftmaxFn`), with no cast.
 */
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

/** The async function of a `prepare`, typed as {@link syncTwin} types the sync one, with a Promise of the result. */
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
    // At most the pool's threads: more would only queue behind them.
    const threads = Math.min(check.threads(fn, p.options.threads, fallback), defaults.threads);
    const signal = check.signal(fn, p.options.signal);
    signal?.throwIfAborted();
    const arrays = arraysOf(p.call);
    for (const [field, view] of arrays) {
      if ((view.buffer as { resizable?: boolean }).resizable) {
        throw new TypeError(`${fn}: ${field} is on a resizable ArrayBuffer, which could shrink under the running call; use a fixed-length one, or ${name}`);
      }
    }
    const control = new Int32Array(2);
    const stop = () => {
      control[0] = 1;
    };
    signal?.addEventListener('abort', stop, { once: true });
    let total: number | null;
    try {
      total = await k.runRowsAsync(p.call, threads, control);
    } catch (error) {
      throw detachedWhileRunning(fn, arrays) ?? error;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    const detached = detachedWhileRunning(fn, arrays);
    if (detached) throw detached;
    if (total === null) throw signal?.reason;
    return p.finish(total);
  };
}

/** The arrays a row call reads or writes, by field name. */
function arraysOf(call: RowCall): [string, ArrayBufferView][] {
  const fields = call.op === 'crossEntropy' || call.op === 'score' ? call.call : call;
  return Object.entries(fields).filter((entry): entry is [string, ArrayBufferView] => ArrayBuffer.isView(entry[1]));
}

/**
 * The error for an array whose buffer was transferred while the call ran: its results went to
 * the buffer's new owner, or nowhere. (If that owner lets the memory be freed before the call
 * ends, the native workers write freed memory: N-API cannot pin a buffer. The README warns.)
 */
function detachedWhileRunning(fn: string, arrays: [string, ArrayBufferView][]): TypeError | null {
  const lost = arrays.find(([, view]) => check.isDetached(view));
  return lost ? new TypeError(`${fn}: ${lost[0]} was detached (transferred) while the call ran, so its result is discarded`) : null;
}
