// Pure-TS sigmoid, logSigmoid and binary cross-entropy with logits, stable for any |x|: every
// formula goes through e = exp(−|x|) ≤ 1, which cannot overflow.
import type { BinaryCrossEntropyCall } from '../kernels.js';
import { CompensatedSum } from '../sum.js';
import type { FloatArray } from '../types.js';

/** σ(x) from e = exp(−|x|). */
const sigmoidOf = (x: number, e: number) => (x < 0 ? e : 1) / (1 + e);

export function sigmoid(x: FloatArray, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) out[i] = sigmoidOf(x[i], Math.exp(-Math.abs(x[i])));
}

// log σ(x) = min(x, 0) − log1p(exp(−|x|)): no overflow, and no log(0) for large |x|.
export function logSigmoid(x: FloatArray, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.min(x[i], 0) - Math.log1p(Math.exp(-Math.abs(x[i])));
}

/**
 * (1 − t)·x + l·max(−x, 0) with l = 1 + (pw − 1)·t, rewritten so that no two terms cancel (for
 * x < 0 it is −pw·t·x: PyTorch's form loses all of a float32 loss of 2e-9 at x = −20). The
 * (x − x) keeps PyTorch's NaN at x = −Inf, which its form gives as Inf − Inf.
 */
const linearTerm = (x: number, t: number, pw: number) => (x >= 0 ? (1 - t) * x : -pw * t * x + (x - x));

// PyTorch's binary_cross_entropy_with_logits, per element, with l = 1 + (pw − 1)·t:
// loss = w·((1 − t)·x + l·softplus(−x)) and d loss / dx = w·(l·σ(x) − pw·t).
export function binaryCrossEntropyRows(c: BinaryCrossEntropyCall): number {
  const { x, target, cols, weight, posWeight, lossOut, gradOut, gradScale, gradElementScale } = c;
  const perElement = weight !== null && weight.length === x.length;
  const total = new CompensatedSum();
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const t = target[i];
    const col = i % cols;
    const w = weight ? weight[perElement ? i : col] : 1;
    const pw = posWeight ? posWeight[col] : 1;
    const l = 1 + (pw - 1) * t;
    const e = Math.exp(-Math.abs(xi));
    if (lossOut || !gradOut) {
      const loss = w * (linearTerm(xi, t, pw) + l * Math.log1p(e));
      if (lossOut) lossOut[i] = loss;
      total.add(loss);
    }
    if (gradOut) gradOut[i] = w * (l * sigmoidOf(xi, e) - pw * t) * gradScale * (gradElementScale ? gradElementScale[i] : 1);
  }
  return total.value();
}
