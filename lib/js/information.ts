// Pure-TS information measures over probability rows, in double (the same algorithm as
// native/src/serial.cc), row sums in blocks folded into compensated totals (lib/sum.ts). Each
// measure has a loop of its own, and the division by the row's sum happens only to normalize.
import type { InformationCall } from '../kernels.js';
import { CompensatedSum, SUM_BLOCK } from '../sum.js';
import type { FloatArray } from '../types.js';

/** Σ of row r, or NaN if an entry is negative or not finite. */
function checkedSum(x: FloatArray, start: number, cols: number, acc: CompensatedSum): number {
  const end = start + cols;
  acc.reset();
  for (let b = start; b < end; b += SUM_BLOCK) {
    const blockEnd = Math.min(b + SUM_BLOCK, end);
    let s = 0;
    for (let i = b; i < blockEnd; i++) {
      const v = x[i];
      if (!(v >= 0 && v < Infinity)) return Number.NaN;
      s += v;
    }
    acc.add(s);
  }
  return acc.value();
}

function validRow(x: FloatArray, start: number, cols: number, normalize: boolean, tolerance: number, acc: CompensatedSum): boolean {
  const s = checkedSum(x, start, cols, acc);
  return normalize ? s > 0 && s < Infinity : Math.abs(s - 1) <= tolerance;
}

/** log(p / q) for p > 0, also where p / q leaves double's normal range (q subnormal): then the two logs, which cannot cancel there. */
function logQuotient(p: number, q: number): number {
  const r = p / q;
  return r >= 2.2250738585072014e-308 && r < Infinity ? Math.log(r) : Math.log(p) - Math.log(q);
}

export function informationRows(call: InformationCall): number {
  return call.normalize ? normalizedRows(call) : checkedRows(call);
}

/** Per-row results of checkedRows, kept until every row has passed (so a bad row leaves `out` unwritten); grown, never shrunk. */
let scratch = new Float64Array(64);
/** Σ p and Σ q of the row a fused row function just read; NaN if an entry was negative or not finite. */
let sumP = 0, sumQ = 0;

/**
 * Rows that must already sum to 1: one pass reads each entry once, checking it, adding it to the
 * row's sum and its term to the measure, and the results go to `out` once every row has passed.
 */
function checkedRows({ measure, p, q, out, cols, scale, tolerance }: InformationCall): number {
  const rows = p.length / cols;
  if (scratch.length < rows) scratch = new Float64Array(Math.max(rows, 2 * scratch.length));
  const acc = new CompensatedSum(), accP = new CompensatedSum(), accQ = new CompensatedSum();
  for (let r = 0, start = 0; r < rows; r++, start += cols) {
    let v: number;
    if (measure === 'entropy') v = entropyRow(p, start, start + cols, acc, accP);
    else if (measure === 'crossEntropyProbs') v = crossEntropyRow(p, q as FloatArray, start, start + cols, acc, accP, accQ);
    else v = klRow(p, q as FloatArray, start, start + cols, acc, accP, accQ);
    if (!(Math.abs(sumP - 1) <= tolerance) || (q !== null && !(Math.abs(sumQ - 1) <= tolerance))) return r;
    scratch[r] = v;
  }
  for (let r = 0; r < rows; r++) out[r] = scratch[r] * scale;
  return -1;
}

// −Σ p·log p over [start, end), 0·log 0 = 0; Σ p to sumP.
function entropyRow(p: FloatArray, start: number, end: number, acc: CompensatedSum, accP: CompensatedSum): number {
  acc.reset();
  accP.reset();
  for (let b = start; b < end; b += SUM_BLOCK) {
    const blockEnd = Math.min(b + SUM_BLOCK, end);
    let s = 0, sp = 0;
    for (let i = b; i < blockEnd; i++) {
      const pi = p[i];
      if (!(pi >= 0 && pi < Infinity)) return (sumP = Number.NaN);
      sp += pi;
      if (pi !== 0) s -= pi * Math.log(pi);
    }
    acc.add(s);
    accP.add(sp);
  }
  sumP = accP.value();
  return acc.value();
}

// −Σ p·log q, 0·log 0 = 0 whatever q is; Σ p and Σ q to sumP and sumQ.
function crossEntropyRow(p: FloatArray, q: FloatArray, start: number, end: number, acc: CompensatedSum, accP: CompensatedSum, accQ: CompensatedSum): number {
  acc.reset();
  accP.reset();
  accQ.reset();
  for (let b = start; b < end; b += SUM_BLOCK) {
    const blockEnd = Math.min(b + SUM_BLOCK, end);
    let s = 0, sp = 0, sq = 0;
    for (let i = b; i < blockEnd; i++) {
      const pi = p[i], qi = q[i];
      if (!(pi >= 0 && pi < Infinity && qi >= 0 && qi < Infinity)) return (sumP = Number.NaN);
      sp += pi;
      sq += qi;
      if (pi !== 0) s -= pi * Math.log(qi);
    }
    acc.add(s);
    accP.add(sp);
    accQ.add(sq);
  }
  sumP = accP.value();
  sumQ = accQ.value();
  return acc.value();
}

// Σ p·log(p / q), 0·log 0 = 0 whatever q is; Σ p and Σ q to sumP and sumQ.
function klRow(p: FloatArray, q: FloatArray, start: number, end: number, acc: CompensatedSum, accP: CompensatedSum, accQ: CompensatedSum): number {
  acc.reset();
  accP.reset();
  accQ.reset();
  for (let b = start; b < end; b += SUM_BLOCK) {
    const blockEnd = Math.min(b + SUM_BLOCK, end);
    let s = 0, sp = 0, sq = 0;
    for (let i = b; i < blockEnd; i++) {
      const pi = p[i], qi = q[i];
      if (!(pi >= 0 && pi < Infinity && qi >= 0 && qi < Infinity)) return (sumP = Number.NaN);
      sp += pi;
      sq += qi;
      if (pi !== 0) s += pi * logQuotient(pi, qi);
    }
    acc.add(s);
    accP.add(sp);
    accQ.add(sq);
  }
  sumP = accP.value();
  sumQ = accQ.value();
  return acc.value();
}

/** Rows divided by their sums first: a checking pass over every row, then one that computes. */
function normalizedRows({ measure, p, q, out, cols, scale, tolerance }: InformationCall): number {
  const rows = p.length / cols;
  const acc = new CompensatedSum();
  for (let r = 0; r < rows; r++) {
    if (!validRow(p, r * cols, cols, true, tolerance, acc) || (q && !validRow(q, r * cols, cols, true, tolerance, acc))) return r;
  }
  for (let r = 0, start = 0; r < rows; r++, start += cols) {
    // Dividing, not multiplying by 1 / sum, which overflows for subnormal sums.
    const sp = checkedSum(p, start, cols, acc);
    const sq = q ? checkedSum(q, start, cols, acc) : 1;
    const end = start + cols;
    acc.reset();
    for (let b = start; b < end; b += SUM_BLOCK) {
      const blockEnd = Math.min(b + SUM_BLOCK, end);
      let s = 0;
      if (measure === 'entropy') {
        for (let i = b; i < blockEnd; i++) {
          const pi = p[i] / sp;
          if (pi !== 0) s -= pi * Math.log(pi);
        }
      } else if (measure === 'crossEntropyProbs') {
        for (let i = b; i < blockEnd; i++) {
          const pi = p[i] / sp;
          if (pi !== 0) s -= pi * Math.log((q as FloatArray)[i] / sq);
        }
      } else {
        for (let i = b; i < blockEnd; i++) {
          const pi = p[i] / sp;
          if (pi !== 0) s += pi * logQuotient(pi, (q as FloatArray)[i] / sq);
        }
      }
      acc.add(s);
    }
    out[r] = acc.value() * scale;
  }
  return -1;
}
