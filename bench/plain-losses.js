// The "plain JS" contender of the `losses` section: the loops a user writes by hand with Math.exp
// and Math.log, into a preallocated output, in double arithmetic with plain (uncompensated) sums
// and no checks of the inputs. Numerically naive where the textbook formula is (logSigmoid as
// −log(1 + exp(−x)) overflows below x ≈ −709; the benchmark's logits lie in [−8, 8)). Like
// plain.js, run.js imports it once per dtype (`plain-losses.js?dtype=f32`), so each loop sees one
// array type.

/** σ(x) = 1 / (1 + exp(−x)), element-wise. */
export function sigmoid(x, out) {
  for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
}

/** log σ(x) = −log(1 + exp(−x)), element-wise. */
export function logSigmoid(x, out) {
  for (let i = 0; i < x.length; i++) out[i] = -Math.log(1 + Math.exp(-x[i]));
}

/**
 * Mean binary cross-entropy on logits, in the form TensorFlow's documentation gives
 * (max(x, 0) − x·t + log(1 + exp(−|x|))): one exp and one log an element.
 */
export function binaryCrossEntropyWithLogits(x, t) {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    sum += Math.max(xi, 0) - xi * t[i] + Math.log(1 + Math.exp(-Math.abs(xi)));
  }
  return sum / x.length;
}

/** Its gradient for the mean: (σ(x) − t) / n. */
export function binaryCrossEntropyWithLogitsBackward(x, t, grad) {
  const scale = 1 / x.length;
  for (let i = 0; i < x.length; i++) grad[i] = (1 / (1 + Math.exp(-x[i])) - t[i]) * scale;
}

/** Entropy of each row of probabilities: −Σ p·log p, skipping p = 0. */
export function entropy(p, out, cols) {
  for (let row = 0, start = 0; start < p.length; row++, start += cols) {
    let h = 0;
    for (let i = start; i < start + cols; i++) {
      const v = p[i];
      if (v > 0) h -= v * Math.log(v);
    }
    out[row] = h;
  }
}

/** KL(p ‖ q) of each row: Σ p·log(p / q), skipping p = 0. */
export function klDivergence(p, q, out, cols) {
  for (let row = 0, start = 0; start < p.length; row++, start += cols) {
    let kl = 0;
    for (let i = start; i < start + cols; i++) {
      const v = p[i];
      if (v > 0) kl += v * Math.log(v / q[i]);
    }
    out[row] = kl;
  }
}

/** Softmax backward per row: dot = Σ dy·y, then y·(dy − dot). */
export function softmaxBackward(y, dy, out, cols) {
  for (let start = 0; start < y.length; start += cols) {
    const end = start + cols;
    let dot = 0;
    for (let i = start; i < end; i++) dot += dy[i] * y[i];
    for (let i = start; i < end; i++) out[i] = y[i] * (dy[i] - dot);
  }
}

/** logSoftmax backward per row: s = Σ dy, then dy − exp(y)·s. */
export function logSoftmaxBackward(y, dy, out, cols) {
  for (let start = 0; start < y.length; start += cols) {
    const end = start + cols;
    let s = 0;
    for (let i = start; i < end; i++) s += dy[i];
    for (let i = start; i < end; i++) out[i] = dy[i] - Math.exp(y[i]) * s;
  }
}

/** Mean squared error: Σ (a − b)² / n. */
export function mseLoss(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum / a.length;
}

/** Mean Huber loss with delta 1: ½d² where |d| < 1, else |d| − ½. */
export function huberLoss(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    const ad = Math.abs(d);
    sum += ad < 1 ? 0.5 * d * d : ad - 0.5;
  }
  return sum / a.length;
}
