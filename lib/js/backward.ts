// Pure-TS vector-Jacobian products of softmax and logSoftmax, one row at a time: a compensated
// row sum, then one pass that writes (so `out` may be y or dy).
import { CompensatedSum } from '../sum.js';
import type { FloatArray } from '../types.js';

// y ⊙ (dy − Σ dy·y), y = softmax(x).
export function softmaxBackwardRows(y: FloatArray, dy: FloatArray, out: FloatArray, cols: number): void {
  for (let start = 0; start < y.length; start += cols) {
    const s = new CompensatedSum();
    for (let i = start; i < start + cols; i++) s.add(dy[i] * y[i]);
    const dot = s.value();
    for (let i = start; i < start + cols; i++) out[i] = y[i] * (dy[i] - dot);
  }
}

// dy − exp(y)·Σ dy, y = logSoftmax(x).
export function logSoftmaxBackwardRows(y: FloatArray, dy: FloatArray, out: FloatArray, cols: number): void {
  for (let start = 0; start < y.length; start += cols) {
    const s = new CompensatedSum();
    for (let i = start; i < start + cols; i++) s.add(dy[i]);
    const total = s.value();
    for (let i = start; i < start + cols; i++) out[i] = dy[i] - Math.exp(y[i]) * total;
  }
}
