// Pure-TS regression losses, in PyTorch's branch form. Each kind has loops of its own (a switch
// on the kind per element costs more than mseLoss's whole element), which call that kind's
// formula by name, so V8 inlines it; losses are summed in blocks folded into a compensated total.
import type { RegressionCall, RegressionKind } from '../kernels.js';
import { CompensatedSum, SUM_BLOCK } from '../sum.js';
import type { FloatArray } from '../types.js';

// Loss and gradient of one difference d = input − target; `a` is delta (huber) or beta (smoothL1).
const l1Loss = (d: number) => Math.abs(d);
const l2Loss = (d: number) => 0.5 * d * d;
const mseLoss = (d: number) => d * d;
const huberLoss = (d: number, a: number) => (Math.abs(d) < a ? 0.5 * d * d : a * (Math.abs(d) - 0.5 * a));
const smoothL1Loss = (d: number, a: number) => (Math.abs(d) < a ? (0.5 * d * d) / a : Math.abs(d) - 0.5 * a);

const l1Grad = (d: number) => (d > 0 ? 1 : d < 0 ? -1 : d * 0); // sign, with sign(0) = 0 and NaN kept
const l2Grad = (d: number) => d;
const mseGrad = (d: number) => 2 * d;
const huberGrad = (d: number, a: number) => (d > a ? a : d < -a ? -a : d);
const smoothL1Grad = (d: number, a: number) => (d > a ? 1 : d < -a ? -1 : d / a);

function lossOf(kind: RegressionKind, d: number, a: number): number {
  switch (kind) {
    case 'l1':
      return l1Loss(d);
    case 'l2':
      return l2Loss(d);
    case 'mse':
      return mseLoss(d);
    case 'huber':
      return huberLoss(d, a);
    case 'smoothL1':
      return smoothL1Loss(d, a);
  }
}

function gradOf(kind: RegressionKind, d: number, a: number): number {
  switch (kind) {
    case 'l1':
      return l1Grad(d);
    case 'l2':
      return l2Grad(d);
    case 'mse':
      return mseGrad(d);
    case 'huber':
      return huberGrad(d, a);
    case 'smoothL1':
      return smoothL1Grad(d, a);
  }
}

export function regression(call: RegressionCall): number {
  const { kind, input, target, param, lossOut, gradOut } = call;
  if (gradOut === null) return lossOut === null ? lossSum(kind, input, target, param) : lossSumStore(kind, input, target, param, lossOut);
  if (lossOut === null) {
    gradient(call, gradOut);
    return 0;
  }
  return lossAndGradient(call, lossOut, gradOut);
}

/** The sum of the losses (the loop of each kind has no store: mseLoss is a load-bound loop). */
function lossSum(kind: RegressionKind, x: FloatArray, y: FloatArray, a: number): number {
  const total = new CompensatedSum();
  for (let b = 0, n = x.length; b < n; b += SUM_BLOCK) {
    const end = Math.min(b + SUM_BLOCK, n);
    let s = 0;
    switch (kind) {
      case 'l1':
        for (let i = b; i < end; i++) s += l1Loss(x[i] - y[i]);
        break;
      case 'l2':
        for (let i = b; i < end; i++) s += l2Loss(x[i] - y[i]);
        break;
      case 'mse':
        for (let i = b; i < end; i++) s += mseLoss(x[i] - y[i]);
        break;
      case 'huber':
        for (let i = b; i < end; i++) s += huberLoss(x[i] - y[i], a);
        break;
      case 'smoothL1':
        for (let i = b; i < end; i++) s += smoothL1Loss(x[i] - y[i], a);
        break;
    }
    total.add(s);
  }
  return total.value();
}

/** The sum of the losses, each also written to lossOut (which may alias an input). */
function lossSumStore(kind: RegressionKind, x: FloatArray, y: FloatArray, a: number, lossOut: FloatArray): number {
  const total = new CompensatedSum();
  for (let b = 0, n = x.length; b < n; b += SUM_BLOCK) {
    const end = Math.min(b + SUM_BLOCK, n);
    let s = 0;
    switch (kind) {
      case 'l1':
        for (let i = b; i < end; i++) {
          const l = l1Loss(x[i] - y[i]);
          lossOut[i] = l;
          s += l;
        }
        break;
      case 'l2':
        for (let i = b; i < end; i++) {
          const l = l2Loss(x[i] - y[i]);
          lossOut[i] = l;
          s += l;
        }
        break;
      case 'mse':
        for (let i = b; i < end; i++) {
          const l = mseLoss(x[i] - y[i]);
          lossOut[i] = l;
          s += l;
        }
        break;
      case 'huber':
        for (let i = b; i < end; i++) {
          const l = huberLoss(x[i] - y[i], a);
          lossOut[i] = l;
          s += l;
        }
        break;
      case 'smoothL1':
        for (let i = b; i < end; i++) {
          const l = smoothL1Loss(x[i] - y[i], a);
          lossOut[i] = l;
          s += l;
        }
        break;
    }
    total.add(s);
  }
  return total.value();
}

/** The gradient alone, times gradScale and the per-element scale when given. */
function gradient({ kind, input: x, target: y, param: a, gradScale: k, gradElementScale: each }: RegressionCall, g: FloatArray): void {
  const n = x.length;
  switch (kind) {
    case 'l1':
      for (let i = 0; i < n; i++) g[i] = l1Grad(x[i] - y[i]) * k * (each !== null ? each[i] : 1);
      return;
    case 'l2':
      for (let i = 0; i < n; i++) g[i] = l2Grad(x[i] - y[i]) * k * (each !== null ? each[i] : 1);
      return;
    case 'mse':
      for (let i = 0; i < n; i++) g[i] = mseGrad(x[i] - y[i]) * k * (each !== null ? each[i] : 1);
      return;
    case 'huber':
      for (let i = 0; i < n; i++) g[i] = huberGrad(x[i] - y[i], a) * k * (each !== null ? each[i] : 1);
      return;
    case 'smoothL1':
      for (let i = 0; i < n; i++) g[i] = smoothL1Grad(x[i] - y[i], a) * k * (each !== null ? each[i] : 1);
      return;
  }
}

/** Both outputs in one pass (either may alias an input), blocked sum as in lossSum. */
function lossAndGradient(call: RegressionCall, lossOut: FloatArray, gradOut: FloatArray): number {
  const { kind, input, target, param, gradScale, gradElementScale } = call;
  const total = new CompensatedSum();
  for (let b = 0, n = input.length; b < n; b += SUM_BLOCK) {
    const end = Math.min(b + SUM_BLOCK, n);
    let s = 0;
    for (let i = b; i < end; i++) {
      const d = input[i] - target[i];
      const loss = lossOf(kind, d, param);
      lossOut[i] = loss;
      s += loss;
      gradOut[i] = gradOf(kind, d, param) * gradScale * (gradElementScale ? gradElementScale[i] : 1);
    }
    total.add(s);
  }
  return total.value();
}
