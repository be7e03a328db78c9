// The float64 reference every contender is compared with, computed here from the same inputs (input
// set 0): row max, Math.exp(x − max) and compensated sums, all in double, so its own error is far
// below the float64 tolerance. Also the error measure, the tolerances and the guard.

// ---------------------------------------------------------------- tolerances

// DESIGN.md's accuracy contract ("Numerics contract") on compare's measure: 1e-6 (float32) or
// 1e-12 (float64), relative, or for log-values and losses absolute below 1 (floor 1).
const CONTRACT = { f32: 1e-6, f64: 1e-12 };
// A float32 probability may also carry the rounding of x − m to float32, 2⁻²³·|x − m| relative
// (DESIGN.md); the logits lie in [−8, 8), so |x − m| < 16 and this adds 1.9e-6.
const X_MINUS_M = 2 ** -23 * 16;
// The contract bounds a gradient entry's error by the unit times the size of its terms (σ(x) and t
// in σ(x) − t, p and 1 in p − 1), about the largest entry here; the gradients' floor is 1% of that
// entry, so on this measure the same bound reads 100 times larger. Measured on this machine, the
// worst is 8.8e-6 in float32 (binaryCrossEntropyWithLogitsBackward, AVX2 and AVX-512) and 2.2e-14
// in float64. The x − m allowance is relative to each probability, so it is not scaled.
const GRADIENT_FLOOR = 100;

/**
 * softmax-simd's tolerance for one part of an output on `dtype` (see compare): a `probability`
 * (softmax and the probabilities inside the cross-entropy gradient) takes the x − m allowance, a
 * `gradient` (errors scaled by 1% of its largest entry) 100 times the unit.
 */
export function contractTolerance(dtype, { probability = false, gradient = false } = {}) {
  return CONTRACT[dtype] * (gradient ? GRADIENT_FLOOR : 1) + (probability && dtype === 'f32' ? X_MINUS_M : 0);
}

/**
 * Plain JS's tolerance, every part: a check that the hand-written loop (double arithmetic, plain
 * sums) is the right computation, not a contract. Its worst here: 2.9e-6 in float32 (the
 * cross-entropy gradient, whose p is stored in float32 before p − 1) and 3.3e-13 in float64
 * (logSigmoid as −log(1 + exp(−x))).
 */
export const BASELINE_TOLERANCE = { f32: 1e-4, f64: 1e-9 };

// ---------------------------------------------------------------- the reference

/** Neumaier's compensated sum of term(i) for i in [0, n): exact to a few ulps of the result, whatever n. */
export function compensatedSum(n, term) {
  let sum = 0;
  let carry = 0;
  for (let i = 0; i < n; i++) {
    const v = term(i);
    const t = sum + v;
    carry += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + carry;
}

/**
 * Per row of input set 0: the max and the compensated sum of exp(x − max). Cached on the set, as
 * every op's reference starts from them.
 */
function rowStats(set) {
  if (set.rowStats) return set.rowStats;
  const { rows, cols } = set;
  const x = set.xs[0];
  const max = new Float64Array(rows).fill(-Infinity);
  const sum = new Float64Array(rows);
  for (let r = 0, start = 0; r < rows; r++, start += cols) {
    for (let c = 0; c < cols; c++) max[r] = Math.max(max[r], x[start + c]);
    sum[r] = compensatedSum(cols, (c) => Math.exp(x[start + c] - max[r]));
  }
  return (set.rowStats = { max, sum });
}

/**
 * The exact result of `op` on input set 0: `{ values, floor, loss, lossFloor, tolerance }`.
 * `floor` is how errors in `values` are scaled (see compare): 0 for probabilities (relative), 1 for
 * log-values (absolute below 1), `0.01 / rows` for the gradient, whose entries are at most 1/rows
 * and where an f32 kernel's p − 1 cancels near p = 1. The loss (mean over rows) is compared with
 * floor 1. `tolerance`: softmax-simd's, per part the op has (`values`, `loss`).
 */
export function reference(op, set) {
  const { rows, cols } = set;
  const x = set.xs[0];
  const labels = set.labels[0];
  const { max, sum } = rowStats(set);
  const values = new Float64Array({ logSumExp: rows, crossEntropy: 0 }[op] ?? rows * cols);
  for (let r = 0, start = 0; r < rows; r++, start += cols) {
    const y = start + labels[r];
    // x − max is exact in double; subtracting max + log(sum) instead would round that sum first.
    const logSum = Math.log(sum[r]);
    if (op === 'softmax') for (let i = start; i < start + cols; i++) values[i] = Math.exp(x[i] - max[r]) / sum[r];
    if (op === 'logSoftmax') for (let i = start; i < start + cols; i++) values[i] = x[i] - max[r] - logSum;
    if (op === 'logSumExp') values[r] = max[r] + logSum;
    if (op === 'crossEntropyWithGrad') for (let i = start; i < start + cols; i++) values[i] = (Math.exp(x[i] - max[r]) / sum[r] - (i === y ? 1 : 0)) / rows;
  }
  const floor = { softmax: 0, logSoftmax: 1, logSumExp: 1, crossEntropyWithGrad: 0.01 / rows }[op] ?? 0;
  const rowLoss = (r) => max[r] + Math.log(sum[r]) - x[r * cols + labels[r]];
  const loss = op.startsWith('crossEntropy') ? compensatedSum(rows, rowLoss) / rows : undefined;
  const gradient = op === 'crossEntropyWithGrad';
  const tolerance = {
    ...(values.length && { values: contractTolerance(set.dtype, { probability: op === 'softmax' || gradient, gradient }) }),
    ...(loss !== undefined && { loss: contractTolerance(set.dtype) }),
  };
  return { values, floor, loss, lossFloor: 1, tolerance };
}

// ---------------------------------------------------------------- the check

/**
 * A contender's output `{ values, loss }` against the reference: `maxError`, the largest
 * |got − ref| / max(|ref|, floor) (Infinity where got is NaN or has the wrong infinity), and
 * `nonFinite`, how many entries are NaN or ±Inf where the reference is finite, and if any,
 * `badValues` naming which ("NaN", "Infinity", "-Infinity") and `badIn` where ("values", "loss");
 * `byPart`, the largest error of each part, for the guard. Values of the wrong length are an
 * infinite error, with `mismatch` saying so.
 */
export function compare(got, ref) {
  const length = got.values?.length ?? 0;
  if (length !== ref.values.length) {
    const mismatch = `${length} values where the reference has ${ref.values.length}`;
    return { maxError: Infinity, nonFinite: 0, mismatch, byPart: { values: Infinity } };
  }
  const byPart = {};
  let nonFinite = 0;
  const bad = new Set();
  const badIn = new Set();
  const visit = (g, w, floor, part) => {
    if (g === w) return;
    if (!Number.isFinite(g) && Number.isFinite(w)) {
      nonFinite++;
      bad.add(String(g));
      badIn.add(part);
    }
    const d = Math.abs(g - w) / Math.max(Math.abs(w), floor, Number.MIN_VALUE);
    if (!(d <= byPart[part])) byPart[part] = d !== d ? Infinity : d;
  };
  if (ref.values.length) byPart.values = 0;
  for (let i = 0; i < ref.values.length; i++) visit(got.values[i], ref.values[i], ref.floor, 'values');
  if (ref.loss !== undefined) {
    byPart.loss = 0;
    visit(got.loss, ref.loss, ref.lossFloor, 'loss');
  }
  const maxError = Math.max(0, ...Object.values(byPart));
  return nonFinite ? { maxError, nonFinite, badValues: [...bad], badIn: [...badIn], byPart } : { maxError, nonFinite, byPart };
}

/**
 * Stops the run when softmax-simd (or the plain-JS baseline) is wrong: a broken kernel is never
 * benchmarked. `tolerance`: per part (`{ values, loss }`), or one number for every part.
 */
export function guard(what, tolerance, { byPart, nonFinite, mismatch }) {
  const limit = (part) => (typeof tolerance === 'number' ? tolerance : tolerance[part]);
  const over = Object.entries(byPart).filter(([part, error]) => !(error < limit(part)));
  if (over.length === 0) return;
  throw new Error(
    `bench: ${what} disagrees with the float64 reference: ` +
      over.map(([part, error]) => `${part} max error ${error} (tolerance ${limit(part)?.toExponential(2)})`).join(', ') +
      `${mismatch ? ` (${mismatch})` : ''}${nonFinite ? ` (${nonFinite} NaN/Inf where the reference is finite)` : ''}; not benchmarking a broken kernel`,
  );
}
