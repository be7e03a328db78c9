// Pure-TS regression losses, in PyTorch's branch form, accumulated in a compensated sum.
import type { RegressionCall, RegressionKind } from '../kernels.js';
import { CompensatedSum } from '../sum.js';

// Loss and gradient of one difference d = input − target; `a` is delta (huber) or beta (smoothL1).
function lossOf(kind: RegressionKind, d: number, a: number): number {
  switch (kind) {
    case 'l1':
      return Math.abs(d);
    case 'l2':
      return 0.5 * d * d;
    case 'mse':
      return d * d;
    case 'huber':
      return Math.abs(d) < a ? 0.5 * d * d : a * (Math.abs(d) - 0.5 * a);
    case 'smoothL1':
      return Math.abs(d) < a ? (0.5 * d * d) / a : Math.abs(d) - 0.5 * a;
  }
}

function gradOf(kind: RegressionKind, d: number, a: number): number {
  switch (kind) {
    case 'l1':
      return d > 0 ? 1 : d < 0 ? -1 : d * 0; // sign, with sign(0) = 0 and NaN kept
    case 'l2':
      return d;
    case 'mse':
      return 2 * d;
    case 'huber':
      return d > a ? a : d < -a ? -a : d;
    case 'smoothL1':
      return d > a ? 1 : d < -a ? -1 : d / a;
  }
}

export function regression({ kind, input, target, param, lossOut, gradOut, gradScale, gradElementScale }: RegressionCall): number {
  const total = new CompensatedSum();
  const wantLoss = lossOut !== null || gradOut === null;
  for (let i = 0; i < input.length; i++) {
    const d = input[i] - target[i];
    if (wantLoss) {
      const loss = lossOf(kind, d, param);
      if (lossOut) lossOut[i] = loss;
      total.add(loss);
    }
    if (gradOut) gradOut[i] = gradOf(kind, d, param) * gradScale * (gradElementScale ? gradElementScale[i] : 1);
  }
  return total.value();
}
