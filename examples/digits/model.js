// Softmax regression: one linear layer, logits = x · W + b, trained on the cross-entropy loss.
// The package supplies the loss and its gradient (softmax − one-hot, over the batch size);
// everything else is plain Float32Array loops. The API object is passed in, so the same code
// trains on the native addon and on the pure-TS build.
import { shuffle } from './data.js';

/**
 * A linear layer from `features` inputs to `classes` logits: W is [features × classes],
 * row-major (the weights of one input feature are contiguous), b is [classes]. Starts at zero:
 * the loss is convex, so no random start is needed, and every class begins at probability 1/classes.
 */
export function createModel(features, classes) {
  return { features, classes, W: new Float32Array(features * classes), b: new Float32Array(classes) };
}

/** logits[i, c] = b[c] + Σ_f x[i, f] · W[f, c] for `rows` rows of x; writes `out` (rows × classes) and returns it. */
export function forward({ features: F, classes: C, W, b }, x, rows, out = new Float32Array(rows * C)) {
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < C; c++) {
      let sum = b[c];
      for (let f = 0; f < F; f++) sum += x[i * F + f] * W[f * C + c];
      out[i * C + c] = sum;
    }
  return out;
}

/** The layer's gradients from dL/dlogits: gradW[f, c] = Σ_i x[i, f] · dLogits[i, c], gradB[c] = Σ_i dLogits[i, c]. */
export function backward({ features: F, classes: C }, x, rows, dLogits, gradW, gradB) {
  for (let c = 0; c < C; c++) {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += dLogits[i * C + c];
    gradB[c] = sum;
  }
  for (let f = 0; f < F; f++)
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += x[i * F + f] * dLogits[i * C + c];
      gradW[f * C + c] = sum;
    }
}

/** The index of each row's largest logit (the first one on a tie). */
export function argmaxRows(logits, classes) {
  const rows = logits.length / classes;
  const best = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let k = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + k]) k = c;
    best[i] = k;
  }
  return best;
}

/** The fraction of rows whose largest logit is at the label. */
export function accuracy(logits, labels, classes) {
  const predicted = argmaxRows(logits, classes);
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return right / labels.length;
}

/**
 * Mini-batch SGD on the mean cross-entropy, with L2 weight decay on W (not on b):
 * W ← W − lr · (∂L/∂W + weightDecay · W), b ← b − lr · ∂L/∂b.
 * Every epoch visits the training rows in a fresh order drawn from `random`, so two trainers
 * given generators with the same seed see the same batches.
 *
 * Returns `{ model, history, epoch }`: `epoch()` runs one pass over the training set and appends
 * `{ loss, testLoss, ms, lossMs }` to `history`: the mean training loss over the pass (the
 * cross-entropy alone, without the decay term), the test loss after it, the wall time of the pass and
 * the part of it spent in `crossEntropyWithGrad`. Evaluating the test loss is not timed.
 */
export function createTrainer(api, { train, test }, { features, classes, random, learningRate, batchSize, weightDecay }) {
  const model = createModel(features, classes);
  const { W, b } = model;
  const gradW = new Float32Array(W.length);
  const gradB = new Float32Array(b.length);
  const xBatch = new Float32Array(batchSize * features);
  const yBatch = new Int32Array(batchSize);
  const logits = new Float32Array(batchSize * classes);
  const order = Int32Array.from({ length: train.rows }, (_, i) => i);
  const history = [];

  function epoch() {
    const start = performance.now();
    let lossMs = 0;
    let lossSum = 0;
    shuffle(order, random);
    for (let first = 0; first < train.rows; first += batchSize) {
      const rows = Math.min(batchSize, train.rows - first);
      for (let r = 0; r < rows; r++) {
        const i = order[first + r];
        xBatch.set(train.x.subarray(i * features, (i + 1) * features), r * features);
        yBatch[r] = train.y[i];
      }
      const z = forward(model, xBatch, rows, logits.subarray(0, rows * classes));
      const t0 = performance.now();
      // The mean loss over the batch and its gradient (softmax − one-hot) / rows, written over the logits.
      const { loss } = api.crossEntropyWithGrad(z, yBatch.subarray(0, rows), { cols: classes, gradOut: z });
      lossMs += performance.now() - t0;
      lossSum += loss * rows;
      backward(model, xBatch, rows, z, gradW, gradB);
      for (let k = 0; k < W.length; k++) W[k] -= learningRate * (gradW[k] + weightDecay * W[k]);
      for (let c = 0; c < classes; c++) b[c] -= learningRate * gradB[c];
    }
    const ms = performance.now() - start;
    const testLoss = api.crossEntropy(forward(model, test.x, test.rows), test.y, { cols: classes });
    const record = { loss: lossSum / train.rows, testLoss, ms, lossMs };
    history.push(record);
    return record;
  }

  return { model, history, epoch };
}
