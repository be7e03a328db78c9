// Pure-TS scoring kernel: the same algorithm as native/src/serial_scoring.cc (double arithmetic,
// compensated sums; the top k through a heap of k indices kept in the output).
import type { ScoreCall } from '../kernels.js';
import { CompensatedSum } from '../sum.js';
import type { FloatArray } from '../types.js';

/** a is worse than b: smaller, or equal and later. */
function worse(x: FloatArray, start: number, a: number, b: number): boolean {
  const va = x[start + a], vb = x[start + b];
  return va < vb || (va === vb && a > b);
}

function siftDown(x: FloatArray, start: number, heap: Int32Array, at: number, j: number, n: number): void {
  for (;;) {
    let w = j;
    const l = 2 * j + 1, r = l + 1;
    if (l < n && worse(x, start, heap[at + l], heap[at + w])) w = l;
    if (r < n && worse(x, start, heap[at + r], heap[at + w])) w = r;
    if (w === j) return;
    const t = heap[at + j];
    heap[at + j] = heap[at + w];
    heap[at + w] = t;
    j = w;
  }
}

/**
 * The k largest entries of x[start, start + cols), best first, equal values in index order, into
 * heap[at, at + k): a heap whose root is the worst kept entry, replaced only by a strictly larger one.
 */
export function topKIndices(x: FloatArray, start: number, cols: number, k: number, heap: Int32Array, at: number): void {
  for (let j = 0; j < k; j++) heap[at + j] = j;
  for (let j = (k >> 1) - 1; j >= 0; j--) siftDown(x, start, heap, at, j, k);
  for (let c = k; c < cols; c++) {
    if (x[start + c] > x[start + heap[at]]) {
      heap[at] = c;
      siftDown(x, start, heap, at, 0, k);
    }
  }
  for (let end = k - 1; end > 0; end--) {
    const t = heap[at];
    heap[at] = heap[at + end];
    heap[at + end] = t;
    siftDown(x, start, heap, at, 0, end);
  }
}

export function scoreRows(a: ScoreCall): number {
  const { logits: x, cols, labels, k } = a;
  const rows = x.length / cols;
  const needSum = a.confidence !== null || a.logSumExp !== null || labels !== null || (k > 0 && a.topProbabilities);
  const total = new CompensatedSum();
  for (let r = 0, start = 0; r < rows; r++, start += cols) {
    let m = -Infinity, arg = 0, nan = false;
    for (let c = 0; c < cols; c++) {
      const v = x[start + c];
      if (v !== v) nan = true;
      if (v > m) {
        m = v;
        arg = c;
      }
    }
    if (nan) {
      m = Number.NaN;
      arg = -1;
    }
    // Σ e^(x − m) where the max is finite; otherwise the probabilities are NaN (PyTorch's softmax).
    let sum = Number.NaN, lse = m;
    if (needSum && Number.isFinite(m)) {
      const s = new CompensatedSum();
      for (let c = 0; c < cols; c++) s.add(Math.exp(x[start + c] - m));
      sum = s.value();
      lse = m + Math.log(sum);
    }
    if (a.predictions) a.predictions[r] = arg;
    if (a.logSumExp) a.logSumExp[r] = lse;
    if (a.confidence) a.confidence[r] = 1 / sum;
    if (labels) {
      const nll = Math.log(sum) + (m - x[start + labels[r]]);
      if (a.nll) a.nll[r] = nll;
      total.add(nll);
    }
    if (k === 0) continue;
    const idx = a.topIndices as Int32Array, val = a.topValues as FloatArray, at = r * k;
    if (nan) {
      idx.fill(-1, at, at + k);
      val.fill(Number.NaN, at, at + k);
      continue;
    }
    topKIndices(x, start, cols, k, idx, at);
    for (let j = 0; j < k; j++) {
      const v = x[start + idx[at + j]];
      val[at + j] = a.topProbabilities ? Math.exp(v - m) / sum : v;
    }
  }
  return total.value();
}
