/**
 * softmax-simd: softmax, log-softmax, log-sum-exp, cross-entropy (with its gradient), the
 * entropy family, sigmoid and binary cross-entropy, regression losses and the backward products,
 * over row-major typed arrays, computed by SIMD C++ kernels, or by the pure-TS implementation
 * where the native addon cannot load. Semantics follow PyTorch (and SciPy for the entropies).
 *
 * @packageDocumentation
 */
import { createApi } from './api.js';
import { load } from './load.js';
import type { Backend } from './types.js';

const loaded = load();
const api = createApi(loaded.kernels, loaded.backend);

// Each function is documented here, on its export, where editors and the emitted index.d.ts show
// it. lib/js.ts exports the same names over the pure-TS kernels; test/backend.test.ts keeps the
// two lists equal to what createApi builds.

/**
 * Which implementation answers calls: `{ native, isa, supported, threads }`, and `reason` when the
 * pure-TS path is in use (`SOFTMAX_SIMD_BACKEND=js`, or why the addon did not load). `isa` is the
 * best of `supported` unless `SOFTMAX_SIMD_ISA` caps it.
 *
 * @example
 * import { backend } from 'softmax-simd';
 * console.log(backend); // { native: true, isa: 'avx512', supported: ['scalar', 'avx2', 'avx512'], smallMax: 16, threads: 2, parallelMin: 1048576 }
 */
export const backend: Backend = Object.freeze(loaded.backend);

/**
 * Softmax of each row: `out[c] = exp(z[c] − max z) / Σ exp(z − max z)` with `z = x / temperature`;
 * each row sums to 1.
 *
 * Edge cases (as PyTorch): a NaN or +Inf in a row makes the whole row NaN; −Inf entries get 0;
 * a row of all −Inf gives NaN, or 0 with `allMasked: 'zero'`. Never overflows for finite input.
 * Returns `out` when given (it may be `x`: in place), else a new array of `x`'s type.
 *
 * @example
 * softmax(new Float64Array([3, 1, -3]));            // [0.8789, 0.1189, 0.0022]
 * softmax(batch, { cols: 10, out: batch });         // in place, one row per 10 classes
 */
export const softmax = api.softmax;

/**
 * Log-softmax of each row: `out[c] = z[c] − logΣexp(z)` with `z = x / temperature`, computed
 * without forming the probabilities (no log(0) for tiny ones).
 *
 * Edge cases: NaN or +Inf in a row → the row is NaN; a −Inf entry → −Inf; a row of all −Inf →
 * NaN, or −Inf with `allMasked: 'zero'`.
 *
 * @example
 * logSoftmax(new Float32Array([2, 3, 4])); // [-2.4076, -1.4076, -0.4076]
 * logSoftmax(logits, { cols: 1000, temperature: 0.7 });
 */
export const logSoftmax = api.logSoftmax;

/**
 * Log-sum-exp of each row, `m + log Σ exp(x − m)` with `m` the row's max: one value per row
 * (an array of length `rows`, also for one row).
 *
 * Edge cases: NaN in a row → NaN; a +Inf → +Inf; a row of all −Inf → −Inf.
 *
 * @example
 * logSumExp(new Float64Array([1000, 1000])); // [1000.6931471805599]
 * logSumExp(logits, { cols: 32000 });        // one per row
 */
export const logSumExp = api.logSumExp;

/**
 * Softmax cross-entropy between logits and targets (PyTorch's `cross_entropy`), from one read of
 * the logits. With `z = logits / temperature`, `lse` the row's log-sum-exp, `w` the class weights
 * and `ε` the label smoothing:
 * - class-index target y: `loss = (1−ε)·w[y]·(lse − z[y]) + (ε/C)·Σ_c w[c]·(lse − z[c])`; a row whose
 *   label is `ignoreIndex` contributes 0; `'mean'` divides by Σ w[y] over the rows not ignored
 *   (NaN when all are ignored or the batch is empty);
 * - soft targets t (the logits' type and shape): `t' = (1−ε)·t + ε/C`,
 *   `loss = Σ_c w[c]·t'[c]·(lse − z[c])`; `'mean'` divides by the number of rows.
 *
 * Returns a number for `'mean'` (default) and `'sum'`, one loss per row for `'none'`. A label
 * outside [0, cols) that is not `ignoreIndex` is a RangeError. NaN or +Inf in a row makes its
 * loss NaN.
 *
 * @example
 * crossEntropy(new Float32Array([2, 0.5, -1, 0, 3, 1]), [0, 1], { cols: 3 }); // 0.2056
 * crossEntropy(logits, labels, { cols: 10, reduction: 'none', labelSmoothing: 0.1 });
 */
export const crossEntropy = api.crossEntropy;

/**
 * The cross-entropy loss and its gradient with respect to the logits in one fused call (each
 * row read twice, the gradient written once): `{ loss, grad }`. For a row with coefficients
 * `q[c]` (see {@link crossEntropy}) and `Q = Σ q`, `grad[c] = (Q·softmax(z)[c] − q[c]) / temperature`,
 * divided as the reduction divides the loss; for `'none'` it is the gradient of Σ loss. Ignored
 * rows get 0. `gradOut` may be the logits themselves (in place).
 *
 * @example
 * const { loss, grad } = crossEntropyWithGrad(logits, labels, { cols: 10 });
 * crossEntropyWithGrad(logits, labels, { cols: 10, gradOut: logits }); // gradient over the logits
 */
export const crossEntropyWithGrad = api.crossEntropyWithGrad;

/**
 * The gradient of {@link crossEntropy} with respect to the logits, times the upstream gradient
 * `gradOutput` (a number, default 1; or one per row with `reduction: 'none'`). Same formula as
 * {@link crossEntropyWithGrad}, without computing the loss. `out` may be the logits (in place).
 *
 * @example
 * const dLogits = crossEntropyBackward(logits, labels, { cols: 10, gradOutput: 0.5 });
 * crossEntropyBackward(logits, labels, { cols: 10, reduction: 'none', gradOutput: perRow });
 */
export const crossEntropyBackward = api.crossEntropyBackward;

/**
 * Negative log-likelihood over log-probabilities (PyTorch's `nll_loss`): `loss = −w[y]·logProbs[y]`
 * per row; rows labelled `ignoreIndex` contribute 0; `'mean'` divides by Σ w[y] over the rows not
 * ignored (NaN when none is left). Returns a number, or one loss per row for `'none'`.
 *
 * @example
 * nllLoss(logSoftmax(logits, { cols: 10 }), labels, { cols: 10 });
 * nllLoss(new Float64Array([Math.log(0.6)]), [0]); // 0.5108256237659907
 */
export const nllLoss = api.nllLoss;

/**
 * Shannon entropy of each row of probabilities, `H(p) = −Σ p·log p`, in nats (or `base` 2, 10,
 * any base > 0 other than 1): one value per row. `0·log 0 = 0`.
 *
 * Entries must be finite and ≥ 0, and each row must sum to 1 within 1e-3 (float32) or 1e-9
 * (float64); otherwise a RangeError names the first bad row and nothing is written.
 * `normalize: true` divides each row by its sum first, as SciPy's `entropy` does.
 *
 * @example
 * entropy(new Float64Array([0.6, 0.1, 0.1, 0.1, 0.1]), { base: 10 }); // [0.5331092497698138]
 * entropy(counts, { cols: 256, normalize: true, base: 2 });           // bits per row of a histogram
 */
export const entropy = api.entropy;

/**
 * Cross-entropy between rows of probabilities p and q, `H(p, q) = −Σ p·log q` (one value per
 * row). `p = 0` contributes 0 whatever q is; `q = 0` where `p > 0` gives +Infinity. Rows are
 * checked (and normalized with `normalize: true`) as in {@link entropy}, p and q both.
 *
 * @example
 * crossEntropyProbs(new Float64Array([1, 0, 0]), new Float64Array([0.7, 0.1, 0.2]), { base: 10 }); // [0.1549019599857432]
 * crossEntropyProbs(labelsOneHot, predicted, { cols: 10 });
 */
export const crossEntropyProbs = api.crossEntropyProbs;

/**
 * Kullback–Leibler divergence of each row, `KL(p ‖ q) = Σ p·log(p / q)` (SciPy's
 * `entropy(p, q)`, one value per row): ≥ 0, and 0 when the rows are equal. `p = 0` contributes
 * 0; `q = 0` where `p > 0` gives +Infinity. Rows are checked as in {@link entropy}.
 *
 * @example
 * klDivergence(new Float64Array([0.5, 0.5]), new Float64Array([0.9, 0.1]), { base: 2 }); // [0.7369655941662062]
 * klDivergence(p, q, { cols: 1000, normalize: true });
 */
export const klDivergence = api.klDivergence;

/**
 * The logistic sigmoid `σ(x) = 1 / (1 + exp(−x))`, element-wise, computed from `exp(−|x|)` so
 * it never overflows: σ(±Inf) = 1 / 0, NaN stays NaN. `out` may be `x` (in place).
 *
 * @example
 * sigmoid(new Float32Array([0, 2, -2])); // [0.5, 0.8808, 0.1192]
 * sigmoid(logits, { out: logits });
 */
export const sigmoid = api.sigmoid;

/**
 * `log σ(x) = min(x, 0) − log1p(exp(−|x|))`, element-wise: no overflow and no log(0), so
 * logSigmoid(−1000) = −1000 and logSigmoid(40) = −4.2e-18 (not 0).
 *
 * @example
 * logSigmoid(new Float64Array([-1000, 0, 40])); // [-1000, -0.6931, -4.248e-18]
 * logSigmoid(scores, { out: scores });
 */
export const logSigmoid = api.logSigmoid;

/**
 * The gradient through a sigmoid: `dy · y · (1 − y)` with `y = sigmoid(x)`, element-wise.
 *
 * @example
 * const y = sigmoid(x);
 * const dx = sigmoidBackward(y, dy);
 */
export const sigmoidBackward = api.sigmoidBackward;

/**
 * Binary cross-entropy on logits (PyTorch's `binary_cross_entropy_with_logits`), element-wise
 * and stable for any |x|: with `l = 1 + (posWeight − 1)·t`,
 * `loss = weight · ((1 − t)·x + l·(max(−x, 0) + log1p(exp(−|x|))))`.
 * `weight` has the length of x or of `cols` (per class, repeated over rows); `posWeight` is a
 * number or one per class. Returns the mean over every element (default), the sum, or one loss
 * per element for `'none'`. Targets are used as given (soft targets in [0, 1] are fine).
 *
 * @example
 * binaryCrossEntropyWithLogits(new Float32Array([2, -1]), new Float32Array([1, 0])); // 0.2201
 * binaryCrossEntropyWithLogits(logits, labels, { cols: 5, posWeight: [3, 1, 1, 1, 1] });
 */
export const binaryCrossEntropyWithLogits = api.binaryCrossEntropyWithLogits;

/**
 * The gradient of {@link binaryCrossEntropyWithLogits} with respect to the logits:
 * `weight · (l·σ(x) − posWeight·t)`, divided by the element count for `'mean'`, times
 * `gradOutput` (a number, or one per element for `'none'`).
 *
 * @example
 * const dx = binaryCrossEntropyWithLogitsBackward(logits, labels);
 * binaryCrossEntropyWithLogitsBackward(logits, labels, { reduction: 'sum', gradOutput: 0.5, out: logits });
 */
export const binaryCrossEntropyWithLogitsBackward = api.binaryCrossEntropyWithLogitsBackward;

/**
 * Mean absolute error (PyTorch's `l1_loss`): `|input − target|` per element, reduced by
 * `reduction` (`'mean'` default, `'sum'`, `'none'`).
 *
 * @example
 * l1Loss(new Float64Array([1, 2, 3]), new Float64Array([1, 0, 4])); // 1
 * l1Loss(pred, truth, { reduction: 'none' });
 */
export const l1Loss = api.l1Loss;

/**
 * Gradient of {@link l1Loss} with respect to the input: `sign(input − target)` (0 where they are
 * equal, as PyTorch), divided by the element count for `'mean'`, times `gradOutput`.
 *
 * @example
 * l1LossBackward(pred, truth);                         // ±1/n, or 0
 * l1LossBackward(pred, truth, { reduction: 'sum', gradOutput: 2 });
 */
export const l1LossBackward = api.l1LossBackward;

/**
 * The textbook L2 loss `½(input − target)²` per element, reduced by `reduction` (`'mean'`
 * default). Half of {@link mseLoss}, so its gradient is the plain difference.
 *
 * @example
 * l2Loss(new Float64Array([3]), new Float64Array([1])); // 2
 * l2Loss(pred, truth, { reduction: 'sum' });
 */
export const l2Loss = api.l2Loss;

/**
 * Gradient of {@link l2Loss}: `input − target` (divided by the element count for `'mean'`), times `gradOutput`.
 *
 * @example
 * l2LossBackward(pred, truth, { reduction: 'sum' }); // pred − truth
 * l2LossBackward(pred, truth, { out: grad });
 */
export const l2LossBackward = api.l2LossBackward;

/**
 * Mean squared error (PyTorch's `mse_loss`): `(input − target)²` per element, reduced by `reduction`.
 *
 * @example
 * mseLoss(new Float64Array([3, 0]), new Float64Array([1, 0])); // 2
 * mseLoss(pred, truth, { reduction: 'none' });
 */
export const mseLoss = api.mseLoss;

/**
 * Gradient of {@link mseLoss}: `2·(input − target)` (divided by the element count for `'mean'`), times `gradOutput`.
 *
 * @example
 * mseLossBackward(pred, truth);
 * mseLossBackward(pred, truth, { reduction: 'none', gradOutput: weights });
 */
export const mseLossBackward = api.mseLossBackward;

/**
 * Huber loss (PyTorch's `huber_loss`): with `d = input − target`, `½d²` where `|d| < delta`,
 * else `delta·(|d| − ½delta)`; `delta` > 0, default 1 (then `|d| − ½` beyond 1).
 *
 * @example
 * huberLoss(new Float64Array([3]), new Float64Array([0])); // 2.5
 * huberLoss(pred, truth, { delta: 0.5, reduction: 'sum' });
 */
export const huberLoss = api.huberLoss;

/**
 * Gradient of {@link huberLoss}: `d` clamped to [−delta, delta] (divided by the element count for `'mean'`), times `gradOutput`.
 *
 * @example
 * huberLossBackward(pred, truth, { delta: 0.5 });
 * huberLossBackward(pred, truth, { reduction: 'none', gradOutput: upstream });
 */
export const huberLossBackward = api.huberLossBackward;

/**
 * Smooth L1 loss (PyTorch's `smooth_l1_loss`): `½d²/beta` where `|d| < beta`, else
 * `|d| − ½beta`; `beta` ≥ 0, default 1; `beta: 0` is {@link l1Loss}.
 *
 * @example
 * smoothL1Loss(new Float64Array([0.5]), new Float64Array([0])); // 0.125
 * smoothL1Loss(boxes, targets, { beta: 1 / 9, reduction: 'sum' });
 */
export const smoothL1Loss = api.smoothL1Loss;

/**
 * Gradient of {@link smoothL1Loss}: `d / beta` clamped to [−1, 1] (`sign(d)` for beta 0; divided
 * by the element count for `'mean'`), times `gradOutput`.
 *
 * @example
 * smoothL1LossBackward(boxes, targets, { beta: 1 / 9 });
 * smoothL1LossBackward(boxes, targets, { reduction: 'sum', out: grad });
 */
export const smoothL1LossBackward = api.smoothL1LossBackward;

/**
 * The gradient through softmax, per row: `y ⊙ (dy − Σ dy·y)` with `y = softmax(x)` and `dy`
 * the upstream gradient (the vector-Jacobian product, for your own autograd). `out` may be `y`
 * or `dy`.
 *
 * @example
 * const y = softmax(x, { cols: 10 });
 * const dx = softmaxBackward(y, dy, { cols: 10 });
 */
export const softmaxBackward = api.softmaxBackward;

/**
 * The gradient through logSoftmax, per row: `dy − exp(y)·Σ dy` with `y = logSoftmax(x)`.
 * `out` may be `y` or `dy`.
 *
 * @example
 * const y = logSoftmax(x, { cols: 10 });
 * const dx = logSoftmaxBackward(y, dy, { cols: 10 });
 */
export const logSoftmaxBackward = api.logSoftmaxBackward;

/**
 * The index of each row's largest entry: an Int32Array of length rows. Ties go to the lowest
 * index; a row holding a NaN gives −1 (PyTorch would point at the NaN; −1 says "no answer");
 * +Inf counts as the largest value, and a row of all −Inf gives 0.
 *
 * @example
 * argmax(new Float32Array([0.1, 2, 2, -1])); // Int32Array [1]
 * argmax(logits, { cols: 1000 });            // one per row
 */
export const argmax = api.argmax;

/**
 * The k largest entries of each row, best first, equal values in index order: `{ indices, values }`,
 * each rows × k (row-major). `values` are the softmax probabilities of those entries, computed from
 * the row's log-sum-exp without writing the whole softmax, or with `probabilities: false` the
 * logits themselves. 1 ≤ k ≤ cols. A row with a NaN gets indices −1 and values NaN; a row whose
 * softmax is NaN (a +Inf, or all −Inf) gets its indices and NaN probabilities.
 *
 * @example
 * topK(new Float64Array([1, 3, 2]), 2);                 // { indices: [1, 2], values: [0.665, 0.245] }
 * topK(logits, 5, { cols: 1000, probabilities: false }); // raw logits
 */
export const topK = api.topK;

/**
 * Scores a batch of logits from one read of each row: `predictions` (as {@link argmax}),
 * `confidence` (the largest probability, 1 / Σ exp(x − max)), `logSumExp`, and with `labels`
 * the per-row negative log-likelihood `nll` (= crossEntropy with reduction 'none'); with `topK`
 * the k best classes and their probabilities. `summary` accounts for every row: `rows`; the rows
 * with no finite prediction by cause (`nanRows`: a NaN logit, `infiniteRows`: a +Inf logit,
 * `maskedRows`: all −Inf); with labels `accuracy` (over all rows), `meanNll` over the `nllRows`
 * rows that have a finite prediction (NaN if none) and `perplexity` = exp(meanNll). Labels must
 * be integers in [0, cols).
 *
 * @example
 * const { predictions, summary } = score(logits, { cols: 10, labels });
 * console.log(summary);
 * // { rows: 360, nanRows: 0, infiniteRows: 0, maskedRows: 0, accuracy: 0.97, meanNll: 0.11, perplexity: 1.12, nllRows: 360 }
 */
export const score = api.score;

/**
 * {@link softmax} off the main thread: a Promise of the same result, bit for bit. The rows are
 * split over `threads` of the library's own threads, never libuv's pool (default: all
 * {@link backend}.threads for inputs of `backend.parallelMin` elements or more, else 1); `signal`
 * (an AbortSignal) stops the work between chunks of rows and rejects with its reason (`out` is
 * then partly written). The arrays must not be modified until the Promise settles. Without `out`
 * the result is allocated on the JS thread first (0.3–2 ms for 32M elements, more when the
 * garbage collector must free old results): reuse an `out` in hot loops. On the pure-TS path the
 * work runs on the main thread in chunks, yielding to the event loop every few milliseconds.
 *
 * @example
 * const probs = await softmaxAsync(logits, { cols: 1000 });
 * await softmaxAsync(logits, { cols: 1000, out: logits, signal: AbortSignal.timeout(50) });
 */
export const softmaxAsync = api.softmaxAsync;

/**
 * {@link logSoftmax} off the main thread (see {@link softmaxAsync} for `threads` and `signal`).
 *
 * @example
 * const logProbs = await logSoftmaxAsync(logits, { cols: 32000, threads: 2 });
 */
export const logSoftmaxAsync = api.logSoftmaxAsync;

/**
 * {@link logSumExp} off the main thread (see {@link softmaxAsync} for `threads` and `signal`).
 *
 * @example
 * const lse = await logSumExpAsync(logits, { cols: 32000 });
 */
export const logSumExpAsync = api.logSumExpAsync;

/**
 * {@link crossEntropy} off the main thread (see {@link softmaxAsync} for `threads` and
 * `signal`). The reduced loss is the same number as the sync call's, for any number of threads:
 * both add the per-chunk sums in chunk order.
 *
 * @example
 * const loss = await crossEntropyAsync(logits, labels, { cols: 1000 });
 */
export const crossEntropyAsync = api.crossEntropyAsync;

/**
 * {@link crossEntropyWithGrad} off the main thread (see {@link softmaxAsync}).
 *
 * @example
 * const { loss, grad } = await crossEntropyWithGradAsync(logits, labels, { cols: 1000, gradOut: logits });
 */
export const crossEntropyWithGradAsync = api.crossEntropyWithGradAsync;

/**
 * {@link topK} off the main thread (see {@link softmaxAsync}).
 *
 * @example
 * const { indices, values } = await topKAsync(logits, 5, { cols: 1000 });
 */
export const topKAsync = api.topKAsync;

/**
 * {@link score} off the main thread (see {@link softmaxAsync}): the same result, bit for bit,
 * summary included.
 *
 * @example
 * const { summary } = await scoreAsync(logits, { cols: 1000, labels, signal });
 */
export const scoreAsync = api.scoreAsync;

export type * from './types.js';
export type { Target, CrossEntropyFn, CrossEntropyWithGradFn, CrossEntropyBackwardFn } from './cross-entropy.js';
export type { SoftmaxFn, LogSumExpFn, SoftmaxAsyncFn, LogSumExpAsyncFn } from './softmax.js';
export type { ArgmaxFn, TopKFn, TopKAsyncFn, ScoreFn, ScoreAsyncFn } from './scoring.js';
export type { NllLossFn } from './nll.js';
export type { EntropyFn, DivergenceFn } from './information.js';
export type { ElementwiseFn, SigmoidBackwardFn, BinaryCrossEntropyFn, BinaryCrossEntropyBackwardFn } from './sigmoid.js';
export type { RegressionLossFn, RegressionBackwardFn } from './regression.js';
export type { BackwardProductFn } from './backward.js';
