// Pure-TS information measures over probability rows, in double with compensated sums (the same
// algorithm as native/src/serial.cc).
import type { InformationCall } from '../kernels.js';
import { CompensatedSum } from '../sum.js';
import type { FloatArray } from '../types.js';

/** Σ of row r, or NaN if an entry is negative or not finite. */
function checkedSum(x: FloatArray, start: number, cols: number): number {
  const sum = new CompensatedSum();
  for (let i = start; i < start + cols; i++) {
    const v = x[i];
    if (!(v >= 0) || v === Infinity) return Number.NaN;
    sum.add(v);
  }
  return sum.value();
}

function validRow(x: FloatArray, start: number, cols: number, normalize: boolean, tolerance: number): boolean {
  const s = checkedSum(x, start, cols);
  return normalize ? s > 0 && s < Infinity : Math.abs(s - 1) <= tolerance;
}

/** log(p / q) for p > 0, also where p / q leaves double's normal range (q subnormal): then the two logs, which cannot cancel there. */
function logQuotient(p: number, q: number): number {
  const r = p / q;
  return r >= 2.2250738585072014e-308 && r < Infinity ? Math.log(r) : Math.log(p) - Math.log(q);
}

export function informationRows({ measure, p, q, out, cols, normalize, scale, tolerance }: InformationCall): number {
  const rows = p.length / cols;
  for (let r = 0; r < rows; r++) {
    if (!validRow(p, r * cols, cols, normalize, tolerance) || (q && !validRow(q, r * cols, cols, normalize, tolerance))) return r;
  }
  for (let r = 0, start = 0; r < rows; r++, start += cols) {
    // Dividing, not multiplying by 1 / sum, which overflows for subnormal sums.
    const sp = normalize ? checkedSum(p, start, cols) : 1;
    const sq = normalize && q ? checkedSum(q, start, cols) : 1;
    const sum = new CompensatedSum();
    for (let i = start; i < start + cols; i++) {
      const pi = p[i] / sp;
      if (pi === 0) continue; // 0·log 0 = 0, whatever q is
      if (measure === 'entropy') sum.add(-pi * Math.log(pi));
      else if (measure === 'crossEntropyProbs') sum.add(-pi * Math.log((q as FloatArray)[i] / sq));
      else sum.add(pi * logQuotient(pi, (q as FloatArray)[i] / sq));
    }
    out[r] = sum.value() * scale;
  }
  return -1;
}
