// Row calls on the pure-TS path: the same fixed chunk grid as the addon (native/src/row_jobs.h),
// so that totals are added in the same order, sync or async. There are no threads here: an async
// call runs its chunks on the calling thread and yields to the event loop between them every
// few milliseconds, checking its stop flag each time.
import { chunkRows, type RowCall, rowCallLength, rowCallShape } from '../kernels.js';
import { surface } from '../surface.js';
import { CompensatedSum } from '../sum.js';
import { crossEntropyRows } from './cross-entropy.js';
import { scoreRows } from './scoring.js';
import { logSoftmaxRows, logSumExpRows, softmaxRows } from './softmax.js';

/** Computes a whole row call and returns its total. */
function runWhole(c: RowCall): number {
  switch (c.op) {
    case 'crossEntropy':
      return crossEntropyRows(c.call);
    case 'score':
      return scoreRows(c.call);
    case 'logSumExp':
      logSumExpRows(c.x, c.out, c.cols);
      return 0;
    default:
      (c.op === 'softmax' ? softmaxRows : logSoftmaxRows)(c.x, c.out, c.cols, c.temperature, c.allMaskedZero);
      return 0;
  }
}

/** A chunk's slice of an optional array holding `per` entries per row. */
function slice<A extends { subarray(begin: number, end: number): A }>(a: A | null, begin: number, end: number, per: number): A | null {
  return a === null ? null : a.subarray(begin * per, end * per);
}

/** Rows [begin, end) of a row call, as a row call of their own. */
function sliceCall(c: RowCall, begin: number, end: number): RowCall {
  if (c.op === 'crossEntropy') {
    const a = c.call, cols = a.cols;
    const target = a.target instanceof Int32Array ? a.target.subarray(begin, end) : a.target.subarray(begin * cols, end * cols);
    const call = {
      ...a,
      logits: a.logits.subarray(begin * cols, end * cols),
      target,
      lossOut: slice(a.lossOut, begin, end, 1),
      gradOut: slice(a.gradOut, begin, end, cols),
      gradRowScale: slice(a.gradRowScale, begin, end, 1),
    };
    return { op: c.op, call };
  }
  if (c.op === 'score') {
    const a = c.call;
    const call = {
      ...a,
      logits: a.logits.subarray(begin * a.cols, end * a.cols),
      labels: slice(a.labels, begin, end, 1),
      predictions: slice(a.predictions, begin, end, 1),
      confidence: slice(a.confidence, begin, end, 1),
      logSumExp: slice(a.logSumExp, begin, end, 1),
      nll: slice(a.nll, begin, end, 1),
      topIndices: slice(a.topIndices, begin, end, a.k),
      topValues: slice(a.topValues, begin, end, a.k),
    };
    return { op: c.op, call };
  }
  const x = c.x.subarray(begin * c.cols, end * c.cols);
  const out = c.op === 'logSumExp' ? c.out.subarray(begin, end) : c.out.subarray(begin * c.cols, end * c.cols);
  return { ...c, x, out };
}

export function runRows(c: RowCall): number {
  // One chunk (every small call): its total as it is, without slicing anything. (A row is a
  // chunk of its own however long; tested first without the shape object, which tiny calls feel.)
  if (rowCallLength(c) <= surface.chunkElements) return runWhole(c);
  const { rows, cols } = rowCallShape(c);
  const step = chunkRows(cols);
  if (rows <= step) return runWhole(c);
  const total = new CompensatedSum();
  for (let begin = 0; begin < rows; begin += step) total.add(runWhole(sliceCall(c, begin, Math.min(rows, begin + step))));
  return total.value();
}

/** How long an async call computes before it lets the event loop run. */
const SLICE_MS = 4;

/**
 * One turn of the event loop: setImmediate where there is one (Node), else setTimeout, whose
 * 1 ms minimum after every slice would add a quarter to the work (bench/README.md, "Threads and
 * async").
 */
const yieldToLoop: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

export async function runRowsAsync(c: RowCall, control: Int32Array): Promise<number | null> {
  const { rows, cols } = rowCallShape(c);
  const step = chunkRows(cols);
  const total = new CompensatedSum();
  let sliceStart = performance.now();
  for (let begin = 0; begin < rows; begin += step) {
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
    if (control[0] !== 0) return null;
    total.add(runWhole(sliceCall(c, begin, Math.min(rows, begin + step))));
  }
  return total.value();
}
