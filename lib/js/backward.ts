// Pure-TS vector-Jacobian products of softmax and logSoftmax, one row at a time: the row sum in
// blocks folded into a compensated total (lib/sum.ts), then one pass that writes (so `out` may be
// y or dy).
import { CompensatedSum, SUM_BLOCK } from '../sum.js';
import type { FloatArray } from '../types.js';

// y ⊙ (dy − Σ dy·y), y = softmax(x).
export function softmaxBackwardRows(y: FloatArray, dy: FloatArray, out: FloatArray, cols: number): void {
  const acc = new CompensatedSum();
  for (let start = 0; start < y.length; start += cols) {
    const end = start + cols;
    acc.reset();
    for (let b = start; b < end; b += SUM_BLOCK) {
      const blockEnd = Math.min(b + SUM_BLOCK, end);
      let s = 0;
      for (let i = b; i < blockEnd; i++) s += dy[i] * y[i];
      acc.add(s);
    }
    const dot = acc.value();
    for (let i = start; i < end; i++) out[i] = y[i] * (dy[i] - dot);
  }
}

// dy − exp(y)·Σ dy, y = logSoftmax(x).
export function logSoftmaxBackwardRows(y: FloatArray, dy: FloatArray, out: FloatArray, cols: number): void {
  const acc = new CompensatedSum();
  for (let start = 0; start < y.length; start += cols) {
    const end = start + cols;
    acc.reset();
    for (let b = start; b < end; b += SUM_BLOCK) {
      const blockEnd = Math.min(b + SUM_BLOCK, end);
      let s = 0;
      for (let i = b; i < blockEnd; i++) s += dy[i];
      acc.add(s);
    }
    const total = acc.value();
    for (let i = start; i < end; i++) out[i] = dy[i] - Math.exp(y[i]) * total;
  }
}
