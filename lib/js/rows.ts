// Row calls on the pure-TS path: the same fixed chunk grid as the addon (native/src/row_jobs.h),
// so that totals are added in the same order, sync or async. There are no threads here: an async
// call runs its chunks on the calling thread and yields to the event loop between them every
// few milliseconds, checking its stop flag each time.
import { chunkRows, type RowCall } from '../kernels.js';
import { crossEntropyRows } from './cross-entropy.js';
import { scoreRows } from './scoring.js';
import { logSoftmaxRows, logSumExpRows, softmaxRows } from './softmax.js';
import { CompensatedSum } from './sum.js';

/** A chunk's slice of an optional array holding `per` entries per row. */
function slice<A extends { subarray(begin: number, end: number): A }>(a: A | null, begin: number, end: number, per: number): A | null {
  return a === null ? null : a.subarray(begin * per, end * per);
}

/** Computes rows [begin, end) of the call and returns their partial total. */
function runChunk(c: RowCall, begin: number, end: number): number {
  if (c.op === 'crossEntropy') {
    const a = c.call, cols = a.cols;
    const target = a.target instanceof Int32Array ? a.target.subarray(begin, end) : a.target.subarray(begin * cols, end * cols);
    return crossEntropyRows({
      ...a,
      logits: a.logits.subarray(begin * cols, end * cols),
      target,
      lossOut: slice(a.lossOut, begin, end, 1),
      gradOut: slice(a.gradOut, begin, end, cols),
      gradRowScale: slice(a.gradRowScale, begin, end, 1),
    });
  }
  if (c.op === 'score') {
    const a = c.call;
    return scoreRows({
      ...a,
      logits: a.logits.subarray(begin * a.cols, end * a.cols),
      labels: slice(a.labels, begin, end, 1),
      predictions: slice(a.predictions, begin, end, 1),
      confidence: slice(a.confidence, begin, end, 1),
      logSumExp: slice(a.logSumExp, begin, end, 1),
      nll: slice(a.nll, begin, end, 1),
      topIndices: slice(a.topIndices, begin, end, a.k),
      topValues: slice(a.topValues, begin, end, a.k),
    });
  }
  const x = c.x.subarray(begin * c.cols, end * c.cols);
  if (c.op === 'logSumExp') {
    logSumExpRows(x, c.out.subarray(begin, end), c.cols);
  } else {
    const kernel = c.op === 'softmax' ? softmaxRows : logSoftmaxRows;
    kernel(x, c.out.subarray(begin * c.cols, end * c.cols), c.cols, c.temperature, c.allMaskedZero);
  }
  return 0;
}

function rowsOf(c: RowCall): { rows: number; cols: number } {
  const cols = 'call' in c ? c.call.cols : c.cols;
  const length = 'call' in c ? c.call.logits.length : c.x.length;
  return { rows: length / cols, cols };
}

export function runRows(c: RowCall): number {
  const { rows, cols } = rowsOf(c);
  const step = chunkRows(cols);
  if (rows <= step) return runChunk(c, 0, rows);  // one chunk: its total as it is
  const total = new CompensatedSum();
  for (let begin = 0; begin < rows; begin += step) total.add(runChunk(c, begin, Math.min(rows, begin + step)));
  return total.value();
}

/** How long an async call computes before it lets the event loop run. */
const SLICE_MS = 4;

/**
 * One turn of the event loop: setImmediate where there is one (Node), else setTimeout, whose
 * 1 ms minimum after every 4 ms slice cost 1.27x the sync time in Node against 1.01x.
 */
const yieldToLoop: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

export async function runRowsAsync(c: RowCall, control: Int32Array): Promise<number | null> {
  const { rows, cols } = rowsOf(c);
  const step = chunkRows(cols);
  const total = new CompensatedSum();
  let slice = performance.now();
  for (let begin = 0; begin < rows; begin += step) {
    if (performance.now() - slice > SLICE_MS) {
      await yieldToLoop();
      slice = performance.now();
    }
    if (control[0] !== 0) return null;
    total.add(runChunk(c, begin, Math.min(rows, begin + step)));
  }
  return total.value();
}
