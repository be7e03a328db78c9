// Pure-TS row kernels: the same algorithm as native/src/serial.cc in double arithmetic, so they
// serve as the fallback and as the oracle native results are tested against. Exp sums are added
// in blocks of SUM_BLOCK terms folded into a compensated total (lib/sum.ts), and every loop is a
// plain loop over the typed arrays: no per-element call, nothing allocated per row, so this path
// keeps up with a hand-written loop (bench/plain.js) at every size.
import { CompensatedSum, SUM_BLOCK } from '../sum.js';
import type { FloatArray } from '../types.js';

/**
 * Largest entry of x[start, start + cols). A NaN entry is skipped where the max is finite (it
 * makes the row's exp sum NaN, and with it every result of the row); where the max is ±Inf, or
 * every entry is NaN, the result is NaN if any entry is NaN, so callers can test the max alone.
 */
export function rowMax(x: FloatArray, start: number, cols: number): number {
  const end = start + cols;
  let m = -Infinity;
  for (let i = start; i < end; i++) {
    const v = x[i];
    if (v > m) m = v;
  }
  if (m === Infinity || m === -Infinity) {
    for (let i = start; i < end; i++) if (x[i] !== x[i]) return Number.NaN;
  }
  return m;
}

/**
 * Σ exp((x − m) / t) over x[start, end), each term also written to out[i] (`out` may be `x`).
 * t = 1 has a loop of its own without the division (the result is the same).
 */
export function expSumStore(x: FloatArray, out: FloatArray, start: number, end: number, m: number, t: number, acc: CompensatedSum): number {
  acc.reset();
  for (let b = start; b < end; ) {
    const blockEnd = Math.min(b + SUM_BLOCK, end);
    let s = 0;
    if (t === 1) {
      for (let i = b; i < blockEnd; i++) {
        const e = Math.exp(x[i] - m);
        out[i] = e;
        s += e;
      }
    } else {
      for (let i = b; i < blockEnd; i++) {
        const e = Math.exp((x[i] - m) / t);
        out[i] = e;
        s += e;
      }
    }
    if (b === start && blockEnd === end) return s; // one block: no fold
    acc.add(s);
    b = blockEnd;
  }
  return acc.value();
}

/** Σ exp((x − m) / t) over x[start, end), as expSumStore without storing. */
export function expSum(x: FloatArray, start: number, end: number, m: number, t: number, acc: CompensatedSum): number {
  acc.reset();
  for (let b = start; b < end; ) {
    const blockEnd = Math.min(b + SUM_BLOCK, end);
    let s = 0;
    if (t === 1) for (let i = b; i < blockEnd; i++) s += Math.exp(x[i] - m);
    else for (let i = b; i < blockEnd; i++) s += Math.exp((x[i] - m) / t);
    if (b === start && blockEnd === end) return s;
    acc.add(s);
    b = blockEnd;
  }
  return acc.value();
}

// Temperature T divides x − m ≤ 0, never x itself and never by way of 1/T: for T so small that
// x / T or 1 / T overflow, (x − m) / T is 0 at the max and −Inf below it, which is the limit as
// T → 0⁺ (one-hot of the max, ties shared), as native/src/serial.cc computes it.
export function softmaxRows(x: FloatArray, out: FloatArray, cols: number, t: number, allMaskedZero: boolean): void {
  const acc = new CompensatedSum();
  for (let start = 0; start < x.length; start += cols) {
    const end = start + cols;
    const m = rowMax(x, start, cols);
    if (m === -Infinity && allMaskedZero) {
      out.fill(0, start, end);
      continue;
    }
    // The exponentials wait in `out` between passes, so `out` may be `x`. The sum is ≥ 1 (the
    // max contributes exp(0)) or NaN, so its reciprocal is finite and multiplies as well.
    const r = 1 / expSumStore(x, out, start, end, m, t, acc);
    for (let i = start; i < end; i++) out[i] = out[i] * r;
  }
}

export function logSoftmaxRows(x: FloatArray, out: FloatArray, cols: number, t: number, allMaskedZero: boolean): void {
  const acc = new CompensatedSum();
  for (let start = 0; start < x.length; start += cols) {
    const end = start + cols;
    const m = rowMax(x, start, cols);
    if (m === -Infinity && allMaskedZero) {
      out.fill(-Infinity, start, end);
      continue;
    }
    const logSum = Math.log(expSum(x, start, end, m, t, acc));
    if (t === 1) for (let i = start; i < end; i++) out[i] = x[i] - m - logSum;
    else for (let i = start; i < end; i++) out[i] = (x[i] - m) / t - logSum;
  }
}

export function logSumExpRows(x: FloatArray, out: FloatArray, cols: number): void {
  const acc = new CompensatedSum();
  for (let r = 0, start = 0; start < x.length; r++, start += cols) {
    const m = rowMax(x, start, cols);
    // An infinite max decides the result (PyTorch: +Inf, or −Inf for an all −Inf row).
    out[r] = m === Infinity || m === -Infinity ? m : m + Math.log(expSum(x, start, start + cols, m, 1, acc));
  }
}
