// Pure-TS sigmoid, logSigmoid and binary cross-entropy with logits, stable for any |x|. Each loop
// avoids a branch on the sign of x (a random sign mispredicts half the time, which costs about as
// much as the exp): min(x, 0) and max(x, 0) are taken as ½x ∓ ½|x|, exact for every finite x but
// subnormals (there the error is below 1e-323, far under any tolerance).
import type { BinaryCrossEntropyCall } from '../kernels.js';
import { CompensatedSum, SUM_BLOCK } from '../sum.js';
import type { FloatArray } from '../types.js';

/** σ(x) from e = exp(−|x|) ≤ 1, which cannot overflow. */
const sigmoidOf = (x: number, e: number) => (x < 0 ? e : 1) / (1 + e);

/**
 * σ(x) = 1 / (1 + e^−x), accurate to a few ulp wherever e^−x is finite; below x = −708 it would
 * overflow, and there σ(x) = e^x / (1 + e^x) is e^x to double precision. NaN takes that branch.
 */
const sigmoidDirect = (x: number) => (x >= -708 ? 1 / (1 + Math.exp(-x)) : Math.exp(x));

export function sigmoid(x: FloatArray, out: FloatArray): void {
  for (let i = 0, n = x.length; i < n; i++) out[i] = sigmoidDirect(x[i]);
}

// log σ(x) = min(x, 0) − log1p(exp(−|x|)): no overflow, and no log(0) for large |x|. ½x − ½|x| is
// NaN at x = +Inf, where the answer is 0.
export function logSigmoid(x: FloatArray, out: FloatArray): void {
  for (let i = 0, n = x.length; i < n; i++) {
    const v = x[i], a = Math.abs(v);
    out[i] = v !== Infinity ? 0.5 * v - 0.5 * a - Math.log1p(Math.exp(-a)) : 0;
  }
}

/**
 * (1 − t)·x + l·max(−x, 0) with l = 1 + (pw − 1)·t, rewritten so that no two terms cancel (for
 * x < 0 it is −pw·t·x: PyTorch's form loses all of a float32 loss of 2e-9 at x = −20). The
 * (x − x) keeps PyTorch's NaN at x = −Inf, which its form gives as Inf − Inf.
 */
const linearTerm = (x: number, t: number, pw: number) => (x >= 0 ? (1 - t) * x : -pw * t * x + (x - x));

/**
 * linearTerm without the branch on the sign of x, for finite x: (1 − t)·max(x, 0) + pw·t·max(−x, 0)
 * takes the same values (one term is 0); infinite x and NaN go to linearTerm.
 */
const linearTermOf = (x: number, a: number, t: number, pw: number) =>
  a < Infinity ? (1 - t) * (0.5 * x + 0.5 * a) + pw * t * (0.5 * a - 0.5 * x) : linearTerm(x, t, pw);

// PyTorch's binary_cross_entropy_with_logits, per element, with l = 1 + (pw − 1)·t:
// loss = w·((1 − t)·x + l·softplus(−x)) and d loss / dx = w·(l·σ(x) − pw·t).
export function binaryCrossEntropyRows(c: BinaryCrossEntropyCall): number {
  const { x, target, weight, posWeight, lossOut, gradOut } = c;
  const wantLoss = lossOut !== null || gradOut === null;
  if (weight === null && posWeight === null && !(wantLoss && gradOut !== null)) {
    return wantLoss ? unweightedLoss(x, target, lossOut) : (unweightedGrad(c), 0);
  }
  return weightedRows(c, wantLoss);
}

/** The loss without weights (w = pw = l = 1): the sum, and each element's into lossOut if given. */
function unweightedLoss(x: FloatArray, target: FloatArray, lossOut: FloatArray | null): number {
  const total = new CompensatedSum();
  for (let b = 0, n = x.length; b < n; b += SUM_BLOCK) {
    const blockEnd = Math.min(b + SUM_BLOCK, n);
    let s = 0;
    for (let i = b; i < blockEnd; i++) {
      const v = x[i], a = Math.abs(v);
      const loss = linearTermOf(v, a, target[i], 1) + Math.log1p(Math.exp(-a));
      if (lossOut !== null) lossOut[i] = loss;
      s += loss;
    }
    total.add(s);
  }
  return total.value();
}

/** The gradient without weights: (σ(x) − t)·scale. */
function unweightedGrad({ x, target, gradOut, gradScale, gradElementScale: each }: BinaryCrossEntropyCall): void {
  const g = gradOut as FloatArray;
  for (let i = 0, n = x.length; i < n; i++) g[i] = (sigmoidDirect(x[i]) - target[i]) * gradScale * (each !== null ? each[i] : 1);
}

/** Every option: weights per element or per class, posWeight per class, loss and gradient together. */
function weightedRows(c: BinaryCrossEntropyCall, wantLoss: boolean): number {
  const { x, target, cols, weight, posWeight, lossOut, gradOut, gradScale, gradElementScale } = c;
  const perElement = weight !== null && weight.length === x.length;
  const total = new CompensatedSum();
  let s = 0, inBlock = 0, col = 0;
  for (let i = 0, n = x.length; i < n; i++) {
    const xi = x[i];
    const t = target[i];
    const w = weight ? weight[perElement ? i : col] : 1;
    const pw = posWeight ? posWeight[col] : 1;
    if (++col === cols) col = 0;
    const l = 1 + (pw - 1) * t;
    const a = Math.abs(xi);
    const e = Math.exp(-a);
    if (wantLoss) {
      const loss = w * (linearTermOf(xi, a, t, pw) + l * Math.log1p(e));
      if (lossOut) lossOut[i] = loss;
      s += loss;
      if (++inBlock === SUM_BLOCK) {
        total.add(s);
        s = 0;
        inBlock = 0;
      }
    }
    if (gradOut) gradOut[i] = w * (l * sigmoidOf(xi, e) - pw * t) * gradScale * (gradElementScale ? gradElementScale[i] : 1);
  }
  total.add(s);
  return total.value();
}
