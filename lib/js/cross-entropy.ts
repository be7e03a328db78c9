// Pure-TS fused cross-entropy: the formula of native/include/softmax_simd/kernels.h, computed the
// way native/src/serial.cc computes it.
import type { CrossEntropyCall } from '../kernels.js';
import { logSumExpShifted, rowMax } from './softmax.js';
import { CompensatedSum } from './sum.js';

export function crossEntropyRows(call: CrossEntropyCall): number {
  const { logits: x, cols, target, weight, labelSmoothing: eps, temperature: t, lossOut, gradOut } = call;
  const rows = x.length / cols;
  const soft = target instanceof Int32Array ? null : target;
  const labels = soft ? null : (target as Int32Array);
  const smooth = eps / cols;
  const w = (c: number): number => (weight ? weight[c] : 1);

  const total = new CompensatedSum();
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const y = labels ? labels[r] : -1;
    if (labels && y === call.ignoreIndex) {
      if (lossOut) lossOut[r] = 0;
      gradOut?.fill(0, start, start + cols);
      continue;
    }
    // Coefficient q_c of (lse − z_c) in this row's loss.
    const q = soft
      ? (c: number): number => w(c) * ((1 - eps) * soft[start + c] + smooth)
      : (c: number): number => smooth * w(c) + (c === y ? (1 - eps) * w(c) : 0);
    const m = rowMax(x, start, cols);
    const logSum = logSumExpShifted(x, start, cols, m, 1 / t);
    // loss = Σ q_c (lse − z_c) = Q·logSum + Σ q_c (m − x_c) / t, every term ≥ 0.
    let qTotal: number;
    let spread: number;
    if (soft || eps !== 0) {
      const qs = new CompensatedSum();
      const ds = new CompensatedSum();
      for (let c = 0; c < cols; c++) {
        const qc = q(c);
        qs.add(qc);
        ds.add(qc * ((m - x[start + c]) / t));
      }
      qTotal = qs.value();
      spread = ds.value();
    } else {
      qTotal = w(y);
      spread = qTotal * ((m - x[start + y]) / t);
    }
    const loss = qTotal * logSum + spread;
    if (lossOut) lossOut[r] = loss;
    total.add(loss);
    if (!gradOut) continue;
    const scale = (call.gradScale * (call.gradRowScale ? call.gradRowScale[r] : 1)) / t;
    for (let c = 0; c < cols; c++) {
      const p = Math.exp((x[start + c] - m) / t - logSum);
      gradOut[start + c] = (qTotal * p - q(c)) * scale;
    }
  }
  return total.value();
}
