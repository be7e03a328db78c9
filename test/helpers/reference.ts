// The float64 reference every backend is held to, written independently of lib/js: pairwise
// summation (error O(log n)), Math.exp / Math.log on the inputs' float64 values.
import type { FloatArray } from '../../lib/types.js';

export function pairwiseSum(f: (i: number) => number, lo: number, hi: number): number {
  if (hi - lo <= 16) {
    let s = 0;
    for (let i = lo; i < hi; i++) s += f(i);
    return s;
  }
  const mid = lo + ((hi - lo) >> 1);
  return pairwiseSum(f, lo, mid) + pairwiseSum(f, mid, hi);
}

export interface RowReference {
  /** max of z = x / t over the row */
  max: number;
  /** log Σ exp(z) */
  lse: number;
}

export function rowReference(x: ArrayLike<number>, start: number, cols: number, t = 1): RowReference {
  let max = -Infinity;
  for (let c = 0; c < cols; c++) max = Math.max(max, x[start + c] / t);
  const s = pairwiseSum((c) => Math.exp(x[start + c] / t - max), 0, cols);
  return { max, lse: max + Math.log(s) };
}

/** The cross-entropy coefficients q_c of (lse − z_c) for one row, as DESIGN.md defines them. */
export function coefficients(
  cols: number,
  eps: number,
  weight: ArrayLike<number> | null,
  label: number | null,
  soft: ArrayLike<number> | null,
  start: number,
): number[] {
  const w = (c: number) => (weight ? weight[c] : 1);
  return Array.from({ length: cols }, (_, c) =>
    soft ? w(c) * ((1 - eps) * soft[start + c] + eps / cols) : (eps / cols) * w(c) + (c === label ? (1 - eps) * w(c) : 0),
  );
}

/**
 * One row's loss Σ q_c (lse − z_c) and gradient (Q·p_c − q_c) / t, with z = x / t written as
 * (x − m) / t plus a constant, so that it holds for temperatures where x / t overflows (the limit
 * as t → 0⁺: p one-hot at the max, ties shared).
 */
export function crossEntropyRow(x: FloatArray, start: number, cols: number, t: number, q: number[]) {
  let m = -Infinity;
  for (let c = 0; c < cols; c++) m = Math.max(m, x[start + c]);
  const logSum = Math.log(pairwiseSum((c) => Math.exp((x[start + c] - m) / t), 0, cols));
  // lse − z_c = logSum + (m − x_c) / t; q_c = 0 terms are 0 (a −Inf logit has no class weight then)
  const loss = pairwiseSum((c) => (q[c] === 0 ? 0 : q[c] * (logSum + (m - x[start + c]) / t)), 0, cols);
  const qTotal = pairwiseSum((c) => q[c], 0, cols);
  const p = (c: number) => Math.exp((x[start + c] - m) / t - logSum);
  const grad = Array.from({ length: cols }, (_, c) => (qTotal * p(c) - q[c]) / t);
  const gradScale = Array.from({ length: cols }, (_, c) => (Math.abs(qTotal * p(c)) + Math.abs(q[c])) / t);
  return { loss, grad, gradScale };
}
