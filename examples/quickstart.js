// A tour of softmax-simd. Build first (`npm run build`), then run `npm start`.
import {
  backend,
  softmax,
  logSoftmax,
  logSumExp,
  crossEntropy,
  crossEntropyWithGrad,
  nllLoss,
} from '../dist/index.js';

const round = (v) => +v.toFixed(5);
const fmt = (v) => (typeof v === 'number' ? round(v) : `[${Array.from(v, round).join(', ')}]`);
const show = (label, v) => console.log(`${label.padEnd(34)} ${fmt(v)}`);

console.log('backend:', JSON.stringify(backend));

// One row: cols defaults to the whole array. Results have the input's type.
show('softmax [3, 1, -3]', softmax(new Float64Array([3, 1, -3])));

// A batch of 2 rows x 3 classes, row-major. Huge logits are fine: the row max is subtracted first.
const logits = new Float32Array([2, 0.5, -1, 1000, 1001, 999]);
show('softmax, 2 rows', softmax(logits, { cols: 3 }));
show('logSoftmax, 2 rows', logSoftmax(logits, { cols: 3 }));
show('logSumExp per row', logSumExp(logits, { cols: 3 }));

// Cross-entropy against class-index labels (PyTorch's F.cross_entropy): row 0 is class 0, row 1 class 2.
const labels = new Int32Array([0, 2]);
show('crossEntropy (mean)', crossEntropy(logits, labels, { cols: 3 }));
show("crossEntropy (reduction 'none')", crossEntropy(logits, labels, { cols: 3, reduction: 'none' }));
show('crossEntropy (labelSmoothing 0.1)', crossEntropy(logits, labels, { cols: 3, labelSmoothing: 0.1 }));

// nllLoss over log-probabilities gives the same loss as crossEntropy over the logits.
show('nllLoss(logSoftmax(logits))', nllLoss(logSoftmax(logits, { cols: 3 }), labels, { cols: 3 }));

// A tiny 3-class logistic regression, trained by plain gradient descent.
// Each point is [x1, x2, class]; the model is logits = W · [x1, x2, 1].
const points = [
  [2.0, 0.0, 0], [1.5, 0.5, 0], [1.0, -0.5, 0],
  [-1.0, 1.5, 1], [-0.5, 2.0, 1], [0.0, 1.0, 1],
  [-1.0, -1.5, 2], [0.0, -2.0, 2], [-1.5, -0.5, 2],
];
const N = points.length, C = 3, F = 3; // samples, classes, features (the last one is the bias)
const X = new Float64Array(points.flatMap(([a, b]) => [a, b, 1]));
const y = new Int32Array(points.map((p) => p[2]));
const W = new Float64Array(C * F); // all zero: every class equally likely, loss = ln 3

// Z = X · Wᵀ for `rows` samples.
function forward(X, rows) {
  const Z = new Float64Array(rows * C);
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < C; c++)
      for (let f = 0; f < F; f++) Z[i * C + c] += X[i * F + f] * W[c * F + f];
  return Z;
}

console.log(`\ntraining a ${C}-class logistic regression on ${N} points:`);
const learningRate = 0.5;
for (let step = 0; step <= 40; step++) {
  const Z = forward(X, N);
  // The mean loss and dLoss/dZ in one call; the gradient overwrites Z (no longer needed).
  const { loss, grad } = crossEntropyWithGrad(Z, y, { cols: C, gradOut: Z });
  if (step % 5 === 0) console.log(`  step ${String(step).padStart(2)}  loss ${loss.toFixed(5)}`);
  // dW = gradᵀ · X, then one step downhill.
  for (let c = 0; c < C; c++)
    for (let f = 0; f < F; f++) {
      let dW = 0;
      for (let i = 0; i < N; i++) dW += grad[i * C + c] * X[i * F + f];
      W[c * F + f] -= learningRate * dW;
    }
}

// The trained model on two new points, (1.8, 0.2) and (-0.2, -1.8): expect classes 0 and 2.
const probs = softmax(forward(new Float64Array([1.8, 0.2, 1, -0.2, -1.8, 1]), 2), { cols: C });
show('p(class) for (1.8, 0.2)', probs.subarray(0, C));
show('p(class) for (-0.2, -1.8)', probs.subarray(C));
