// Pure-TS row kernels: the same algorithm as native/src/serial.cc (double arithmetic, compensated
// sums), so they serve as the fallback and as the oracle native results are tested against.
import type { FloatArray } from '../types.js';
import { CompensatedSum } from './sum.js';

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

/** log Σ exp((x − m)·s) over the row (s = 1/T): NaN when m is NaN or +Inf, or the row is all −Inf. */
export function logSumExpShifted(x: FloatArray, start: number, cols: number, m: number, s: number): number {
  const sum = new CompensatedSum();
  for (let i = start, end = start + cols; i < end; i++) sum.add(Math.exp((x[i] - m) * s));
  return Math.log(sum.value());
}

// Temperature T enters as a multiplication by s = 1/T (one rounding in double, far inside 1e-12).
export function softmaxRows(x: FloatArray, out: FloatArray, cols: number, t: number, allMaskedZero: boolean): void {
  const scale = 1 / t;
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
      const e = Math.exp((x[i] - m) * scale);
      out[i] = e;
      s.add(e);
    }
    const sum = s.value();
    for (let i = start; i < end; i++) out[i] = out[i] / sum;
  }
}

export function logSoftmaxRows(x: FloatArray, out: FloatArray, cols: number, t: number, allMaskedZero: boolean): void {
  const scale = 1 / t;
  for (let start = 0; start < x.length; start += cols) {
    const end = start + cols;
    const m = rowMax(x, start, cols);
    if (m === -Infinity && allMaskedZero) {
      out.fill(-Infinity, start, end);
      continue;
    }
    const logSum = logSumExpShifted(x, start, cols, m, scale);
    for (let i = start; i < end; i++) out[i] = (x[i] - m) * scale - logSum;
  }
}

export function logSumExpRows(x: FloatArray, out: FloatArray, cols: number): void {
  for (let r = 0, start = 0; start < x.length; r++, start += cols) {
    const m = rowMax(x, start, cols);
    // An infinite max decides the result (PyTorch: +Inf, or −Inf for an all −Inf row).
    out[r] = m === Infinity || m === -Infinity ? m : m + logSumExpShifted(x, start, cols, m, 1);
  }
}
