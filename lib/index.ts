/**
 * softmax-simd: softmax, log-softmax, log-sum-exp and cross-entropy (with its gradient) over
 * row-major typed arrays, computed by SIMD C++ kernels, or by the pure-TS implementation where
 * the native addon cannot load. Semantics follow PyTorch.
 *
 * @packageDocumentation
 */
import { createApi } from './api.js';
import { load } from './load.js';
import type { Backend } from './types.js';

const loaded = load();
const api = createApi(loaded.kernels);

/**
 * Which implementation answers calls: `{ native, isa, supported, threads }`, and `reason` when the
 * pure-TS path is in use (`SOFTMAX_SIMD_BACKEND=js`, or why the addon did not load). `isa` is the
 * best of `supported` unless `SOFTMAX_SIMD_ISA` caps it.
 *
 * @example
 * import { backend } from 'softmax-simd';
 * console.log(backend); // { native: true, isa: 'avx512', supported: ['scalar', 'avx2', 'avx512'], threads: 1 }
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

export type * from './types.js';
export type { Target, CrossEntropyFn, CrossEntropyWithGradFn, CrossEntropyBackwardFn } from './cross-entropy.js';
export type { SoftmaxFn, LogSumExpFn } from './softmax.js';
export type { NllLossFn } from './nll.js';
