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
 * The exact result of `op` on input set 0: `{ values, floor, loss }`. `floor` is how errors in
 * `values` are scaled (see compare): 0 for probabilities (relative), 1 for log-values (absolute below
 * 1), `0.01 / rows` for the gradient, whose entries are at most 1/rows and where an f32 kernel's
 * p − 1 cancels near p = 1. The loss (mean over rows) is compared with floor 1.
 */
export function reference(op, set) {
  const { rows, cols } = set;
  const x = set.xs[0];
  const labels = set.labels[0];
  const length = { logSumExp: rows, crossEntropy: 0 }[op] ?? rows * cols;
  const values = new Float64Array(length);
  const rowLoss = new Float64Array(rows);
  const exps = new Float64Array(cols);
  for (let r = 0, start = 0; r < rows; r++, start += cols) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[start + c]);
    for (let c = 0; c < cols; c++) exps[c] = Math.exp(x[start + c] - max);
    const sum = compensatedSum(exps);
    const logSum = Math.log(sum);
    const y = labels[r];
    rowLoss[r] = max - x[start + y] + logSum;
    if (op === 'softmax') for (let c = 0; c < cols; c++) values[start + c] = exps[c] / sum;
    if (op === 'logSoftmax') for (let c = 0; c < cols; c++) values[start + c] = x[start + c] - max - logSum;
    if (op === 'logSumExp') values[r] = max + logSum;
    if (op === 'crossEntropyWithGrad') for (let c = 0; c < cols; c++) values[start + c] = (exps[c] / sum - (c === y ? 1 : 0)) / rows;
  }
  const floor = { softmax: 0, logSoftmax: 1, logSumExp: 1, crossEntropyWithGrad: 0.01 / rows }[op] ?? 0;
  const loss = op.startsWith('crossEntropy') ? compensatedSum(rowLoss) / rows : undefined;
  return { values, floor, loss };
}

/**
 * A contender's output `{ values, loss }` against the reference: `maxError`, the largest
 * |got − ref| / max(|ref|, floor) (Infinity where got is NaN or has the wrong infinity), and
 * `nonFinite`, how many entries are NaN or ±Inf where the reference is finite, with `badValues`
 * naming which ("NaN", "Infinity", "-Infinity") and `badIn` where ("values", "loss").
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
  return { maxError, nonFinite, badValues: [...bad], badIn: [...badIn] };
}

/** Stops the run when softmax-simd (or the plain-JS baseline) is wrong: a broken kernel is never benchmarked. */
export function guard(what, dtype, { maxError, nonFinite }) {
  if (maxError < TOLERANCE[dtype]) return;
  throw new Error(
    `bench: ${what} disagrees with the float64 reference: max error ${maxError}` +
      `${nonFinite ? ` (${nonFinite} NaN/Inf where the reference is finite)` : ''} (tolerance ${TOLERANCE[dtype]}); not benchmarking a broken kernel`,
  );
}
