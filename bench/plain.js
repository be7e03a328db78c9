// The "plain JS" contender: the loops a user writes by hand, into a preallocated output, in double
// arithmetic with plain (uncompensated) sums. run.js imports this module once per dtype under a
// different URL (`plain.js?dtype=f32`), so each dtype gets its own functions and their typed-array
// accesses stay monomorphic, as in a program that uses one element type.

/** Softmax of each row: max, exp(x − max) into out with their sum, then divide. */
export function softmax(x, out, cols) {
  for (let start = 0; start < x.length; start += cols) {
    const end = start + cols;
    let max = -Infinity;
    for (let i = start; i < end; i++) if (x[i] > max) max = x[i];
    let sum = 0;
    for (let i = start; i < end; i++) {
      const e = Math.exp(x[i] - max);
      out[i] = e;
      sum += e;
    }
    for (let i = start; i < end; i++) out[i] /= sum;
  }
}

/** Log-softmax of each row: max, sum of exp(x − max), then x − max − log(sum). */
export function logSoftmax(x, out, cols) {
  for (let start = 0; start < x.length; start += cols) {
    const end = start + cols;
    let max = -Infinity;
    for (let i = start; i < end; i++) if (x[i] > max) max = x[i];
    let sum = 0;
    for (let i = start; i < end; i++) sum += Math.exp(x[i] - max);
    const logSum = Math.log(sum);
    for (let i = start; i < end; i++) out[i] = x[i] - max - logSum;
  }
}

/** Log-sum-exp of each row into out[row]: max + log(sum of exp(x − max)). */
export function logSumExp(x, out, cols) {
  for (let row = 0, start = 0; start < x.length; row++, start += cols) {
    const end = start + cols;
    let max = -Infinity;
    for (let i = start; i < end; i++) if (x[i] > max) max = x[i];
    let sum = 0;
    for (let i = start; i < end; i++) sum += Math.exp(x[i] - max);
    out[row] = max + Math.log(sum);
  }
}

/** Mean cross-entropy over class-index labels, the loss alone: per row max + log(sum) − x[y]. */
export function crossEntropy(x, labels, cols) {
  const rows = x.length / cols;
  let loss = 0;
  for (let row = 0, start = 0; row < rows; row++, start += cols) {
    const end = start + cols;
    let max = -Infinity;
    for (let i = start; i < end; i++) if (x[i] > max) max = x[i];
    let sum = 0;
    for (let i = start; i < end; i++) sum += Math.exp(x[i] - max);
    loss += max + Math.log(sum) - x[start + labels[row]];
  }
  return loss / rows;
}

/**
 * Mean cross-entropy over class-index labels, with its gradient written to grad: per row the
 * softmax p (its exponentials wait in grad), loss += −log p[y], grad = (p − onehot(y)) / rows.
 */
export function crossEntropyWithGrad(x, labels, grad, cols) {
  const rows = x.length / cols;
  let loss = 0;
  for (let row = 0, start = 0; row < rows; row++, start += cols) {
    const end = start + cols;
    let max = -Infinity;
    for (let i = start; i < end; i++) if (x[i] > max) max = x[i];
    let sum = 0;
    for (let i = start; i < end; i++) {
      const e = Math.exp(x[i] - max);
      grad[i] = e;
      sum += e;
    }
    const y = start + labels[row];
    loss -= Math.log(grad[y] / sum);
    for (let i = start; i < end; i++) grad[i] = grad[i] / sum / rows;
    grad[y] -= 1 / rows;
  }
  return loss / rows;
}

/**
 * The "read ceiling": one pass that only reads x. Four independent accumulators, so the loop is
 * limited by loads rather than by the latency of one chain of additions.
 */
export function readSum(x) {
  // The length read once, up front: a first use on long arrays enters optimized code in mid-loop
  // (on-stack replacement) before the tail loop has ever run, and an `x.length` there, without type
  // feedback, kept that code deoptimizing: 5 times slower until a short array had been read.
  const n = x.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < n; i++) s0 += x[i];
  return s0 + s1 + s2 + s3;
}
