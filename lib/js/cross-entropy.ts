// Pure-TS fused cross-entropy: the formula of native/include/softmax_simd/kernels.h, computed in
// double, row sums in blocks folded into compensated totals (lib/sum.ts). Like the SIMD kernels, it
// keeps the exponentials in the gradient between passes (one exp per element), unless the gradient
// overwrites soft targets it still reads. Class-index labels without weights or smoothing (the
// common call) have a gradient loop of their own, without the per-class terms.
import type { CrossEntropyCall } from '../kernels.js';
import { CompensatedSum, SUM_BLOCK } from '../sum.js';
import { expSum, expSumStore, rowMax } from './softmax.js';

export function crossEntropyRows(call: CrossEntropyCall): number {
  const { logits: x, cols, target, weight: w, labelSmoothing: eps, temperature: t, lossOut, gradOut: g } = call;
  const rows = x.length / cols;
  const soft = target instanceof Int32Array ? null : target;
  const labels = soft ? null : (target as Int32Array);
  const smooth = eps / cols;
  const spread = soft !== null || eps !== 0; // the loss needs Σ_c q_c (m − x_c) over every class
  let weightTotal = cols; // W = Σ_c w[c]
  if (w) {
    const sum = new CompensatedSum();
    for (let c = 0; c < cols; c++) sum.add(w[c]);
    weightTotal = sum.value();
  }

  const plainLabels = labels !== null && w === null && eps === 0;
  const total = new CompensatedSum();
  const qs = new CompensatedSum(), ds = new CompensatedSum(), acc = new CompensatedSum(); // reset per row
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const end = start + cols;
    const y = labels ? labels[r] : -1;
    if (labels && y === call.ignoreIndex) {
      if (lossOut) lossOut[r] = 0;
      g?.fill(0, start, end);
      continue;
    }
    const m = rowMax(x, start, cols);
    const xy = labels ? x[start + y] : 0; // read before the gradient may overwrite the logits
    // u_c: soft, w_c·((1−ε)t_c + ε/C); hard, w_c (the smoothing term's weights).
    let uTotal = 0;
    let uSpread = 0; // Σ u_c (m − x_c)/T: every term ≥ 0, so no cancellation
    if (spread) {
      qs.reset();
      ds.reset();
      for (let b = start; b < end; b += SUM_BLOCK) {
        const blockEnd = Math.min(b + SUM_BLOCK, end);
        let q = 0, d = 0;
        for (let i = b; i < blockEnd; i++) {
          const wc = w ? w[i - start] : 1;
          const u = soft ? wc * ((1 - eps) * soft[i] + smooth) : wc;
          q += u;
          d += u * ((m - x[i]) / t); // T divides m − x, never by way of 1/T (see softmax.ts)
        }
        qs.add(q);
        ds.add(d);
      }
      uTotal = qs.value();
      uSpread = ds.value();
    }
    const stored = g !== null && !(soft !== null && g.buffer === soft.buffer && g.byteOffset === soft.byteOffset);
    const sum = stored ? expSumStore(x, g, start, end, m, t, acc) : expSum(x, start, end, m, t, acc);
    const logSum = Math.log(sum);
    // loss = Σ q_c (lse − z_c) = Q·logSum + Σ q_c (m − x_c)/T
    const wy = labels && w ? w[y] : 1;
    const qTotal = soft ? uTotal : (1 - eps) * wy + smooth * weightTotal;
    let loss = soft ? qTotal * logSum + uSpread : (1 - eps) * wy * (logSum + (m - xy) / t);
    if (!soft && eps !== 0) loss += smooth * (weightTotal * logSum + uSpread);
    if (lossOut) lossOut[r] = loss;
    total.add(loss);
    if (!g) continue;
    // grad_c = (Q·p_c − q_c)·scale with p_c = e_c / sum and scale = gradScale/T applied last, as
    // serial.cc does: with 1/T near the double maximum, no 0·Inf or Inf − Inf where it is not due.
    const scale = (call.gradScale * (call.gradRowScale ? call.gradRowScale[r] : 1)) / t;
    const qp = qTotal / sum;
    if (plainLabels) {
      // q_c = 0 but at the label: (e·Q/Σ − 0)·scale, the same value as the loop below.
      for (let i = start; i < end; i++) g[i] = g[i] * qp * scale;
    } else {
      const qu = soft ? 1 : smooth;
      for (let i = start; i < end; i++) {
        const e = stored ? g[i] : Math.exp((x[i] - m) / t);
        const wc = w ? w[i - start] : 1;
        const u = soft ? wc * ((1 - eps) * soft[i] + smooth) : wc;
        g[i] = (e * qp - qu * u) * scale;
      }
    }
    // The label's q_y = (ε/C + 1 − ε)·w_y, whole (its exponential again: g[y] may have been x[y]).
    if (labels) g[start + y] = (Math.exp((xy - m) / t) * qp - (smooth + 1 - eps) * wy) * scale;
  }
  return total.value();
}
