// Pure-TS row kernels: the same algorithm as native/src/serial.cc (double arithmetic, compensated
// sums), so they serve as the fallback and as the oracle native results are tested against.
import { CompensatedSum } from '../sum.js';
import type { FloatArray } from '../types.js';

/** Largest entry of x[start, start + cols); NaN if any entry is NaN. */
export function rowMax(x: FloatArray, start: number, cols: number): number {
  let m = -Infinity;
  for (let i = start, end = start + cols; i < end; i++) {
    const v = x[i];
    if (v > m || v !== v) m = v;
    if (m !== m) break;
  }
  return m;
}

/** log Σ exp((x − m) / t) over the row: NaN when m is NaN or +Inf, or the row is all −Inf. */
export function logSumExpShifted(x: FloatArray, start: number, cols: number, m: number, t: number): number {
  const sum = new CompensatedSum();
  for (let i = start, end = start + cols; i < end; i++) sum.add(Math.exp((x[i] - m) / t));
  return Math.log(sum.value());
}

// Temperature T divides x − m ≤ 0, never x itself and never by way of 1/T: for T so small that
// x / T or 1 / T overflow, (x − m) / T is 0 at the max and −Inf below it, which is the limit as
// T → 0⁺ (one-hot of the max, ties shared), as native/src/serial.cc computes it.
export function softmaxRows(x: FloatArray, out: FloatArray, cols: number, t: number, allMaskedZero: boolean): void {
  for (let start = 0; start < x.length; start += cols) {
    const end = start + cols;
    const m = rowMax(x, start, cols);
    if (m === -Infinity && allMaskedZero) {
      out.fill(0, start, end);
      continue;
    }
    // The exponentials wait in `out` between passes, so `out` may be `x`.
    const s = new CompensatedSum();
    for (let i = start; i < end; i++) {
      const e = Math.exp((x[i] - m) / t);
      out[i] = e;
      s.add(e);
    }
    const sum = s.value();
    for (let i = start; i < end; i++) out[i] = out[i] / sum;
  }
}

export function logSoftmaxRows(x: FloatArray, out: FloatArray, cols: number, t: number, allMaskedZero: boolean): void {
  for (let start = 0; start < x.length; start += cols) {
    const end = start + cols;
    const m = rowMax(x, start, cols);
    if (m === -Infinity && allMaskedZero) {
      out.fill(-Infinity, start, end);
      continue;
    }
    const logSum = logSumExpShifted(x, start, cols, m, t);
    for (let i = start; i < end; i++) out[i] = (x[i] - m) / t - logSum;
  }
}

export function logSumExpRows(x: FloatArray, out: FloatArray, cols: number): void {
  for (let r = 0, start = 0; start < x.length; r++, start += cols) {
    const m = rowMax(x, start, cols);
    // An infinite max decides the result (PyTorch: +Inf, or −Inf for an all −Inf row).
    out[r] = m === Infinity || m === -Infinity ? m : m + logSumExpShifted(x, start, cols, m, 1);
  }
}
