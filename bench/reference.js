// The float64 reference every contender is compared with, computed here from the same inputs (input
// set 0): row max, Math.exp(x − max) and compensated sums, all in double, so its own error is far
// below the float64 tolerance.

/** Largest tolerated error of softmax-simd (and of plain JS); above it the run stops. */
export const TOLERANCE = { f32: 1e-4, f64: 1e-9 };

/** Neumaier's compensated sum: exact to a few ulps of the result, whatever the length. */
function compensatedSum(values) {
  let sum = 0;
  let carry = 0;
  for (const v of values) {
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
  const exps = new Float64Array(cols);
  for (let r = 0, start = 0; r < rows; r++, start += cols) {
    for (let c = 0; c < cols; c++) max[r] = Math.max(max[r], x[start + c]);
    for (let c = 0; c < cols; c++) exps[c] = Math.exp(x[start + c] - max[r]);
    sum[r] = compensatedSum(exps);
  }
  return (set.rowStats = { max, sum });
}

/**
 * The exact result of `op` on input set 0: `{ values, floor, loss }`. `floor` is how errors in
 * `values` are scaled (see compare): 0 for probabilities (relative), 1 for log-values (absolute below
 * 1), `0.01 / rows` for the gradient, whose entries are at most 1/rows and where an f32 kernel's
 * p − 1 cancels near p = 1. The loss (mean over rows) is compared with floor 1.
 */
export function reference(op, set) {
  const { rows, cols } = set;
  const x = set.xs[0];
  const labels = set.labels[0];
  const { max, sum } = rowStats(set);
  const lse = (r) => max[r] + Math.log(sum[r]);
  const softmaxAt = (r, i) => Math.exp(x[i] - max[r]) / sum[r];
  const values = new Float64Array({ logSumExp: rows, crossEntropy: 0 }[op] ?? rows * cols);
  for (let r = 0, start = 0; r < rows; r++, start += cols) {
    const y = start + labels[r];
    if (op === 'softmax') for (let i = start; i < start + cols; i++) values[i] = softmaxAt(r, i);
    if (op === 'logSoftmax') for (let i = start; i < start + cols; i++) values[i] = x[i] - max[r] - Math.log(sum[r]);
    if (op === 'logSumExp') values[r] = lse(r);
    if (op === 'crossEntropyWithGrad') for (let i = start; i < start + cols; i++) values[i] = (softmaxAt(r, i) - (i === y ? 1 : 0)) / rows;
  }
  const floor = { softmax: 0, logSoftmax: 1, logSumExp: 1, crossEntropyWithGrad: 0.01 / rows }[op] ?? 0;
  const rowLosses = () => Array.from({ length: rows }, (_, r) => lse(r) - x[r * cols + labels[r]]);
  const loss = op.startsWith('crossEntropy') ? compensatedSum(rowLosses()) / rows : undefined;
  return { values, floor, loss };
}

/**
 * A contender's output `{ values, loss }` against the reference: `maxError`, the largest
 * |got − ref| / max(|ref|, floor) (Infinity where got is NaN or has the wrong infinity), and
 * `nonFinite`, how many entries are NaN or ±Inf where the reference is finite, and if any,
 * `badValues` naming which ("NaN", "Infinity", "-Infinity") and `badIn` where ("values", "loss").
 */
export function compare(got, ref) {
  let maxError = 0;
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
    if (!(d <= maxError)) maxError = d !== d ? Infinity : d;
  };
  for (let i = 0; i < ref.values.length; i++) visit(got.values?.[i], ref.values[i], ref.floor, 'values');
  if (ref.loss !== undefined) visit(got.loss, ref.loss, 1, 'loss');
  return nonFinite ? { maxError, nonFinite, badValues: [...bad], badIn: [...badIn] } : { maxError, nonFinite };
}

/** Stops the run when softmax-simd (or the plain-JS baseline) is wrong: a broken kernel is never benchmarked. */
export function guard(what, dtype, { maxError, nonFinite }) {
  if (maxError < TOLERANCE[dtype]) return;
  throw new Error(
    `bench: ${what} disagrees with the float64 reference: max error ${maxError}` +
      `${nonFinite ? ` (${nonFinite} NaN/Inf where the reference is finite)` : ''} (tolerance ${TOLERANCE[dtype]}); not benchmarking a broken kernel`,
  );
}
