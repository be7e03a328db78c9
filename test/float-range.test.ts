// Sums over float32 elements near the top of its range: a mean, a sum or a row sum of finite
// terms is what the float64 reference says (finite where that is finite in float32), on every
// backend. Vector lanes summed in float32 overflowed at 17 squares of 1.5e19 (issue 15, item 1).
import { describe, it } from 'vitest';
import { apis } from './helpers/apis.js';
import { rng, uniform } from './helpers/random.js';
import { pairwiseSum } from './helpers/reference.js';
import { eps, expectClose, expectLogs, expectLoss } from './helpers/tolerance.js';

// Odd lengths: whole vectors, several blocks of lanes and a tail on every ISA.
const n = 1003;
const cols = 37;

describe.each(apis)('%s', (_name, api) => {
  const next = rng(15);
  const zeros = new Float32Array(n);
  const reduced = (what: string, got: { mean: number; sum: number }, terms: ArrayLike<number>) => {
    const sum = pairwiseSum((i) => terms[i], 0, terms.length);
    expectLoss(got.sum, sum, true, `${what} sum`);
    expectLoss(got.mean, sum / terms.length, true, `${what} mean`);
  };

  it('regression losses of elements whose squares approach float32 max', () => {
    const big = uniform(Float32Array, n, next, 1e19, 1.8e19); // d² up to 3.2e38
    const huge = uniform(Float32Array, n, next, 1e38, 3e38);
    const of = (f: typeof api.l1Loss, x: Float32Array) => ({ mean: f(x, zeros), sum: f(x, zeros, { reduction: 'sum' }) });
    reduced('mseLoss', of(api.mseLoss, big), Array.from(big, (d) => d * d));
    reduced('l2Loss', of(api.l2Loss, big), Array.from(big, (d) => (d * d) / 2));
    reduced('l1Loss', of(api.l1Loss, huge), huge);
    reduced('huberLoss', of(api.huberLoss, huge), Array.from(huge, (d) => d - 0.5));
    reduced('smoothL1Loss', of(api.smoothL1Loss, huge), Array.from(huge, (d) => d - 0.5));
  });

  it('binaryCrossEntropyWithLogits of logits near -float32 max with target 1', () => {
    const x = uniform(Float32Array, n, next, -3e38, -1e38);
    const t = new Float32Array(n).fill(1);
    const got = { mean: api.binaryCrossEntropyWithLogits(x, t), sum: api.binaryCrossEntropyWithLogits(x, t, { reduction: 'sum' }) };
    reduced('binaryCrossEntropyWithLogits', got, Array.from(x, (v) => -v)); // −log σ(x) = −x here
  });

  it('softmaxBackward and logSoftmaxBackward whose row sums pass float32 max', () => {
    const dy = uniform(Float32Array, n * cols, next, 1e38, 3e38);
    const logY = api.logSoftmax(uniform(Float32Array, n * cols, next, -2, 2), { cols });
    const y = Float32Array.from(logY, Math.exp);
    y[0] = 2; // not a probability: the product dy·y alone passes float32's max
    const want = new Float64Array(dy.length), wantLog = new Float64Array(dy.length);
    const size = new Float64Array(dy.length), sizeLog = new Float64Array(dy.length);
    for (let start = 0; start < dy.length; start += cols) {
      const dot = pairwiseSum((c) => dy[start + c] * y[start + c], 0, cols);
      const sum = pairwiseSum((c) => dy[start + c], 0, cols); // about 7e39
      for (let i = start; i < start + cols; i++) {
        const p = Math.exp(logY[i]);
        want[i] = y[i] * (dy[i] - dot);
        wantLog[i] = dy[i] - p * sum;
        size[i] = y[i] * (dy[i] + dot); // every term is positive
        sizeLog[i] = dy[i] + p * sum;
      }
    }
    // As backward.test.ts: a bound relative to the size of the terms that cancel.
    expectClose(api.softmaxBackward(y, dy, { cols }), want, (i) => eps(true) * size[i], 'softmaxBackward', true);
    expectClose(api.logSoftmaxBackward(logY, dy, { cols }), wantLog, (i) => eps(true) * sizeLog[i], 'logSoftmaxBackward', true);
  });

  it('entropy, crossEntropyProbs and klDivergence normalize rows whose sums pass float32 max', () => {
    const p = uniform(Float32Array, n * cols, next, 1e37, 3e38);
    const q = uniform(Float32Array, n * cols, next, 1e37, 3e38);
    const h = [], ce = [], kl = [];
    for (let start = 0; start < p.length; start += cols) {
      const sp = pairwiseSum((c) => p[start + c], 0, cols), sq = pairwiseSum((c) => q[start + c], 0, cols);
      const term = (f: (pc: number, qc: number) => number) => pairwiseSum((c) => f(p[start + c] / sp, q[start + c] / sq), 0, cols);
      h.push(-term((pc) => pc * Math.log(pc)));
      ce.push(-term((pc, qc) => pc * Math.log(qc)));
      kl.push(term((pc, qc) => pc * Math.log(pc / qc)));
    }
    expectLogs(api.entropy(p, { cols, normalize: true }), h, 'entropy');
    expectLogs(api.crossEntropyProbs(p, q, { cols, normalize: true }), ce, 'crossEntropyProbs');
    expectLogs(api.klDivergence(p, q, { cols, normalize: true }), kl, 'klDivergence');
  });
});
